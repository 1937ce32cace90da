"""The console's live state: scenario, plan, slot and selection, with one signal per change."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from resources.errors import InputError
from resources.model import Plan, Scenario, ThreatLevel, UnitStatus


@dataclass(frozen=True)
class Selection:
    """What the planner has selected: a unit (by callsign) or a site (by id)."""

    kind: str  # "unit" or "site"
    key: str


class AppState(QObject):
    """Holds the immutable scenario and plan; every edit replaces them and emits a signal."""

    scenario_changed = Signal()
    #: Another scenario was opened (or a new one made): edits of the previous one are gone.
    scenario_opened = Signal()
    plan_changed = Signal()
    slot_changed = Signal(int)
    selection_changed = Signal(object)
    stale_changed = Signal(bool)
    dirty_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scenario: Scenario | None = None
        self.scenario_version: int | None = None
        self.plan: Plan | None = None
        self.plan_stale = False
        self.dirty = False
        self.slot = 0
        self.selection: Selection | None = None

    # -- scenario -------------------------------------------------------------------------
    def open_scenario(self, scenario: Scenario, version: int | None, *,
                      dirty: bool = False) -> None:
        """Show a scenario (from the store or freshly built); drops the current plan."""
        self.scenario, self.scenario_version = scenario, version
        self.plan = None
        self.selection = None
        self.slot = min(self.slot, scenario.calendar.slot_count - 1)
        self._set_dirty(dirty)
        self._set_stale(False)
        self.scenario_opened.emit()
        self.scenario_changed.emit()
        self.plan_changed.emit()
        self.selection_changed.emit(None)
        self.slot_changed.emit(self.slot)

    def replace_scenario(self, scenario: Scenario) -> None:
        """An edit: the scenario is replaced, marked unsaved, and any plan becomes stale."""
        self.scenario = scenario
        self._set_dirty(True)
        if self.plan is not None:
            self._set_stale(True)
        self.scenario_changed.emit()

    def mark_saved(self, version: int | None, scenario: Scenario | None = None) -> None:
        """Record that the scenario is saved at ``version`` (optionally under a new name)."""
        if scenario is not None:
            self.scenario = scenario
        self.scenario_version = version
        self._set_dirty(False)
        if scenario is not None:
            self.scenario_changed.emit()

    def set_threat_level(self, level: ThreatLevel) -> None:
        """Change the threat level (and so the posture); the plan becomes stale."""
        if self.scenario is None or self.scenario.threat_level is level:
            return
        self.replace_scenario(self.scenario.with_changes(threat_level=level))

    def set_unit_status(self, callsign: str, status: UnitStatus, committed_to: str = "") -> None:
        """Mark a unit available or committed elsewhere (naming the operation)."""
        from dataclasses import replace

        if self.scenario is None:
            raise InputError("no scenario is open", field="unit")
        unit = self.scenario.units_by_callsign.get(callsign)
        if unit is None:
            raise InputError(f"unknown unit '{callsign}'", field="unit")
        committed_to = committed_to.strip() if status is UnitStatus.COMMITTED else ""
        if unit.status is status and unit.committed_to == committed_to:
            return
        new_unit = replace(unit, status=status, committed_to=committed_to)
        units = tuple(new_unit if u.callsign == callsign else u for u in self.scenario.units)
        self.replace_scenario(self.scenario.with_changes(units=units))

    # -- plan -----------------------------------------------------------------------------
    def set_plan(self, plan: Plan | None, stale: bool | None = None) -> None:
        """Show a plan; by default it is stale when made at another threat level."""
        self.plan = plan
        if stale is None:
            stale = False
            if plan is not None and self.scenario is not None:
                stale = plan.threat_level != self.scenario.threat_level.value
        self._set_stale(stale and plan is not None)
        self.plan_changed.emit()

    # -- slot and selection ---------------------------------------------------------------
    def slot_count(self) -> int:
        """Number of slots of the open scenario (1 when none is open)."""
        return self.scenario.calendar.slot_count if self.scenario is not None else 1

    def set_slot(self, slot: int) -> None:
        """Select a slot; every view shows that slot."""
        slot = max(0, min(int(slot), self.slot_count() - 1))
        if slot != self.slot:
            self.slot = slot
            self.slot_changed.emit(slot)

    def select(self, selection: Selection | None) -> None:
        """Select a unit or site (None clears); shared by map, tables and timeline."""
        if selection != self.selection:
            self.selection = selection
            self.selection_changed.emit(selection)

    def _set_stale(self, stale: bool) -> None:
        if stale != self.plan_stale:
            self.plan_stale = stale
            self.stale_changed.emit(stale)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirty_changed.emit(dirty)
