"""The console's dock layout and session safety: one tab bar per dock tab group (first launch and
with a saved layout), unsaved changes are never dropped silently, the undo stack never reaches
into another scenario, and the ranked options panel can always be found and explains itself."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox, QTabBar

from desktop import operations as ops
from desktop.options_view import no_options_reason, signed, tactic_words
from desktop.settings import Settings
from desktop.state import Selection
from resources.model import Tactic, ThreatLevel, UnitStatus
from resources.placement import PlacementChecker
from tests.conftest import hand_plan, small_scenario

Button = QMessageBox.StandardButton


def shown(make_window: Any, qtbot: Any) -> Any:
    """A console window on screen, laid out and with its events handled."""
    window = make_window()
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def tab_groups(window: Any) -> list[set[str]]:
    """The dock tab groups on screen (two or more visible, docked panels tabbed together)."""
    groups: list[set[str]] = []
    for dock in window.findChildren(QDockWidget):
        if not dock.isVisible() or dock.isFloating() or any(dock.objectName() in g
                                                            for g in groups):
            continue
        group = {dock.objectName()} | {d.objectName() for d in window.tabifiedDockWidgets(dock)
                                        if d.isVisible()}
        if len(group) > 1:
            groups.append(group)
    return groups


def dock_tab_bars(window: Any) -> list[list[str]]:
    """The tab bars the window draws for its docks, as tab texts; each must sit beside its
    panels, never over one (a stray bar is drawn over another panel and does nothing)."""
    out: list[list[str]] = []
    area = window.rect()  # Qt parks the panels behind the current tab off the window
    panels = [d for d in window.findChildren(QDockWidget)
              if d.isVisible() and d.geometry().intersects(area)]
    panels.append(window.centralWidget())
    for bar in window.findChildren(QTabBar):
        if bar.parent() is window and bar.isVisible() and bar.geometry().intersects(area):
            tabs = [bar.tabText(i) for i in range(bar.count())]
            under = [p.objectName() for p in panels if p.geometry().intersects(bar.geometry())]
            assert not under, f"tab bar {tabs} is drawn over {under}"
            out.append(tabs)
    titles = [t for tabs in out for t in tabs]
    assert len(titles) == len(set(titles)), f"a panel has two tab bars: {out}"
    return out


def answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    """Answer the unsaved-changes question with ``button``; returns the questions asked."""
    asked: list[str] = []

    def question(parent: object, title: str, text: str, buttons: Any = None,
                 default: Any = None) -> QMessageBox.StandardButton:
        assert buttons == Button.Save | Button.Discard | Button.Cancel
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


@pytest.fixture
def discard_at_close(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The test leaves unsaved edits: closing the window afterwards discards them."""
    return answer(monkeypatch, Button.Discard)


# -- issue: stray tab bars -------------------------------------------------------------------


def test_one_tab_bar_per_tab_group_at_first_launch(make_window: Any, qtbot: Any) -> None:
    window = shown(make_window, qtbot)
    groups = tab_groups(window)
    assert {"dock_roster", "dock_sites", "dock_solve", "dock_plans", "dock_options"} in groups
    assert {"dock_timeline", "dock_compare"} in groups
    bars = dock_tab_bars(window)
    assert len(bars) == len(groups) == 2, bars
    assert sorted(len(b) for b in bars) == [2, 5]
    assert window.docks["roster"].isVisible() and not window.docks["roster"].visibleRegion() \
        .isEmpty()


def test_saved_layout_reopens_without_stray_tab_bars(make_window: Any, qtbot: Any) -> None:
    window = shown(make_window, qtbot)
    window.docks["solve"].raise_()
    window.docks["compare"].raise_()
    window.docks["dashboard"].hide()
    QApplication.processEvents()
    window.close()
    assert Settings().window_state()[1] is not None
    for _ in range(2):  # second and third launch, each restoring the layout the last one saved
        again = shown(make_window, qtbot)
        bars = dock_tab_bars(again)
        assert len(bars) == len(tab_groups(again)) == 2, bars
        assert not again.docks["dashboard"].isVisible()
        assert not again.docks["solve"].visibleRegion().isEmpty()  # the raised tab is on top
        assert again.docks["roster"].visibleRegion().isEmpty()
        again.close()


def test_a_window_never_shown_keeps_the_saved_layout(make_window: Any, qtbot: Any) -> None:
    window = shown(make_window, qtbot)
    window.docks["timeline"].hide()
    window.close()
    saved = Settings().window_state()[1]
    hidden = make_window()  # built and closed without ever being shown (scripts, tests)
    hidden.close()
    assert Settings().window_state()[1] == saved
    again = shown(make_window, qtbot)
    assert not again.docks["timeline"].isVisible()
    assert dock_tab_bars(again) == [["Roster", "Sites", "Solve", "Plan history", "Options"]]
    assert len(tab_groups(again)) == 1


# -- issue: unsaved edits --------------------------------------------------------------------


def test_nothing_unsaved_means_no_question(make_window: Any) -> None:
    window = make_window()
    assert not window.state.dirty
    assert window.confirm_discard("open another scenario")  # the autouse guard fails on a box
    assert window.close()


