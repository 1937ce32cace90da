"""Sampling designs that realise given inclusion probabilities exactly under a fixed budget.

- :class:`ConditionalPoisson`: the maximum-entropy design of fixed size (conditional Poisson
  sampling); exact probabilities, exact entropy and min-entropy;
- :func:`systematic`: comb (systematic) sampling, in a random order by default;
- :func:`dependent_round`: dependent rounding of a (pools x sites) matrix of expected units:
  every entry becomes its floor or ceiling with the right mean, every row sum (a whole number)
  holds exactly and every column sum stays within the floor and ceiling of its expectation.

Probabilities are numpy arrays; randomness comes from a ``numpy.random.Generator``.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import defaultdict

import numpy as np
import numpy.typing as npt

__all__ = ["ConditionalPoisson", "dependent_round", "maximum_entropy_bits", "systematic",
           "systematic_entropy", "whole_size"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_LN2 = math.log(2.0)


def whole_size(p: npt.ArrayLike, tol: float = 1e-6) -> int:
    """The sample size of ``p`` (probabilities in [0, 1]); raises ValueError unless whole."""
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim != 1 or not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError("expected a vector of probabilities in [0, 1]")
    size = float(arr.sum())
    if abs(size - round(size)) > tol:
        raise ValueError(f"expected probabilities summing to a whole number, got {size:.9g}")
    return round(size)


def _logsumexp(a: FloatArray, axis: int) -> FloatArray:
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        out: FloatArray = np.log(np.exp(a - top).sum(axis=axis)) + np.squeeze(top, axis=axis)
    return out


class ConditionalPoisson:
    """Conditional Poisson sampling: ``P(s) ∝ prod_{i in s} w_i`` over samples of size k.

    It has the largest entropy of all fixed-size designs with the given inclusion
    probabilities.  The weights are fitted so the inclusion probabilities match ``p`` to
    ``tol``; items with p = 0 or 1 are excluded or always taken.
    """

    def __init__(self, p: npt.ArrayLike, tol: float = 1e-10, max_iter: int = 2000,
                 start: npt.ArrayLike | None = None) -> None:
        arr = np.asarray(p, dtype=np.float64)
        self.size = whole_size(arr)
        self.p = arr
        self.sure = arr >= 1.0 - 1e-12
        self.free = np.flatnonzero((arr > 1e-12) & ~self.sure)
        self.k = self.size - int(self.sure.sum())
        q = arr[self.free]
        if self.k < 0 or self.k > q.size:
            raise ValueError("probabilities inconsistent with their sum")
        self.iterations, err = 0, math.inf
        self.theta = np.log(q) - np.log1p(-q) if q.size else np.zeros(0)
        if start is not None and 0 < self.k < q.size:
            self.theta, self.iterations, err = _newton(q, self.k, _start(q, self.k, start), tol)
        if err > tol:
            for self.iterations in range(1, max_iter + 1):
                pi = self._inclusion()
                err = float(np.max(np.abs(pi - q))) if q.size else 0.0
                if err <= tol:
                    break
                self.theta = self.theta + np.log(q) - np.log(np.maximum(pi, 1e-300))
                self.theta -= self.theta.mean() if self.theta.size else 0.0
        self.error = err
        self._back = self._backward()

    def refit(self, p: npt.ArrayLike) -> ConditionalPoisson:
        """The design for other probabilities with the same sure and impossible items, fitted
        by Newton's method from these weights (exact to the same tolerance, much faster)."""
        arr = np.asarray(p, dtype=np.float64)
        if arr.shape != self.p.shape or not (
                np.array_equal(arr >= 1.0 - 1e-12, self.sure)
                and np.array_equal(np.flatnonzero((arr > 1e-12) & ~self.sure), self.free)):
            return ConditionalPoisson(arr, start=_logit(arr[(arr > 1e-12) & (arr < 1 - 1e-12)]))
        q, old = arr[self.free], self.p[self.free]
        return ConditionalPoisson(arr, start=self.theta + _logit(q) - _logit(old))

    def _backward(self) -> FloatArray:
        """L[i, j] = log e_j(w_i, ..., w_{n-1}), the elementary symmetric sums of the tail."""
        n, k = self.theta.size, self.k
        back = np.full((n + 1, k + 1), -np.inf)
        back[n, 0] = 0.0
        for i in range(n - 1, -1, -1):
            back[i] = back[i + 1]
            back[i, 1:] = np.logaddexp(back[i + 1, 1:], self.theta[i] + back[i + 1, :-1])
        return back

    def _inclusion(self) -> FloatArray:
        n, k = self.theta.size, self.k
        if k == 0 or n == 0:
            return np.zeros(n)
        if k == n:
            return np.ones(n)
        back = self._backward()
        fwd = np.full((n + 1, k + 1), -np.inf)
        fwd[0, 0] = 0.0
        for i in range(n):
            fwd[i + 1] = fwd[i]
            fwd[i + 1, 1:] = np.logaddexp(fwd[i, 1:], self.theta[i] + fwd[i, :-1])
        # e_{k-1}(w without i) = sum_j F[i, j] L[i+1, k-1-j]
        rest = _logsumexp(fwd[:n, :k] + back[1:, k - 1::-1], axis=1)
        out: FloatArray = np.exp(self.theta + rest - back[0, k])
        return out

    def draw(self, rng: np.random.Generator, count: int = 1) -> BoolArray:
        """``count`` independent samples as a (count, n) boolean array."""
        out = np.zeros((count, self.p.size), dtype=bool)
        out[:, self.sure] = True
        left = np.full(count, self.k, dtype=np.int64)
        back = self._back
        for i, item in enumerate(self.free):
            if not left.any():
                break
            rows = np.maximum(left, 1)
            prob = np.exp(self.theta[i] + back[i + 1, rows - 1] - back[i, rows])
            take = (left > 0) & (rng.random(count) < prob)
            out[take, item] = True
            left -= take
        return out

    def entropy_bits(self) -> float:
        """Exact entropy of the design in bits: log e_k(w) - sum_i p_i log w_i."""
        if self.k == 0:
            return 0.0
        q = self.p[self.free]
        return max(0.0, float(self._back[0, self.k] - (q * self.theta).sum()) / _LN2)

    def min_entropy_bits(self) -> float:
        """-log2 of the most likely sample's probability (the k heaviest items)."""
        if self.k == 0:
            return 0.0
        top = np.sort(self.theta)[::-1][: self.k].sum()
        return max(0.0, float(self._back[0, self.k] - top) / _LN2)


