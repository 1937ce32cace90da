"""Command-line verbs of the solver layer: `plan` (make a plan) and `check` (re-verify one).

The `plan` handler is split into steps (load the scenario, solve, report, write) so that a
later option such as ``--days N`` only has to extend ``plan_scenario`` and ``solve_plan``.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.io.outputs import check_out_file
from resources.model import Plan, Scenario, ThreatLevel
from solver.options import MAX_SEED

#: Most Unmet lines printed by `plan` (all of them are in the JSON written with --out).
MAX_UNMET_LINES = 40
#: Default seconds for one plan, and for each plan of a run of days (issue target: 10 s).
PLAN_SECONDS = 30.0
DAY_SECONDS = 10.0


def register(subparsers: Any) -> None:
    """Add the `plan` and `check` verbs to a sub-parser set."""
    plan = subparsers.add_parser(
        "plan", help="make a deployment plan for a scenario",
        description="Solve a scenario: print a summary per slot and the targets it misses; "
        "optionally write the plan as JSON (--out) and store it (--save).",
    )
    add_plan_arguments(plan)
    plan.set_defaults(func=plan_command)
    check = subparsers.add_parser(
        "check", help="re-verify a plan against its scenario (exit 1 on any violation)",
        description="Recompute every hard rule and every KPI of a plan from its scenario, "
        "independently of the solver. Exit 0: clean; 1: violations; 2: bad input.",
    )
    check.add_argument("plan", metavar="PLAN", help="a plan JSON file or a stored plan's id")
    check.add_argument("--scenario", required=True, metavar="NAME",
                       help="the scenario the plan was made for (stored or built in)")
    check.set_defaults(func=check_command)


def add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `plan` (kept apart so that later options can join them)."""
    parser.add_argument("--scenario", required=True, metavar="NAME",
                        help="scenario to plan (stored, or built in such as 'london')")
    parser.add_argument("--threat", metavar="LEVEL", type=_threat,
                        help="threat level to plan at (LOW, MODERATE, SUBSTANTIAL, SEVERE, "
                        "CRITICAL); default: the scenario's")
    parser.add_argument("--seed", type=_seed, default=0, metavar="N",
                        help=f"solver random seed, 0 to {MAX_SEED} (default 0)")
    parser.add_argument("--time-limit", type=_seconds, default=None, metavar="S",
                        help="time limit in seconds (deterministic work units with "
                        "--deterministic; default 30, or 10 per day with --days)")
    parser.add_argument("--deterministic", action="store_true",
                        help="one worker and a deterministic time limit: the same inputs and "
                        "seed give the same plan")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="write the plan as JSON to FILE (format in docs/solver.md)")
    parser.add_argument("--save", action="store_true",
                        help="store the plan in the database and print its id")
    parser.add_argument("--days", type=_whole, default=None, metavar="N",
                        help="draw N consecutive randomised daily plans, each solved with its "
                        "day's drawn targets (--seed seeds the draws; --out FILE writes "
                        "FILE-dayD.json per day); see docs/randomisation.md")
    parser.add_argument("--first-day", type=_whole, default=None, metavar="D",
                        help="with --days: number of the first day (continue a run with the "
                        "same --seed; with --balanced its stored days 0..D-1 steer the balance; "
                        "default 0)")
    parser.add_argument("--balanced", action="store_true",
                        help="with --days: balance the draws over days (frequencies track the "
                        "probabilities closely; an observer of every past day could exploit it; "
                        "see docs/randomisation.md) instead of drawing each day alone")


def _threat(text: str) -> ThreatLevel:
    try:
        return ThreatLevel.parse(text)
    except InputError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def _seed(text: str) -> int:
    value = _whole(text)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to {MAX_SEED}, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"expected seconds in (0, 86400], got {text!r}")
    return value


