"""A fresh plan every day: each day's drawn targets become requirements of the deployment solver.

``solve_days(scenario, days, seed, options)`` builds the randomised posture once, then for each
day draws its targets from the day's own seed and solves with them as requirements
(``SolveOptions.required``), from scratch: no warm start from yesterday, whose plan must not
shape today's.  By default every day is drawn from (seed, day) alone (solver/daily.py), so an
observer of past patrols learns nothing about today's beyond the probabilities.
``mode="balanced"`` nudges each day's probabilities toward what the run's earlier draws fell
short of (solver/balance.py; the days before ``first_day`` come from ``history``, earlier plans
such as ``stored_run`` finds): frequencies track the probabilities far closer over long runs,
at a cost an observer of the history could exploit (docs/randomisation.md §5).  Every hard
rule stays hard; a drawn unit the rules (or the candidate postings) cannot place becomes an
Unmet line.  Each plan carries its day, its seed (also the solver's seed), its draw and how it
was drawn in ``extra["randomisation"]``, the record ``resources/predictability.py`` reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from resources.errors import InputError
from resources.model import Plan, Scenario, Unmet
from resources.predictability import (
    TargetKey,
    expected_overlap,
    plan_targets,
    randomisation_of,
    site_entropy,
)
from solver.api import solve
from solver.balance import DEFAULT_GAIN, MODES, BalancedDraws
from solver.daily import DayDraw, RandomisedPosture, day_seed
from solver.options import CancelToken, Requirement, SolveOptions
from solver.overrides import OverrideCost, override_cost
from solver.payoffs import GameOptions

__all__ = ["DailyRun", "day_game_options", "day_line", "draw_mode", "drawn_history",
           "kept_units", "solve_days", "stored_run"]

DayFn = Callable[[Plan], None]


@dataclass(frozen=True)
class DailyRun:
    """What every day of a run shares: the posture, its summary figures, the override cost."""

    posture: RandomisedPosture
    expected_overlap: float
    marginals: list[list[Any]]
    overrides: OverrideCost | None

    @classmethod
    def build(cls, scenario: Scenario, game_options: GameOptions | None = None,
              design: str = "auto") -> DailyRun:
        """Solve the scenario's games once (the draws of every day come from them); by
        default units are drawn only for sites within half the change-over of their base."""
        game_options = game_options or day_game_options(scenario)
        posture = RandomisedPosture.build(scenario, game_options, design)
        marginals = [[t, s, c, round(v, 6)]
                     for (t, s, c), v in sorted(posture.target_marginals().items())]
        return cls(posture, expected_overlap(posture.pool_marginals()), marginals,
                   override_cost(posture, game_options, design))


def day_game_options(scenario: Scenario) -> GameOptions:
    """Games whose draws the change-over rule allows: a unit is drawn only for sites within
    half the change-over time of its base, so any two of its draws are within the change-over
    of each other (through the base) and consecutive slots never conflict."""
    return GameOptions(reach_minutes=scenario.travel.changeover_minutes / 2)


def kept_units(scenario: Scenario, plan: Plan,
               requirements: tuple[Requirement, ...]) -> list[int]:
    """Units of each requirement the plan posts (at most its count), in the same order."""
    types = {u.callsign: u.type_code for u in scenario.units}
    posted: dict[tuple[int, str], set[str]] = defaultdict(set)
    for a in plan.assignments:
        if a.site_id is not None:
            posted[(a.slot, a.site_id)].add(a.callsign)
    out = []
    for r in requirements:
        here = posted.get((r.slot, r.site_id), set())
        pool = set(r.callsigns) or {c for c in here if types.get(c) == r.type_code}
        out.append(min(r.count, len(here & pool)))
    return out


def _unmet(plan: Plan, reqs: tuple[Requirement, ...], kept: list[int]) -> list[Unmet]:
    labels = {p.index: f"{p.start[11:16]}-{p.end[11:16]}" for p in plan.slots}
    out = []
    for r, k in zip(reqs, kept, strict=True):
        if k < r.count:
            out.append(Unmet(r.slot, f"{r.site_id}|{r.type_code}",
                             f"{labels.get(r.slot, r.slot)}: today's draw asked for {r.count} "
                             f"{r.type_code} at {r.site_id}; the hard rules allowed {k}",
                             kind="required"))
    return out


def _mean_entropy(scenario: Scenario, plan: Plan) -> tuple[float, float]:
    day = plan_targets(scenario, plan)
    ent = [site_entropy(day, t) for t in sorted({t for t, _, _ in day})] or [(0.0, 0.0)]
    return float(np.mean([e[0] for e in ent])), float(np.mean([e[1] for e in ent]))


def daily_plan(scenario: Scenario, run: DailyRun, draw: DayDraw, options: SolveOptions,
               run_seed: int, cancel: CancelToken | None = None) -> Plan:
    """Solve one day with its drawn targets as requirements; the record in its extra."""
    opts = replace(options, required=draw.requirements, seed=draw.seed)
    plan = solve(scenario, opts, cancel=cancel)
    kept = kept_units(scenario, plan, draw.requirements)
    drawn = sum(r.count for r in draw.requirements)
    shannon, minimum = _mean_entropy(scenario, plan)
    lo, hi = draw.balance.get("entropy_bits") or run.posture.entropy_bounds()
    record: dict[str, Any] = {
        **draw.to_dict(), "run_seed": run_seed,
        "requirements": [[r.slot, r.site_id, r.type_code, r.count, k]
                         for r, k in zip(draw.requirements, kept, strict=True)],
        "drawn_units": drawn, "kept_units": sum(kept),
        "kept": round(sum(kept) / drawn, 6) if drawn else 1.0,
        "site_entropy": round(shannon, 4), "min_entropy": round(minimum, 4),
        "design_entropy_bits": [round(lo, 3), round(hi, 3)],
        "value": round(run.posture.value(), 6), "optimum": round(run.posture.optimum(), 6),
        "expected_overlap": round(run.expected_overlap, 6), "marginals": run.marginals,
    }
    if run.overrides is not None:
        record["overrides"] = run.overrides.to_dict()
    return replace(plan, day=draw.day, unmet=(*plan.unmet, *_unmet(plan, draw.requirements, kept)),
                   extra={**plan.extra, "randomisation": record})


def drawn_history(plans: Sequence[Plan], run: DailyRun, seed: int,
                  before: int) -> list[dict[TargetKey, int]]:
    """The drawn targets of a run's earlier days, oldest first: plans of run seed ``seed``
    for days before ``before`` drawn from the same marginals as ``run`` (a day given more
    than once counts once, its first plan in ``plans``)."""
    days: dict[int, dict[TargetKey, int]] = {}
    for plan in plans:
        rec = randomisation_of(plan)
        day = rec.get("day")
        if (rec.get("run_seed") != seed or rec.get("marginals") != run.marginals
                or not isinstance(day, int) or not 0 <= day < before):
            continue
        days.setdefault(day, _drawn(plan, rec.get("targets")))
    return [days[d] for d in sorted(days)]


def _drawn(plan: Plan, rows: object) -> dict[TargetKey, int]:
    """A record's drawn targets; InputError naming the plan unless [[slot, site, type, n]]."""
    out: dict[TargetKey, int] = {}
    for row in rows if isinstance(rows, list) else [None]:
        match row:
            case [int(t), str(site), str(code), int(n)] if t >= 0 and n >= 0 and not any(
                    isinstance(v, bool) for v in (t, n)):
                out[(t, site, code)] = n
            case _:
                raise InputError("expected rows [slot, site, unit type, units]",
                                 source=f"plan {plan.plan_id or '(unsaved)'}",
                                 location=f"day {plan.day}", field="randomisation.targets")
    return out


