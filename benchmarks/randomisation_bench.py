"""Benchmark: randomised daily plans on the embedded London (markdown tables, medians).

Run: ``.venv/bin/python benchmarks/randomisation_bench.py [--days N] [--draws N] [--gains G,..]
[--sampler-only] [--quick]``.

1. exact basic games (``solver.stackelberg``): 10,000 targets / 100 resources and
   1,000,000 targets / 10,000 resources, median seconds;
2. the London equilibrium per slot (games, marginals, designs): time, defender value of the
   drawable marginals against the optimum, design entropy against the maximum-entropy design;
3. the sampler alone over ``--draws`` consecutive days, independent and balanced over days
   (one row per ``--gains`` value): largest |frequency - probability| over every (site, slot,
   unit type) and the share within 0.03, draw seconds, mean entropy of a day's design, the
   largest and mean per-day shift of a probability, overlap with yesterday and lag-1
   correlation, the value against an attacker who knows the day's probabilities, budgets and
   capacities in every draw; for independent days the gap an exact design shows by chance
   and z-scores of every drawn (pool, site) entry;
4. designs on one slot (exact or plug-in entropy): maximum entropy, comb sampling in a fixed
   and a random order, dependent rounding;
5. strategies over ``--days`` days: the randomised equilibrium, a fixed optimal plan, a
   round-robin rota and uniform random choice (entropy, overlap with the last 7 days, value).
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resources.london import build_london
from resources.predictability import (
    TargetKey,
    defender_value,
    expected_overlap,
    frequency_gap,
    jaccard,
    recent_overlap,
    run_site_entropy,
    value_loss,
)
from solver.balance import DEFAULT_GAIN, RATIO, BalancedDraws
from solver.daily import DayDraw, RandomisedPosture
from solver.designs import SlotDesign
from solver.marginals import SlotMarginals
from solver.sampling import ConditionalPoisson, dependent_round, systematic, systematic_entropy
from solver.stackelberg import optimal_coverage_arrays, payoff_matrix

Units = list[np.ndarray]  # one (pools, sites) array of whole units per slot
Schedule = list[Units]  # one Units per day


def timed(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Median seconds over ``runs`` calls, and the last result."""
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def table_basic_games(quick: bool) -> None:
    print("## Exact basic games (`solver.stackelberg.optimal_coverage_arrays`)\n")
    print("| targets | resources | runs | median s |\n|---:|---:|---:|---:|")
    for n, r, runs in ((10_000, 100, 7), (1_000_000, 10_000, 1 if quick else 3)):
        rng = np.random.default_rng(n)
        cols = (rng.uniform(0, 10, n), -rng.uniform(0, 10, n), -rng.uniform(0, 10, n),
                rng.uniform(0, 10, n))
        secs, _ = timed(runs, lambda c=cols, r=r: optimal_coverage_arrays(*c, r))
        print(f"| {n:,} | {r:,} | {runs} | {secs:.3f} |")
    print()


def table_equilibrium(posture: RandomisedPosture, build_s: float) -> None:
    lo, hi = posture.entropy_bounds()
    best = sum(SlotDesign.fit(d.marginals, "cps").entropy_bounds()[0] if not d.coupled
               else d.entropy_bounds()[1] for d in posture.slots)
    units = sum(int(d.marginals.budgets.sum()) for d in posture.slots)
    print("## London equilibrium (12 slots)\n")
    print("| build s | drawn units/day | optimum | value | loss | entropy bits (lower-upper) "
          "| max-entropy bits | lower / max |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|")
    print(f"| {build_s:.1f} | {units} | {posture.optimum():.3f} | {posture.value():.3f} | "
          f"{100 * value_loss(posture.value(), posture.optimum()):.2f}% | {lo:.0f}-{hi:.0f} | "
          f"{best:.0f} | {100 * lo / best:.1f}% |")
    coupled = sum(len(d.coupled) for d in posture.slots)
    pools = sum(len(d.marginals.game.pools) for d in posture.slots)
    print(f"\nPools drawn jointly by dependent rounding (could overfill a site): {coupled} "
          f"of {pools}; all others by conditional Poisson sampling.\n")


