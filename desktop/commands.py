"""The main window's commands: one method per action (file, plan, time, view, help)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialog, QInputDialog

from desktop import operations as ops
from desktop.actions import ShortcutsDialog, shortcut_rows
from desktop.state import Selection
from desktop.store_views import ScenarioPicker
from desktop.table_panels import NO_UNIT_MESSAGE, EditOutcome
from resources.errors import InputError
from resources.model import Plan, Scenario, ThreatLevel, UnitStatus

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

_LEVELS = list(ThreatLevel)


class Commands:
    """The main window's action handlers (one public method per action key)."""

    def __init__(self, window: MainWindow) -> None:
        self.w = window

    # -- file -----------------------------------------------------------------------------
    def open_scenario(self) -> None:
        """Pick a scenario from the store and open it."""
        try:
            infos = ops.list_scenarios(self.w.db_path)
        except InputError as err:
            self.w.report_error("Open scenario", str(err))
            return
        picker = ScenarioPicker(infos, self.w)
        if picker.exec() == QDialog.DialogCode.Accepted and picker.chosen():
            if not self.w.confirm_discard("open another scenario"):
                return
            self.open_scenario_named(str(picker.chosen()))

    def open_scenario_named(self, name: str, quiet: bool = False) -> bool:
        """Open a scenario by name (stored or built in) and its latest plan, if any.

        ``quiet`` reports a failure in the status bar instead of a message box (start-up).
        """
        try:
            scenario, version = ops.load_scenario(self.w.db_path, name)
        except InputError as err:
            if quiet:
                self.w.last_error = str(err)
                self.w.statusBar().showMessage(f"Open scenario: {err}")
            else:
                self.w.report_error("Open scenario", str(err))
            return False
        self.w.state.open_scenario(scenario, version)
        plans = self._plans_of(scenario.name)
        if plans:
            self.open_plan(plans[0].plan_id)
        self.w.statusBar().showMessage(f"Opened scenario {name} (version {version})")
        return True

    def new_from_london(self, name: str | None = None) -> bool:
        """A new, unsaved scenario built from the embedded London."""
        if not self.w.confirm_discard("start a new scenario"):
            return False
        if name is None:
            name, ok = QInputDialog.getText(self.w, "New scenario", "Name of the new scenario:",
                                            text="london-copy")
            if not ok:
                return False
        level = self.w.state.scenario.threat_level if self.w.state.scenario else \
            ThreatLevel.SUBSTANTIAL
        try:
            if ops.scenario_exists(self.w.db_path, name.strip()):
                raise InputError(f"a scenario called '{name.strip()}' exists already",
                                 field="name")
            scenario = ops.new_from_london(name.strip(), level)
        except InputError as err:
            self.w.report_error("New scenario", str(err))
            return False
        self.w.state.open_scenario(scenario, 0, dirty=True)
        return True

    def duplicate_scenario(self, name: str | None = None) -> bool:
        """Copy the open scenario under a new name (unsaved until Save)."""
        current = self.w.state.scenario
        if current is None:
            return False
        if not self.w.confirm_discard("duplicate it"):
            return False
        if name is None:
            name, ok = QInputDialog.getText(self.w, "Duplicate scenario", "Name of the copy:",
                                            text=f"{current.name}-copy")
            if not ok:
                return False
        try:
            if ops.scenario_exists(self.w.db_path, name.strip()):
                raise InputError(f"a scenario called '{name.strip()}' exists already",
                                 field="name")
            copy = ops.duplicate(current, name.strip())
        except InputError as err:
            self.w.report_error("Duplicate scenario", str(err))
            return False
        plan = self.w.state.plan
        self.w.state.open_scenario(copy, 0, dirty=True)
        if plan is not None:
            self.w.state.set_plan(replace(plan, scenario=copy.name, plan_id=None))
        return True

    def save(self) -> bool:
        """Save the scenario (guarding against lost updates) and an unsaved plan."""
        scenario = self.w.state.scenario
        if scenario is None:
            return False
        try:
            if self.w.state.dirty or not self.w.state.scenario_version:
                version = ops.save_scenario(self.w.db_path, scenario, self.w.state.scenario_version)
                self.w.state.mark_saved(version)
            plan = self.w.state.plan
            if plan is not None and plan.plan_id is None:
                self.w.state.set_plan(self._store_plan(plan), stale=self.w.state.plan_stale)
        except InputError as err:
            self.w.report_error("Save", str(err))
            return False
        self.w.statusBar().showMessage(f"Saved {scenario.name} (version "
                                     f"{self.w.state.scenario_version})")
        return True

    def edit_marking(self, text: str | None = None) -> None:
        """Change the protective marking shown in the banners and title."""
        if text is None:
            text, ok = QInputDialog.getText(self.w, "Protective marking", "Marking text:",
                                            text=self.w.settings.marking)
            if not ok:
                return
        self.w.settings.marking = text
        self.w.apply_marking()

    def quit(self) -> None:
        """Close the console."""
        self.w.close()

    # -- plan -----------------------------------------------------------------------------
    def plan(self) -> None:
        """Solve the open scenario in the worker thread with the chosen time limit."""
        scenario = self.w.state.scenario
        if scenario is None or self.w.controller.running:
            return
        self.w.docks["solve"].raise_()
        self.w.controller.start(scenario, float(self.w.solve_panel.time_limit.value()))

    def cancel_solve(self) -> None:
        """Stop the solve; the best plan found so far is kept."""
        self.w.controller.cancel()

    def on_solved(self, plan: Plan, scenario: Scenario | None) -> None:
        """A solve finished (on the GUI thread): store the plan in the history and show it."""
        if scenario is None:
            return
        plan = ops.with_kpis(scenario, plan)
        try:
            plan = self._store_plan(plan)
        except InputError as err:
            self.w.report_error("Save plan", str(err))
        edited = self.w.state.scenario is not scenario
        self.w.state.set_plan(plan, stale=True if edited else None)
        self.w.solve_panel.status.setText(solve_summary(plan))
        self.w.statusBar().showMessage(f"Plan ready ({plan.solver.status})")

    def on_solve_failed(self, message: str) -> None:
        """A solve failed: say why."""
        self.w.solve_panel.status.setText(f"Failed: {message}")
        self.w.report_error("Plan", message)

    def _store_plan(self, plan: Plan) -> Plan:
        saved = ops.save_plan(self.w.db_path, plan)
        self.refresh_history()
        return saved

    def _plans_of(self, scenario: str) -> list[Any]:
        try:
            return ops.list_plans(self.w.db_path, scenario)
        except InputError as err:
            self.w.report_error("Plan history", str(err))
            return []

    def refresh_history(self) -> None:
        """Reload the plan history of the open scenario."""
        scenario = self.w.state.scenario
        if scenario is None:
            return
        current = self.w.state.plan.plan_id if self.w.state.plan else None
        self.w.history.set_plans(scenario.name, self._plans_of(scenario.name), current)

    def open_plan(self, plan_id: str) -> bool:
        """Show a past plan (opening its scenario first when another is open)."""
        try:
            plan = ops.load_plan(self.w.db_path, plan_id)
            if self.w.state.scenario is None or self.w.state.scenario.name != plan.scenario:
                if not self.w.confirm_discard("open a plan of another scenario"):
                    return False
                scenario, version = ops.load_scenario(self.w.db_path, plan.scenario)
                self.w.state.open_scenario(scenario, version)
            assert self.w.state.scenario is not None
            plan = ops.with_kpis(self.w.state.scenario, plan)
        except InputError as err:
            self.w.report_error("Open plan", str(err))
            return False
        self.w.state.set_plan(plan)
        self.w.statusBar().showMessage(f"Showing plan {plan_id}")
        return True

    def plan_history(self) -> None:
        """Show the plan history dock."""
        self.w.docks["plans"].show()
        self.w.docks["plans"].raise_()
        self.w.history.list.setFocus()

    def raise_threat(self) -> None:
        """One threat level up."""
        self._step_threat(1)

    def lower_threat(self) -> None:
        """One threat level down."""
        self._step_threat(-1)

    def _step_threat(self, delta: int) -> None:
        if self.w.state.scenario is None:
            return
        i = _LEVELS.index(self.w.state.scenario.threat_level) + delta
        if 0 <= i < len(_LEVELS):
            self.w.state.set_threat_level(_LEVELS[i])

    def commit_unit(self) -> None:
        """Commit the selected unit to another operation (asks for the operation)."""
        if self.w.roster.commit_selected(callsign=self._selected_unit()) is EditOutcome.NO_UNIT:
            self.w.statusBar().showMessage(NO_UNIT_MESSAGE, 5000)

    def free_unit(self) -> None:
        """Make the selected unit available."""
        if self.w.roster.free_selected(callsign=self._selected_unit()) is EditOutcome.NO_UNIT:
            self.w.statusBar().showMessage(NO_UNIT_MESSAGE, 5000)

    def _selected_unit(self) -> str | None:
        sel = self.w.state.selection
        return sel.key if sel is not None and sel.kind == "unit" else None

    def set_unit_status(self, callsign: str, status: UnitStatus,
                        operation: str = "") -> None:
        """Scripted form of the roster edit."""
        self.w.state.set_unit_status(callsign, status, operation)

    # -- time and view --------------------------------------------------------------------
    def next_slot(self) -> None:
        """The next slot (wraps)."""
        self.w.slot_bar.step(1)

    def previous_slot(self) -> None:
        """The previous slot (wraps)."""
        self.w.slot_bar.step(-1)

    def play(self) -> None:
        """Play or pause stepping through the slots."""
        self.w.slot_bar.toggle_play()

    def find(self) -> None:
        """Find a unit (callsign) or a site (name or id): select it, show it on the map."""
        scenario = self.w.state.scenario
        if scenario is None:
            return
        names = [u.callsign for u in scenario.units] + [s.name for s in scenario.sites]
        text, ok = QInputDialog.getItem(self.w, "Find unit or site",
                                        "Callsign, or site name or id:", names, 0, True)
        if not ok or not text.strip():
            return
        hits = find_subjects(scenario, text)
        if len(hits) != 1:
            self.w.statusBar().showMessage(
                f"No unit or site is called '{text.strip()}'" if not hits else
                f"'{text.strip()}' matches {len(hits)} units and sites: type more of the name")
            return
        sel = hits[0]
        self.w.focus_selection(sel)
        what = "unit" if sel.kind == "unit" else "site"
        name = sel.key if sel.kind == "unit" else scenario.sites_by_id[sel.key].name
        self.w.statusBar().showMessage(f"Found {what} {name}")

    def zoom_london(self) -> None:
        """Show the whole map."""
        if self.w.geo is not None:
            x0, y0, x1, y1 = self.w.geo.bounds()
            self.w.map.vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def toggle_dark(self, on: bool) -> None:
        """Dark theme on or off."""
        self.w.set_dark_theme(on)

    def _layer(self, name: str, on: bool) -> None:
        self.w.map.set_layer_visible(name, on)
        self.w.settings.set_layer_visible(name, on)

    def layer_cells(self, on: bool) -> None:
        """Show or hide the armed-reach cells."""
        self._layer("cells", on)

    def layer_boroughs(self, on: bool) -> None:
        """Show or hide the borough outlines and names."""
        self._layer("boroughs", on)

    def layer_thames(self, on: bool) -> None:
        """Show or hide the Thames."""
        self._layer("thames", on)

    def layer_sites(self, on: bool) -> None:
        """Show or hide the sites."""
        self._layer("sites", on)

    def layer_units(self, on: bool) -> None:
        """Show or hide the units."""
        self._layer("units", on)

    def layer_ctsfo(self, on: bool) -> None:
        """Show or hide the CTSFO reach circles."""
        self._layer("ctsfo", on)

    def shortcuts(self) -> None:
        """Help: the keyboard shortcuts."""
        ShortcutsDialog(shortcut_rows(self.w), self.w).exec()


