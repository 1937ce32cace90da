"""Roster and Sites panels in a narrow dock: column order and widths, labelled filters, a
search box that keeps its room, and unit status actions that need an explicit unit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QApplication, QInputDialog, QWidget

from desktop.geometry import MapGeometry
from desktop.plan_index import PlanIndex
from desktop.roster_model import COMMITTED_COLUMN, POSTING_CHARS
from desktop.state import AppState, Selection
from desktop.table_base import ElidedTipDelegate
from desktop.table_panels import ALL, EditOutcome, RosterPanel, SitesPanel, TablePanel
from desktop.theme import apply_theme
from resources.model import Assignment, Plan, Scenario, SiteKind, Tactic, UnitStatus
from tests.conftest import hand_plan
from tests.factories import site, unit

pytestmark = pytest.mark.usefixtures("qapp")

#: The default width of the right-hand dock group, and the narrowest it is laid out at.
DOCK_WIDTH, NARROW_DOCK = 460, 372
LONG_POSTING = "Westfield London shopping centre - vehicle patrol"


@pytest.fixture
def long_names(scenario: Scenario) -> Scenario:
    """The small scenario plus a unit and a site with names as long as London's."""
    extra_unit = unit("TROJAN 106", "MOUNTED", borough="Kensington and Chelsea")
    extra_site = site("westfield-london-shopping-centre", name="Westfield London shopping centre",
                      kind=SiteKind.NIGHT_TIME_ECONOMY, borough="Kensington and Chelsea")
    return scenario.with_changes(units=(*scenario.units, extra_unit),
                                 sites=(*scenario.sites, extra_site))


def _plan(scenario: Scenario) -> Plan:
    plan = hand_plan(scenario)
    extra = tuple(Assignment("TROJAN 106", s, "westfield-london-shopping-centre",
                             Tactic.VEHICLE_PATROL, 2, 0)
                  for s in range(scenario.calendar.slot_count))
    return replace(plan, assignments=(*plan.assignments, *extra))


def _shown(qtbot: Any, panel: QWidget, width: int) -> None:
    """Show ``panel`` at the console's font (10 pt at least), ``width`` pixels wide."""
    font = QFont(panel.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    panel.setFont(font)
    qtbot.addWidget(panel)
    panel.resize(width, 500)
    panel.show()
    qtbot.waitExposed(panel)


def _visible_in_order(panel: TablePanel, headers: tuple[str, ...]) -> None:
    header = panel.view.horizontalHeader()
    room = panel.view.viewport().width()
    for place, name in enumerate(headers):
        c = panel.model.column_of(name)
        assert header.visualIndex(c) == place, name
        left = header.sectionViewportPosition(c)
        assert left >= 0 and left + header.sectionSize(c) <= room, (name, left, room)
        # not squashed: the header text fits beside the sort arrow
        assert header.sectionSize(c) >= header.fontMetrics().horizontalAdvance(name), name


@pytest.fixture
def roster(qtbot: Any, long_names: Scenario) -> Iterator[tuple[RosterPanel, AppState]]:
    """A roster panel over the long-names scenario with a plan, wired like the console."""
    state = AppState()
    state.open_scenario(long_names, 1)
    state.set_plan(_plan(long_names))
    panel = RosterPanel(state.set_unit_status)
    state.scenario_changed.connect(lambda: panel.set_scenario(state.scenario))
    state.selection_changed.connect(panel.show_selection)
    panel.selected.connect(state.select)
    _shown(qtbot, panel, DOCK_WIDTH)
    panel.set_scenario(state.scenario)
    panel.model.set_plan(PlanIndex(long_names, state.plan, MapGeometry(long_names)), 0)
    yield panel, state


def test_roster_shows_callsign_posting_status_type_armed_first(roster: Any) -> None:
    panel, _ = roster
    _visible_in_order(panel, ("Callsign", "Posting (slot)", "Status", "Type", "Armed"))
    assert panel.model.column_of("Committed to") == COMMITTED_COLUMN
    header, metrics = panel.view.horizontalHeader(), panel.view.fontMetrics()
    row = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of("TROJAN 106"), 0)).row()
    # short values show whole; the long posting is cut at its width and shown in a tooltip
    callsign = panel.model.column_of("Callsign")
    assert header.sectionSize(callsign) >= metrics.horizontalAdvance("TROJAN 106")
    posting = panel.model.column_of("Posting (slot)")
    assert header.sectionSize(posting) <= metrics.averageCharWidth() * POSTING_CHARS + 12
    delegate = panel.view.itemDelegate()
    assert isinstance(delegate, ElidedTipDelegate)
    cell = panel.proxy.index(row, posting)
    assert cell.data() == LONG_POSTING
    assert delegate.cell_tip(cell, header.sectionSize(posting), metrics) == LONG_POSTING
    assert delegate.cell_tip(panel.proxy.index(row, callsign), header.sectionSize(callsign),
                             metrics) is None
    # no column wider than its contents need (header beside the arrow, or the widest value)
    armed = panel.model.column_of("Armed")
    assert header.sectionSize(armed) <= header.fontMetrics().horizontalAdvance("Armed") + 40