def stored_run(db: Path, scenario: str, seed: int, before: int) -> list[Plan]:
    """The stored plans of days 0 .. ``before - 1`` of the run seeded ``seed`` (the newest
    plan of each day), oldest first; none when there is no store."""
    if before <= 0 or not db.exists():
        return []
    from resources.store import Store

    wanted = {day_seed(seed, d): d for d in range(before)}
    newest: dict[int, str] = {}
    with Store.open(db, create=False) as store:
        for info in store.list_plans(scenario, limit=1_000_000):
            if info.seed is not None and wanted.get(info.seed) == info.day:
                newest.setdefault(info.day, info.plan_id)
        return [store.load_plan(newest[d]) for d in sorted(newest)]


def draw_mode(plan: Plan) -> str:
    """How a daily plan's targets were drawn, in words."""
    info = randomisation_of(plan).get("balance", {})
    if not isinstance(info, Mapping) or info.get("mode") != "balanced":
        return "independent days"
    return (f"balanced over days (gain {info.get('gain')}, after "
            f"{info.get('history_days')} earlier days of the run)")


def solve_days(scenario: Scenario, days: int, seed: int, options: SolveOptions | None = None,
               *, first_day: int = 0, game_options: GameOptions | None = None,
               design: str = "auto", on_day: DayFn | None = None,
               cancel: CancelToken | None = None, mode: str = "independent",
               gain: float = DEFAULT_GAIN, history: Sequence[Plan] = ()) -> list[Plan]:
    """Plans for days ``first_day`` .. ``first_day + days - 1``, each solved from scratch;
    drawn from (``seed``, day) alone, or with ``mode="balanced"`` balanced over days after the
    run's earlier days found in ``history`` (earlier plans, e.g. ``stored_run``; see
    ``drawn_history``); ``on_day`` is called with each plan as it is made."""
    if days < 1:
        raise ValueError(f"expected at least one day, got {days}")
    if first_day < 0 or seed < 0:
        raise ValueError("expected a first day and a seed >= 0")
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    run = DailyRun.build(scenario, game_options, design)
    balanced = None
    if mode == "balanced":
        balanced = BalancedDraws(run.posture, gain,
                                 drawn_history(history, run, seed, first_day))
    opts = options or SolveOptions()
    out: list[Plan] = []
    for d in range(first_day, first_day + days):
        if cancel is not None and cancel.cancelled:
            break
        draw = balanced.draw(d, seed) if balanced is not None else run.posture.draw(d, seed)
        plan = daily_plan(scenario, run, draw, opts, seed, cancel)
        out.append(plan)
        if on_day is not None:
            on_day(plan)
    return out


def day_line(plan: Plan) -> str:
    """One line for a daily plan: kept share of the draw, entropy, KPIs, solve time."""
    rec = plan.extra.get("randomisation", {})
    k = plan.kpis
    cov = float(np.mean([x.risk_coverage for x in k])) if k else 0.0
    reach = float(np.mean([x.armed_reach for x in k])) if k else 0.0
    ctsfo = float(np.mean([x.ctsfo_reach for x in k])) if k else 0.0
    armed = max((x.armed_share for x in k), default=0.0)
    return (f"day {plan.day:>3}  seed {rec.get('seed', plan.solver.seed):<10}  kept "
            f"{100 * float(rec.get('kept', 0.0)):5.1f}% ({rec.get('kept_units', 0)}/"
            f"{rec.get('drawn_units', 0)} units)  site H {float(rec.get('site_entropy', 0)):.2f} "
            f"bits (min {float(rec.get('min_entropy', 0)):.2f})  risk cov {100 * cov:.1f}%  "
            f"armed reach {100 * reach:.1f}%  CTSFO reach {100 * ctsfo:.1f}%  "
            f"armed max {100 * armed:.1f}%  {plan.solver.status} {plan.solver.wall_time_s:.1f} s")
