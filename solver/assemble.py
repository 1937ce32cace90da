"""A finished solve as a Plan: assignments, KPIs, Unmet lines and the solver's record."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from resources.kpis import KpiCalculator
from resources.model import Assignment, Plan, PlanSlot, Scenario, SolverInfo
from solver.explain import explain
from solver.options import gap_of
from solver.problem import Problem
from solver.run import parameters, versions
from solver.terms import SCALE

if TYPE_CHECKING:
    from solver.api import _Solve

BACKEND = "cp-sat"


def assemble_plan(run: _Solve, scenario: Scenario, warm_start: Plan | None) -> Plan:
    """The plan of a finished solve: assignments, KPIs, Unmet lines and the solver record."""
    p, options = run.p, run.options
    chosen: list[Assignment] = []
    penalties: Counter[str] = Counter()
    statuses = []
    for w in run.windows:
        assert w.ctx is not None and w.outcome is not None
        ctx, out = w.ctx, w.outcome
        statuses.append(out.status)
        for term, value in zip(ctx.terms, out.term_values, strict=True):
            penalties[term.kind] += term.coef * value
        chosen.extend(ctx.assignment(n) for n in out.chosen)
    chosen.sort(key=lambda a: (a.slot, a.callsign))
    obj, bound = run.totals()
    gap = gap_of(obj, bound)
    params: dict[str, Any] = parameters(options, options.time_limit_s)
    params.update({
        "decomposition": "slot by slot" if all(len(w.slots) == 1 for w in run.windows)
        else "rolling windows",
        "window_slots": options.window_slots or 1,
        "bound": "global" if all(w.ctx is not None and w.ctx.linked_out == 0
                                 for w in run.windows)
        else "conditional on neighbouring windows",
        "sites_per_unit": options.sites_per_unit, "standby_per_unit": options.standby_per_unit,
        "home_range_minutes": options.home_range_minutes,
        "units_per_site": options.units_per_site,
        "warm_start": warm_start is not None,
        "min_disruption": options.min_disruption and warm_start is not None,
        **run.log,
    })
    done = all(s == "OPTIMAL" for s in statuses) and "stopped" not in run.log
    extra: dict[str, Any] = {
        "penalties": {k: round(v / SCALE, 2) for k, v in sorted(penalties.items())},
        "candidate_postings": sum(len(i.options) for i in p.units),
    }
    if warm_start is not None:
        extra["changed_postings"] = changed_postings(warm_start, chosen, p)
    solver = SolverInfo(BACKEND, "OPTIMAL" if done else "FEASIBLE", obj, bound, gap,
                        options.seed, round(time.perf_counter() - run.started, 3), params,
                        versions())
    return new_plan(scenario, p, chosen, solver, gap, extra)


def new_plan(scenario: Scenario, p: Problem, chosen: list[Assignment], solver: SolverInfo,
             gap: float | None = None, extra: dict[str, Any] | None = None) -> Plan:
    """A plan of ``scenario`` made of ``chosen`` (sorted): its KPIs and Unmet lines computed,
    stamped now."""
    kpis = KpiCalculator(scenario, p.travel).plan_kpis(chosen)
    return Plan(
        scenario=scenario.name, threat_level=scenario.threat_level.value,
        armed_share_cap=scenario.armed_share_cap.percent,
        slots=tuple(PlanSlot(s.index, s.start.isoformat(), s.end.isoformat())
                    for s in scenario.calendar.slots()),
        assignments=tuple(chosen), kpis=kpis, unmet=explain(p, chosen, kpis, gap),
        solver=solver, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        extra=extra or {},
    )


def changed_postings(previous: Plan, chosen: list[Assignment], p: Problem) -> int:
    """Unit-slots, other than pinned ones, posted differently from ``previous``."""
    def key(a: Assignment) -> tuple[str | None, str, str | None]:
        return (a.site_id, a.tactic.value, a.standby_id)

    old = {(a.callsign, a.slot): key(a) for a in previous.assignments}
    new = {(a.callsign, a.slot): key(a) for a in chosen}
    return sum(1 for k in old.keys() | new.keys()
               if k not in p.pins and old.get(k) != new.get(k))