def test_roster_sorting_search_and_double_click_commit_still_work(qtbot: Any,
                                                                 roster: Any) -> None:
    panel, state = roster
    view, proxy = panel.view, panel.proxy
    officers = panel.model.column_of("Officers")
    view.sortByColumn(officers, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, officers).data() == "8"
    qtbot.keyClicks(panel.search, "trojan")
    assert proxy.rowCount() == 1
    # double-click "Committed to", type an operation, Enter: the unit is committed
    cell = proxy.index(0, COMMITTED_COLUMN)
    view.scrollTo(cell)
    pos = view.visualRect(cell).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert view.state() is QAbstractItemView.State.EditingState
    editor = view.indexWidget(cell)
    assert editor is not None
    qtbot.keyClicks(editor, "Operation Trident")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event loop

    def committed() -> None:
        trojan = state.scenario.units_by_callsign["TROJAN 106"]
        assert trojan.status is UnitStatus.COMMITTED
        assert trojan.committed_to == "Operation Trident"

    qtbot.waitUntil(committed, timeout=2000)


def test_sites_show_name_and_what_is_there_now_first(qtbot: Any, long_names: Scenario) -> None:
    panel = SitesPanel()
    _shown(qtbot, panel, DOCK_WIDTH)
    panel.set_scenario(long_names)
    plan = _plan(long_names)
    panel.model.set_plan(PlanIndex(long_names, plan, MapGeometry(long_names)), 0)
    _visible_in_order(panel, ("Name", "Risk now", "Units now", "Armed now"))
    model, header = panel.model, panel.view.horizontalHeader()
    assert header.visualIndex(model.column_of("ID")) == len(model.columns) - 1
    row = model.row_of("westfield-london-shopping-centre")
    name = model.index(row, model.column_of("Name"))
    assert "(westfield-london-shopping-centre)" in name.data(Qt.ItemDataRole.ToolTipRole)
    assert header.sectionSize(model.column_of("Name")) < \
        panel.view.fontMetrics().horizontalAdvance("Westfield London shopping centre")
    # still searchable by id, sortable by the risk of the slot
    qtbot.keyClicks(panel.search, "westfield-london")
    assert panel.proxy.rowCount() == 1
    panel.search.clear()
    risk_now = model.column_of("Risk now")
    panel.view.sortByColumn(risk_now, Qt.SortOrder.DescendingOrder)
    top = max(long_names.sites, key=lambda s: s.risk_at(0.0))
    assert panel.proxy.index(0, 0).data() == top.name


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [NARROW_DOCK, DOCK_WIDTH])
def test_labelled_filters_and_search_fit_a_narrow_dock(qtbot: Any, long_names: Scenario,
                                                      dark: bool, width: int) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, dark)
    try:
        for panel, labels in ((RosterPanel(lambda *a: None), ("Type", "Status", "Borough")),
                              (SitesPanel(), ("Kind", "Borough"))):
            panel.set_scenario(long_names)  # "Kensington and Chelsea" is among the boroughs
            _shown(qtbot, panel, width)
            combos = [c for c, _ in panel._combos.values()]
            # labelled, and the label with "(all)" shows whole even in the narrow dock
            assert [c.shown_text() for c in combos] == [f"{t}: {ALL}" for t in labels]
            combos[-1].setCurrentText("Kensington and Chelsea")
            assert combos[-1].display_text() == "Borough: Kensington and Chelsea"
            assert "Kensington and Chelsea" in combos[-1].toolTip()
            search_min = 15 * panel.search.fontMetrics().averageCharWidth()
            assert panel.search.width() >= search_min
            for combo in combos:
                # the whole drop-down inside the panel, none squeezed below what it asks for
                assert combo.geometry().right() < panel.width()
                assert combo.width() >= combo.minimumSizeHint().width()
                assert combo.minimumSizeHint().width() < width / len(combos)
            assert not panel.grab().isNull()  # paints the labelled, elided text
    finally:
        apply_theme(app, False)


