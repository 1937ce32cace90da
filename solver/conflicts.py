"""Naming why the hard rules cannot all hold: pin prechecks, then an assumption-based core.

Pins are checked one by one against the posting rules (duty, capability, forbids) and pairwise
for the change-over; what remains is found by a feasibility-only CP-SAT solve over the slots
around the pins, every rule instance that touches a pin guarded by an assumption literal.  The
core CP-SAT returns (sufficient_assumptions_for_infeasibility) is shrunk by deletion to a
minimal one when small enough.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from resources.model import Pin
from solver.errors import InfeasiblePlan
from solver.explain import cap_message
from solver.model import Guards, ModelContext
from solver.problem import Problem, UnitInfo, option_of_pin
from solver.rules import reasons_against

MAX_SHRINK = 40


def _pin_text(p: Problem, pin: Pin) -> str:
    where = pin.site_id or pin.standby_id or "base"
    return f"pin: {pin.callsign} at {where} ({pin.tactic}) in {p.labels[pin.slot]}"


def precheck_pins(p: Problem) -> None:
    """Raise InfeasiblePlan for pins that break a posting rule or the change-over on their own."""
    problems: list[str] = []
    for (cs, t), pin in sorted(p.pins.items()):
        info = p.by_callsign.get(cs)
        if info is None:
            unit = p.sc.units_by_callsign[cs]
            ut = p.sc.unit_type(unit)
            info = UnitInfo(-1, unit, ut, ut.armed_for(unit.officers))
        why = reasons_against(p, info, option_of_pin(pin), t, exempt=frozenset({"taskable_area"}))
        if why:
            problems.append(f"{_pin_text(p, pin)}: {'; '.join(why)}")
        nxt = p.pins.get((cs, t + 1))
        if nxt is not None:
            a, b = option_of_pin(pin).place, option_of_pin(nxt).place
            mins = p.travel.minutes(a, b, info.utype)
            if mins > p.sc.travel.changeover_minutes + 1e-9:
                problems.append(
                    f"{_pin_text(p, pin)} and {_pin_text(p, nxt)}: {cs} needs {mins:.0f} min, "
                    f"the change-over allows {p.sc.travel.changeover_minutes:.0f} min")
    if problems:
        raise InfeasiblePlan(problems)


def _cap_detail(p: Problem, slot: int) -> str:
    """How far the pins alone push the armed share in ``slot``, at best."""
    pinned_armed = pinned_off = 0
    pinned_units = set()
    for (cs, t), pin in p.pins.items():
        if t != slot or cs not in p.by_callsign:
            continue
        info = p.by_callsign[cs]
        pinned_units.add(cs)
        if p.deploys(pin.site_id):
            pinned_armed += info.armed
            pinned_off += info.officers
    extra = 0
    for info in p.units:
        if info.callsign in pinned_units or info.armed or slot not in info.slots:
            continue
        if any(p.deploys(info.options[k].site_id) for k in p.postings(info, slot)):
            extra += info.officers
    return cap_message(p.sc.armed_share_cap, pinned_armed, pinned_off + extra)


def _solve(ctx: ModelContext, lits: list[cp_model.IntVar],
           seconds: float) -> tuple[str, list[int]]:
    ctx.m.clear_assumptions()
    ctx.m.add_assumptions(lits)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    status = solver.status_name(solver.solve(ctx.m))
    core = list(solver.sufficient_assumptions_for_infeasibility()) if status == "INFEASIBLE" else []
    return status, core


def find_conflict(p: Problem, *, seconds: float = 30.0) -> InfeasiblePlan:
    """The smallest conflicting set of pins and rule instances found (as an InfeasiblePlan)."""
    pinned = sorted({t for _, t in p.pins})
    slots = sorted({s for t in pinned for s in (t - 1, t, t + 1) if 0 <= s < p.n_slots})
    if not slots:
        return InfeasiblePlan(["the hard rules cannot all hold, but no pin is involved"],
                              minimal=False)
    guards = Guards()
    ctx = ModelContext(p, slots, guards=guards)
    ctx.build(objective=None)
    status, core = _solve(ctx, guards.literals, seconds)
    if status != "INFEASIBLE":
        return InfeasiblePlan([f"the pins could not be placed together (feasibility check: "
                               f"{status.lower()} within {seconds:.0f} s)"], minimal=False)
    by_index = {lit.index: lit for lit in guards.literals}
    current = [by_index[i] for i in core if i in by_index]
    minimal = len(current) <= MAX_SHRINK
    if minimal:
        i = 0
        while i < len(current):
            trial = current[:i] + current[i + 1:]
            st, sub = _solve(ctx, trial, max(1.0, seconds / 10))
            if st == "INFEASIBLE":
                keep = set(sub) if sub else {lit.index for lit in trial}
                current = [lit for lit in trial if lit.index in keep]
            elif st == "UNKNOWN":
                minimal = False
                i += 1
            else:
                i += 1
    names = []
    for lit in current:
        text = guards.described[lit.index]
        key = next(k for k, v in guards.keys.items() if v.index == lit.index)
        if isinstance(key, tuple) and key[0] == "cap":
            text = f"{text}: with these pins the {_cap_detail(p, int(key[1]))}"
        names.append(text)
    return InfeasiblePlan(names, minimal=minimal)
