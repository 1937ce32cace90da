"""Undoable planning edits: pin, unpin, lock a slot or unit, forbid a unit at a site.

Each edit is a :class:`SnapshotCommand` holding the scenario and plan before and after, so undo
and redo restore exactly what the planner saw. The rationale the planner gives is stored on the
pins and forbids themselves (and so saved with the scenario into the audited store).
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from desktop.state import AppState
from resources.errors import InputError
from resources.model import Forbid, Pin, Plan, Scenario
from resources.placement import (
    PlacementChecker,
    Proposal,
    apply_to_plan,
    lock_pins,
    with_forbid,
    with_pin,
    without_pin,
)


class SnapshotCommand(QUndoCommand):
    """Replace the open scenario and plan; undo puts the earlier ones back."""

    def __init__(self, state: AppState, text: str, scenario: Scenario,
                 plan: Plan | None) -> None:
        super().__init__(text)
        if state.scenario is None:
            raise InputError("no scenario is open", field="scenario")
        self.state = state
        self.before = (state.scenario, state.plan, state.plan_stale, state.dirty)
        self.saved_as = state.scenario_version
        self.after = (scenario, plan)

    def redo(self) -> None:
        """Apply the edit."""
        scenario, plan = self.after
        self.state.replace_scenario(scenario)
        self.state.set_plan(plan, stale=plan is not None)

    def undo(self) -> None:
        """Restore the scenario and plan as they were."""
        scenario, plan, stale, dirty = self.before
        self.state.replace_scenario(scenario)
        self.state.set_plan(plan, stale=stale)
        if not dirty and self.state.scenario_version == self.saved_as:
            self.state.mark_saved(self.saved_as)  # back to exactly what the store holds


def _why(rationale: str) -> str:
    return " ".join(rationale.split())


def _open(state: AppState) -> Scenario:
    if state.scenario is None:
        raise InputError("no scenario is open", field="scenario")
    return state.scenario


def pin_command(state: AppState, proposal: Proposal, rationale: str = "") -> SnapshotCommand:
    """Pin a unit at a site (or reserve) in a slot; the shown plan moves it there at once."""
    scenario = _open(state)
    pin = proposal.to_pin(_why(rationale))
    plan = state.plan
    if plan is not None:
        plan = apply_to_plan(plan, PlacementChecker(scenario, plan), proposal)
    where = proposal.site_id or "reserve"
    return SnapshotCommand(state, f"Pin {proposal.callsign} at {where} in slot "
                                  f"{proposal.slot + 1}", with_pin(scenario, pin), plan)


def unpin_command(state: AppState, callsign: str, slot: int) -> SnapshotCommand:
    """Remove a unit's pin in a slot (its posting stays until the plan is completed again)."""
    scenario = _open(state)
    if not any((p.callsign, p.slot) == (callsign, slot) for p in scenario.pins):
        raise InputError(f"{callsign} has no pin in slot {slot + 1}", field="pin")
    plan = state.plan
    if plan is not None:
        from dataclasses import replace

        plan = replace(plan, plan_id=None, created_at="", assignments=tuple(
            replace(a, pinned=False) if (a.callsign, a.slot) == (callsign, slot) else a
            for a in plan.assignments))
    return SnapshotCommand(state, f"Unpin {callsign} in slot {slot + 1}",
                           without_pin(scenario, callsign, slot), plan)


def lock_command(state: AppState, *, slot: int | None = None, callsign: str | None = None,
                 rationale: str = "") -> SnapshotCommand:
    """Pin every current posting of a slot or of a unit."""
    scenario = _open(state)
    if state.plan is None:
        raise InputError("there is no plan to lock", field="plan")
    pins = lock_pins(state.plan, slot=slot, callsign=callsign, rationale=_why(rationale))
    if not pins:
        what = f"slot {slot + 1}" if slot is not None else f"unit {callsign}"
        raise InputError(f"{what} has no postings to lock", field="lock")
    for pin in pins:
        scenario = with_pin(scenario, pin)
    locked = {(p.callsign, p.slot) for p in pins}
    from dataclasses import replace

    plan = replace(state.plan, plan_id=None, created_at="", assignments=tuple(
        replace(a, pinned=True) if (a.callsign, a.slot) in locked else a
        for a in state.plan.assignments))
    what = f"slot {slot + 1}" if slot is not None else f"unit {callsign}"
    return SnapshotCommand(state, f"Lock {what} ({len(pins)} postings)", scenario, plan)


def forbid_command(state: AppState, callsign: str, site_id: str,
                   slots: frozenset[int] | None = None, rationale: str = "") -> SnapshotCommand:
    """Forbid a unit at a site (in some slots, or all); pins breaking it are refused."""
    scenario = _open(state)
    clash = [p for p in scenario.pins if p.callsign == callsign and p.site_id == site_id
             and (slots is None or p.slot in slots)]
    if clash:
        raise InputError(f"{callsign} is pinned at {site_id} in slot {clash[0].slot + 1}; "
                         f"unpin it first", field="forbid")
    forbid = Forbid(callsign, site_id, slots, _why(rationale))
    return SnapshotCommand(state, f"Forbid {callsign} at {site_id}",
                           with_forbid(scenario, forbid), state.plan)


def pins_of(scenario: Scenario, callsign: str | None = None,
            slot: int | None = None) -> list[Pin]:
    """The scenario's pins, optionally of one unit and/or one slot."""
    return [p for p in scenario.pins if (callsign is None or p.callsign == callsign)
            and (slot is None or p.slot == slot)]
