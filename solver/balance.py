"""Daily draws balanced over days: each day's marginals are nudged toward the run's deficit.

For every (slot, site, unit type) triple T whose units are drawn, after n days with c_T units
drawn in all, the deficit is ``e_T = n * x_T - c_T``.  Day n + 1 is drawn from the slot's own
design (designs.py) refitted on fractional parts ``q = project(f + gain * e_T / m_T)``: f are
the design's fractional parts, m_T the pools with drawn units at T, and ``project`` keeps every
pool's budget exactly, keeps each entry within odds ``RATIO`` of f (so within [0, 1]: no
posting becomes certain or impossible) and keeps every site that pools could fill jointly
within its capacity.  The deficit then stays near ``sqrt(p(1 - p) / (2 gain))`` units, so
the frequency gap after N days falls as 1/N instead of 1/sqrt(N); docs/randomisation.md.

A day's generator is still seeded from (seed, day) alone: the same seed and history give the
same draws, and a run continued from the counts of its earlier days draws what one long run
would have drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from resources.predictability import TargetKey
from solver.daily import DayDraw, RandomisedPosture, day_seed
from solver.designs import SlotDesign

__all__ = ["DEFAULT_GAIN", "MODES", "RATIO", "BalancedDraws", "SlotBalance", "project"]

#: Share of the deficit made up per day (measured on London: docs/randomisation.md).
DEFAULT_GAIN = 0.002
#: A nudged probability q keeps q / f and (1 - q) / (1 - f) within [1 / RATIO, RATIO].
RATIO = 2.0
MODES = ("balanced", "independent")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def project(y: npt.ArrayLike, rows: npt.ArrayLike, budgets: npt.ArrayLike, lo: npt.ArrayLike,
            hi: npt.ArrayLike) -> FloatArray:
    """Euclidean projection of entries ``y`` (row ``rows[i]``) onto each row summing to its
    budget with ``lo <= q <= hi``: ``q = clip(y - tau_row, lo, hi)``; ValueError if no such q."""
    y_, lo_, hi_ = (np.asarray(a, dtype=np.float64) for a in (y, lo, hi))
    row = np.asarray(rows, dtype=np.int64)
    b = np.asarray(budgets, dtype=np.float64)
    if not (y_.shape == lo_.shape == hi_.shape == row.shape) or y_.ndim != 1:
        raise ValueError("expected entries, rows and bounds of one shape")
    if not (np.all(np.isfinite(y_)) and np.all(lo_ <= hi_)):
        raise ValueError("expected finite entries and lo <= hi")
    n = b.size
    if row.size and (row.min() < 0 or row.max() >= n):
        raise ValueError("expected row indices below the number of budgets")
    least, most = np.bincount(row, lo_, n), np.bincount(row, hi_, n)
    if np.any(b < least - 1e-9) or np.any(b > most + 1e-9):
        raise ValueError("a budget lies outside the sum of its row's bounds")
    if not row.size:
        return y_.copy()
    size = np.bincount(row, minlength=n).astype(np.float64)
    tau = (np.bincount(row, y_, n) - b) / np.maximum(size, 1.0)  # no entry at a bound
    low = np.full(n, np.inf)
    high = np.full(n, -np.inf)
    np.minimum.at(low, row, y_ - hi_)
    np.maximum.at(high, row, y_ - lo_)
    low, high = np.where(size > 0, low, 0.0), np.where(size > 0, high, 0.0)
    for _ in range(200):  # Newton on each row's shift, kept inside a shrinking bracket
        z = y_ - tau[row]
        gap = np.bincount(row, np.clip(z, lo_, hi_), n) - b  # falls as tau grows
        done = np.abs(gap) <= 1e-13 * (1.0 + np.abs(b))
        if np.all(done):
            break
        low, high = np.where(gap > 0, tau, low), np.where(gap < 0, tau, high)
        inner = np.bincount(row, ((z > lo_) & (z < hi_)).astype(np.float64), n)
        step = tau + gap / np.maximum(inner, 1.0)
        ok = (inner > 0) & (step > low) & (step < high)
        tau = np.where(done, tau, np.where(ok, step, (low + high) / 2))
    q = np.clip(y_ - tau[row], lo_, hi_)
    _settle(q, row, b, lo_, hi_)
    return q


def _settle(q: FloatArray, row: IntArray, b: FloatArray, lo: FloatArray, hi: FloatArray) -> None:
    """Put a row's remaining rounding residual on the entry with the most room for it."""
    for r in np.flatnonzero(np.abs(b - np.bincount(row, q, b.size)) > 1e-12):
        idx = np.flatnonzero(row == r)
        res = float(b[r] - q[idx].sum())
        room = (hi[idx] - q[idx]) if res > 0 else (q[idx] - lo[idx])
        j = idx[int(np.argmax(room))]
        q[j] = min(hi[j], max(lo[j], q[j] + res))


