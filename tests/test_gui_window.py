"""The main window: marking, shortcuts, theme, saved layout, store operations, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from desktop.actions import ACTIONS, DOCK_SHORTCUTS, ShortcutsDialog, shortcut_rows
from desktop.settings import DEFAULT_MARKING, Settings
from desktop.state import Selection
from resources.model import ThreatLevel, UnitStatus
from resources.store import Store
from tests.conftest import hand_plan, small_scenario


def test_settings_live_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    path = Path(Settings().path).resolve()
    assert str(path).startswith(str(tmp_path_factory.getbasetemp().resolve()))


def test_marking_in_banners_and_title(make_window) -> None:
    window = make_window()
    assert window.banner_top.text() == DEFAULT_MARKING == window.banner_bottom.text()
    assert window.windowTitle().startswith(DEFAULT_MARKING)
    assert window.banner_top.isVisibleTo(window)
    window.commands.edit_marking("OFFICIAL-SENSITIVE  [PERSONAL]")
    assert window.banner_top.text() == "OFFICIAL-SENSITIVE [PERSONAL]"
    assert window.windowTitle().startswith("OFFICIAL-SENSITIVE [PERSONAL]")
    assert Settings().marking == "OFFICIAL-SENSITIVE [PERSONAL]"


def test_every_action_has_a_unique_listed_shortcut(qtbot, make_window) -> None:
    window = make_window()
    keys = [a.shortcut for a in ACTIONS] + list(DOCK_SHORTCUTS.values())
    assert len(keys) == len(set(keys))
    rows = shortcut_rows(window)
    listed = {QKeySequence(k).toString(QKeySequence.SequenceFormat.PortableText)
              for _, k in rows}
    for k in keys:
        assert QKeySequence(k).toString(QKeySequence.SequenceFormat.PortableText) in listed
    names = [name for name, _ in rows]
    assert len(names) == len(set(names))  # no two rows read the same
    assert "Plan history panel (show or hide)" in names and "Plan history" in names
    dialog = ShortcutsDialog(rows, window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(rows) >= len(ACTIONS)


def test_help_is_the_last_menu(make_window) -> None:
    window = make_window()
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles[-1] == "Help"
    assert {"File", "Edit", "What-if"} <= set(titles)


def test_shortcuts_drive_slot_and_threat(qtbot, make_window) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.state.set_slot(0)
    window.actions_["next_slot"].trigger()
    assert window.state.slot == 1 and window.slot_bar.slider.value() == 1
    window.actions_["previous_slot"].trigger()
    window.actions_["previous_slot"].trigger()
    assert window.state.slot == 3  # wraps round
    level = window.state.scenario.threat_level
    window.actions_["raise_threat"].trigger()
    assert window.state.scenario.threat_level is not level
    assert window.threat.currentText() == window.state.scenario.threat_level.value
    assert window.state.plan_stale and window.stale_badge.isVisibleTo(window)
    assert window.windowTitle().endswith("*")


def test_threat_combo_changes_posture(make_window) -> None:
    window = make_window()
    window.threat.setCurrentText("SEVERE")
    assert window.state.scenario.threat_level is ThreatLevel.SEVERE
    assert window.state.plan_stale


def test_play_steps_through_slots(qtbot, make_window) -> None:
    window = make_window()
    window.slot_bar.timer.setInterval(5)
    window.state.set_slot(0)
    window.actions_["play"].trigger()
    qtbot.waitUntil(lambda: window.state.slot == 2, timeout=5_000)
    window.actions_["play"].trigger()
    assert not window.slot_bar.timer.isActive()


def test_dark_theme_and_layers_persist(make_window) -> None:
    window = make_window()
    window.actions_["toggle_dark"].setChecked(True)
    window.actions_["layer_cells"].setChecked(False)
    assert Settings().dark and not Settings().layer_visible("cells")
    assert not window.map.cells.isVisible()
    window.actions_["toggle_dark"].setChecked(False)
    assert not Settings().dark


def test_dock_state_is_saved_and_restored(qtbot, make_window) -> None:
    window = make_window()
    window.show()
    window.docks["timeline"].hide()
    window.close()
    again = make_window()
    again.show()
    assert not again.docks["timeline"].isVisible()
    assert again.docks["roster"].isVisible()


def test_opens_latest_plan_and_history(qtbot, make_window, stored_db: Path) -> None:
    scenario = small_scenario()
    with Store.open(stored_db) as store:
        old = store.save_plan(hand_plan(scenario, variant=1))
        new = store.save_plan(hand_plan(scenario, variant=2))
    window = make_window()
    assert window.state.plan is not None and window.state.plan.plan_id == new
    assert window.history.plan_ids()[:2] == [new, old]
    assert window.dashboard.unmet.count() == 1
    window.dashboard.this_slot.setChecked(False)
    assert window.dashboard.unmet.count() == 2
    # predictability: per-slot site-choice entropy and the overlap with the two earlier plans
    from resources.predictability import jaccard, plan_targets, site_entropy

    board = window.dashboard
    assert board.predictability is not None
    today = plan_targets(window.state.scenario, window.state.plan)
    _, ys = board.entropy_curves[0].getData()
    assert list(ys) == pytest.approx([site_entropy(today, t)[0] for t in range(4)])
    with Store.open(stored_db) as store:
        earlier = [plan_targets(scenario, store.load_plan(i))
                   for i in window.history.plan_ids()[1:]]
    overlap = sum(jaccard(today, e) for e in earlier) / len(earlier)
    title = board.overlap_label.text()
    assert f"overlap with last 7 plan(s) {100 * overlap:.0f}%" in title
    window.commands.open_plan(old)
    assert window.state.plan.plan_id == old
    nht1 = window.state.scenario.units_by_callsign["NHT1"]
    assert nht1.callsign == "NHT1"
    # clicking an unmet target focuses its slot and subject
    window.dashboard._unmet_item_clicked(window.dashboard.unmet.item(0))
    assert window.state.slot == 1 and window.state.selection == Selection("site", "S2")


def test_selection_is_shared(qtbot, make_window) -> None:
    window = make_window()
    window.state.select(Selection("unit", "TSG1"))
    assert window.roster.selected_key() == "TSG1"
    assert window.map.highlight.getData()[0].size == 1
    window.sites.view.setCurrentIndex(window.sites.proxy.index(0, 0))
    assert window.state.selection is not None and window.state.selection.kind == "site"


def test_duplicate_save_and_conflict(qtbot, make_window, stored_db: Path, message_boxes) -> None:
    window = make_window()
    assert window.commands.duplicate_scenario("small-copy")
    assert window.state.dirty and window.windowTitle().endswith("*")
    assert window.commands.save()
    assert not window.state.dirty
    with Store.open(stored_db) as store:
        assert store.scenario_version("small-copy") == 1
        # someone else saves the same scenario meanwhile
        store.save_scenario(store.load_scenario("small-copy"))
    window.commands.set_unit_status("NHT2", UnitStatus.COMMITTED, "Operation Trident")
    assert not window.commands.save()
    assert message_boxes and "saved elsewhere" in message_boxes[-1]
    asked: list[str] = []
    window.confirm_discard = lambda action: asked.append(action) or True  # Discard
    assert not window.commands.duplicate_scenario("small")
    assert asked == ["duplicate it"] and "exists already" in message_boxes[-1]


def test_bad_input_is_a_message_not_a_traceback(make_window, message_boxes) -> None:
    window = make_window()
    assert not window.commands.open_scenario_named("no-such-scenario")
    assert "no scenario named 'no-such-scenario'" in message_boxes[-1]
    assert not window.commands.duplicate_scenario("bad\tname")
    assert "name" in message_boxes[-1]
    assert not window.commands.open_plan("P-19990101-0001")
    assert "no plan with id" in message_boxes[-1]
    assert window.state.scenario is not None and window.state.scenario.name == "small"


def test_commit_from_roster_button(qtbot, make_window, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    window = make_window()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Operation Trident", True))
    window.roster._combos["type"][0].setCurrentText("ARV")  # NHT4 is filtered out of the table
    window.state.select(Selection("unit", "NHT4"))  # e.g. clicked on the map
    window.actions_["commit_unit"].trigger()
    unit = window.state.scenario.units_by_callsign["NHT4"]
    assert unit.status is UnitStatus.COMMITTED and unit.committed_to == "Operation Trident"
    assert window.state.scenario.units_by_callsign["ARV1"].status is UnitStatus.AVAILABLE
    window.actions_["free_unit"].trigger()
    assert window.state.scenario.units_by_callsign["NHT4"].status is UnitStatus.AVAILABLE


def test_timeline_click_moves_map_slot(qtbot, make_window) -> None:
    window = make_window()
    window.show()
    view = window.timeline.units_view
    model = window.timeline.units_model
    row = window.geo.unit_index["ARV1"]
    view.scrollTo(model.index(row, 2))
    rect = view.visualRect(model.index(row, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.state.slot == 2 and window.map.slot == 2
    assert window.state.selection == Selection("unit", "ARV1")


def test_new_scenario_from_london(make_window, message_boxes) -> None:
    window = make_window()
    window.threat.setCurrentText("CRITICAL")  # an unsaved change: Cancel keeps it, Discard not
    window.confirm_discard = lambda action: False
    assert not window.commands.new_from_london("london-exercise")
    assert window.state.scenario.name == "small" and window.state.dirty
    window.confirm_discard = lambda action: True
    assert window.commands.new_from_london("london-exercise")
    scenario = window.state.scenario
    assert scenario.name == "london-exercise" and len(scenario.areas) == 33
    assert scenario.threat_level is ThreatLevel.CRITICAL
    assert window.state.plan is None and window.state.dirty
    assert window.dashboard.unmet_title.text().endswith("no plan")
    assert not window.commands.new_from_london("small")
    assert "exists already" in message_boxes[-1]


def test_run_gui_opens_london_and_returns_exit_code(qtbot, gui_db: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.app import run_gui
    from desktop.main_window import MainWindow

    seen: list[str] = []

    def close_when_shown() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)
                   and w.isVisible()]
        if not windows:
            QTimer.singleShot(20, close_when_shown)
            return
        scenario = windows[0].state.scenario
        seen.append(scenario.name if scenario else "")
        windows[0].close()

    QTimer.singleShot(0, close_when_shown)
    assert run_gui(gui_db) == 0
    assert seen == ["london"]
    assert Settings().last_scenario == "london"


def test_scenario_picker_lists_the_store(qtbot, stored_db: Path) -> None:
    from desktop.operations import list_scenarios
    from desktop.store_views import ScenarioPicker

    picker = ScenarioPicker(list_scenarios(stored_db))
    qtbot.addWidget(picker)
    names = [picker.list.item(i).data(Qt.ItemDataRole.UserRole)
             for i in range(picker.list.count())]
    assert names == ["london", "london-week", "small"]
    assert "built-in" in picker.list.item(0).text() and "v1" in picker.list.item(2).text()
    picker.list.setCurrentRow(2)
    assert picker.chosen() == "small"


@pytest.mark.parametrize("typed, found, message", [
    ("kings cross", Selection("site", "S2"), "Found site Kings Cross"),
    ("s5", Selection("site", "S5"), "Found site Camden Market"),
    ("arv1", Selection("unit", "ARV1"), "Found unit ARV1"),
    ("Parliament", Selection("site", "S3"), "Found site Parliament Square"),
    ("NHT", None, "'NHT' matches 9 units and sites: type more of the name"),
    ("Nowhere", None, "No unit or site is called 'Nowhere'"),
])
def test_find_selects_a_unit_or_a_site(make_window, monkeypatch: pytest.MonkeyPatch,
                                       typed: str, found: Selection | None,
                                       message: str) -> None:
    from PySide6.QtWidgets import QInputDialog

    window = make_window()
    offered: list[list[str]] = []

    def answer(parent: object, title: str, label: str, items: list[str], *args: object
               ) -> tuple[str, bool]:
        offered.append(items)
        return typed, True

    monkeypatch.setattr(QInputDialog, "getItem", answer)
    window.actions_["find"].trigger()
    assert "ARV1" in offered[0] and "Camden Market" in offered[0]
    assert window.state.selection == found
    assert window.statusBar().currentMessage() == message


def test_solve_summary_keeps_objective_bound_and_gap() -> None:
    from dataclasses import replace

    from desktop.commands import solve_summary
    from resources.model import SolverInfo

    sc = small_scenario()
    plan = hand_plan(sc)
    done = replace(plan, plan_id="P-1", solver=SolverInfo("cp-sat", "FEASIBLE", 120.5, 100.0,
                                                          0.17))
    assert solve_summary(done) == (f"FEASIBLE, objective 120.5, bound 100.0, gap 17.00%; "
                                   f"{len(plan.assignments)} postings, {len(plan.unmet)} unmet "
                                   "target(s); saved as P-1")
    bare = replace(plan, solver=SolverInfo("cp-sat", "CANCELLED"))
    assert solve_summary(bare).startswith("CANCELLED; ")


def test_commit_elsewhere_with_a_site_selected_asks_for_a_unit(make_window) -> None:
    from desktop.table_panels import NO_UNIT_MESSAGE

    window = make_window()
    before = window.state.scenario
    window.state.select(Selection("site", "S2"))
    for key in ("commit_unit", "free_unit"):
        window.statusBar().clearMessage()
        window.actions_[key].trigger()
        assert window.statusBar().currentMessage() == NO_UNIT_MESSAGE
    assert window.state.scenario is before
