"""Daily draws balanced over days: the projection, the feedback, determinism and hard limits."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resources.predictability import expected_overlap, frequency_gap, jaccard
from solver.balance import RATIO, BalancedDraws, SlotBalance, project
from solver.daily import DayDraw, RandomisedPosture
from solver.designs import SlotDesign
from solver.marginals import SlotMarginals
from solver.payoffs import Pool, SlotGame
from solver.sampling import ConditionalPoisson
from solver.stackelberg import Target
from tests.test_daily import SCENARIO

DAYS = 300


@pytest.fixture(scope="module")
def posture() -> RandomisedPosture:
    return RandomisedPosture.build(SCENARIO)


def _bounds(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.maximum(f / RATIO, 1 - RATIO * (1 - f)), np.minimum(f * RATIO, 1 - (1 - f) / RATIO)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0.01, 0.99), st.floats(-2.0, 3.0)),
                min_size=1, max_size=24))
def test_projection_keeps_budgets_and_bounds_and_is_the_nearest_point(
        entries: list[tuple[int, float, float]]) -> None:
    rows = np.array([e[0] for e in entries])
    f = np.array([e[1] for e in entries])
    y = np.array([e[2] for e in entries])
    lo, hi = _bounds(f)
    budgets = np.bincount(rows, f, 4)
    q = project(y, rows, budgets, lo, hi)
    assert np.all(q >= lo) and np.all(q <= hi)
    assert np.abs(np.bincount(rows, q, 4) - budgets).max() <= 1e-9
    for r in range(4):  # optimality: q = clip(y - tau, lo, hi) with one shift tau per row
        on = rows == r
        inner = on & (q > lo + 1e-12) & (q < hi - 1e-12)
        at_lo, at_hi = on & (q <= lo + 1e-12), on & (q >= hi - 1e-12)
        if inner.any():
            tau = (y - q)[inner]
            assert np.ptp(tau) <= 1e-9
            assert np.all((y - lo)[at_lo & ~inner] <= tau[0] + 1e-9)
            assert np.all((y - hi)[at_hi & ~inner] >= tau[0] - 1e-9)
    assert np.allclose(project(f, rows, budgets, lo, hi), f, atol=1e-12)  # already there


def test_projection_refuses_a_budget_its_bounds_cannot_meet() -> None:
    with pytest.raises(ValueError, match="budget"):
        project([0.5, 0.5], [0, 0], [1.5], [0.2, 0.2], [0.7, 0.7])
    with pytest.raises(ValueError, match="shape"):
        project([0.5], [0, 0], [1.0], [0.0, 0.0], [1.0, 1.0])


def _run(posture: RandomisedPosture, gain: float, days: int, seed: int = 3) -> list[DayDraw]:
    draws = BalancedDraws(posture, gain)
    return [draws.draw(d, seed) for d in range(days)]


def test_balanced_days_close_the_frequency_gap_far_below_independent_days(
        posture: RandomisedPosture) -> None:
    marg = posture.target_marginals()
    independent = [posture.draw(d, 3).targets for d in range(DAYS)]
    balanced = [d.targets for d in _run(posture, 0.1, DAYS)]
    plain_gap, balanced_gap = frequency_gap(independent, marg), frequency_gap(balanced, marg)
    assert plain_gap > 0.02  # sampling noise of independent days: about 1/sqrt(N)
    assert balanced_gap <= plain_gap / 3 and balanced_gap <= 0.012  # about 1/N


def test_the_deficit_stays_bounded(posture: RandomisedPosture) -> None:
    draws = BalancedDraws(posture, 0.1)
    worst = 0.0
    for d in range(DAYS):
        draws.draw(d, 11)
        worst = max(worst, *(float(np.abs(e).max()) for e in draws.deficits()))
    assert worst < 6.0  # stationary sd is sqrt(p(1-p)/(gain(2-gain))) <= 1.15 units


def test_the_same_seed_and_history_give_the_same_draws(posture: RandomisedPosture) -> None:
    a, b = _run(posture, 0.1, 20), _run(posture, 0.1, 20)
    assert a == b
    assert [d.targets for d in _run(posture, 0.1, 20, seed=4)] != [d.targets for d in a]
    assert a[5].balance["mode"] == "balanced" and a[5].balance["history_days"] == 5
    assert a[5].balance["gain"] == 0.1


def test_continuing_from_prior_counts_equals_one_long_run(posture: RandomisedPosture) -> None:
    long = _run(posture, 0.2, 40)
    later = BalancedDraws(posture, 0.2, [d.targets for d in long[:25]])
    assert [later.draw(d, 3) for d in range(25, 40)] == long[25:]


def test_a_run_without_history_starts_with_the_independent_draw(
        posture: RandomisedPosture) -> None:
    first = BalancedDraws(posture).draw(0, 77)
    plain = posture.draw(0, 77)
    assert first.targets == plain.targets and first.requirements == plain.requirements
    assert first.balance["max_shift"] == 0.0
    with pytest.raises(ValueError, match="gain"):
        BalancedDraws(posture, 0.0)


def test_yesterday_makes_today_slightly_less_likely_never_more(
        posture: RandomisedPosture) -> None:
    days = [d.targets for d in _run(posture, 0.2, 600, seed=5)]
    implied = expected_overlap(posture.pool_marginals())
    realised = float(np.mean([jaccard(a, b) for a, b in itertools.pairwise(days)]))
    assert realised <= implied  # the feedback lowers the overlap with yesterday
    assert realised >= implied - 0.05  # ...a little: today still follows the probabilities
    marg = posture.target_marginals()
    lifts = []
    for key, p in marg.items():
        if 0.15 < p < 0.85:
            seen = [b.get(key, 0) > 0 for b in days[:-1]]
            again = [a.get(key, 0) > 0 for a, s in zip(days[1:], seen, strict=True) if s]
            lifts.append(np.mean(again) - p)
    assert np.mean(lifts) < 0.0


def _slot(x: list[list[float]], capacity: tuple[int, ...]) -> RandomisedPosture:
    """One slot of one-type pools over a few sites, with the given marginals and capacities."""
    arr = np.array(x)
    sites = tuple(f"s{t}" for t in range(arr.shape[1]))
    t = Target(0.0, -5.0, 0.0, 5.0)
    pools = tuple(Pool(f"NHT#{g}", "NHT", tuple(f"N{g}-{i}" for i in range(3)),
                       tuple(range(arr.shape[1])), 0.0, 1.0) for g in range(arr.shape[0]))
    game = SlotGame(0, 0.0, sites, (5.0,) * len(sites), (t,) * len(sites), pools,
                    {(g, j): 1.0 for g in range(arr.shape[0]) for j in range(arr.shape[1])},
                    capacity, (0.0,) * len(sites), (0.0, 0.0), Fraction(2, 25))
    budgets = np.rint(arr.sum(axis=1)).astype(np.int64)
    m = SlotMarginals(game, arr, budgets, np.minimum(1.0, arr.sum(axis=0)), -1.0, -1.0, 0)
    return RandomisedPosture(SCENARIO, (SlotDesign.fit(m),))


def _units(posture: RandomisedPosture, day: DayDraw) -> np.ndarray:
    game = posture.slots[0].marginals.game
    out = np.zeros((len(game.pools), len(game.site_ids)), dtype=np.int64)
    for r in day.requirements:
        g = next(i for i, p in enumerate(game.pools) if p.callsigns == r.callsigns)
        out[g, game.site_ids.index(r.site_id)] += r.count
    return out


@pytest.mark.parametrize(("x", "capacity"), [
    ([[0.6, 0.4], [0.6, 0.4], [0.6, 0.4]], (2, 2)),  # three pools could fill a 2-unit site
    ([[0.5, 0.5], [0.5, 0.5]], (1, 1)),  # tight: every site full every day
    ([[1.3, 0.7, 0.0], [0.2, 0.5, 0.3]], (2, 2, 1)),  # a whole unit plus a fraction
])
def test_budgets_and_capacities_hold_on_every_balanced_draw(
        x: list[list[float]], capacity: tuple[int, ...]) -> None:
    posture = _slot(x, capacity)
    design = posture.slots[0]
    assert design.coupled  # these pools are drawn jointly, by dependent rounding
    draws = BalancedDraws(posture, 1.0)
    for d in range(400):
        fracs = draws.fractions()[0]
        assert np.all(fracs[design.frac == 0] == 0)  # the support never grows
        day = draws.draw(d, 9)
        n = _units(posture, day)
        assert (n.sum(axis=1) == design.marginals.budgets).all()
        assert (n.sum(axis=0) <= np.array(capacity)).all()
        assert (n >= design.whole).all() and (n <= np.ceil(design.whole + design.frac)).all()
    assert abs(draws.deficits()[0]).max() < 3.0


def test_a_refitted_day_realises_its_probabilities_exactly() -> None:
    posture = RandomisedPosture.build(SCENARIO)
    balance = SlotBalance.of(posture.slots[1])
    deficit = np.linspace(-3.0, 3.0, len(balance.keys))
    frac = balance.nudged(deficit, 0.05)
    assert not np.allclose(frac, posture.slots[1].frac)
    day = posture.slots[1].refit(frac)
    rng = np.random.default_rng(8)
    draws = np.array([day.draw(rng) for _ in range(3000)])
    assert (draws.sum(axis=2) == posture.slots[1].marginals.budgets).all()
    assert np.abs(draws.mean(axis=0) - (posture.slots[1].whole + frac)).max() <= 0.03
    lo, hi = day.entropy_bounds()
    rows = [g for g in range(frac.shape[0]) if frac[g].sum() > 0]
    exact = sum(ConditionalPoisson(frac[g]).entropy_bits() for g in rows)
    assert lo == pytest.approx(exact, abs=1e-6) and hi == pytest.approx(lo)
    with pytest.raises(ValueError, match="budget"):
        posture.slots[1].refit(frac * 0.5)
