"""Hand-planning benchmarks: the live hover check and the re-solve after a pin.

Run: .venv/bin/python benchmarks/pins_bench.py [--hovers 500] [--runs 3]
Prints a markdown table. The hover check is measured on the generated London week (84 slots)
with a plan that posts every on-duty unit: one PlacementChecker per plan (built once, timed
separately), then random (unit, slot, site) proposals checked one by one. The re-solve is
measured on the embedded London day: a cold solve, then one pin that breaks no rule, then a
solve warm-started from the first plan with minimal disruption (the console's "Complete the
plan around my placements").
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def hover(n: int) -> dict[str, float]:
    """Milliseconds per placement check at London-week size (median, 95th percentile, max)."""
    from gui_bench import posting_plan  # type: ignore[import-not-found]

    from resources.london import build_london_week
    from resources.model import Plan
    from resources.placement import PlacementChecker, Proposal, default_tactic

    week = build_london_week(seed=1)
    plan = posting_plan(week)
    assert isinstance(plan, Plan)
    t0 = time.perf_counter()
    checker = PlacementChecker(week, plan)
    build_ms = 1000 * (time.perf_counter() - t0)
    rng = random.Random(3)
    times: list[float] = []
    broken = 0
    for _ in range(n):
        u = rng.choice(week.units)
        site = rng.choice(week.sites)
        slot = rng.randrange(week.calendar.slot_count)
        p = Proposal(u.callsign, slot, site.site_id, default_tactic(week, u, site.site_id))
        t = time.perf_counter()
        out = checker.check(p)
        times.append(1000 * (time.perf_counter() - t))
        broken += bool(out)
    times.sort()
    return {"units": len(week.units), "sites": len(week.sites),
            "postings": len(plan.assignments), "build_ms": build_ms,
            "median_ms": statistics.median(times), "p95_ms": times[int(0.95 * len(times))],
            "max_ms": times[-1], "refused_share": broken / n}


def resolve(runs: int, limit: float) -> dict[str, float]:
    """Seconds for the warm-started re-solve after one pin on the London day."""
    from resources.london import build_london
    from resources.placement import PlacementChecker, Proposal, default_tactic, with_pin
    from solver import SolveOptions, solve

    day = build_london()
    cold_t = time.perf_counter()
    base = solve(day, SolveOptions(time_limit_s=limit, seed=1))
    cold = time.perf_counter() - cold_t
    checker = PlacementChecker(day, base)
    rng = random.Random(5)
    walls: list[float] = []
    changed: list[int] = []
    kept = 0
    for _ in range(runs):
        while True:
            u = rng.choice(day.units)
            site = rng.choice(day.sites)
            slot = rng.randrange(day.calendar.slot_count)
            p = Proposal(u.callsign, slot, site.site_id, default_tactic(day, u, site.site_id))
            if not checker.check(p):
                break
        pinned = with_pin(day, p.to_pin("benchmark"))
        t = time.perf_counter()
        plan = solve(pinned, SolveOptions(time_limit_s=limit, seed=1), warm_start=base)
        walls.append(time.perf_counter() - t)
        changed.append(int(plan.extra.get("changed_postings", -1)))
        kept += any((a.callsign, a.slot, a.site_id) == (p.callsign, p.slot, p.site_id)
                    for a in plan.assignments)
    return {"units": len(day.units), "cold_s": cold, "median_s": statistics.median(walls),
            "max_s": max(walls), "changed": statistics.median(changed),
            "pins_kept": kept / runs}


def main() -> None:
    """Run both benchmarks and print the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hovers", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=float, default=30.0, help="solver time limit, seconds")
    args = ap.parse_args()
    h = hover(args.hovers)
    r = resolve(args.runs, args.limit)
    print("| measure | size | result | target |")
    print("|---|---|---|---|")
    print(f"| hover check (median / p95 / max) | London week: {h['units']} units, "
          f"{h['sites']} sites, {h['postings']} postings | {h['median_ms']:.3f} / "
          f"{h['p95_ms']:.3f} / {h['max_ms']:.3f} ms | <= 50 ms |")
    print(f"| checker index build (once per plan change) | same | {h['build_ms']:.0f} ms | - |")
    print(f"| re-solve after a pin (median / max of {args.runs}) | London day: {r['units']} "
          f"units | {r['median_s']:.2f} / {r['max_s']:.2f} s; {r['changed']:.0f} postings "
          f"changed; pins kept {100 * r['pins_kept']:.0f}% | <= 2 s |")
    print(f"| cold solve for reference | London day | {r['cold_s']:.1f} s | - |")


if __name__ == "__main__":
    main()
