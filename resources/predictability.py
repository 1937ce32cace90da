"""How predictable plans are: pure metrics over postings, marginals and payoffs (no solver).

A *target* is a (slot, site id, unit type code) triple; a day's targets map each triple to the
number of units posted there.  Definitions (docs/randomisation.md, "Metrics"):

- site-choice entropy of a slot: Shannon and min-entropy (bits) of where a posted unit is,
  ``q[site] = units at site / units posted``, over one plan or summed over a run of plans;
- overlap: multiset Jaccard ``sum min / sum max`` of two days' targets; against the last k plans
  it is the mean over those plans; the overlap the probabilities imply is the ratio of the
  expected ``sum min`` and ``sum max`` of two independent draws;
- frequency gap: the largest |mean units per day - target marginal| over all triples;
- defender value: the defender's utility at the site a best-responding attacker picks (ties to
  the defender), compared with the optimum as a relative loss.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from resources.model import Plan, Scenario

__all__ = [
    "PlanMetrics", "RunMetrics", "TargetKey", "defender_value", "expected_overlap",
    "frequency_gap", "jaccard", "plan_targets", "randomisation_of", "recent_overlap",
    "run_metrics", "run_site_entropy", "site_entropy", "value_loss",
]

TargetKey = tuple[int, str, str]
Targets = Mapping[TargetKey, int]
FloatArray = npt.NDArray[np.float64]


def defender_value(coverage: npt.ArrayLike, payoffs: npt.ArrayLike,
                   rel_tol: float = 1e-9) -> tuple[float, int]:
    """(defender utility, attacked index) against an attacker who best-responds to ``coverage``.

    ``payoffs`` has one row per target: defender covered, defender uncovered, attacker covered,
    attacker uncovered.  Attacker ties (within ``rel_tol`` of the payoff scale) go to the
    defender's best target, then the lowest index.
    """
    c = np.asarray(coverage, dtype=np.float64)
    pay = np.asarray(payoffs, dtype=np.float64).reshape(-1, 4)
    if c.shape != (pay.shape[0],) or pay.shape[0] == 0:
        raise ValueError(f"expected one coverage per target, got {c.shape} for {pay.shape[0]}")
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(pay))):
        raise ValueError("expected finite coverage and payoffs")
    c = np.clip(c, 0.0, 1.0)
    att = pay[:, 3] - (pay[:, 3] - pay[:, 2]) * c
    dfd = pay[:, 1] + (pay[:, 0] - pay[:, 1]) * c
    tol = rel_tol * max(1.0, float(np.abs(pay).max()))
    best = np.flatnonzero(att >= att.max() - tol)
    pick = int(best[np.argmax(dfd[best])])
    return float(dfd[pick]), pick


def value_loss(value: float, optimum: float) -> float:
    """Relative loss of ``value`` against ``optimum``: (optimum - value) / max(|optimum|, 1e-12)."""
    return (optimum - value) / max(abs(optimum), 1e-12)


def plan_targets(scenario: Scenario, plan: Plan) -> Counter[TargetKey]:
    """Units of each type at each site in each slot of ``plan`` (reserve postings excluded)."""
    out: Counter[TargetKey] = Counter()
    units = scenario.units_by_callsign
    for a in plan.assignments:
        unit = units.get(a.callsign)
        if a.site_id is not None and unit is not None:
            out[(a.slot, a.site_id, unit.type_code)] += 1
    return out


def _entropies(weights: Iterable[float]) -> tuple[float, float]:
    w = np.array([v for v in weights if v > 0], dtype=np.float64)
    if w.size == 0:
        return 0.0, 0.0
    q = w / w.sum()
    shannon = float(-(q * np.log2(q)).sum())
    return max(0.0, shannon), max(0.0, float(-math.log2(q.max())))


def site_entropy(targets: Targets, slot: int) -> tuple[float, float]:
    """(Shannon, min-entropy) in bits of the site a posted unit is at, in ``slot``."""
    by_site: Counter[str] = Counter()
    for (t, site, _), n in targets.items():
        if t == slot:
            by_site[site] += n
    return _entropies(by_site.values())


def run_site_entropy(days: Sequence[Targets], slots: Iterable[int]) -> dict[int, tuple[float,
                                                                                      float]]:
    """Per slot, (Shannon, min-entropy) of site choice pooled over a run of days."""
    total: Counter[TargetKey] = Counter()
    for day in days:
        total.update(day)
    return {t: site_entropy(total, t) for t in slots}


def jaccard(a: Targets, b: Targets) -> float:
    """Multiset Jaccard overlap of two days' targets (1.0 when both are empty)."""
    keys = set(a) | set(b)
    top = sum(max(a.get(k, 0), b.get(k, 0)) for k in keys)
    if top == 0:
        return 1.0
    return sum(min(a.get(k, 0), b.get(k, 0)) for k in keys) / top


def recent_overlap(today: Targets, history: Sequence[Targets], k: int) -> float | None:
    """Mean Jaccard overlap of ``today`` with the last ``k`` of ``history`` (oldest first)."""
    recent = list(history)[-k:] if k > 0 else []
    if not recent:
        return None
    return float(np.mean([jaccard(today, h) for h in recent]))


