"""The CTSFO phase: place the immediate-response teams for reach before anything else.

The teams may only hold reserve postings; the phase solves a small model per slot, in slot
order (the teams' postings only, with their pins and the change-over from the slot before),
minimising first the cells beyond the CTSFO reach time and then the team postings used.  Slot
by slot was measured to reach the same coverage as one model over the whole day, twenty times
faster.  The armed-share cap
is applied with the room the other units could make at most (every unarmed unit deployed), so
the phase never spends armed share the roster cannot balance.  Its choices are then fixed in
the main model; a slot where they break a rule is re-solved with the teams free.
"""

from __future__ import annotations

from typing import Any

from resources.kpis import is_ctsfo
from solver.model import ModelContext
from solver.options import SolveOptions
from solver.problem import Problem
from solver.run import run_window

#: Each slot's team model gets at least this long (it solves in a few hundredths of a second
#: on London), and a slot left without a solution is tried once more with RETRY_S: a two-second
#: plan otherwise gave each slot under 0.02 s, which under load found nothing, and the teams
#: fell back to the main model.
MIN_SLOT_S = 0.05
RETRY_S = 1.0


def cap_slack(p: Problem, slots: list[int], team: frozenset[int]) -> dict[int, int]:
    """Per slot, the armed-share room the units outside ``team`` can make at most."""
    cap = p.sc.armed_share_cap.share
    num, den = cap.numerator, cap.denominator
    out: dict[int, int] = {}
    for t in slots:
        room = 0
        for info in p.units:
            if info.idx in team or t not in info.slots:
                continue
            pin = info.pinned_options.get(t)
            if pin is not None and (info.callsign, t) in p.pins:
                if p.deploys(info.options[pin].site_id):
                    room += num * info.officers - den * info.armed
            elif not info.armed and any(p.deploys(info.options[k].site_id)
                                        for k in p.postings(info, t)):
                room += num * info.officers
        out[t] = room
    return out


def ctsfo_phase(p: Problem, options: SolveOptions,
                budget: float) -> tuple[dict[tuple[int, int], int | None], dict[str, Any]]:
    """(unit, slot) -> fixed option (None: not posted) for every CTSFO team, and a log entry."""
    team = frozenset(i.idx for i in p.units if is_ctsfo(i.utype))
    if not team or not p.sc.cells:
        return {}, {"status": "no CTSFO team on the roster" if not team else "no cells"}
    fixed: dict[tuple[int, int], int | None] = {}
    before: dict[int, int] = {}
    statuses: set[str] = set()
    posted = 0
    for t in range(p.n_slots):
        ctx = ModelContext(p, [t], units=team, cap_slack=cap_slack(p, [t], team),
                           before=before)
        ctx.build(objective="ctsfo")
        out = run_window(ctx, options, max(MIN_SLOT_S, budget / p.n_slots), phase="ctsfo")
        if not out.has_solution and out.status == "UNKNOWN":
            out = run_window(ctx, options, RETRY_S, phase="ctsfo")
        if not out.has_solution:
            return {}, {"status": out.status.lower(), "fallback": "teams placed with the rest"}
        statuses.add(out.status)
        before = {ctx.posts[n].unit: ctx.posts[n].option for n in out.chosen}
        posted += len(before)
        for u in sorted(team):
            if t in p.units[u].slots:
                fixed[(u, t)] = before.get(u)
    return fixed, {"status": "OPTIMAL" if statuses == {"OPTIMAL"} else "FEASIBLE",
                   "team_postings": posted}
