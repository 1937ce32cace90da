"""The sampling design of one slot: whole units per (pool, site) with the equilibrium's means.

Designs (``SlotDesign.design``):

- ``"auto"`` (default): every pool independently by conditional Poisson sampling (the
  maximum-entropy design for a pool's budget), except the pools that could together overfill a
  site, which are drawn jointly by dependent rounding so that the site's capacity always holds;
- ``"cps"`` / ``"systematic"``: every pool independently (maximum-entropy, or comb sampling in a
  random order); refused when independent draws could overfill a site;
- ``"dependent"``: the whole slot by dependent rounding.

Whole parts of the marginals are always posted; only the fractional parts are drawn.  Every
pool's draw has exactly its budget of units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solver.marginals import SlotMarginals
from solver.sampling import ConditionalPoisson, dependent_round, systematic

__all__ = ["DESIGNS", "SlotDesign"]

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
        cap = np.asarray(marginals.game.capacity, dtype=np.float64)
        unsafe = np.flatnonzero(np.ceil(marginals.x - 1e-9).sum(axis=0) > cap + 1e-9)
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
        rest = sum(ConditionalPoisson(self.frac[g]).entropy_bits()
                   for g in range(self.whole.shape[0])
                   if self.samplers[g] is None and self.frac[g].sum() > 0)
        return exact, exact + rest
