"""The sampling design of one slot: whole units per (pool, site) with the equilibrium's means.

Designs (``SlotDesign.design``):

- ``"auto"`` (default): every pool independently by conditional Poisson sampling (the
  maximum-entropy design for a pool's budget), except the pools that could together overfill a
  site, which are drawn jointly by dependent rounding so that the site's capacity always holds;
- ``"cps"`` / ``"systematic"``: every pool independently (maximum-entropy, or comb sampling in a
  random order); refused when independent draws could overfill a site;
- ``"dependent"``: the whole slot by dependent rounding.

Whole parts of the marginals are always posted; only the fractional parts are drawn.  Every
pool's draw has exactly its budget of units.  ``SlotDesign.refit(frac)`` gives the same design
on other fractional parts (a day balanced over days, solver/balance.py): same support, same
budgets, capacities checked; CPS pools are refitted by Newton's method from their weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from solver.marginals import SlotMarginals
from solver.sampling import (
    ConditionalPoisson,
    dependent_round,
    maximum_entropy_bits,
    systematic,
)

__all__ = ["DESIGNS", "DayDesign", "SlotDesign"]

DESIGNS = ("auto", "cps", "systematic", "dependent")
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _parts(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(whole, fractional) parts with rounding noise removed; fractional rows sum to wholes."""
    x = np.where(np.abs(x - np.rint(x)) < 1e-9, np.rint(x), np.maximum(x, 0.0))
    whole = np.floor(x)
    frac = x - whole
    for g in range(frac.shape[0]):
        mass = frac[g].sum()
        if mass > 0:
            frac[g] *= round(mass) / mass
    return whole, np.clip(frac, 0.0, 1.0)


def _unsafe(marginals: SlotMarginals) -> IntArray:
    cap = np.asarray(marginals.game.capacity, dtype=np.float64)
    out: IntArray = np.flatnonzero(np.ceil(marginals.x - 1e-9).sum(axis=0) > cap + 1e-9)
    return out


@dataclass(frozen=True)
class SlotDesign:
    """A fitted design for one slot's marginals; ``draw`` gives (count, pools, sites) units."""

    marginals: SlotMarginals
    design: str
    whole: FloatArray
    frac: FloatArray
    independent: tuple[int, ...]
    coupled: tuple[int, ...]
    samplers: tuple[ConditionalPoisson | None, ...]

    @classmethod
    def fit(cls, marginals: SlotMarginals, design: str = "auto") -> SlotDesign:
        """Fit ``design`` to the marginals; ValueError for an unknown or unsafe design."""
        if design not in DESIGNS:
            raise ValueError(f"design: expected one of {', '.join(DESIGNS)}, got {design!r}")
        whole, frac = _parts(marginals.x)
        pools = range(whole.shape[0])
        unsafe = _unsafe(marginals)
        if design == "dependent":
            coupled = [g for g in pools if frac[g].sum() > 0]
        else:
            coupled = [g for g in pools if unsafe.size and frac[g, unsafe].sum() > 0]
        if coupled and design in ("cps", "systematic"):
            raise ValueError(f"design {design!r} could overfill a site in slot "
                             f"{marginals.game.slot}; use 'auto' or 'dependent'")
        independent = [g for g in pools if g not in set(coupled) and frac[g].sum() > 0]
        samplers: list[ConditionalPoisson | None] = [None] * whole.shape[0]
        if design in ("auto", "cps"):
            for g in independent:
                samplers[g] = ConditionalPoisson(frac[g])
        return cls(marginals, design, whole, frac, tuple(independent), tuple(coupled),
                   tuple(samplers))

    @cached_property
    def unsafe(self) -> IntArray:
        """Sites the pools' ceilings could overfill (their pools are drawn jointly)."""
        return _unsafe(self.marginals)

    @cached_property
    def most(self) -> FloatArray:
        """Most units a draw can put at each site."""
        return self._most(self.frac)

    def refit(self, frac: FloatArray) -> DayDesign:
        """This design drawn with fractional parts ``frac`` instead: ValueError unless they
        keep the support, every pool's budget and every site's capacity."""
        frac = np.asarray(frac, dtype=np.float64)
        if frac.shape != self.frac.shape or not np.all((frac >= 0.0) & (frac <= 1.0)):
            raise ValueError(f"expected fractional parts in [0, 1] of shape {self.frac.shape}")
        if np.any((self.frac <= 0.0) & (frac > 0.0)):
            raise ValueError("fractional parts outside the design's support")
        if np.abs(frac.sum(axis=1) - self.frac.sum(axis=1)).max(initial=0.0) > 1e-9:
            raise ValueError("fractional parts change a pool's budget")
        cap = np.asarray(self.marginals.game.capacity, dtype=np.float64)
        if np.any(self._most(frac) > np.maximum(cap, self.most) + 1e-9):
            raise ValueError(f"fractional parts could overfill a site in slot "
                             f"{self.marginals.game.slot}")
        sure = frac >= 1.0 - 1e-12
        free = (frac > 1e-12) & ~sure
        size, k = free.sum(axis=1), np.rint(frac.sum(axis=1)).astype(np.int64) - sure.sum(axis=1)
        drawn = [g for g in self.independent if self.samplers[g] is not None and size[g] > 1]
        single = tuple(g for g in drawn if k[g] == 1)
        spare = tuple(g for g in drawn if k[g] == size[g] - 1 and k[g] > 1)
        quick = set(single) | set(spare)
        samplers = tuple(None if s is None or g in quick else s if np.array_equal(
            frac[g], self.frac[g]) else s.refit(frac[g]) for g, s in enumerate(self.samplers))
        return DayDesign(self, frac, single, spare, samplers)

    def _most(self, frac: FloatArray) -> FloatArray:
        """Most units a draw with fractional parts ``frac`` can put at each site: each pool
        drawn alone at most its ceiling, the jointly drawn pools at most their column's."""
        rows = np.zeros(frac.shape[0], dtype=bool)
        rows[list(self.coupled)] = True
        most: FloatArray = np.ceil(self.whole + np.where(rows[:, None], 0.0, frac) - 1e-9)
        most = most.sum(axis=0) + np.ceil(frac[rows].sum(axis=0) - 1e-9)
        return most

    def draw(self, rng: np.random.Generator, count: int = 1) -> IntArray:
        """``count`` independent draws as whole units per (pool, site)."""
        out = np.broadcast_to(self.whole, (count, *self.whole.shape)).astype(np.int64)
        for g in self.independent:
            cps = self.samplers[g]
            picks = cps.draw(rng, count) if cps is not None else systematic(
                self.frac[g], rng, count)
            out[:, g, :] += picks
        if self.coupled:
            rows = list(self.coupled)
            for c in range(count):
                out[c, rows, :] += dependent_round(self.frac[rows], rng)
        return out

    def entropy_bounds(self) -> tuple[float, float]:
        """(lower, upper) bounds in bits on the entropy of a draw; equal when exact.

        Pools drawn independently by conditional Poisson sampling contribute their exact
        entropy to both; any other pool adds its maximum-entropy value to the upper bound only.
        """
        exact = sum(s.entropy_bits() for s in self.samplers if s is not None)
        rest = sum(maximum_entropy_bits(self.frac[g]) for g in range(self.whole.shape[0])
                   if self.samplers[g] is None and self.frac[g].sum() > 0)
        return exact, exact + rest