def maximum_entropy_bits(p: npt.ArrayLike) -> float:
    """Entropy in bits of the maximum-entropy fixed-size design with probabilities ``p``."""
    arr = np.asarray(p, dtype=np.float64)
    free = (arr > 1e-12) & (arr < 1.0 - 1e-12)
    return ConditionalPoisson(arr, start=_logit(arr[free])).entropy_bits()


def _logit(q: FloatArray) -> FloatArray:
    out: FloatArray = np.log(q) - np.log1p(-q)
    return out


def _start(q: FloatArray, k: int, start: npt.ArrayLike) -> FloatArray:
    """Exact weights when one item is taken or one left out (the design is then unique:
    P(item i alone) = q_i, P(all but i) = 1 - q_i); otherwise ``start``."""
    if k == 1:
        return np.log(q)
    if k == q.size - 1:
        return -np.log1p(-q)
    out: FloatArray = np.asarray(start, dtype=np.float64)
    if out.shape != q.shape or not np.all(np.isfinite(out)):
        raise ValueError(f"expected {q.size} finite starting log-weights")
    return out


@functools.lru_cache(maxsize=256)
def _samples(n: int, k: int) -> FloatArray:
    """Every sample of k of n items, one 0/1 row each."""
    out = np.zeros((math.comb(n, k), n))
    for r, s in enumerate(itertools.combinations(range(n), k)):
        out[r, list(s)] = 1.0
    return out


