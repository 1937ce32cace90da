"""Sampling designs: exact probabilities under a fixed budget, entropy, and why naive ways fail."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.balance import project
from solver.sampling import (
    ConditionalPoisson,
    dependent_round,
    maximum_entropy_bits,
    systematic,
    systematic_entropy,
    whole_size,
)

P = np.array([0.9, 0.5, 0.3, 0.2, 0.6, 0.5])  # sums to 3
DRAWS = 2000


def _enumerate_cps(cps: ConditionalPoisson) -> dict[tuple[int, ...], float]:
    """Exact CPS distribution by enumeration: P(s) proportional to prod w over samples."""
    w = np.exp(cps.theta)
    weights = {s: float(np.prod(w[list(s)])) for s in itertools.combinations(range(w.size),
                                                                              cps.k)}
    total = sum(weights.values())
    return {s: v / total for s, v in weights.items()}


def test_cps_fits_the_probabilities_exactly() -> None:
    cps = ConditionalPoisson(P)
    dist = _enumerate_cps(cps)
    incl = np.zeros(P.size)
    for s, prob in dist.items():
        incl[list(s)] += prob
    assert np.allclose(incl, P, atol=1e-9)


def test_cps_entropy_and_min_entropy_match_enumeration() -> None:
    cps = ConditionalPoisson(P)
    dist = _enumerate_cps(cps)
    shannon = -sum(p * math.log2(p) for p in dist.values())
    assert cps.entropy_bits() == pytest.approx(shannon, abs=1e-8)
    assert cps.min_entropy_bits() == pytest.approx(-math.log2(max(dist.values())), abs=1e-8)


def test_cps_of_equal_probabilities_is_uniform_over_subsets() -> None:
    cps = ConditionalPoisson(np.full(12, 4 / 12))
    assert cps.entropy_bits() == pytest.approx(math.log2(math.comb(12, 4)), abs=1e-9)


def test_cps_handles_sure_and_impossible_items() -> None:
    p = np.array([1.0, 0.0, 0.5, 0.5, 1.0])
    draws = ConditionalPoisson(p).draw(np.random.default_rng(1), 500)
    assert draws[:, [0, 4]].all() and not draws[:, 1].any()
    assert (draws.sum(axis=1) == 3).all()


@pytest.mark.parametrize("design", ["cps", "systematic", "systematic-fixed"])
def test_designs_keep_the_probabilities_and_the_budget(design: str) -> None:
    rng = np.random.default_rng(7)
    if design == "cps":
        draws = ConditionalPoisson(P).draw(rng, DRAWS)
    else:
        draws = systematic(P, rng, DRAWS, shuffle=design == "systematic")
    assert (draws.sum(axis=1) == 3).all()  # the budget holds in every draw
    assert np.abs(draws.mean(axis=0) - P).max() <= 0.03


def test_maximum_entropy_beats_comb_sampling_in_a_fixed_order() -> None:
    # Comb sampling in a fixed order has at most n distinct samples; CPS spreads over all.
    assert systematic_entropy(P) < ConditionalPoisson(P).entropy_bits()
    assert systematic_entropy(P) <= math.log2(P.size) + 1e-12


def test_random_order_comb_sampling_entropy_is_below_the_maximum() -> None:
    rng = np.random.default_rng(3)
    draws = systematic(P, rng, 40_000)
    counts: dict[bytes, int] = {}
    for row in draws:
        counts[row.tobytes()] = counts.get(row.tobytes(), 0) + 1
    freq = np.array(list(counts.values())) / len(draws)
    plug_in = float(-(freq * np.log2(freq)).sum())
    assert plug_in <= ConditionalPoisson(P).entropy_bits() + 0.01
    assert plug_in > systematic_entropy(P)  # shuffling the order does add entropy


def test_independent_coin_flips_break_the_budget() -> None:
    """Why not flip a coin per site: the number of units posted then varies day to day."""
    rng = np.random.default_rng(5)
    flips = rng.random((DRAWS, P.size)) < P
    sizes = flips.sum(axis=1)
    assert np.abs(flips.mean(axis=0) - P).max() <= 0.03  # right on average...
    assert (sizes != 3).mean() > 0.5  # ...but most days post the wrong number of units
    assert sizes.min() < 3 < sizes.max()


def _successive_inclusion(w: np.ndarray, k: int) -> np.ndarray:
    """Exact inclusion probabilities of drawing k without replacement, each pick in
    proportion to ``w`` among those left (what numpy's choice(replace=False, p=w) does)."""
    incl = np.zeros(w.size)
    for order in itertools.permutations(range(w.size), k):
        prob, left = 1.0, 1.0
        for i in order:
            prob *= w[i] / left
            left -= w[i]
        incl[list(order)] += prob
    return incl


def test_numpy_choice_without_replacement_does_not_keep_the_probabilities() -> None:
    """choice(replace=False, p=p/k) picks one by one: big probabilities come out too small."""
    p = np.array([0.9, 0.9, 0.1, 0.1])
    exact = _successive_inclusion(p / p.sum(), 2)
    assert exact[0] == pytest.approx(0.8656, abs=1e-3)  # not 0.9
    rng = np.random.default_rng(11)
    picks = np.zeros(p.size)
    for _ in range(DRAWS):
        picks[rng.choice(p.size, size=2, replace=False, p=p / p.sum())] += 1
    assert np.abs(picks / DRAWS - exact).max() <= 0.03
    assert np.abs(picks / DRAWS - p).max() > 0.03
    cps = ConditionalPoisson(p).draw(rng, DRAWS)
    assert np.abs(cps.mean(axis=0) - p).max() <= 0.03


X = np.array([[0.5, 0.5, 0.0, 1.2, 0.8],
              [0.3, 0.2, 0.9, 0.6, 0.0],
              [0.0, 0.6, 0.4, 0.0, 0.0]])


def test_dependent_rounding_keeps_means_rows_and_columns() -> None:
    rng = np.random.default_rng(2)
    total = np.zeros_like(X)
    cols = X.sum(axis=0)
    for _ in range(DRAWS):
        r = dependent_round(X, rng)
        assert (r.sum(axis=1) == np.rint(X.sum(axis=1))).all()
        assert ((r == np.floor(X)) | (r == np.ceil(X))).all()
        assert (r.sum(axis=0) >= np.floor(cols)).all()
        assert (r.sum(axis=0) <= np.ceil(cols)).all()
        total += r
    assert np.abs(total / DRAWS - X).max() <= 0.03


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 7), st.integers(0, 2**31 - 1))
def test_dependent_rounding_properties_on_random_matrices(rows: int, cols: int,
                                                           seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.zeros((rows, cols))
    for r in range(rows):  # k whole units spread over the row, plus whole parts
        k = int(rng.integers(0, cols + 1))
        spike = np.zeros(cols)
        spike[rng.choice(cols, size=k, replace=False)] = 1.0
        mix = rng.random()
        x[r] = (1 - mix) * spike + mix * k / cols + rng.integers(0, 2, size=cols)
    out = dependent_round(x, rng)
    assert (out.sum(axis=1) == np.rint(x.sum(axis=1))).all()
    assert (out >= np.floor(x - 1e-9)).all() and (out <= np.ceil(x + 1e-9)).all()
    assert (out.sum(axis=0) <= np.ceil(x.sum(axis=0) - 1e-9) + 1e-9).all()
    assert (out.sum(axis=0) >= np.floor(x.sum(axis=0) + 1e-9)).all()


@pytest.mark.parametrize("bad", [[0.5, 0.2], [1.2, 0.8], [float("nan"), 1.0], [[0.5, 0.5]]])
def test_bad_probabilities_are_refused(bad: list[float]) -> None:
    with pytest.raises(ValueError, match="expected"):
        whole_size(bad)


def test_dependent_rounding_refuses_fractional_row_totals() -> None:
    with pytest.raises(ValueError, match="row 0"):
        dependent_round(np.array([[0.5, 0.2]]), np.random.default_rng(0))


def _inclusion_by_enumeration(cps: ConditionalPoisson) -> np.ndarray:
    incl = np.zeros(cps.p.size)
    free = cps.free
    for s, prob in _enumerate_cps(cps).items():
        incl[free[list(s)]] += prob
    return incl + cps.sure


def test_newton_fit_from_a_start_matches_enumeration_and_the_fixed_point_fit() -> None:
    cps = ConditionalPoisson(P, start=np.zeros(P.size))
    assert cps.error <= 1e-10 and cps.iterations < 20
    assert np.allclose(_inclusion_by_enumeration(cps), P, atol=1e-9)
    assert cps.entropy_bits() == pytest.approx(ConditionalPoisson(P).entropy_bits(), abs=1e-8)


@pytest.mark.parametrize(("n", "k"), [(6, 1), (6, 5), (7, 3), (16, 8), (70, 5)])
def test_a_refit_to_nearby_probabilities_is_exact(n: int, k: int) -> None:
    """Closed forms (one taken, one left out), Newton over every sample (7 choose 3), Newton
    on symmetric sums (16 choose 8) and the fixed point for pools beyond 64 items."""
    rng = np.random.default_rng(n * 10 + k)
    row, lo, hi = np.zeros(n, dtype=np.int64), np.full(n, 0.02), np.full(n, 0.98)
    p = project(rng.uniform(0.05, 0.95, n) * k / (n / 2), row, [k], lo, hi)
    q = project(p + rng.normal(0.0, 0.03, n), row, [k], lo, hi)
    base = ConditionalPoisson(p)
    again = base.refit(q)
    assert again.error <= 1e-10 and np.abs(again._inclusion() - q).max() <= 1e-9
    if k in (1, n - 1):
        assert again.iterations == 0  # the design is unique: its weights are exact at once
    if n <= 8:
        assert np.allclose(_inclusion_by_enumeration(again), q, atol=1e-9)
    assert again.entropy_bits() == pytest.approx(ConditionalPoisson(q).entropy_bits(), abs=1e-7)
    assert maximum_entropy_bits(q) == pytest.approx(again.entropy_bits(), abs=1e-7)


def test_newton_converges_where_the_fixed_point_is_slow() -> None:
    """Probabilities near 1 slow the fixed point (steps of log q - log pi become tiny)."""
    p = np.array([0.0163, 0.0163, 0.0299, 0.0817, 0.1633, 0.1633, 0.5318, 0.9974])
    p[-2] += 2 - p.sum()
    slow = ConditionalPoisson(p, max_iter=100)
    fast = ConditionalPoisson(p, start=np.zeros(p.size))
    assert slow.error > 1e-10 >= fast.error and fast.iterations < 30
    assert np.allclose(_inclusion_by_enumeration(fast), p, atol=1e-9)
    moved = ConditionalPoisson(np.array([1.0, 0.6, 0.4, 0.0])).refit([0.5, 0.5, 0.5, 0.5])
    assert moved.error <= 1e-10 and moved.k == 2 and not moved.sure.any()  # new support