def _categorical(frac: FloatArray, leave: bool, rng: np.random.Generator) -> IntArray:
    """One draw of rows that take one site (``leave``: all but one) with probabilities
    ``frac`` (``1 - frac``): the only fixed-size designs with these probabilities."""
    sure = frac >= 1.0 - 1e-12
    free = (frac > 1e-12) & ~sure
    weight = np.where(free, 1.0 - frac if leave else frac, 0.0)
    cum = np.cumsum(weight, axis=1)
    pick = (cum <= (rng.random(frac.shape[0]) * cum[:, -1])[:, None]).sum(axis=1)
    out = (sure | free if leave else sure).astype(np.int64)
    out[np.arange(frac.shape[0]), pick] += -1 if leave else 1
    return out


def _categorical_bits(frac: FloatArray, leave: bool) -> float:
    free = (frac > 1e-12) & (frac < 1.0 - 1e-12)
    weight = np.where(free, 1.0 - frac if leave else frac, 0.0)
    weight /= weight.sum(axis=1, keepdims=True)
    logs = np.log2(np.where(weight > 0, weight, 1.0))
    return float(-(weight * logs).sum())


@dataclass(frozen=True)
class DayDesign:
    """A slot's design on one day's fractional parts (``SlotDesign.refit``): the same pools
    drawn the same way, CPS pools refitted; a CPS pool that takes one site, or leaves out one,
    is drawn as one categorical choice (its maximum-entropy design is the only one)."""

    slot: SlotDesign
    frac: FloatArray
    single: tuple[int, ...]
    spare: tuple[int, ...]
    samplers: tuple[ConditionalPoisson | None, ...]

    def draw(self, rng: np.random.Generator) -> IntArray:
        """One draw as whole units per (pool, site)."""
        base = self.slot
        out = base.whole.astype(np.int64)
        for rows, leave in ((self.single, False), (self.spare, True)):
            if rows:
                out[list(rows)] += _categorical(self.frac[list(rows)], leave, rng)
        quick = set(self.single) | set(self.spare)
        for g in base.independent:
            if g not in quick:
                cps = self.samplers[g]
                out[g] += (cps.draw(rng, 1) if cps is not None
                           else systematic(self.frac[g], rng, 1))[0]
        if base.coupled:
            joint = list(base.coupled)
            out[joint] += dependent_round(self.frac[joint], rng)
        return out

    def entropy_bounds(self) -> tuple[float, float]:
        """(lower, upper) bits of the day's draw, as ``SlotDesign.entropy_bounds``."""
        exact = sum(_categorical_bits(self.frac[list(rows)], leave)
                    for rows, leave in ((self.single, False), (self.spare, True)) if rows)
        exact += sum(s.entropy_bits() for s in self.samplers if s is not None)
        quick = set(self.single) | set(self.spare)
        rest = sum(maximum_entropy_bits(self.frac[g]) for g in range(self.frac.shape[0])
                   if self.samplers[g] is None and g not in quick and self.frac[g].sum() > 0)
        return exact, exact + rest
