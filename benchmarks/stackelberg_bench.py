"""Benchmark: exact O(n log n) SSE solver against generic OR-Tools formulations.

Run: ``.venv/bin/python benchmarks/stackelberg_bench.py``.  Seeded random games with
payoffs uniform in [0, 10] (covered defender / uncovered attacker) and [-10, 0] (the
others).  Prints two markdown tables (median wall-clock seconds):

1. the exact solver (``optimal_coverage`` from a list of ``Target``) against one generic
   LP: the multiple-LPs subproblem of the attacked target, built and solved with GLOP;
   a full multiple-LPs solve would be ``n`` such LPs, so this is a lower bound on it;
2. complete SSE solvers on small games: exact, the general solver (pruned multiple LPs,
   GLOP), DOBSS-style MILP (SCIP and HiGHS), and unpruned multiple LPs (GLOP).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from ortools.linear_solver import pywraplp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solver.stackelberg import Target, optimal_coverage
from solver.stackelberg_general import (
    ResourceType,
    optimal_coverage_general,
)

SIZES_1 = [(10, 2), (10_000, 100), (100_000, 1_000), (1_000_000, 10_000)]
SIZES_2 = [(10, 2), (100, 5), (1_000, 20)]
LP_LIMIT = 10_000  # one GLOP LP on 100,000 targets takes about 35 s


def random_game(n: int, seed: int) -> list[Target]:
    rng = np.random.default_rng(seed)
    cols = (rng.uniform(0, 10, n), -rng.uniform(0, 10, n),
            -rng.uniform(0, 10, n), rng.uniform(0, 10, n))
    return [Target(*row) for row in zip(*(c.tolist() for c in cols), strict=True)]


def timed(runs: int, fn: Callable[..., float], *args: Any) -> tuple[float, float]:
    """Median seconds over ``runs`` calls of ``fn(*args)``, and the last value."""
    times, value = [], 0.0
    for _ in range(runs):
        start = time.perf_counter()
        value = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def exact_value(targets: list[Target], resources: float) -> float:
    return optimal_coverage(targets, resources).defender_value


def general_value(targets: list[Target], types: list[ResourceType], backend: str) -> float:
    return optimal_coverage_general(targets, types, backend=backend).defender_value


def lp_for_target(targets: list[Target], resources: float, t: int) -> float:
    """Generic LP: best defender utility at ``t`` subject to ``t`` being a best response."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    inf = solver.infinity()
    cov = [solver.NumVar(0.0, 1.0, "") for _ in targets]
    v = solver.NumVar(-inf, inf, "v")
    budget = solver.Constraint(-inf, resources)
    for var in cov:
        budget.SetCoefficient(var, 1.0)
    for i, tg in enumerate(targets):
        row = solver.Constraint(-inf, -tg.attacker_uncovered)  # U_a(i) <= v
        row.SetCoefficient(cov[i], tg.attacker_covered - tg.attacker_uncovered)
        row.SetCoefficient(v, -1.0)
    tg = targets[t]
    row = solver.Constraint(-tg.attacker_uncovered, inf)  # U_a(t) >= v
    row.SetCoefficient(cov[t], tg.attacker_covered - tg.attacker_uncovered)
    row.SetCoefficient(v, -1.0)
    obj = solver.Objective()
    obj.SetCoefficient(cov[t], tg.defender_covered - tg.defender_uncovered)
    obj.SetOffset(tg.defender_uncovered)
    obj.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("GLOP failed")
    return float(obj.Value())


def unpruned_multiple_lps(targets: list[Target], resources: float) -> float:
    best = -np.inf
    for t in range(len(targets)):
        try:
            best = max(best, lp_for_target(targets, resources, t))
        except RuntimeError:  # infeasible: t can never be a best response
            continue
    return float(best)


def fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.4f}"


def table_exact_vs_lp() -> None:
    print("| targets | resources | exact median (s) | exact runs | GLOP LP_t* median (s) "
          "| LP runs | LP / exact | abs diff in defender value |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, (n, r) in enumerate(SIZES_1):
        targets = random_game(n, seed=k)
        runs = 5 if n < 1_000_000 else 3
        exact_t, exact_v = timed(runs, exact_value, targets, r)
        lp_t: float | None = None
        diff = "—"
        lp_runs = 0
        if n <= LP_LIMIT:
            attacked = optimal_coverage(targets, r).attacked_target
            lp_runs = 5 if n <= 1_000 else 3
            lp_t, lp_v = timed(lp_runs, lp_for_target, targets, r, attacked)
            diff = f"{abs(lp_v - exact_v):.1e}"
        ratio = "—" if lp_t is None else f"{lp_t / exact_t:,.0f}x"
        print(f"| {n:,} | {r:,} | {fmt(exact_t)} | {runs} | {fmt(lp_t)} | "
              f"{lp_runs or '—'} | {ratio} | {diff} |")


def table_full_solvers() -> None:
    print("| targets | resources | exact (s) | general multi-LP, GLOP (s) | DOBSS MILP, SCIP (s) "
          "| DOBSS MILP, HiGHS (s) | unpruned multiple LPs (s) | max abs diff vs exact |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, (n, r) in enumerate(SIZES_2):
        targets = random_game(n, seed=100 + k)
        types = [ResourceType("unit", r, frozenset(range(n)))]
        exact_t, exact_v = timed(5, exact_value, targets, r)
        cells, diffs = [], []
        for backend in ("multi-lp", "milp:SCIP", "milp:HIGHS"):
            seconds, value = timed(3, general_value, targets, types, backend)
            cells.append(fmt(seconds))
            diffs.append(abs(value - exact_v))
        if n <= 100:
            seconds, value = timed(3, unpruned_multiple_lps, targets, r)
            cells.append(fmt(seconds))
            diffs.append(abs(value - exact_v))
        else:
            cells.append("—")
        print(f"| {n:,} | {r:,} | {fmt(exact_t)} | {' | '.join(cells)} | {max(diffs):.1e} |")


def main() -> None:
    print("Exact SSE solver vs one generic LP (seconds, median)\n")
    table_exact_vs_lp()
    print("\nComplete SSE solvers on small games (seconds, median of 3; exact: of 5)\n")
    table_full_solvers()


if __name__ == "__main__":
    main()