def find_subjects(scenario: Scenario, text: str) -> list[Selection]:
    """What ``text`` names: the unit or site with that callsign, site id or site name (any
    case), else every unit or site whose callsign or name contains it."""
    key = text.strip().lower()
    units = {u.callsign.lower(): u.callsign for u in scenario.units}
    sites = {s.site_id.lower(): s.site_id for s in scenario.sites}
    names = {s.name.lower(): s.site_id for s in scenario.sites}
    if key in units:
        return [Selection("unit", units[key])]
    if key in sites or key in names:
        return [Selection("site", sites.get(key) or names[key])]
    hits = [Selection("unit", cs) for low, cs in units.items() if key in low]
    return hits + [Selection("site", sid) for low, sid in names.items() if key in low]


def solve_summary(plan: Plan) -> str:
    """The solve panel's closing line: status, objective, bound, gap, postings, unmet, id."""
    s = plan.solver
    quality = ""
    if s.objective is not None:
        quality = f", objective {s.objective:,.1f}"
        if s.bound is not None:
            quality += f", bound {s.bound:,.1f}"
        if s.gap is not None:
            quality += f", gap {100 * s.gap:.2f}%"
    saved = "" if plan.plan_id is None else f"; saved as {plan.plan_id}"
    return (f"{s.status}{quality}; {len(plan.assignments)} postings, {len(plan.unmet)} unmet "
            f"target(s){saved}")
