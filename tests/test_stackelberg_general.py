"""Tests for the general (resource types, capabilities, armed cap) Stackelberg solver."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.linear_solver import pywraplp

from solver.stackelberg import GameError, Target, optimal_coverage
from solver.stackelberg_general import (
    GeneralCoverageResult,
    ResourceType,
    optimal_coverage_general,
)


def random_targets(rng: np.random.Generator, n: int) -> list[Target]:
    return [
        Target(float(rng.uniform(0, 10)), float(-rng.uniform(0, 10)),
               float(-rng.uniform(0, 10)), float(rng.uniform(0, 10)))
        for _ in range(n)
    ]


def general_reference(
    targets: Sequence[Target],
    types: Sequence[ResourceType],
    cap: Fraction | None = None,
    eff: Mapping[tuple[str, int], float] | None = None,
    *,
    relaxed: bool = False,
) -> float:
    """Unpruned multiple LPs, built from scratch for every attacked target.

    Coverage is physical, ``c_i = min(1, D_i)`` with ``D_i`` the effective deployment:
    relaxed to ``c_i <= D_i`` off the attacked target (harmless: more coverage there
    only deters), exact at the attacked ``t`` via two variants, ``c_t = D_t`` or
    ``c_t = 1``.  ``relaxed`` drops that (``c_i <= min(1, D_i)`` everywhere).
    """
    eff = eff or {}
    best = -np.inf
    n = len(targets)
    for t, full in itertools.product(range(n), (False, True)):
        solver = pywraplp.Solver.CreateSolver("GLOP")
        assert solver is not None
        x = {(rt.name, i): solver.NumVar(0, rt.count, "") for rt in types for i in rt.can_cover}
        for rt in types:
            solver.Add(solver.Sum([x[rt.name, i] for i in rt.can_cover]) <= rt.count)
        cov = []
        for i in range(n):
            c = solver.NumVar(0, 1, "")
            dep = solver.Sum([eff.get(k, 1.0) * v for k, v in x.items() if k[1] == i])
            solver.Add(c <= dep)
            if i == t and not relaxed:
                solver.Add(c == 1.0 if full else c >= dep)
            cov.append(c)
        if cap is not None:
            weights = {rt.name: rt for rt in types}
            armed = solver.Sum([weights[k[0]].weight_armed * v for k, v in x.items()])
            unarmed = solver.Sum([weights[k[0]].weight_unarmed * v for k, v in x.items()])
            solver.Add(armed * float(cap.denominator - cap.numerator)
                       <= unarmed * float(cap.numerator))

        def ua(i: int, cov: list[pywraplp.Variable] = cov) -> object:
            tg = targets[i]
            return tg.attacker_uncovered + (tg.attacker_covered - tg.attacker_uncovered) * cov[i]

        for i in range(n):
            if i != t:
                solver.Add(ua(t) >= ua(i))  # type: ignore[operator]
        tg = targets[t]
        solver.Maximize(tg.defender_uncovered
                        + (tg.defender_covered - tg.defender_uncovered) * cov[t])
        if solver.Solve() == pywraplp.Solver.OPTIMAL:
            best = max(best, solver.Objective().Value())
    return float(best)


def check_result(targets: Sequence[Target], types: Sequence[ResourceType],
                 res: GeneralCoverageResult,
                 eff: Mapping[tuple[str, int], float] | None = None) -> None:
    eff = eff or {}
    cov = np.array(res.coverage)
    assert np.all((cov >= 0) & (cov <= 1))
    deployed = np.zeros(len(targets))
    for rt in types:
        used = sum(v for (name, _), v in res.allocation.items() if name == rt.name)
        assert used <= rt.count + 1e-7
    for (name, t), v in res.allocation.items():
        rt = next(r for r in types if r.name == name)
        assert t in rt.can_cover and v > 0
        deployed[t] += eff.get((name, t), 1.0) * v
    assert np.all(cov <= np.minimum(1.0, deployed) + 1e-7)
    t = res.attacked_target
    assert cov[t] == pytest.approx(min(1.0, deployed[t]), abs=1e-7)  # nothing held back
    ua = np.array([tg.attacker_uncovered + (tg.attacker_covered - tg.attacker_uncovered) * c
                   for tg, c in zip(targets, cov, strict=True)])
    assert ua.max() == pytest.approx(res.attacker_value, abs=1e-6)
    assert ua[t] == pytest.approx(res.attacker_value, abs=1e-6)
    assert t in res.attack_set
    tg = targets[t]
    ud = tg.defender_uncovered + (tg.defender_covered - tg.defender_uncovered) * cov[t]
    assert ud == pytest.approx(res.defender_value, abs=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_single_type_equals_exact_basic_solver(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 25))
    resources = float(rng.uniform(0, n + 1))
    targets = random_targets(rng, n)
    exact = optimal_coverage(targets, resources)
    res = optimal_coverage_general(targets, [ResourceType("any", resources, frozenset(range(n)))])
    check_result(targets, [ResourceType("any", resources, frozenset(range(n)))], res)
    assert res.defender_value == pytest.approx(exact.defender_value, abs=1e-6)
    assert res.attacker_value == pytest.approx(exact.attacker_value, abs=1e-6)
    assert res.attacked_target == exact.attacked_target
    assert res.attack_set == exact.attack_set
    assert np.allclose(res.coverage, exact.coverage, atol=1e-6)
    assert res.backend == "multi-lp/GLOP"


_pay = st.integers(-6, 6).map(float)


@st.composite
def int_games(draw: st.DrawFn) -> tuple[list[Target], float]:
    n = draw(st.integers(1, 6))
    targets = []
    for _ in range(n):
        du, dc = sorted((draw(_pay), draw(_pay)))
        ac, au = sorted((draw(_pay), draw(_pay)))
        targets.append(Target(dc, du, ac, au))
    return targets, float(draw(st.integers(0, n)))


@settings(max_examples=40, deadline=None)
@given(int_games())
def test_single_type_value_equals_basic_on_degenerate_games(
    game: tuple[list[Target], float],
) -> None:
    targets, resources = game
    n = len(targets)
    res = optimal_coverage_general(targets, [ResourceType("u", resources, frozenset(range(n)))])
    exact = optimal_coverage(targets, resources)
    assert res.defender_value == pytest.approx(exact.defender_value, abs=1e-6)
    assert res.attacker_value == pytest.approx(exact.attacker_value, abs=1e-6)


def _mixed_instance(seed: int) -> tuple[list[Target], list[ResourceType],
                                        dict[tuple[str, int], float]]:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(3, 9))
    targets = random_targets(rng, n)
    types = [
        ResourceType("foot", float(rng.uniform(0.5, 3)),
                     frozenset(int(i) for i in range(n) if rng.random() < 0.7),
                     weight_unarmed=2.0),
        ResourceType("arv", float(rng.uniform(0.5, 2)),
                     frozenset(int(i) for i in range(n) if rng.random() < 0.6),
                     weight_armed=3.0),
        ResourceType("boat", 1.0, frozenset({n - 1}), weight_unarmed=4.0),
    ]
    eff = {("foot", i): 0.6 for i in types[0].can_cover}
    return targets, types, eff


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("cap", [None, Fraction(1, 3)])
def test_general_matches_unpruned_reference(seed: int, cap: Fraction | None) -> None:
    targets, types, eff = _mixed_instance(seed)
    res = optimal_coverage_general(targets, types, armed_cap=cap, effectiveness=eff)
    check_result(targets, types, res, eff)
    ref = general_reference(targets, types, cap, eff)
    assert res.defender_value == pytest.approx(ref, abs=1e-6)
    milp = optimal_coverage_general(targets, types, armed_cap=cap, effectiveness=eff,
                                    backend="milp")
    assert milp.backend == "milp/SCIP"
    assert milp.defender_value == pytest.approx(ref, abs=1e-6)


def test_attacked_target_coverage_is_physical() -> None:
    # Here the cap forces unarmed units out, and the boat can only go to target 3.
    # The plain relaxation c_t <= min(1, D_t) would "hold back" boat coverage at the
    # attacked target and claim a better value than any physical deployment gives.
    targets, types, eff = _mixed_instance(154)
    cap = Fraction(1, 3)
    res = optimal_coverage_general(targets, types, armed_cap=cap, effectiveness=eff)
    check_result(targets, types, res, eff)
    physical = general_reference(targets, types, cap, eff)
    assert res.defender_value == pytest.approx(physical, abs=1e-6)
    assert general_reference(targets, types, cap, eff, relaxed=True) > physical + 0.5


def test_capability_restriction_is_respected() -> None:
    targets = [Target(1, -5, -1, 5), Target(1, -5, -1, 5), Target(1, -9, -1, 9)]
    types = [ResourceType("foot", 2.0, frozenset({0, 1}))]
    res = optimal_coverage_general(targets, types)
    assert res.coverage[2] == 0.0
    assert all(t in (0, 1) for _, t in res.allocation)
    assert res.attacked_target == 2
    assert res.attacker_value == pytest.approx(9.0)
    assert res.defender_value == pytest.approx(-9.0)


def test_armed_cap_is_respected_and_binds() -> None:
    # Armed units are far more effective; the cap forces unarmed presence.
    targets = [Target(0, -10, -5, 10), Target(0, -10, -5, 10)]
    types = [
        ResourceType("arv", 2.0, frozenset({0, 1}), weight_armed=2.0),
        ResourceType("foot", 2.0, frozenset({0, 1}), weight_unarmed=2.0),
    ]
    eff = {("foot", 0): 0.25, ("foot", 1): 0.25}
    free = optimal_coverage_general(targets, types, effectiveness=eff)
    capped = optimal_coverage_general(targets, types, effectiveness=eff,
                                      armed_cap=Fraction(1, 4))
    check_result(targets, types, capped, eff)
    armed = sum(v * 2.0 for (name, _), v in capped.allocation.items() if name == "arv")
    unarmed = sum(v * 2.0 for (name, _), v in capped.allocation.items() if name == "foot")
    assert armed / (armed + unarmed) == pytest.approx(0.25, abs=1e-7)  # binding
    assert capped.defender_value < free.defender_value - 0.1
    assert free.coverage == pytest.approx((1.0, 1.0))
    # Cap 1/4: arv a, foot f with 3a <= f, f <= 2: a = 2/3; coverage per target
    # (2/3 + 0.25 * 2) / 2 = 7/12, defender value -10 + 10 * 7/12.
    assert capped.coverage == pytest.approx((7 / 12, 7 / 12), abs=1e-7)
    assert capped.defender_value == pytest.approx(-10 + 70 / 12, abs=1e-7)
    zero = optimal_coverage_general(targets, types, effectiveness=eff, armed_cap=Fraction(0))
    assert all(name == "foot" for name, _ in zero.allocation)


@pytest.mark.parametrize("solver_id", ["CBC", "HIGHS"])
def test_other_milp_solvers(solver_id: str, capfd: pytest.CaptureFixture[str]) -> None:
    targets, types, eff = _mixed_instance(3)
    ref = optimal_coverage_general(targets, types, effectiveness=eff)
    res = optimal_coverage_general(targets, types, effectiveness=eff,
                                   backend=f"milp:{solver_id}")
    assert res.backend == f"milp/{solver_id}"
    assert res.defender_value == pytest.approx(ref.defender_value, abs=1e-6)
    assert capfd.readouterr().out == ""  # no solver banner on stdout (CLI prints JSON)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"resource_types": [ResourceType("a", 1, frozenset({5}))]},
         "resource type 0 'a': field 'can_cover' has 5"),
        ({"resource_types": [ResourceType("a", -1, frozenset({0}))]},
         "resource type 0 'a': field 'count'"),
        ({"resource_types": [ResourceType("a", 1, frozenset()), ResourceType("a", 1, frozenset())]},
         "resource type 1: field 'name'"),
        ({"effectiveness": {("b", 0): 0.5}}, "effectiveness: key ('b', 0)"),
        ({"effectiveness": {("a", 1): 0.5}}, "effectiveness: key ('a', 1)"),
        ({"effectiveness": {("a", 0): 1.5}}, "effectiveness ('a', 0)"),
        ({"armed_cap": Fraction(3, 2)}, "armed_cap"),
        ({"backend": "magic"}, "backend"),
        ({"backend": "milp:NOPE"}, "backend: OR-Tools solver 'NOPE'"),
    ],
)
def test_validation(kwargs: dict[str, object], needle: str) -> None:
    args: dict[str, object] = {"resource_types": [ResourceType("a", 1, frozenset({0}))]}
    args.update(kwargs)
    with pytest.raises(GameError) as err:
        optimal_coverage_general([Target(1, 0, 0, 1), Target(1, 0, 0, 1)], **args)  # type: ignore[arg-type]
    assert needle in str(err.value)


def test_bad_target_reported_by_index() -> None:
    with pytest.raises(GameError, match="target 1: field 'attacker_covered'"):
        optimal_coverage_general([Target(1, 0, 0, 1), Target(1, 0, 3, 1)], [])
