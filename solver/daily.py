"""Randomised daily postings: the scenario's equilibrium per slot and independent daily draws.

``RandomisedPosture.build(scenario)`` solves the game of every slot once; ``draw(day, seed)``
draws one day's targets from its own generator, seeded from (seed, day) only, so a day never
depends on earlier days (yesterday's plan says nothing about today's beyond the probabilities).
Draws balanced over days, whose frequencies converge faster, are in solver/balance.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from resources.model import Scenario
from resources.predictability import TargetKey
from solver.designs import SlotDesign
from solver.marginals import SlotMarginals, slot_marginals
from solver.options import Requirement
from solver.payoffs import GameOptions, slot_games

__all__ = ["DayDraw", "RandomisedPosture", "Requirement", "day_seed"]


def day_seed(seed: int, day: int) -> int:
    """The seed of day ``day`` of a run seeded with ``seed`` (stored in the day's plan)."""
    state = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 0x5EED, int(day)]).generate_state(1)
    return int(state[0] & 0x7FFFFFFF)


@dataclass(frozen=True)
class DayDraw:
    """One day's drawn targets: units per (slot, site, type) and the pool-level requirements;
    ``balance`` says how the day was drawn (mode, and gain and history when balanced)."""

    day: int
    seed: int
    targets: Mapping[TargetKey, int]
    requirements: tuple[Requirement, ...]
    balance: Mapping[str, Any] = field(default_factory=lambda: {"mode": "independent"})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record of the draw (kept in the plan's ``extra``)."""
        return {"day": self.day, "seed": self.seed,
                "targets": [[t, s, c, n] for (t, s, c), n in sorted(self.targets.items())],
                "balance": dict(self.balance)}


@dataclass(frozen=True)
class RandomisedPosture:
    """Marginals and fitted designs of every slot of a scenario."""

    scenario: Scenario
    slots: tuple[SlotDesign, ...]

    @classmethod
    def build(cls, scenario: Scenario, options: GameOptions | None = None,
              design: str = "auto") -> RandomisedPosture:
        """Solve every slot's game and fit its sampling design."""
        opts = options or GameOptions()
        designs = tuple(SlotDesign.fit(slot_marginals(g, opts.backend), design)
                        for g in slot_games(scenario, opts))
        return cls(scenario, designs)

    @property
    def marginals(self) -> tuple[SlotMarginals, ...]:
        """The marginals of every slot."""
        return tuple(d.marginals for d in self.slots)

    def target_marginals(self) -> dict[TargetKey, float]:
        """Expected units per (slot, site, unit type) per day."""
        out: dict[TargetKey, float] = {}
        for d in self.slots:
            m = d.marginals
            for g, t in zip(*np.nonzero(m.x > 1e-12), strict=True):
                key = (m.game.slot, m.game.site_ids[t], m.game.pools[g].type_code)
                out[key] = out.get(key, 0.0) + float(m.x[g, t])
        return out

    def pool_marginals(self) -> dict[TargetKey, list[float]]:
        """Expected units per (slot, site, unit type), one entry per pool (drawn apart)."""
        out: dict[TargetKey, list[float]] = {}
        for d in self.slots:
            m = d.marginals
            for g, t in zip(*np.nonzero(m.x > 1e-12), strict=True):
                key = (m.game.slot, m.game.site_ids[t], m.game.pools[g].type_code)
                out.setdefault(key, []).append(float(m.x[g, t]))
        return out

    def optimum(self) -> float:
        """Sum over slots of the equilibrium defender value."""
        return float(sum(d.marginals.optimum for d in self.slots))

    def value(self) -> float:
        """Sum over slots of the defender value of the drawable marginals."""
        return float(sum(d.marginals.value for d in self.slots))

    def entropy_bounds(self) -> tuple[float, float]:
        """(lower, upper) bits of entropy of one day's draw (all slots)."""
        lo = hi = 0.0
        for d in self.slots:
            a, b = d.entropy_bounds()
            lo, hi = lo + a, hi + b
        return lo, hi

    def draw(self, day: int, seed: int) -> DayDraw:
        """Day ``day``'s targets, from a generator seeded by (seed, day) alone."""
        s = day_seed(seed, day)
        units = self.draw_units(np.random.default_rng(s), 1)
        return self.to_day(day, s, [u[0] for u in units])

    def draw_units(self, rng: np.random.Generator, count: int) -> list[np.ndarray]:
        """``count`` draws of every slot: one (count, pools, sites) array per slot."""
        return [d.draw(rng, count) for d in self.slots]

    def to_day(self, day: int, seed: int, units: list[np.ndarray]) -> DayDraw:
        """A DayDraw from one (pools, sites) array of units per slot."""
        targets: Counter[TargetKey] = Counter()
        reqs: list[Requirement] = []
        for d, n in zip(self.slots, units, strict=True):
            game = d.marginals.game
            for g, t in zip(*np.nonzero(n), strict=True):
                pool, site = game.pools[g], game.site_ids[t]
                targets[(game.slot, site, pool.type_code)] += int(n[g, t])
                reqs.append(Requirement(game.slot, site, pool.type_code, int(n[g, t]),
                                        pool.callsigns))
        return DayDraw(day, seed, dict(targets), tuple(reqs))