def _tail(parts: Sequence[float]) -> tuple[int, FloatArray]:
    """(whole units, P(fractional units >= j) for j = 1..) of a sum of independent parts."""
    whole = 0
    dist = np.ones(1)
    for m in parts:
        if m < 0 or not math.isfinite(m):
            raise ValueError(f"expected non-negative finite marginals, got {m!r}")
        w = math.floor(m)
        r = m - w
        whole += w
        if r > 0:
            dist = np.convolve(dist, [1.0 - r, r])
    tail = np.cumsum(dist[::-1])[::-1][1:]
    return whole, tail


def expected_overlap(marginals: Mapping[TargetKey, float | Sequence[float]]) -> float:
    """Overlap two independent draws imply: E[sum min] / E[sum max].

    A triple's count is the sum of independent parts (one per pool of units, or a single
    number), each ``floor(m)`` or ``floor(m) + 1`` with mean ``m``, as the samplers draw them;
    with ``P_j = P(count >= j)``: E[min] = sum_j P_j^2 and E[max] = sum_j (1 - (1 - P_j)^2).
    """
    lo = hi = 0.0
    for m in marginals.values():
        whole, tail = _tail([m] if isinstance(m, (int, float)) else m)
        lo += whole + float((tail**2).sum())
        hi += whole + float((1.0 - (1.0 - tail) ** 2).sum())
    return lo / hi if hi > 0 else 1.0


def frequency_gap(days: Sequence[Targets], marginals: Mapping[TargetKey, float]) -> float:
    """Largest |mean units per day - marginal| over every triple seen or expected."""
    if not days:
        raise ValueError("expected at least one day")
    total: Counter[TargetKey] = Counter()
    for day in days:
        total.update(day)
    keys = set(total) | set(marginals)
    return max((abs(total.get(k, 0) / len(days) - marginals.get(k, 0.0)) for k in keys),
               default=0.0)


def _keyed(rows: object) -> dict[TargetKey, float]:
    """[[slot, site, type, value], ...] as a dict (the layout kept in a plan's extra)."""
    out: dict[TargetKey, float] = {}
    if isinstance(rows, list):
        for row in rows:
            if isinstance(row, list) and len(row) == 4:
                out[(int(row[0]), str(row[1]), str(row[2]))] = float(row[3])
    return out


def randomisation_of(plan: Plan) -> dict[str, Any]:
    """The randomisation record a daily plan carries (``extra['randomisation']``), or {}."""
    rec = plan.extra.get("randomisation") if isinstance(plan.extra, Mapping) else None
    return dict(rec) if isinstance(rec, Mapping) else {}


@dataclass(frozen=True)
class PlanMetrics:
    """Measures of one plan within a run (``overlap``: mean Jaccard with the previous k)."""

    plan_id: str | None
    day: int
    seed: int
    site_entropy: float
    min_entropy: float
    overlap: float | None
    expected_overlap: float | None
    kept: float | None
    value: float | None
    optimum: float | None


@dataclass(frozen=True)
class RunMetrics:
    """Measures over a run of plans, oldest first."""

    plans: tuple[PlanMetrics, ...]
    site_entropy: float
    min_entropy: float
    overlap: float | None
    expected_overlap: float | None
    frequency_gap: float | None
    value: float | None
    optimum: float | None


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def run_metrics(scenario: Scenario, plans: Sequence[Plan], k: int = 7) -> RunMetrics:
    """Predictability of ``plans`` (oldest first): per plan and over the run."""
    days = [plan_targets(scenario, p) for p in plans]
    out: list[PlanMetrics] = []
    for i, (plan, day) in enumerate(zip(plans, days, strict=True)):
        slots = sorted({t for t, _, _ in day})
        ent = [site_entropy(day, t) for t in slots] or [(0.0, 0.0)]
        rec = randomisation_of(plan)
        out.append(PlanMetrics(
            plan.plan_id, plan.day, plan.solver.seed, float(np.mean([e[0] for e in ent])),
            float(np.mean([e[1] for e in ent])), recent_overlap(day, days[:i], k),
            _num(rec.get("expected_overlap")), _num(rec.get("kept")), _num(rec.get("value")),
            _num(rec.get("optimum"))))
    slots = sorted({t for d in days for t, _, _ in d})
    pooled = list(run_site_entropy(days, slots).values()) or [(0.0, 0.0)]
    drawn = [i for i, p in enumerate(plans) if randomisation_of(p).get("marginals")]
    gap = None
    if drawn:
        marg = _keyed(randomisation_of(plans[drawn[-1]])["marginals"])
        same = [days[i] for i in drawn
                if _keyed(randomisation_of(plans[i])["marginals"]) == marg]
        gap = frequency_gap(same, marg)
    return RunMetrics(
        tuple(out), float(np.mean([e[0] for e in pooled])), float(np.mean([e[1] for e in pooled])),
        _mean(m.overlap for m in out), _mean(m.expected_overlap for m in out), gap,
        _mean(m.value for m in out), _mean(m.optimum for m in out))


def _num(value: object) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(float(value)) else None  # type: ignore[arg-type]