def _moments(theta: FloatArray, k: int) -> tuple[FloatArray, FloatArray]:
    """Inclusion probabilities and their covariance matrix under weights ``exp(theta)``, k of
    n items: over every sample when there are few, else from the elementary symmetric sums
    without items i and j, for every pair (O(n³k))."""
    n = theta.size
    if math.comb(n, k) <= 2048:
        samples = _samples(n, k)
        prob = np.exp(samples @ theta - (samples @ theta).max())
        prob /= prob.sum()
        incl = prob @ samples
        second: FloatArray = (samples.T * prob) @ samples - np.outer(incl, incl)
        return incl, second
    w = np.exp(theta - theta.max())
    item = np.arange(n)
    keep = ((item[None, None, :] != item[:, None, None])
            & (item[None, None, :] != item[None, :, None]))
    sums = np.zeros((n, n, k + 1))
    sums[..., 0] = 1.0
    for j in range(n):
        sums[..., 1:] += (w[j] * keep[:, :, j])[..., None] * sums[..., :-1]
    alone = sums[item, item]  # e_m(w without i)
    total = alone[0, k] + w[0] * alone[0, k - 1]
    pi = w * alone[:, k - 1] / total
    cov = (np.outer(w, w) * sums[:, :, k - 2] / total if k >= 2 else np.zeros((n, n)))
    cov -= np.outer(pi, pi)
    cov[item, item] = pi * (1.0 - pi)
    return pi, cov


def _newton(q: FloatArray, k: int, theta: FloatArray, tol: float,
            max_iter: int = 60) -> tuple[FloatArray, int, float]:
    """Fit the weights by Newton's method on the (concave) log-likelihood, halving a step
    that does not reduce the largest error; (log-weights, iterations, largest error)."""
    if k in (1, q.size - 1):  # the closed forms of _start: check them without the moments
        v = np.exp(theta - theta.max()) if k == 1 else np.exp(theta.min() - theta)
        closed = v / v.sum() if k == 1 else 1.0 - v / v.sum()
        if float(np.max(np.abs(closed - q))) <= tol:
            return theta, 0, float(np.max(np.abs(closed - q)))
    if q.size > 64:  # O(n³k) moments: leave big pools to the fixed-point iteration
        return theta, 0, math.inf
    pi, cov = _moments(theta, k)
    err = float(np.max(np.abs(pi - q)))
    gauge = np.full((q.size, q.size), 1.0 / q.size)
    it = 0
    while err > tol and it < max_iter:
        it += 1
        try:
            step = np.linalg.solve(cov + gauge, q - pi)
        except np.linalg.LinAlgError:
            break
        for _ in range(30):
            cand = theta + step
            cpi, ccov = _moments(cand, k)
            cerr = float(np.max(np.abs(cpi - q)))
            if cerr < err:
                break
            step = step / 2
        else:
            return theta, it, err
        theta, pi, cov, err = cand - cand.mean(), cpi, ccov, cerr
    return theta, it, err


def systematic(p: npt.ArrayLike, rng: np.random.Generator, count: int = 1,
               shuffle: bool = True) -> BoolArray:
    """Comb sampling: one random start, points 1 apart along the cumulated probabilities.

    With ``shuffle`` the items are put in a fresh random order for every sample.
    """
    arr = np.asarray(p, dtype=np.float64)
    whole_size(arr)
    n = arr.size
    out = np.zeros((count, n), dtype=bool)
    for c in range(count):
        order = rng.permutation(n) if shuffle else np.arange(n)
        edges = np.concatenate(([0.0], np.cumsum(arr[order])))
        start = rng.random()
        # item i is taken when some start + m lies in [edges[i], edges[i+1])
        hit = np.floor(edges[1:] - start) - np.floor(edges[:-1] - start) > 0
        out[c, order[hit]] = True
    return out


