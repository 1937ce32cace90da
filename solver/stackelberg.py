"""Exact strong Stackelberg equilibrium (SSE) of the basic security game.

The defender has ``resources`` identical resources, each of which covers one target;
a mixed strategy is summarised by its coverage vector ``c`` (``0 <= c_i <= 1``,
``sum(c) <= resources``; for integer resources every such vector is implementable by
sampling subsets of at most ``resources`` targets).
The attacker observes ``c`` and attacks the target of highest expected utility,
breaking ties in the defender's favour (strong Stackelberg equilibrium).

Algorithm (O(n log n), vectorised; see ``docs/posture.md`` for the derivation):

1. Any target ``t`` can be the attacked one only if the attacker's value ``v`` is at
   least ``v* = max(max_i attacker_covered_i, v_R)``, where ``v_R`` solves
   ``N(v) = resources`` for the convex, decreasing resource-need function
   ``N(v) = sum_i max(0, (Au_i - v) / (Au_i - Ac_i))`` (ORIGAMI's water level:
   sort by ``attacker_uncovered``, prefix sums, one ``searchsorted``).
2. For a fixed attacked ``t`` the multiple-LPs problem of Conitzer & Sandholm is
   solved in closed form: the defender's utility at ``t`` falls as ``v`` rises, so
   ``v = v*`` and ``c_t = (Au_t - v*) / (Au_t - Ac_t)``.  A target whose attacker
   payoff does not depend on coverage can instead receive all unused resources.
3. The SSE picks, among the targets with ``Au_t >= v*`` (the attack set), the one
   with the highest defender utility; ties go to the lowest index.

Targets may have ``defender_covered == defender_uncovered`` and/or
``attacker_covered == attacker_uncovered`` (coverage irrelevant to that player);
the reverse orderings are rejected with :class:`GameError`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from numbers import Real
from operator import attrgetter

import numpy as np
import numpy.typing as npt

__all__ = [
    "FIELDS",
    "CoverageResult",
    "GameError",
    "Target",
    "check_resources",
    "optimal_coverage",
    "optimal_coverage_arrays",
    "payoff_matrix",
]

FloatArray = npt.NDArray[np.float64]

#: Payoff field names, in the column order used by :func:`payoff_matrix`.
FIELDS: tuple[str, ...] = (
    "defender_covered",
    "defender_uncovered",
    "attacker_covered",
    "attacker_uncovered",
)


class GameError(ValueError):
    """An invalid security game; the message is one line naming target and field."""


@dataclass(frozen=True)
class Target:
    """Payoffs at one target, to each player, when the attacked target is (un)covered."""

    defender_covered: float
    defender_uncovered: float
    attacker_covered: float
    attacker_uncovered: float


@dataclass(frozen=True)
class CoverageResult:
    """A strong Stackelberg equilibrium of the basic game.

    ``coverage`` is the minimal-resource SSE coverage; any unused resources
    (``resources - sum(coverage)``) may be added to targets other than
    ``attacked_target`` without changing either value.  ``attack_set`` lists the
    targets of maximal attacker utility, in increasing index order.
    """

    coverage: tuple[float, ...]
    defender_value: float
    attacker_value: float
    attack_set: tuple[int, ...]
    attacked_target: int


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _field_error(index: int, field: str, value: object, expected: str) -> GameError:
    return GameError(f"target {index}: field '{field}' is {_short(value)}; expected {expected}")


def payoff_matrix(targets: Sequence[Target]) -> FloatArray:
    """Return an ``(n, 4)`` float array of payoffs in :data:`FIELDS` order, validated.

    Raises :class:`GameError` naming the first bad target index and field.
    """
    n = len(targets)
    if n == 0:
        raise GameError("targets: expected at least one target, got an empty list")
    try:
        rows = list(map(attrgetter(*FIELDS), targets))
    except AttributeError:
        _raise_first_type_error(targets)
        raise  # pragma: no cover - _raise_first_type_error always raises
    kinds = set(map(type, chain.from_iterable(rows)))
    if any(k is bool or not issubclass(k, Real) for k in kinds):
        _raise_first_type_error(targets)
    try:
        raw = np.fromiter(rows, dtype=np.dtype((np.float64, 4)), count=n)
    except (OverflowError, TypeError, ValueError):
        _raise_first_type_error(targets)
        raise  # pragma: no cover - _raise_first_type_error always raises
    pay = raw.astype(np.float64, copy=False)
    check_payoffs(pay)
    return pay


def _raise_first_type_error(targets: Sequence[Target]) -> None:
    """Slow path, only on failure: find the offending target and field."""
    for i, tgt in enumerate(targets):
        if not isinstance(tgt, Target):
            raise GameError(f"target {i}: expected a Target, got {type(tgt).__name__}")
        for field in FIELDS:
            value = getattr(tgt, field)
            if isinstance(value, bool) or not isinstance(value, Real):
                raise _field_error(i, field, value, "a real number")
            try:
                float(value)
            except (OverflowError, ValueError):
                raise _field_error(i, field, value, "a finite number") from None
    raise GameError("targets: payoffs could not be read as real numbers")


def check_payoffs(pay: FloatArray) -> None:
    """Validate an ``(n, 4)`` payoff array: finite, coverage helps defender, hurts attacker."""
    bad = ~np.isfinite(pay)
    if bad.any():
        i, j = divmod(int(np.flatnonzero(bad)[0]), 4)
        raise _field_error(i, FIELDS[j], float(pay[i, j]), "a finite number")
    dc, du, ac, au = pay.T
    wrong = np.flatnonzero(dc < du)
    if wrong.size:
        i = int(wrong[0])
        raise _field_error(
            i, "defender_covered", float(dc[i]),
            f">= defender_uncovered={float(du[i])!r} (coverage must not hurt the defender)",
        )
    wrong = np.flatnonzero(ac > au)
    if wrong.size:
        i = int(wrong[0])
        raise _field_error(
            i, "attacker_covered", float(ac[i]),
            f"<= attacker_uncovered={float(au[i])!r} (coverage must not help the attacker)",
        )


def check_resources(resources: object) -> float:
    """Return ``resources`` as a float, or raise :class:`GameError` if not finite and >= 0."""
    expected = "resources: expected a finite number >= 0, got "
    if isinstance(resources, bool) or not isinstance(resources, Real):
        raise GameError(expected + _short(resources))
    try:
        value = float(resources)
    except (OverflowError, ValueError):
        raise GameError(expected + _short(resources)) from None
    if not math.isfinite(value) or value < 0.0:
        raise GameError(expected + _short(value))
    return value


def optimal_coverage(targets: Sequence[Target], resources: float) -> CoverageResult:
    """Compute the exact strong Stackelberg equilibrium of the basic security game.

    Raises :class:`GameError` for an empty game, non-finite payoffs, payoffs where
    coverage hurts the defender or helps the attacker, and non-finite or negative
    resources.  Resources at or above the number of targets are fine (full coverage).
    """
    res = check_resources(resources)
    pay = payoff_matrix(targets)
    return _solve(pay, res)


def optimal_coverage_arrays(
    defender_covered: npt.ArrayLike,
    defender_uncovered: npt.ArrayLike,
    attacker_covered: npt.ArrayLike,
    attacker_uncovered: npt.ArrayLike,
    resources: float,
) -> CoverageResult:
    """Same as :func:`optimal_coverage`, from four equal-length payoff arrays."""
    res = check_resources(resources)
    try:
        pay = np.column_stack(
            [
                np.asarray(a, dtype=np.float64).reshape(-1)
                for a in (defender_covered, defender_uncovered,
                          attacker_covered, attacker_uncovered)
            ]
        )
    except (TypeError, ValueError) as err:
        raise GameError(f"targets: payoff arrays unusable ({err})") from None
    if pay.shape[0] == 0:
        raise GameError("targets: expected at least one target, got an empty list")
    check_payoffs(pay)
    return _solve(pay, res)


#: Smallest attacker payoff change (after normalisation to |payoff| <= 1) used as a
#: divisor: keeps ``1/da`` and its prefix sums finite.  A smaller positive change is
#: raised to this (a perturbation of 1e-289 of the payoff scale, far below rounding).
_MIN_SLOPE = 2.0**-960


def _exponent(values: FloatArray) -> int:
    """Exponent ``e`` with ``max|values| <= 2**e`` (power of two: scaling is exact)."""
    top = float(np.abs(values).max())
    return math.frexp(top)[1] if top > 0.0 else 0


def _water_level(au: FloatArray, da: FloatArray, floor: float, resources: float) -> float:
    """Lowest attacker value ``v >= floor`` with ``N(v) <= resources``.

    Payoffs are normalised to ``|payoff| <= 1``.  Only targets with ``au > floor`` can
    need coverage; they are swept in decreasing ``au`` with prefix sums.
    """
    live = au > floor
    if not live.any():
        return floor
    a = au[live]
    w = 1.0 / da[live]  # da >= au - floor > 0 here
    if float(np.sum((a - floor) * w)) <= resources:
        return floor  # every live target can be pushed down to the floor
    order = np.argsort(-a, kind="stable")
    b = a[order]
    w = w[order]
    s0 = np.cumsum(w)
    s1 = np.cumsum(b * w)
    # need[m] = N(b[m+1]) with the top m+1 targets active; non-decreasing in m.
    need = np.maximum.accumulate(s1[:-1] - b[1:] * s0[:-1])
    m = int(np.searchsorted(need, resources, side="right"))
    k = m + 1  # the level lies in [b[m+1], b[m]] (or [floor, b[m]]), targets 0..m active
    top, wk = b[:k], w[:k]
    base = float(top[-1])
    # Pairwise sums around the lowest active payoff: well-conditioned refinement.
    used = float(np.sum((top - base) * wk))
    level = base - (resources - used) / float(np.sum(wk))
    low = float(b[k]) if k < b.size else floor
    return min(max(level, low, floor), base)


def _solve(pay: FloatArray, resources: float) -> CoverageResult:
    e_d = _exponent(pay[:, :2])
    e_a = _exponent(pay[:, 2:])
    dc, du = (np.ldexp(col, -e_d) for col in pay[:, :2].T)
    ac, au = (np.ldexp(col, -e_a) for col in pay[:, 2:].T)
    da = au - ac
    dd = dc - du
    pos = da > 0.0
    da[pos] = np.maximum(da[pos], _MIN_SLOPE)
    floor = float(ac.max())  # no target can be pushed below attacker_covered
    value = _water_level(au, da, floor, resources)

    cov = np.zeros_like(au)
    np.divide(au - value, da, out=cov, where=pos)
    np.clip(cov, 0.0, 1.0, out=cov)
    used = float(cov.sum())
    if used > resources:  # rounding only: keep sum(c) <= resources
        cov *= resources / used
        used = float(cov.sum())
    spare = min(1.0, max(0.0, resources - used))

    attack = np.flatnonzero(au >= value)
    # A coverage-insensitive target (da == 0) in the attack set can take the spare.
    att_cov = np.where(pos[attack], cov[attack], spare)
    dvals = du[attack] + dd[attack] * att_cov
    best = int(np.argmax(dvals))  # first maximum: lowest index among ties
    attacked = int(attack[best])
    if not pos[attacked] and dd[attacked] > 0.0:
        cov[attacked] = spare
    return CoverageResult(
        coverage=tuple(cov.tolist()),
        defender_value=math.ldexp(float(dvals[best]), e_d),
        attacker_value=math.ldexp(value, e_a),
        attack_set=tuple(attack.tolist()),
        attacked_target=attacked,
    )