def test_save_answer_saves_then_proceeds(make_window: Any, monkeypatch: pytest.MonkeyPatch,
                                         stored_db: Any) -> None:
    window = make_window()
    window.state.set_threat_level(ThreatLevel.SEVERE)
    asked = answer(monkeypatch, Button.Save)
    assert window.confirm_discard("open another scenario")
    assert len(asked) == 1 and "'small' has unsaved changes" in asked[0]
    assert "open another scenario" in asked[0]
    assert not window.state.dirty and window.state.scenario_version == 2
    stored, version = ops.load_scenario(stored_db, "small")
    assert (version, stored.threat_level) == (2, ThreatLevel.SEVERE)


def test_discard_answer_proceeds_without_saving(make_window: Any,
                                                monkeypatch: pytest.MonkeyPatch,
                                                stored_db: Any) -> None:
    window = make_window()
    window.state.set_threat_level(ThreatLevel.CRITICAL)
    asked = answer(monkeypatch, Button.Discard)
    assert window.confirm_discard("start a new scenario")
    assert len(asked) == 1 and window.state.dirty
    stored, version = ops.load_scenario(stored_db, "small")
    assert (version, stored.threat_level) == (1, small_scenario().threat_level)


def test_cancel_answer_stops_the_action(make_window: Any, monkeypatch: pytest.MonkeyPatch,
                                        stored_db: Any) -> None:
    window = make_window()
    window.state.set_threat_level(ThreatLevel.SEVERE)
    answer(monkeypatch, Button.Cancel)
    assert not window.confirm_discard("duplicate the scenario")
    assert window.state.dirty and window.state.scenario.threat_level is ThreatLevel.SEVERE
    assert ops.load_scenario(stored_db, "small")[1] == 1
    answer(monkeypatch, Button.Discard)


def test_close_asks_and_cancel_keeps_the_window_open(make_window: Any, qtbot: Any,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     stored_db: Any) -> None:
    window = shown(make_window, qtbot)
    window.state.set_threat_level(ThreatLevel.SEVERE)
    asked = answer(monkeypatch, Button.Cancel)
    assert not window.close()
    assert window.isVisible() and window.state.dirty and len(asked) == 1
    assert "close the console" in asked[0]
    assert "cancelled" in window.statusBar().currentMessage()
    asked = answer(monkeypatch, Button.Discard)
    assert window.close() and not window.isVisible()
    assert ops.load_scenario(stored_db, "small")[1] == 1
    asked = answer(monkeypatch, Button.Save)
    again = shown(make_window, qtbot)
    again.state.set_threat_level(ThreatLevel.SEVERE)
    assert again.close()
    assert len(asked) == 1 and ops.load_scenario(stored_db, "small")[1] == 2


def test_a_failed_save_cancels_the_action(make_window: Any, monkeypatch: pytest.MonkeyPatch,
                                          stored_db: Any, message_boxes: list[str]) -> None:
    window = make_window()
    window.state.set_threat_level(ThreatLevel.SEVERE)
    ops.save_scenario(stored_db, small_scenario(), 1)  # someone else saved version 2 meanwhile
    answer(monkeypatch, Button.Save)
    assert not window.confirm_discard("close the console")
    assert window.state.dirty and len(message_boxes) == 1  # the save error was reported
    answer(monkeypatch, Button.Discard)


# -- issue: undo across scenarios ------------------------------------------------------------


def test_opening_another_scenario_clears_the_undo_stack(make_window: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window()
    pins = window.pins
    assert pins.lock_slot(1, "event") and pins.lock_slot(2)
    assert pins.stack.count() == 2
    pins.actions["undo"].trigger()  # undo inside one scenario still works
    assert {p.slot for p in window.state.scenario.pins} == {1}
    assert pins.stack.canUndo() and pins.stack.canRedo()
    answer(monkeypatch, Button.Discard)
    assert window.commands.duplicate_scenario("small-copy")
    assert window.state.scenario.name == "small-copy"
    assert pins.stack.count() == 0 and not pins.actions["undo"].isEnabled()
    pins.actions["undo"].trigger()  # nothing to undo: the copy stays open
    assert window.state.scenario.name == "small-copy"
    assert {p.slot for p in window.state.scenario.pins} == {1}
    assert pins.lock_slot(3)
    assert window.commands.open_scenario_named("small")
    assert pins.stack.count() == 0 and window.state.scenario.pins == ()


# -- issue: the ranked options panel ---------------------------------------------------------


def view_menu_texts(window: Any) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if "View" in a.text())
    return [a.text() for a in menu.actions()]