@dataclass(frozen=True)
class SlotBalance:
    """The drawn entries of one slot's design and the triples they count towards."""

    design: SlotDesign
    keys: tuple[TargetKey, ...]
    expected: FloatArray
    rows: IntArray
    cols: IntArray
    triple: IntArray
    share: FloatArray
    lo: FloatArray
    hi: FloatArray

    @classmethod
    def of(cls, design: SlotDesign, ratio: float = RATIO) -> SlotBalance:
        """The drawn (fractional) entries of ``design``, their triples and their bounds."""
        game, f = design.marginals.game, design.frac
        rows, cols = np.nonzero((f > 1e-9) & (f < 1 - 1e-9))
        types = [p.type_code for p in game.pools]
        index: dict[TargetKey, int] = {}
        triple = np.array([index.setdefault((game.slot, game.site_ids[t], types[g]), len(index))
                           for g, t in zip(rows, cols, strict=True)], dtype=np.int64)
        keys = tuple(index)
        codes = sorted(set(types))
        by_type = np.zeros((len(codes), len(types)))
        by_type[[codes.index(c) for c in types], range(len(types))] = 1.0
        full = by_type @ (design.whole + f)  # expected units per (type, site)
        site = {sid: t for t, sid in enumerate(game.site_ids)}
        expected = np.array([full[codes.index(c), site[sid]] for _, sid, c in keys])
        share = 1.0 / np.bincount(triple, minlength=len(keys))[triple]
        p = f[rows, cols]
        lo = np.maximum(p / ratio, 1.0 - ratio * (1.0 - p))
        hi = np.minimum(p * ratio, 1.0 - (1.0 - p) / ratio)
        return cls(design, keys, expected, rows.astype(np.int64), cols.astype(np.int64),
                   triple, share.astype(np.float64), lo, hi)

    def nudged(self, deficit: FloatArray, gain: float) -> FloatArray:
        """The slot's fractional parts for a day with per-triple ``deficit`` (units)."""
        f = self.design.frac
        out = f.copy()
        if not self.rows.size:
            return out
        p = f[self.rows, self.cols]
        y = p + gain * deficit[self.triple] * self.share
        budgets = np.bincount(self.rows, p, f.shape[0])
        q = project(y, self.rows, budgets, self.lo, self.hi)
        out[self.rows, self.cols] = q
        return self._within_capacity(out)

    def _within_capacity(self, frac: FloatArray) -> FloatArray:
        """Scale the nudges of jointly drawn pools back toward f until no site they could
        fill together holds more than the plain design allows (budgets and bounds kept)."""
        base, coupled, sites = self.design.frac, list(self.design.coupled), self.design.unsafe
        if not coupled or not sites.size:
            return frac
        cap = np.asarray(self.design.marginals.game.capacity, dtype=np.float64)[sites]
        whole = self.design.whole[:, sites].sum(axis=0)
        limit = np.maximum(cap - whole, base[coupled][:, sites].sum(axis=0))
        move = frac[coupled] - base[coupled]
        scale = np.ones(len(coupled))
        for attempt in range(50 + len(coupled)):
            over = (base[coupled] + scale[:, None] * move)[:, sites].sum(axis=0) - limit
            if np.all(over <= 0.0):
                break
            for j in np.flatnonzero(over > 0.0):  # shrink the pools that push site j over
                up = move[:, sites[j]] > 0
                push = float((scale[up] * move[up, sites[j]]).sum())
                cut = 1.0 - float(over[j]) / push - 1e-12 if push > 0 and attempt < 50 else 0.0
                scale[up] *= max(0.0, cut)
        else:
            scale[:] = 0.0
        out = frac.copy()
        out[coupled] = base[coupled] + scale[:, None] * move
        return out


class BalancedDraws:
    """Daily draws of a posture balanced over days; each draw is added to the history."""

    def __init__(self, posture: RandomisedPosture, gain: float = DEFAULT_GAIN,
                 history: Iterable[Mapping[TargetKey, int]] = ()) -> None:
        if not 0.0 < gain <= 1.0:
            raise ValueError(f"gain: expected a number in (0, 1], got {gain!r}")
        self.posture, self.gain = posture, float(gain)
        self.slots = tuple(SlotBalance.of(d) for d in posture.slots)
        self._where = {k: (s, i) for s, b in enumerate(self.slots) for i, k in enumerate(b.keys)}
        self.counts = [np.zeros(len(b.keys)) for b in self.slots]
        self.days = 0
        for day in history:
            self.record(day)

    def record(self, targets: Mapping[TargetKey, int]) -> None:
        """Add one day's drawn targets (units per triple) to the history."""
        for key, n in targets.items():
            at = self._where.get(key)
            if at is not None:
                self.counts[at[0]][at[1]] += n
        self.days += 1

    def deficits(self) -> list[FloatArray]:
        """Per slot, units per triple the history is short of its expectation."""
        return [self.days * b.expected - c for b, c in zip(self.slots, self.counts, strict=True)]

    def fractions(self) -> list[FloatArray]:
        """Per slot, the fractional parts the next day is drawn with."""
        return [b.nudged(e, self.gain) for b, e in zip(self.slots, self.deficits(), strict=True)]

    def draw(self, day: int, seed: int) -> DayDraw:
        """Day ``day``'s targets from the generator of (seed, day), balanced by the history."""
        s = day_seed(seed, day)
        rng = np.random.default_rng(s)
        units, shifts, low, high = [], [], 0.0, 0.0
        for b, frac in zip(self.slots, self.fractions(), strict=True):
            if np.array_equal(frac, b.design.frac):  # no deficit: the plain design's draw
                units.append(b.design.draw(rng, 1)[0])
                lo, hi = b.design.entropy_bounds()
            else:
                design = b.design.refit(frac)
                units.append(design.draw(rng))
                lo, hi = design.entropy_bounds()
            low, high = low + lo, high + hi
            shifts.append(np.abs(frac - b.design.frac)[b.rows, b.cols])
        moved = np.concatenate(shifts)
        info = {"mode": "balanced", "gain": self.gain, "history_days": self.days,
                "max_shift": round(float(moved.max(initial=0.0)), 6),
                "mean_shift": round(float(moved.mean()) if moved.size else 0.0, 6),
                "entropy_bits": [round(low, 3), round(high, 3)]}
        drawn = replace(self.posture.to_day(day, s, units), balance=info)
        self.record(drawn.targets)
        return drawn