def _noise_floor(posture: RandomisedPosture, draws: int,
                 rng: np.random.Generator) -> tuple[float, float]:
    """(median, 90th percentile) of the largest gap an exact design with independent days
    shows by chance: normal approximation, each triple's variance the sum of its pool parts'."""
    var = np.array([sum((m - math.floor(m)) * (1 - m + math.floor(m)) for m in parts)
                    for parts in posture.pool_marginals().values()])
    sd = np.sqrt(var / draws)
    peaks = [float(np.max(np.abs(rng.standard_normal(sd.size)) * sd)) for _ in range(200)]
    return float(np.median(peaks)), float(np.quantile(peaks, 0.9))


def _balanced_floor(posture: RandomisedPosture, draws: int, gain: float,
                    rng: np.random.Generator, runs: int = 20) -> tuple[float, float]:
    """(median, 90th percentile) of the largest gap of a model of a balanced run: each drawn
    pool part an independent coin of probability f + gain * deficit / m, within the bounds."""
    parts = [[m - math.floor(m) for m in v if 1e-9 < m - math.floor(m) < 1 - 1e-9]
             for v in posture.pool_marginals().values()]
    f = np.array([m for v in parts for m in v])
    tri = np.array([i for i, v in enumerate(parts) for _ in v])
    share, size = 1.0 / np.bincount(tri)[tri], len(parts)
    lo, hi = np.maximum(f / RATIO, 1 - RATIO * (1 - f)), np.minimum(f * RATIO, 1 - (1 - f) / RATIO)
    offset = (np.arange(runs)[:, None] * size + tri[None, :]).ravel()
    e = np.zeros((runs, size))
    for _ in range(draws):
        q = np.clip(f + gain * e[:, tri] * share, lo, hi)
        miss = (f - (rng.random(q.shape) < q)).ravel()
        e += np.bincount(offset, miss, runs * size).reshape(runs, size)
    peaks = np.abs(e).max(axis=1) / draws
    return float(np.median(peaks)), float(np.quantile(peaks, 0.9))


def _z_scores(posture: RandomisedPosture, units: Units, draws: int) -> np.ndarray:
    """(realised - marginal) / standard error for every drawn (pool, site) entry."""
    out = []
    for d, n in zip(posture.slots, units, strict=True):
        x = d.marginals.x
        r = x - np.floor(x + 1e-9)
        live = (r > 1e-6) & (r < 1 - 1e-6)
        out.append(((n.mean(axis=0) - x) / np.sqrt(np.maximum(r * (1 - r), 1e-12) / draws))[live])
    return np.concatenate(out)


def _pool_units(posture: RandomisedPosture, day: DayDraw) -> Units:
    """A day's draw as one (pools, sites) array of whole units per slot."""
    out = [np.zeros(d.frac.shape, dtype=np.int64) for d in posture.slots]
    where = [({p.callsigns: g for g, p in enumerate(d.marginals.game.pools)},
              {sid: t for t, sid in enumerate(d.marginals.game.site_ids)})
             for d in posture.slots]
    for r in day.requirements:
        pools, sites = where[r.slot]
        out[r.slot][pools[r.callsigns], sites[r.site_id]] += r.count
    return out


def _informed_value(posture: RandomisedPosture, fracs: list[np.ndarray]) -> float:
    """Defender value of a day against an attacker who knows the day's probabilities."""
    total = 0.0
    for d, f in zip(posture.slots, fracs, strict=True):
        total += _value(d.marginals, d.whole + f)
    return total


def _sequential(posture: RandomisedPosture, draws: int, gain: float | None) -> dict[str, Any]:
    """``draws`` consecutive days (independent when ``gain`` is None) and their measures."""
    balanced = BalancedDraws(posture, gain) if gain is not None else None
    days: list[DayDraw] = []
    shifts, means, bits, informed = [], [], [], []
    secs = 0.0
    for d in range(draws):
        start = time.perf_counter()
        if balanced is not None:
            fracs = balanced.fractions()
            day = balanced.draw(d, 2000)
        else:
            fracs, day = [s.frac for s in posture.slots], posture.draw(d, 2000)
        secs += time.perf_counter() - start
        days.append(day)
        info = day.balance
        shifts.append(float(info.get("max_shift", 0.0)))
        means.append(float(info.get("mean_shift", 0.0)))
        bits.append(float(info.get("entropy_bits", posture.entropy_bounds())[0]))
        informed.append(_informed_value(posture, fracs) if balanced is not None else
                        posture.value())
    return {"days": days, "secs": secs, "shift": max(shifts), "mean_shift": float(
        np.mean(means)), "bits": float(np.mean(bits)), "informed": float(np.mean(informed)),
        "worst": min(informed)}


