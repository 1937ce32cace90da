"""Benchmark: consecutive daily London plans by the full solver, each with its drawn targets.

Run: ``.venv/bin/python benchmarks/daily_bench.py [--days N] [--time-limit S] [--seed N]``.

For K consecutive days (default 60): seconds per daily plan (median, max), the share of the
drawn units each plan keeps (min, mean), verifier violations, and the site-choice entropy,
overlap with the last 7 plans against the overlap the probabilities imply, and the largest
|frequency - probability| over the run.  Prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resources.london import build_london
from resources.model import Plan
from resources.predictability import frequency_gap, randomisation_of, run_metrics
from resources.verify import verify_plan
from solver.daily_plans import day_line, solve_days
from solver.options import SolveOptions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=60, help="consecutive days (default 60)")
    ap.add_argument("--time-limit", type=float, default=10.0,
                    help="solver seconds per day (default 10, the issue's target)")
    ap.add_argument("--seed", type=int, default=2026, help="seed of the run (default 2026)")
    args = ap.parse_args()
    london = build_london()
    violations: list[int] = []
    stamps = [time.perf_counter()]
    times: list[float] = []

    def on_day(plan: Plan) -> None:
        now = time.perf_counter()
        times.append(now - stamps[-1])
        stamps.append(now)
        violations.append(len(verify_plan(london, plan)))
        print(day_line(plan), f"verifier {violations[-1]}", file=sys.stderr, flush=True)
        stamps[-1] = time.perf_counter()  # the verifier's time is not the plan's

    started = time.perf_counter()
    plans = solve_days(london, args.days, args.seed, SolveOptions(time_limit_s=args.time_limit),
                       on_day=on_day)
    build_s = times[0] - plans[0].solver.wall_time_s
    solve_s = [p.solver.wall_time_s for p in plans]
    kept = [float(randomisation_of(p)["kept"]) for p in plans]
    drawn = [int(randomisation_of(p)["drawn_units"]) for p in plans]
    m = run_metrics(london, plans, 7)
    recs = [randomisation_of(p) for p in plans]
    marg = {(int(t), str(s), str(c)): float(v) for t, s, c, v in recs[-1]["marginals"]}
    draws = [{(int(t), str(s), str(c)): int(n) for t, s, c, n in r["targets"]} for r in recs]
    draw_gap = frequency_gap(draws, marg)
    print(f"## Daily London plans by the full solver ({len(plans)} consecutive days, "
          f"seed {args.seed}, time limit {args.time_limit:g} s)\n")
    print("| measure | value |\n|---|---:|")
    rows = [
        ("days", f"{len(plans)}"),
        ("game + designs, once (s)", f"{build_s:.1f}"),
        ("seconds per daily plan, median", f"{statistics.median(solve_s):.1f}"),
        ("seconds per daily plan, max", f"{max(solve_s):.1f}"),
        ("drawn units per day, mean", f"{statistics.mean(drawn):.0f}"),
        ("share of drawn units kept, min", f"{100 * min(kept):.1f}%"),
        ("share of drawn units kept, mean", f"{100 * statistics.mean(kept):.2f}%"),
        ("days keeping >= 99%", f"{sum(k >= 0.99 for k in kept)} of {len(kept)}"),
        ("verifier violations (all days)", f"{sum(violations)}"),
        ("site-choice entropy over the run (bits, mean slot)", f"{m.site_entropy:.2f}"),
        ("overlap with the last 7 plans", "-" if m.overlap is None else f"{m.overlap:.3f}"),
        ("overlap the probabilities imply",
         "-" if m.expected_overlap is None else f"{m.expected_overlap:.3f}"),
        ("largest abs(frequency - probability), drawn targets", f"{draw_gap:.3f}"),
        ("largest abs(frequency - probability), all postings",
         "-" if m.frequency_gap is None else f"{m.frequency_gap:.3f}"),
        ("wall seconds, whole run", f"{time.perf_counter() - started:.0f}"),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