def systematic_entropy(p: npt.ArrayLike) -> float:
    """Exact entropy in bits of comb sampling in the given (fixed) order."""
    arr = np.asarray(p, dtype=np.float64)
    whole_size(arr)
    cuts = np.concatenate(([0.0, 1.0], np.mod(np.cumsum(arr), 1.0)))
    lengths = np.diff(np.unique(np.round(cuts, 12)))
    lengths = lengths[lengths > 1e-12]
    return float(-(lengths * np.log2(lengths)).sum())


def dependent_round(x: npt.ArrayLike, rng: np.random.Generator) -> IntArray:
    """Round a (rows x columns) matrix of expected units to whole units, keeping every mean.

    Row sums must be whole numbers and are kept exactly; column sums end at the floor or
    ceiling of their expectation (Gandhi et al.'s bipartite dependent rounding: move mass
    around random cycles and maximal paths of fractional entries).
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("expected a 2-d array of non-negative expected units")
    for r, total in enumerate(arr.sum(axis=1)):
        if abs(total - round(total)) > 1e-6:
            raise ValueError(f"row {r}: expected a whole-number sum, got {total:.9g}")
    whole = np.floor(arr + 1e-9)
    frac = np.where(arr - whole > 1e-9, arr - whole, 0.0)
    for r in range(arr.shape[0]):  # make each row's fractional mass whole again
        mass = frac[r].sum()
        frac[r] = frac[r] * (round(mass) / mass) if mass > 0 else 0.0
    frac = np.clip(frac, 0.0, 1.0)
    n_rows = arr.shape[0]
    adj: dict[int, set[int]] = defaultdict(set)  # vertices: rows 0.., columns n_rows + j
    for r, c in zip(*np.nonzero(frac), strict=True):
        adj[int(r)].add(n_rows + int(c))
        adj[n_rows + int(c)].add(int(r))

    def value(a: int, b: int) -> float:
        r, c = (a, b - n_rows) if a < n_rows else (b, a - n_rows)
        return float(frac[r, c])

    def shift(a: int, b: int, by: float) -> None:
        r, c = (a, b - n_rows) if a < n_rows else (b, a - n_rows)
        v = frac[r, c] + by
        if v <= 1e-9 or v >= 1 - 1e-9:
            whole[r, c] += 1.0 if v >= 1 - 1e-9 else 0.0
            frac[r, c] = 0.0
            adj[a].discard(b)
            adj[b].discard(a)
        else:
            frac[r, c] = v

    while True:
        live = [v for v, nb in adj.items() if nb]
        if not live:
            break
        for v in [v for v, nb in adj.items() if not nb]:
            del adj[v]
        ends = [v for v in live if len(adj[v]) == 1]
        walk = _walk(ends[rng.integers(len(ends))] if ends else live[rng.integers(len(live))],
                     adj, rng)
        plus, minus = walk[0::2], walk[1::2]
        up = min([1 - value(*e) for e in plus] + [value(*e) for e in minus])
        down = min([value(*e) for e in plus] + [1 - value(*e) for e in minus])
        sign = 1.0 if rng.random() < down / (up + down) else -1.0
        step = up if sign > 0 else down
        for e in plus:
            shift(*e, sign * step)
        for e in minus:
            shift(*e, -sign * step)
    return whole.astype(np.int64)


def _walk(start: int, adj: dict[int, set[int]],
          rng: np.random.Generator) -> list[tuple[int, int]]:
    """A cycle, or a path between two vertices of degree one, of fractional edges."""
    path = [start]
    seen = {start: 0}
    prev = -1
    while True:
        here = path[-1]
        options = sorted(adj[here] - {prev}) if len(adj[here]) > 1 or prev < 0 else []
        if not options:
            return list(itertools.pairwise(path))
        nxt = options[rng.integers(len(options))]
        if nxt in seen:
            cyc = [*path[seen[nxt]:], nxt]
            return list(itertools.pairwise(cyc))
        seen[nxt] = len(path)
        path.append(nxt)
        prev = here