@pytest.fixture
def no_dialog(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record operation-name dialogs (answering "Operation Trident")."""
    asked: list[str] = []

    def ask(parent: object, title: str, label: str, *args: object, **kw: object) -> Any:
        asked.append(label)
        return "Operation Trident", True

    monkeypatch.setattr(QInputDialog, "getText", ask)
    return asked


def test_status_actions_never_fall_back_to_a_stale_roster_row(roster: Any,
                                                             no_dialog: list[str]) -> None:
    panel, state = roster
    before = state.scenario
    state.select(Selection("unit", "NHT3"))  # e.g. clicked in the roster
    assert panel.selected_key() == "NHT3" and panel.commit_button.isEnabled()
    state.select(Selection("site", "S1"))  # then a site on the map
    assert panel.selected_key() is None and panel.unit_to_edit() is None
    assert not panel.commit_button.isEnabled() and not panel.free_button.isEnabled()
    # what Ctrl+E / Ctrl+Shift+E do with a site selected: nothing, and say so
    assert panel.commit_selected(callsign=None) is EditOutcome.NO_UNIT
    assert panel.free_selected(callsign=None) is EditOutcome.NO_UNIT
    assert no_dialog == [] and state.scenario is before
    # an explicit unit is acted on whatever the roster shows
    assert panel.commit_selected(callsign="NHT3") is EditOutcome.DONE
    assert no_dialog == ["Operation NHT3 is committed to:"]
    assert state.scenario.units_by_callsign["NHT3"].status is UnitStatus.COMMITTED
    assert panel.free_selected(callsign="NHT3") is EditOutcome.DONE
    assert state.scenario.units_by_callsign["NHT3"].status is UnitStatus.AVAILABLE
    # the roster's own selection (and buttons) act on the selected row
    state.select(Selection("unit", "ARV1"))
    panel.commit_button.click()
    assert state.scenario.units_by_callsign["ARV1"].committed_to == "Operation Trident"
    state.select(None)
    assert panel.free_selected() is EditOutcome.NO_UNIT
    assert state.scenario.units_by_callsign["ARV1"].status is UnitStatus.COMMITTED


def test_status_action_cancelled_or_refused(roster: Any, monkeypatch: pytest.MonkeyPatch,
                                            message_boxes: list[str]) -> None:
    panel, state = roster
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    assert panel.commit_selected(callsign="ARV1") is EditOutcome.CANCELLED
    assert panel.commit_selected("Op X", callsign="NO-SUCH") is EditOutcome.REFUSED
    assert message_boxes and "NO-SUCH" in message_boxes[-1]
    assert state.scenario.units_by_callsign["ARV1"].status is UnitStatus.AVAILABLE


def test_filtering_out_the_selected_unit_selects_no_other(qtbot: Any, roster: Any) -> None:
    panel, state = roster
    state.select(Selection("unit", "TROJAN 106"))
    emitted: list[Any] = []
    panel.selected.connect(emitted.append)
    panel._combos["type"][0].setCurrentText("NHT")  # TROJAN 106 is a mounted unit
    assert emitted == [] and state.selection == Selection("unit", "TROJAN 106")
    assert panel.selected_key() is None
    panel._combos["type"][0].setCurrentText(ALL)
    assert emitted == [] and panel.selected_key() == "TROJAN 106"
