"""The main window: map, slot bar, docks (roster, sites, timeline, dashboard, solve, plans)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.actions import DOCK_SHORTCUTS, build_actions
from desktop.commands import Commands
from desktop.dashboard import Dashboard
from desktop.geometry import MapGeometry
from desktop.map_view import LAYERS, MapView
from desktop.operations import plan_kpis, predictability, thames
from desktop.plan_index import PlanIndex
from desktop.settings import Settings
from desktop.slot_bar import SlotBar
from desktop.solve_panel import SolvePanel
from desktop.solve_worker import SolveController, SolveFn
from desktop.state import AppState, Selection
from desktop.store_views import PlanHistory
from desktop.table_panels import RosterPanel, SitesPanel
from desktop.theme import colours
from desktop.timeline_view import TimelineView
from resources.errors import InputError
from resources.model import Plan, Scenario, ThreatLevel, Unmet

#: Bump when the dock layout changes, so an old saved layout is ignored.
DOCK_STATE_VERSION = 2
#: How many earlier plans the overlap measure looks back on.
PREDICTABILITY_K = 7


class MainWindow(QMainWindow):
    """The console. ``db_path`` is the store; ``solve_fn`` replaces the solver (tests)."""

    def __init__(self, db_path: Path, settings: Settings, solve_fn: SolveFn | None = None,
                 token_factory: Callable[[], Any] | None = None) -> None:
        super().__init__()
        self.setObjectName("HerculesMainWindow")
        self.db_path, self.settings = db_path, settings
        self.state = AppState(self)
        self.controller = SolveController(solve_fn, token_factory, self)
        self.geo: MapGeometry | None = None
        self._geo_key: tuple[Any, ...] = ()
        self.index: PlanIndex | None = None
        self._measures: dict[tuple[Any, ...], Any] = {}
        self.last_error = ""
        dark = settings.dark
        self.banner_top, self.banner_bottom = QLabel(), QLabel()
        self.stale_badge = QLabel("PLAN STALE: the scenario changed since this plan was made."
                                  " Plan again (F5).")
        self.stale_badge.setObjectName("stale_badge")
        self.stale_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stale_badge.setStyleSheet(f"background:{colours(False).stale_bg}; color:black;"
                                       " font-weight:bold; padding:3px;")
        self.stale_badge.setVisible(False)
        self.map = MapView(dark)
        self.slot_bar = SlotBar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for w in (self.banner_top, self.stale_badge, self.map, self.slot_bar,
                  self.banner_bottom):
            layout.addWidget(w, 1 if w is self.map else 0)
        self.setCentralWidget(central)
        self.roster = RosterPanel(self.state.set_unit_status)
        self.sites = SitesPanel()
        self.timeline = TimelineView()
        self.dashboard = Dashboard(dark)
        self.solve_panel = SolvePanel(settings.time_limit_s, dark)
        self.history = PlanHistory()
        self.commands = Commands(self)
        self.actions_ = build_actions(self, lambda key: getattr(self.commands, key))
        self._view_menu = next(m for a in self.menuBar().actions()
                               if "View" in a.text() and isinstance(m := a.menu(), QMenu))
        self._view_menu.addSeparator()
        self.docks: dict[str, QDockWidget] = {}
        self._tabs: list[tuple[str, str]] = []
        self._arranged = False
        area = Qt.DockWidgetArea
        for name, title, widget, where, tab_with in (
            ("roster", "Roster", self.roster, area.RightDockWidgetArea, None),
            ("sites", "Sites", self.sites, area.RightDockWidgetArea, "roster"),
            ("dashboard", "Dashboard", self.dashboard, area.LeftDockWidgetArea, None),
            ("solve", "Solve", self.solve_panel, area.RightDockWidgetArea, "roster"),
            ("plans", "Plan history", self.history, area.RightDockWidgetArea, "roster"),
            ("timeline", "Plan timeline", self.timeline, area.BottomDockWidgetArea, None),
        ):
            self.add_dock(name, title, widget, where, tab_with)
        self._build_toolbar()
        self._wire()
        # -- hand planning: pins, undo/redo, options, completion, what-if (issue 6) --
        from desktop.pin_editing import install as install_pin_editing

        self.pins = install_pin_editing(self)
        # -- end hand planning --
        from desktop.store_watch import install as install_store_watch

        self.store_watch = install_store_watch(self)
        from desktop.daily_dialog import install as install_daily_plans

        self.daily = install_daily_plans(self)
        for name, _ in LAYERS:
            self.actions_[f"layer_{name}"].setChecked(settings.layer_visible(name))
        self.actions_["toggle_dark"].setChecked(dark)
        self.apply_marking()
        self.resize(1500, 950)
        geometry, _ = settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.statusBar().showMessage("Ready")

    def add_dock(self, name: str, title: str, widget: QWidget, where: Qt.DockWidgetArea,
                 tab_with: str | None = None) -> QDockWidget:
        """A dock panel with its View-menu toggle; ``tab_with`` names the dock it is a tab of."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(where, dock)
        self.docks[name] = dock
        toggle = dock.toggleViewAction()
        if name in DOCK_SHORTCUTS:
            toggle.setShortcut(DOCK_SHORTCUTS[name])
        self._view_menu.addAction(toggle)
        if tab_with is not None:
            self._tabs.append((tab_with, name))
            if self._arranged:
                self.tabifyDockWidget(self.docks[tab_with], dock)
            else:  # hidden until it joins its tab group at the first show
                dock.hide()
        return dock

    # -- construction ---------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("toolbar_main")
        for key, short in (("open_scenario", "Open"), ("save", "Save"), ("plan", "Plan"),
                           ("cancel_solve", "Cancel")):
            self.actions_[key].setIconText(short)
            bar.addAction(self.actions_[key])
        bar.addSeparator()
        bar.addWidget(QLabel(" Threat level: "))
        self.threat = QComboBox()
        self.threat.setObjectName("threat_level")
        self.threat.addItems([t.value for t in ThreatLevel])
        self.threat.setToolTip("National threat level: sets the posture (Ctrl+Shift+Up/Down)")
        bar.addWidget(self.threat)
        self.addToolBar(bar)

    def _wire(self) -> None:
        st = self.state
        st.scenario_changed.connect(self._on_scenario_changed)
        st.plan_changed.connect(self._on_plan_changed)
        st.slot_changed.connect(self._on_slot_changed)
        st.selection_changed.connect(self._on_selection_changed)
        st.stale_changed.connect(self._on_stale_changed)
        st.dirty_changed.connect(lambda _d: self.apply_marking())
        self.map.selected.connect(st.select)
        self.roster.selected.connect(st.select)
        self.sites.selected.connect(st.select)
        self.timeline.selected.connect(st.select)
        self.timeline.slot_clicked.connect(st.set_slot)
        self.dashboard.slot_clicked.connect(st.set_slot)
        self.dashboard.unmet_clicked.connect(self.focus_unmet)
        self.slot_bar.slot_chosen.connect(st.set_slot)
        self.threat.currentTextChanged.connect(
            lambda text: st.set_threat_level(ThreatLevel(text)) if text else None)
        self.solve_panel.plan_button.clicked.connect(self.commands.plan)
        self.solve_panel.cancel_button.clicked.connect(self.commands.cancel_solve)
        self.solve_panel.time_limit.valueChanged.connect(
            lambda v: setattr(self.settings, "time_limit_s", v))
        self.controller.progressed.connect(self.solve_panel.add_progress)
        self.controller.running_changed.connect(self._on_running_changed)
        self.controller.finished.connect(self.commands.on_solved)
        self.controller.failed.connect(self.commands.on_solve_failed)
        self.history.open_requested.connect(self.commands.open_plan)

    # -- state -> views -------------------------------------------------------------------
    def _geometry_for(self, scenario: Scenario) -> MapGeometry:
        key = (id(scenario.areas), id(scenario.sites), id(scenario.cells),
               id(scenario.standby_points), scenario.cell_size_m,
               tuple((u.callsign, u.base_lon, u.base_lat) for u in scenario.units))
        if self.geo is None or key != self._geo_key:
            self.geo, self._geo_key = MapGeometry(scenario, thames(scenario)), key
        return self.geo

    def _on_scenario_changed(self) -> None:
        scenario = self.state.scenario
        if scenario is None:
            return
        geo = self._geometry_for(scenario)
        self.map.set_scenario(scenario, geo)
        self.roster.set_scenario(scenario)
        self.sites.set_scenario(scenario)
        self.threat.blockSignals(True)
        self.threat.setCurrentText(scenario.threat_level.value)
        self.threat.blockSignals(False)
        labels = [f"{s.start:%a %d %b %H:%M}-{s.end:%H:%M}" for s in scenario.calendar.slots()]
        self.slot_bar.set_labels(labels)
        self._rebuild_index()
        self.apply_marking()
        self.commands.refresh_history()

    def _on_plan_changed(self) -> None:
        self._rebuild_index()
        self.commands.refresh_history()

    def _rebuild_index(self) -> None:
        scenario, plan = self.state.scenario, self.state.plan
        if scenario is None or self.geo is None:
            return
        self.index = PlanIndex(scenario, plan, self.geo)
        slot = self.state.slot
        self.map.set_plan(self.index)
        self.roster.model.set_plan(self.index, slot)  # type: ignore[attr-defined]
        self.sites.model.set_plan(self.index, slot)  # type: ignore[attr-defined]
        self.timeline.set_index(self.index)
        self.timeline.set_slot(slot)
        if plan is None:
            self.dashboard.clear()
        else:
            labels = [f"{s.start:%H:%M}" if scenario.calendar.days == 1
                      else f"D{s.day + 1} {s.start:%H:%M}" for s in scenario.calendar.slots()]
            self.dashboard.set_data(plan_kpis(scenario, plan), plan.unmet,
                                    float(scenario.armed_share_cap.share) * 100, labels)
            self._show_predictability(scenario, plan)
        self.dashboard.set_slot(slot)
        self.map.set_selection(self.state.selection)

    def _show_predictability(self, scenario: Scenario, plan: Plan) -> None:
        key = (scenario.name, plan.plan_id, id(plan))
        if key not in self._measures:
            try:
                self._measures = {key: predictability(self.db_path, scenario, plan,
                                                      PREDICTABILITY_K)}
            except InputError as err:  # an unreadable history: show the plan, not the chart
                self.statusBar().showMessage(f"Predictability: {err}")
                self._measures = {key: None}
        measures = self._measures[key]
        if measures is None:
            self.dashboard.set_predictability(None, None, 0)
        else:
            self.dashboard.set_predictability(measures[0], measures[1], PREDICTABILITY_K)

    def _on_slot_changed(self, slot: int) -> None:
        self.slot_bar.show_slot(slot)
        self.map.show_slot(slot)
        self.roster.set_slot(slot)
        self.sites.set_slot(slot)
        self.timeline.set_slot(slot)
        self.dashboard.set_slot(slot)

    def _on_selection_changed(self, selection: Selection | None) -> None:
        self.map.set_selection(selection)
        self.roster.show_selection(selection)
        self.sites.show_selection(selection)
        self.timeline.show_selection(selection)
        if selection is not None:
            self.statusBar().showMessage(f"Selected {selection.kind} {selection.key}")

    def _on_stale_changed(self, stale: bool) -> None:
        self.stale_badge.setVisible(stale)

    def _on_running_changed(self, running: bool) -> None:
        self.solve_panel.solving(running)
        self.actions_["plan"].setEnabled(not running)
        self.actions_["cancel_solve"].setEnabled(running)

    def apply_marking(self) -> None:
        """Show the protective marking in the banners and the window title."""
        marking = self.settings.marking
        c = colours(self.settings.dark)
        for banner in (self.banner_top, self.banner_bottom):
            banner.setText(marking)
            banner.setObjectName("marking_banner")
            banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            banner.setStyleSheet(f"background:{c.banner_bg}; color:{c.banner_fg};"
                                 " font-weight:bold; letter-spacing:1px; padding:3px;")
        name = self.state.scenario.name if self.state.scenario else "no scenario"
        dirty = " *" if self.state.dirty else ""
        self.setWindowTitle(f"{marking} - Hercules - {name}{dirty}")

    # -- focus helpers --------------------------------------------------------------------
    def focus_unmet(self, unmet: Unmet) -> None:
        """Select the slot and the subject (unit or site) of an unmet target and focus the map."""
        if unmet.slot is not None:
            self.state.set_slot(unmet.slot)
        sel = self.resolve_subject(unmet.subject)
        if sel is not None:
            self.focus_selection(sel)

    def focus_selection(self, sel: Selection) -> None:
        """Select a unit or site and bring it into view on the map and the timeline."""
        self.state.select(sel)
        self.map.set_selection(sel, focus=True)
        self.timeline.show_selection(sel)

    def resolve_subject(self, subject: str) -> Selection | None:
        """A unit or site named by an unmet target's subject (callsign, site id or name)."""
        scenario = self.state.scenario
        if scenario is None:
            return None
        text = subject.strip()
        candidates = [text, *text.replace(",", " ").split()]
        for c in candidates:
            if c in scenario.units_by_callsign:
                return Selection("unit", c)
            if c in scenario.sites_by_id:
                return Selection("site", c)
        by_name = {s.name.lower(): s.site_id for s in scenario.sites}
        for s_name, site_id in by_name.items():
            if s_name and s_name in text.lower():
                return Selection("site", site_id)
        return None

    def report_error(self, title: str, message: str) -> None:
        """Show an error as a message box (never a traceback) and remember it."""
        self.last_error = message
        self.statusBar().showMessage(f"{title}: {message}")
        QMessageBox.critical(self, title, message)

    # -- lifecycle ------------------------------------------------------------------------
    def _default_dock_sizes(self) -> None:
        self.resizeDocks([self.docks["dashboard"], self.docks["roster"]], [380, 460],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["timeline"]], [260], Qt.Orientation.Vertical)

    def _arrange_docks(self) -> None:
        """Restore the saved dock layout, else make the default tab groups and sizes.

        Done at the first show: Qt 6.11 leaves stray, dead tab bars drawn over other panels
        when tab groups are made (or restored) before the window is first shown.
        """
        self._arranged = True
        _, saved = self.settings.window_state()
        if saved is not None and self.restoreState(saved, DOCK_STATE_VERSION):
            return
        for first, other in self._tabs:
            self.tabifyDockWidget(self.docks[first], self.docks[other])
            self.docks[other].show()
        for first in dict.fromkeys(first for first, _ in self._tabs):
            self.docks[first].raise_()
        self._default_dock_sizes()

    def showEvent(self, event: QShowEvent) -> None:
        """On the first show, lay the docks out (saved layout, else the default one)."""
        super().showEvent(event)
        if not self._arranged:
            self._arrange_docks()

    def confirm_discard(self, action: str) -> bool:
        """Before ``action`` drops the open scenario: ask to save unsaved changes.

        True when nothing unsaved would be lost (no changes, saved now, or discarded); False
        when the planner cancels or the save fails (``action`` reads "close the console").
        """
        scenario = self.state.scenario
        if scenario is None or not self.state.dirty:
            return True
        box = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, "Unsaved changes",
            f"The scenario '{scenario.name}' has unsaved changes. Save them before you "
            f"{action}?\n\nSave keeps them in the store; Discard loses them.",
            box.Save | box.Discard | box.Cancel, box.Save)
        if answer == box.Save:
            return bool(self.commands.save())
        return answer == box.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        """Offer to save unsaved changes, stop playback and any solve, remember the layout."""
        if not self.confirm_discard("close the console"):
            event.ignore()
            self.statusBar().showMessage("Close cancelled: the scenario is still open")
            return
        self.slot_bar.set_playing(False)
        self.controller.shutdown()
        self.pins.shutdown()
        self.daily.shutdown()
        self.store_watch.stop()
        if self.state.scenario is not None:
            self.settings.last_scenario = self.state.scenario.name
        if self._arranged:  # a window never shown has no layout worth keeping
            self.settings.save_window_state(self.saveGeometry(),
                                            self.saveState(DOCK_STATE_VERSION))
        super().closeEvent(event)

    def set_dark_theme(self, dark: bool) -> None:
        """Switch the whole console between light and dark."""
        from desktop.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, dark)
        self.settings.dark = dark
        self.map.set_dark(dark)
        self.dashboard.set_dark(dark)
        self.solve_panel.set_dark(dark)
        self.apply_marking()
