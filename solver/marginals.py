"""Optimal coverage marginals per slot: the game's equilibrium, made drawable with whole budgets.

The general game gives ``x[pool, site]``, the expected units of each pool at each site.  A day
is drawn with a fixed number of units per pool, so every pool's total is made a whole number:
rounded up where the pool has room and the armed-share cap allows it (the extra goes to the
sites the attacker values most, never to the attacked site, which leaves the equilibrium
value unchanged), otherwise rounded down (taken from the sites with the most slack).  The value
of the final marginals is recomputed against a best-responding attacker.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from resources.predictability import defender_value
from solver.payoffs import SlotGame
from solver.stackelberg import GameError, payoff_matrix
from solver.stackelberg_general import ResourceType, optimal_coverage_general

__all__ = ["SlotMarginals", "slot_marginals"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_EPS = 1e-7


@dataclass(frozen=True)
class SlotMarginals:
    """Drawable marginals of one slot.

    ``x[g, t]``: expected units of pool ``g`` at target ``t``; ``budgets[g]``: the whole number
    of pool units every draw posts (``x[g].sum()``); ``coverage[t]`` the resulting probability
    of interdiction; ``optimum`` the equilibrium value, ``value`` that of ``x``.
    """

    game: SlotGame
    x: FloatArray
    budgets: IntArray
    coverage: FloatArray
    optimum: float
    value: float
    attacked: int

    def eff_matrix(self) -> FloatArray:
        """Effectiveness as a dense (pools, targets) array (0 where a pool cannot go)."""
        return _eff(self.game)


def _eff(game: SlotGame) -> FloatArray:
    out = np.zeros((len(game.pools), len(game.targets)))
    for (g, t), e in game.effectiveness.items():
        out[g, t] = e
    return out


def _coverage(game: SlotGame, x: FloatArray, eff: FloatArray) -> FloatArray:
    cov: FloatArray = np.minimum(1.0, np.asarray(game.fixed_coverage) + (eff * x).sum(axis=0))
    return cov


def _cap_ok(game: SlotGame, budgets: IntArray) -> bool:
    share = game.armed_cap
    arm = game.fixed_officers[0] + sum(b * p.armed for b, p in zip(budgets, game.pools,
                                                                    strict=True))
    una = game.fixed_officers[1] + sum(b * p.unarmed for b, p in zip(budgets, game.pools,
                                                                     strict=True))
    return bool((1 - share) * arm <= share * una + 1e-9)


def _room(game: SlotGame, x: FloatArray, g: int) -> FloatArray:
    """How much more of pool ``g`` each target can take (site capacity, pool size)."""
    room = np.zeros(x.shape[1])
    sites = list(game.pools[g].sites)
    used = x.sum(axis=0)
    cap = np.asarray(game.capacity, dtype=np.float64)
    room[sites] = np.minimum(cap[sites] - used[sites], game.pools[g].count - x[g, sites])
    return np.maximum(room, 0.0)


def _top_up(x: FloatArray, g: int, amount: float, room: FloatArray, util: FloatArray) -> None:
    for t in np.argsort(-util, kind="stable"):
        add = min(amount, float(room[t]))
        if add > 0:
            x[g, t] += add
            amount -= add
        if amount <= _EPS:
            return


def _trim(x: FloatArray, g: int, amount: float, attacked: int, util: FloatArray) -> None:
    order = sorted(np.flatnonzero(x[g] > 0).tolist(),
                   key=lambda t: (t == attacked, util[t], t))
    for t in order:
        cut = min(amount, float(x[g, t]))
        x[g, t] -= cut
        amount -= cut
        if amount <= _EPS:
            return


def _whole(game: SlotGame, x: FloatArray, attacked: int,
           util: FloatArray) -> tuple[FloatArray, IntArray]:
    """Whole budgets per pool: top up where the attacker gains most (never the attacked site)
    when there is room, else trim where the attacker gains least; then trim armed pools, the
    most rounded-up first, until the armed-share cap holds for every draw."""
    x = x.copy()
    lp_used = x.sum(axis=1)
    budgets = np.zeros(len(game.pools), dtype=np.int64)
    for g in range(len(game.pools)):
        up = math.ceil(lp_used[g] - _EPS)
        room = _room(game, x, g)
        room[attacked] = 0.0
        if up - lp_used[g] <= room.sum() + _EPS:
            _top_up(x, g, up - lp_used[g], room, util)
            budgets[g] = up
        else:
            budgets[g] = math.floor(lp_used[g] + _EPS)
            _trim(x, g, lp_used[g] - budgets[g], attacked, util)
    while not _cap_ok(game, budgets):
        armed = [g for g, p in enumerate(game.pools) if p.armed > 0 and budgets[g] > 0]
        if not armed:
            raise GameError(f"slot {game.slot}: the armed-share cap cannot be met")
        g = max(armed, key=lambda k: (budgets[k] - lp_used[k], -k))
        budgets[g] -= 1
        _trim(x, g, 1.0, attacked, util)
    for g in range(len(game.pools)):
        x[g] = _snap(x[g], int(budgets[g]))
    return x, budgets


def _snap(row: FloatArray, total: int) -> FloatArray:
    """Clean rounding noise: values within 1e-9 of a whole number become whole, and the
    fractional parts are rescaled so the row sums to ``total`` exactly."""
    row = np.where(np.abs(row - np.rint(row)) < 1e-9, np.rint(row), row)
    row = np.maximum(row, 0.0)
    whole = np.floor(row)
    frac = row - whole
    need = total - whole.sum()
    if frac.sum() > 0 and need > 0:
        frac *= need / frac.sum()
    out: FloatArray = whole + frac
    return out


def _solve(game: SlotGame, counts: FloatArray, backend: str) -> tuple[FloatArray, int, float,
                                                                        FloatArray]:
    """The general game with ``counts`` units per pool: (x, attacked, value, coverage)."""
    types = [ResourceType(p.name, float(c), frozenset(p.sites), p.armed, p.unarmed)
             for p, c in zip(game.pools, counts, strict=True)]
    res = optimal_coverage_general(
        game.targets, types, armed_cap=game.armed_cap,
        effectiveness={(game.pools[g].name, t): e for (g, t), e in game.effectiveness.items()},
        backend=backend, capacity=dict(enumerate(map(float, game.capacity))),
        fixed_coverage={t: f for t, f in enumerate(game.fixed_coverage) if f > 0},
        fixed_officers=game.fixed_officers,
    )
    x = np.zeros((len(game.pools), len(game.targets)))
    index = {p.name: g for g, p in enumerate(game.pools)}
    for (name, t), v in res.allocation.items():
        x[index[name], t] = v
    return x, res.attacked_target, res.defender_value, np.asarray(res.coverage)


def _armed_counts(game: SlotGame, x: FloatArray) -> FloatArray | None:
    """Whole armed budgets within the cap (rounded up, then the least used trimmed first),
    as pool counts for a re-solve; None when the equilibrium's own usage already fits."""
    used = x.sum(axis=1)
    budgets = np.where([p.armed > 0 for p in game.pools], np.ceil(used - _EPS),
                       np.floor(used + _EPS)).astype(np.int64)
    changed = False
    while not _cap_ok(game, budgets):
        armed = [g for g, p in enumerate(game.pools) if p.armed > 0 and budgets[g] > 0]
        if not armed:
            raise GameError(f"slot {game.slot}: the armed-share cap cannot be met")
        g = max(armed, key=lambda k: (budgets[k] - used[k], -k))
        budgets[g] -= 1
        changed = changed or budgets[g] < used[g] - _EPS
    if not changed:
        return None
    counts = np.array([p.count for p in game.pools], dtype=np.float64)
    for g, p in enumerate(game.pools):
        if p.armed > 0:
            counts[g] = budgets[g]
    return counts