# ---------------------------------------------------------------------------------- plan
def load_scenario(name: str, db: Path) -> Scenario:
    """A scenario by name from the store (never creating it), or a built-in one."""
    from resources.store import Store
    from resources.store.builtin import builtin_scenario

    if db.exists():
        with Store.open(db, create=False) as store:
            return store.load_scenario(name)
    built = builtin_scenario(name)
    if built is None:
        raise InputError(f"no scenario named '{name}' (no database at {db})", field="--scenario")
    return built


def plan_scenario(args: argparse.Namespace) -> Scenario:
    """The scenario `plan` solves: loaded by name, at the requested threat level."""
    scenario = load_scenario(args.scenario, args.db)
    if args.threat is not None:
        scenario = scenario.with_changes(threat_level=args.threat)
    return scenario


def solve_plan(scenario: Scenario, args: argparse.Namespace) -> Plan:
    """Run the solver with the command line's options."""
    from solver.api import solve
    from solver.options import SolveOptions

    options = SolveOptions(time_limit_s=args.time_limit or PLAN_SECONDS, seed=args.seed,
                           deterministic=args.deterministic)
    return solve(scenario, options)


def days_arguments(args: argparse.Namespace) -> int | None:
    """The number of days asked for (None: one plan); day options without --days are refused."""
    days: int | None = getattr(args, "days", None)
    if days is None:
        for flag, given in (("--first-day", getattr(args, "first_day", None) is not None),
                            ("--balanced", getattr(args, "balanced", False))):
            if given:
                raise InputError(f"{flag} needs --days N", field=flag)
        return None
    if days < 1:
        raise InputError(f"expected at least 1 day, got {days}", field="--days")
    return days


def plan_command(args: argparse.Namespace) -> int:
    """`plan`: solve, print the summary, store (--save) and write (--out) the plan.

    With --save the file written is the stored plan (its id and time included)."""
    out: Path | None = args.out
    if out is not None:
        check_out_file(out, args.db)
    days = days_arguments(args)
    scenario = plan_scenario(args)
    if days is not None:
        return days_command(scenario, args)
    plan = solve_plan(scenario, args)
    print(summary(plan))
    if out is not None:  # written before it is stored: a file that cannot be written stores nothing
        write_plan_file(out, plan)
    plan_id = None
    if args.save:
        from resources.store import Store

        with Store.open(args.db) as store:
            plan_id = store.save_plan(plan)
            plan = store.load_plan(plan_id)
        if out is not None:
            write_plan_file(out, plan, saved_as=plan_id)  # again, now with its id
    if out is not None:
        print(f"plan written to {out}")
    if plan_id is not None:
        print(f"plan saved as {plan_id}")
    return 0


def write_plan_file(path: Path, plan: Plan, saved_as: str | None = None) -> None:
    """Write a plan as JSON (atomically); an OS error becomes a one-line InputError."""
    from resources.io.plan_json import write_plan

    try:
        write_plan(path, plan)
    except OSError as err:
        kept = f" (the plan is saved as {saved_as})" if saved_as else ""
        raise InputError(f"cannot write '{path}': {err.strerror}{kept}", field="--out") from None


def day_path(out: Path, day: int) -> Path:
    """The file of one day of a run written with --out FILE: FILE-dayD.json."""
    return out.with_name(f"{out.stem}-day{day}{out.suffix or '.json'}")


def days_command(scenario: Scenario, args: argparse.Namespace) -> int:
    """`plan --days N`: one line per daily plan as it is made; each written and stored."""
    from solver.daily_plans import day_line
    from solver.daily_runs import DaysRequest, run_days, run_summary, run_warnings

    request = DaysRequest(args.days, args.seed, args.first_day or 0,
                          args.time_limit or DAY_SECONDS, args.deterministic, args.balanced)
    out: Path | None = args.out
    if out is not None:
        for day in range(request.first_day, request.first_day + request.days):
            check_out_file(day_path(out, day), args.db)

    def write(plan: Plan) -> None:  # before the day is stored: a failure stores nothing
        if out is not None:
            write_plan_file(day_path(out, plan.day), plan)

    def report(plan: Plan, plan_id: str | None) -> None:
        if out is not None and plan_id is not None:
            write_plan_file(day_path(out, plan.day), plan, saved_as=plan_id)
        saved = "" if plan_id is None else f"  saved as {plan_id}"
        print(day_line(plan) + saved, flush=True)

    plans = run_days(scenario, request, args.db, save=args.save, on_plan=write,
                     on_saved=report)
    for warning in run_warnings(plans):
        print(f"warning: {warning}")
    print(run_summary(plans, args.seed))
    return 0