def _checks(posture: RandomisedPosture, days: list[DayDraw]) -> tuple[bool, bool]:
    ok_budget = ok_cap = True
    for day in days:
        for d, n in zip(posture.slots, _pool_units(posture, day), strict=True):
            ok_budget &= bool((n.sum(axis=1) == d.marginals.budgets).all())
            ok_cap &= bool((n.sum(axis=0) <= np.asarray(d.marginals.game.capacity)).all())
    return ok_budget, ok_cap


def _lag_one(days: list[dict[TargetKey, int]], marg: dict[TargetKey, float]) -> float:
    """Mean over triples drawn with probability in (0.15, 0.85) of the correlation of a
    triple's count with its count the day before (0 for independent days)."""
    keys = [k for k, m in marg.items() if 0.15 < m - math.floor(m) < 0.85]
    counts = np.array([[d.get(k, 0) for k in keys] for d in days], dtype=np.float64)
    a, b = counts[1:] - counts[1:].mean(axis=0), counts[:-1] - counts[:-1].mean(axis=0)
    den = np.sqrt((a**2).sum(axis=0) * (b**2).sum(axis=0))
    return float(np.mean((a * b).sum(axis=0)[den > 0] / den[den > 0]))


def table_sampler(posture: RandomisedPosture, draws: int, gains: list[float]) -> None:
    marg = posture.target_marginals()
    implied = expected_overlap(posture.pool_marginals())
    lo, _ = posture.entropy_bounds()
    print(f"## Sampler alone: {draws:,} consecutive daily draws of London's targets\n")
    print("| mode | draw s | max gap (triples) | within 0.03 | entropy bits/day (vs plain) "
          "| largest / mean per-day shift | overlap with yesterday (implied) | lag-1 "
          "correlation | value vs informed attacker (loss) | budgets exact | capacity kept |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    indep: list[DayDraw] = []
    for gain in [None, *gains]:
        r = _sequential(posture, draws, gain)
        days = [d.targets for d in r["days"]]
        indep = indep or r["days"]
        total: Counter[TargetKey] = Counter()
        for day in days:
            total.update(day)
        within = np.mean([abs(total.get(k, 0) / draws - m) <= 0.03 for k, m in marg.items()])
        over = np.mean([jaccard(a, b) for a, b in itertools.pairwise(days)])
        ok_budget, ok_cap = _checks(posture, r["days"])
        name = "independent" if gain is None else f"balanced, gain {gain:g}"
        loss = round(value_loss(r["informed"], posture.value()), 4) + 0.0  # no "-0.00%"
        print(f"| {name} | {r['secs']:.1f} | {frequency_gap(days, marg):.4f} | "
              f"{100 * within:.2f}% | {r['bits']:.1f} ({100 * r['bits'] / lo:.2f}%) | "
              f"{r['shift']:.3f} / {r['mean_shift']:.4f} | {over:.4f} ({implied:.4f}) | "
              f"{_lag_one(days, marg):+.4f} | {r['informed']:.3f} ({100 * loss:.2f}%; worst "
              f"day {round(100 * value_loss(r['worst'], posture.value()), 2) + 0.0:.2f}%) | "
              f"{ok_budget} | "
              f"{ok_cap} |")
    floor50, floor90 = _noise_floor(posture, draws, np.random.default_rng(2000))
    units = [np.stack(u) for u in zip(*(_pool_units(posture, d) for d in indep), strict=True)]
    z = _z_scores(posture, units, draws)
    print(f"\nIndependent days: the largest gap an exact design shows by chance is "
          f"{floor50:.4f} (median) / {floor90:.4f} (90%); z = (frequency - probability) / "
          f"standard error per drawn (pool, site) entry: max |z| {np.abs(z).max():.2f} over "
          f"{z.size:,} entries, mean z² {(z**2).mean():.3f} (an exact design: near 1).")
    for gain in gains:
        b50, b90 = _balanced_floor(posture, draws, gain, np.random.default_rng(2000))
        print(f"Balanced days, gain {gain:g}: the largest gap of a model run (each drawn pool "
              f"part an independent coin nudged by its deficit, 20 runs) is {b50:.4f} "
              f"(median) / {b90:.4f} (90%).")
    print("Shift: |day's probability - plain probability| per drawn (pool, site) entry. "
          "Informed attacker: knows the history and the rule, so the day's probabilities, "
          "and attacks the site best for him that day (loss against the plain design's "
          f"value {posture.value():.3f}). {len(marg):,} triples; seed 2000.\n")


def _plug_in(rows: np.ndarray) -> float:
    """Plug-in entropy in bits with the Miller-Madow bias correction."""
    counts = Counter(r.tobytes() for r in rows)
    freq = np.array(list(counts.values()), dtype=np.float64) / len(rows)
    return float(-(freq * np.log2(freq)).sum()) + (len(counts) - 1) / (2 * len(rows) * math.log(2))


def table_designs() -> None:
    """One pool with 12 candidate sites (its fractional parts), and two pools that couple."""
    rng = np.random.default_rng(12)
    p = rng.random(12)
    p = np.clip(p * 4 / p.sum(), 0, 1)
    p = p * 4 / p.sum()
    cps = ConditionalPoisson(p)
    n = 40_000
    rows = {
        "maximum entropy (CPS), exact": cps.entropy_bits(),
        "maximum entropy (CPS), estimated": _plug_in(cps.draw(rng, n)),
        "comb, random order (estimated)": _plug_in(systematic(p, rng, n)),
        "comb, fixed order (exact)": systematic_entropy(p),
    }
    x = np.vstack([p, np.roll(p, 3)])
    dr = np.array([dependent_round(x, rng).ravel() for _ in range(n)])
    both = np.hstack([cps.draw(rng, n), ConditionalPoisson(np.roll(p, 3)).draw(rng, n)])
    print(f"## Designs on one pool: 12 sites, 4 units ({n:,} draws per estimate)\n")
    print("| design | entropy bits | share of maximum |\n|---|---:|---:|")
    for name, bits in rows.items():
        print(f"| {name} | {bits:.3f} | {100 * bits / cps.entropy_bits():.1f}% |")
    top = 2 * cps.entropy_bits()
    print(f"| two such pools, independent CPS (exact) | {top:.3f} | 100.0% |")
    print(f"| two such pools, independent CPS (estimated) | {_plug_in(both):.3f} | "
          f"{100 * _plug_in(both) / top:.1f}% |")
    print(f"| two such pools, dependent rounding (estimated) | {_plug_in(dr):.3f} | "
          f"{100 * _plug_in(dr) / top:.1f}% |\n")
    print("Estimated: plug-in entropy of the draws with the Miller-Madow correction.\n")


def _value(m: SlotMarginals, n: np.ndarray) -> float:
    cov = np.minimum(1.0, np.asarray(m.game.fixed_coverage) + (m.eff_matrix() * n).sum(axis=0))
    return defender_value(cov, payoff_matrix(m.game.targets))[0]


def _fixed(m: SlotMarginals) -> np.ndarray:
    """The best fixed plan, greedily: each unit in turn (same budgets as the equilibrium) to
    the site where the attacker now gains most, from the pool that covers it best."""
    game, eff = m.game, m.eff_matrix()
    pay = payoff_matrix(game.targets)
    out = np.zeros_like(m.x)
    left = m.budgets.astype(np.int64).copy()
    room = np.asarray(game.capacity, dtype=np.int64).copy()
    cov = np.minimum(1.0, np.asarray(game.fixed_coverage, dtype=np.float64))
    while left.sum() > 0:
        util = pay[:, 3] - (pay[:, 3] - pay[:, 2]) * cov
        for t in np.argsort(-util, kind="stable"):
            able = [g for g in np.flatnonzero(left > 0) if eff[g, t] > 0]
            if able and room[t] > 0 and cov[t] < 1.0:
                g = max(able, key=lambda k: (eff[k, t], -k))
                out[g, t] += 1
                left[g] -= 1
                room[t] -= 1
                cov[t] = min(1.0, cov[t] + eff[g, t])
                break
        else:
            break
    return out


def _rota(m: SlotMarginals, day: int) -> np.ndarray:
    out = np.zeros_like(m.x)
    impact = np.asarray(m.game.impact)
    for g, b in enumerate(m.budgets):
        sites = sorted(m.game.pools[g].sites, key=lambda t: (-impact[t], t))
        for i in range(min(int(b), len(sites))):
            out[g, sites[(day * int(b) + i) % len(sites)]] += 1
    return out


def _uniform(m: SlotMarginals, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One uniform draw, and its marginals."""
    out, mean = np.zeros_like(m.x), np.zeros_like(m.x)
    for g, b in enumerate(m.budgets):
        sites = np.array(m.game.pools[g].sites)
        k = min(int(b), sites.size)
        out[g, rng.choice(sites, size=k, replace=False)] = 1
        mean[g, sites] = k / sites.size
    return out, mean


def table_strategies(posture: RandomisedPosture, days: int) -> None:
    rng = np.random.default_rng(60)
    ms = posture.marginals
    sse_units = posture.draw_units(rng, days)
    runs: dict[str, tuple[Schedule, float, float]] = {}
    lo, _ = posture.entropy_bounds()
    runs["randomised equilibrium"] = ([[u[d] for u in sse_units] for d in range(days)],
                                      posture.value(), lo)
    fixed = [_fixed(m) for m in ms]
    runs["fixed optimal plan (greedy)"] = ([fixed] * days, sum(_value(m, n) for m, n in
                                                      zip(ms, fixed, strict=True)), 0.0)
    rota = [[_rota(m, d) for m in ms] for d in range(days)]
    runs["round-robin rota"] = (rota, statistics.mean(
        sum(_value(m, n) for m, n in zip(ms, day, strict=True)) for day in rota), 0.0)
    uni = [[_uniform(m, rng) for m in ms] for _ in range(days)]
    uni_bits = sum(math.log2(math.comb(len(p.sites), min(int(b), len(p.sites))))
                   for m in ms for p, b in zip(m.game.pools, m.budgets, strict=True))
    runs["uniform random choice"] = ([[u for u, _ in day] for day in uni], sum(
        _value(m, mean) for m, (_, mean) in zip(ms, uni[0], strict=True)), uni_bits)
    print(f"## Strategies over {days} days (attacker knows the strategy; deterministic "
          f"schedules day by day)\n")
    print("| strategy | design entropy bits/day | site entropy (Shannon / min, mean slot) "
          "| overlap last 7 | defender value | loss vs optimum |")
    print("|---|---:|---|---:|---:|---:|")
    for name, (sched, value, bits) in runs.items():
        targets = [posture.to_day(d, 0, [n.astype(np.int64) for n in day]).targets
                   for d, day in enumerate(sched)]
        ent = run_site_entropy(targets, range(len(ms)))
        shannon = statistics.mean(v[0] for v in ent.values())
        mins = statistics.mean(v[1] for v in ent.values())
        over = [recent_overlap(t, targets[:i], 7) for i, t in enumerate(targets) if i >= 7]
        print(f"| {name} | {bits:.0f} | {shannon:.2f} / {mins:.2f} | "
              f"{statistics.mean(o for o in over if o is not None):.3f} | {value:.3f} | "
              f"{100 * value_loss(value, posture.optimum()):.1f}% |")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=60, help="consecutive days (default 60)")
    ap.add_argument("--draws", type=int, default=2000, help="sampler draws (default 2000)")
    ap.add_argument("--gains", default=str(DEFAULT_GAIN),
                    help=f"balanced-mode gains to measure, comma-separated (default "
                    f"{DEFAULT_GAIN})")
    ap.add_argument("--sampler-only", action="store_true", help="only the sampler table")
    ap.add_argument("--quick", action="store_true", help="one run of the 1,000,000 game")
    args = ap.parse_args()
    gains = [float(g) for g in args.gains.split(",") if g.strip()]
    print(f"Randomisation benchmark: days={args.days}, draws={args.draws}, gains={gains}\n")
    if not args.sampler_only:
        table_basic_games(args.quick)
    scenario = build_london()
    build_s, posture = timed(1, lambda: RandomisedPosture.build(scenario))
    if not args.sampler_only:
        table_equilibrium(posture, build_s)
    table_sampler(posture, args.draws, gains)
    if not args.sampler_only:
        table_designs()
        table_strategies(posture, args.days)


if __name__ == "__main__":
    main()