def slot_marginals(game: SlotGame, backend: str = "multi-lp") -> SlotMarginals:
    """Equilibrium marginals of one slot game with whole budgets per pool."""
    n, k = len(game.targets), len(game.pools)
    eff = _eff(game)
    pay = payoff_matrix(game.targets)
    if k == 0:
        x = np.zeros((0, n))
        cov = _coverage(game, x, eff)
        value, attacked = defender_value(cov, pay)
        return SlotMarginals(game, x, np.zeros(0, dtype=np.int64), cov, value, value, attacked)
    counts = np.array([p.count for p in game.pools], dtype=np.float64)
    share, (fixed_armed, fixed_unarmed) = game.armed_cap, game.fixed_officers
    most_unarmed = fixed_unarmed + sum(p.count * p.unarmed for p in game.pools)
    if (1 - share) * fixed_armed > share * most_unarmed + 1e-9:
        raise GameError(f"slot {game.slot}: the armed-share cap cannot be met: {fixed_armed:g} "
                        f"armed officers are posted whatever the draw (pins, CTSFO) and at "
                        f"most {most_unarmed:g} unarmed")
    x, attacked, optimum, cov = _solve(game, counts, backend)
    armed = _armed_counts(game, x)
    if armed is not None:
        x, attacked, _, cov = _solve(game, armed, backend)
    util = pay[:, 3] - (pay[:, 3] - pay[:, 2]) * cov
    x, budgets = _whole(game, x, attacked, util)
    cov = _coverage(game, x, eff)
    value, attacked = defender_value(cov, pay)
    return SlotMarginals(game, x, budgets, cov, optimum, value, attacked)