def test_options_and_compare_panels_are_in_the_view_menu(make_window: Any, qtbot: Any) -> None:
    window = shown(make_window, qtbot)
    texts = view_menu_texts(window)
    assert "Options" in texts and "Compare plans" in texts
    dock = window.pins.options_dock
    assert dock.windowTitle() == "Options"
    dock.toggleViewAction().trigger()
    assert not dock.isVisible()
    window.state.set_slot(3)
    window.state.select(Selection("unit", "DOG1"))
    window.pins.actions["options"].trigger()  # Ctrl+R brings a closed panel back
    assert dock.isVisible() and dock.toggleViewAction().isChecked()
    assert dock.windowTitle() == "Options"
    header = window.pins.options_panel.header.text()
    assert header.startswith("DOG1, slot 4 (18:00-00:00)") and "double-click" in header.lower()
    compare = window.pins.what_if.dock
    compare.toggleViewAction().trigger()
    assert not compare.isVisible()
    compare.toggleViewAction().trigger()
    assert compare.isVisible()


def test_options_read_plainly(make_window: Any, qtbot: Any) -> None:
    window = shown(make_window, qtbot)
    window.state.set_slot(3)
    for callsign in ("ARV1", "DOG1", "MAR1", "TSG1"):
        window.state.select(Selection("unit", callsign))
        options = window.pins.show_options()
        texts = [window.pins.options_list.item(i).text()
                 for i in range(window.pins.options_list.count())]
        assert options and len(texts) == len(options)
        for text in texts:
            assert not re.search(r"-0\.0+\b", text) and "_" not in text, text
    assert any("(vehicle patrol)" in t for t in texts)
    assert signed(-0.04) == "0.0" and signed(-0.004, 2) == "0.00" and signed(0.0) == "0.0"
    assert signed(-0.06) == "-0.1" and signed(2.0) == "+2.0"
    assert tactic_words(Tactic.VEHICLE_PATROL) == "vehicle patrol"
    assert tactic_words(Tactic.VCP_ANPR) == "vehicle check point with ANPR"


def test_no_options_says_why(make_window: Any, qtbot: Any, discard_at_close: Any) -> None:
    window = shown(make_window, qtbot)
    pins, st = window.pins, window.state
    header = pins.options_panel.header
    st.set_slot(2)
    st.select(Selection("unit", "NHT1"))  # boxed in by travel times and a full site
    assert pins.show_options() == [] and pins.options_list.count() == 0
    assert "no options, because every posting would break a rule" in header.text()
    assert "change-over allows" in header.text()
    st.set_unit_status("DOG1", UnitStatus.COMMITTED, "Operation Trident")
    st.select(Selection("unit", "DOG1"))
    assert pins.show_options() == []
    assert "committed elsewhere (Operation Trident)" in header.text()
    assert "committed elsewhere" in pins.last_message
    sc = st.scenario
    rostered = replace(sc.units_by_callsign["ARV1"], available_slots=frozenset({0}))
    off = sc.with_changes(units=tuple(rostered if u.callsign == "ARV1" else u for u in sc.units))
    reason = no_options_reason(PlacementChecker(off, st.plan), rostered, 2)
    assert reason == "it is off duty in this slot (not rostered then)"
    st.select(None)
    assert pins.show_options() == [] and "Select a unit" in header.text()


def test_options_clear_when_the_plan_or_scenario_changes(make_window: Any, qtbot: Any,
                                                         discard_at_close: Any) -> None:
    window = shown(make_window, qtbot)
    pins, st = window.pins, window.state
    st.set_slot(3)
    st.select(Selection("unit", "DOG1"))
    assert pins.show_options()
    st.set_plan(hand_plan(st.scenario, variant=1))
    assert pins.options_list.count() == 0 and "changed" in pins.options_panel.header.text()
    assert pins.show_options()
    st.set_unit_status("NHT9", UnitStatus.COMMITTED, "Operation Trident")
    assert pins.options_list.count() == 0
    st.set_plan(None)
    assert pins.show_options() == [] and "plan first (F5)" in pins.options_panel.header.text()


def test_double_click_pins_the_unit_and_slot_the_options_are_for(
        make_window: Any, qtbot: Any, discard_at_close: Any) -> None:
    window = shown(make_window, qtbot)
    pins, st = window.pins, window.state
    st.set_slot(3)
    st.select(Selection("unit", "DOG1"))
    options = pins.show_options()
    st.set_slot(0)
    st.select(Selection("unit", "ARV1"))
    pins.options_list.itemDoubleClicked.emit(pins.options_list.item(0))
    pin = st.scenario.pins[0]
    assert (pin.callsign, pin.slot, pin.site_id) == ("DOG1", 3, options[0].site_id)
    assert pins.options_list.count() == 0  # the pin changed the plan: ask again


def test_undo_past_a_save_leaves_the_scenario_unsaved(make_window: Any,
                                                      discard_at_close: Any) -> None:
    window = make_window()
    pins = window.pins
    assert pins.lock_slot(1)
    pins.actions["undo"].trigger()
    assert not window.state.dirty  # back to the stored scenario
    pins.actions["redo"].trigger()
    assert window.state.dirty
    assert window.commands.save() and not window.state.dirty
    pins.actions["undo"].trigger()  # the store now holds the pins: the undone copy is unsaved
    assert window.state.scenario.pins == () and window.state.dirty
    assert not discard_at_close
    assert window.confirm_discard("open another scenario")
    assert len(discard_at_close) == 1