def summary(plan: Plan) -> str:
    """The per-slot table, the Unmet lines (at most MAX_UNMET_LINES) and the solver line."""
    labels = {p.index: f"{p.start[11:16]}-{p.end[11:16]}" for p in plan.slots}
    days = {p.start[:10] for p in plan.slots}
    rows = [f"{'slot':<{18 if len(days) > 1 else 11}} {'officers':>8} {'armed':>6} "
            f"{'armed%':>7} {'risk cov':>8} {'armed reach':>11} {'CTSFO reach':>11}"]
    for k in plan.kpis:
        p = next(s for s in plan.slots if s.index == k.slot)
        label = f"{p.start[5:10]} {labels[k.slot]}" if len(days) > 1 else labels[k.slot]
        rows.append(f"{label:<{18 if len(days) > 1 else 11}} {k.officers:>8} "
                    f"{k.armed_officers:>6} {100 * k.armed_share:>6.1f}% "
                    f"{100 * k.risk_coverage:>7.1f}% {100 * k.armed_reach:>10.1f}% "
                    f"{100 * k.ctsfo_reach:>10.1f}%")
    lines = [f"plan for '{plan.scenario}' at {plan.threat_level} "
             f"(armed share cap {plan.armed_share_cap}): {len(plan.assignments)} postings", "",
             *rows, ""]
    if plan.unmet:
        lines.append(f"{len(plan.unmet)} targets missed:")
        lines += [f"  - {u.message}" for u in plan.unmet[:MAX_UNMET_LINES]]
        if len(plan.unmet) > MAX_UNMET_LINES:
            lines.append(f"  ... and {len(plan.unmet) - MAX_UNMET_LINES} more (all in --out)")
    else:
        lines.append("every target met")
    s = plan.solver
    gap = "n/a" if s.gap is None else f"{100 * s.gap:.2f}%"
    lines.append(f"solver: {s.backend} {s.status}, objective {s.objective}, bound {s.bound}, "
                 f"gap {gap}, seed {s.seed}, {s.wall_time_s:.1f} s")
    return "\n".join(lines)


# --------------------------------------------------------------------------------- check
def load_plan_arg(text: str, db: Path) -> Plan:
    """A plan from a JSON file path, or else from the store by id."""
    path = Path(text)
    if path.is_file():
        from resources.io.plan_json import read_plan

        return read_plan(path)
    if text.lower().endswith(".json"):
        raise InputError(f"no plan file '{text}'", field="PLAN")
    if not db.exists():
        raise InputError(f"'{text}' is neither a plan file nor a stored plan id "
                         f"(no database at {db})", field="PLAN")
    from resources.store import Store

    with Store.open(db, create=False) as store:
        return store.load_plan(text)


def check_command(args: argparse.Namespace) -> int:
    """`check`: re-verify a plan; exit 1 on any violation."""
    from resources.verify import verify_plan

    plan = load_plan_arg(args.plan, args.db)
    if plan.scenario != args.scenario:
        raise InputError(f"plan is for scenario '{plan.scenario}', not '{args.scenario}'",
                         field="--scenario")
    scenario = load_scenario(args.scenario, args.db)
    level = ThreatLevel.parse(plan.threat_level)
    if level is not scenario.threat_level:
        scenario = scenario.with_changes(threat_level=level)
    violations = verify_plan(scenario, plan)
    name = plan.plan_id or args.plan
    for v in violations:
        print(f"violation: {v}")
    if violations:
        print(f"plan {name}: {len(violations)} violations")
        return 1
    print(f"plan {name}: clean (every hard rule holds and every KPI matches)")
    return 0
