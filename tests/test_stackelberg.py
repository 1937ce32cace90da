"""Tests for the exact basic Stackelberg security-game solver.

References implemented here (independently of the solver):
* ``lp_reference`` - Conitzer & Sandholm's multiple LPs over coverage marginals (GLOP);
* ``subset_reference`` - the same over mixed strategies on pure strategies (subsets of
  exactly R targets), for integer R, which checks the marginals are implementable.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.linear_solver import pywraplp

from solver.posture_cli import main as posture_main
from solver.posture_cli import register, run_posture
from solver.stackelberg import (
    FIELDS,
    CoverageResult,
    GameError,
    Target,
    optimal_coverage,
    optimal_coverage_arrays,
)

# ---------------------------------------------------------------- references


def _glop() -> pywraplp.Solver:
    solver = pywraplp.Solver.CreateSolver("GLOP")
    assert solver is not None
    return solver


def _multiple_lps(
    targets: list[Target], build: object
) -> list[float | None]:
    """Run one LP per attacked target; ``build(solver)`` returns the coverage exprs."""
    values: list[float | None] = []
    for t, tgt in enumerate(targets):
        solver = _glop()
        cov = build(solver)  # type: ignore[operator]
        ua_t = tgt.attacker_uncovered + (tgt.attacker_covered - tgt.attacker_uncovered) * cov[t]
        for i, other in enumerate(targets):
            if i != t:
                solver.Add(
                    ua_t >= other.attacker_uncovered
                    + (other.attacker_covered - other.attacker_uncovered) * cov[i]
                )
        solver.Maximize(
            tgt.defender_uncovered + (tgt.defender_covered - tgt.defender_uncovered) * cov[t]
        )
        status = solver.Solve()
        assert status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.INFEASIBLE)
        values.append(solver.Objective().Value() if status == pywraplp.Solver.OPTIMAL else None)
    return values


def lp_reference(targets: list[Target], resources: float) -> float:
    """SSE defender value by multiple LPs over the marginal coverage space."""

    def build(solver: pywraplp.Solver) -> list[pywraplp.Variable]:
        cov = [solver.NumVar(0.0, 1.0, f"c{i}") for i in range(len(targets))]
        solver.Add(solver.Sum(cov) <= resources)
        return cov

    values = [v for v in _multiple_lps(targets, build) if v is not None]
    return max(values)


def subset_reference(targets: list[Target], resources: int, *, exact: bool = False) -> float:
    """SSE defender value over distributions on pure strategies.

    Pure strategies are the subsets of at most ``resources`` targets (idle resources
    allowed), or with ``exact`` the subsets of exactly ``min(resources, n)`` targets.
    """
    n = len(targets)
    sizes = [min(resources, n)] if exact else range(min(resources, n) + 1)
    subsets = [s for k in sizes for s in itertools.combinations(range(n), k)]

    def build(solver: pywraplp.Solver) -> list[object]:
        prob = [solver.NumVar(0.0, 1.0, f"p{k}") for k in range(len(subsets))]
        solver.Add(solver.Sum(prob) == 1.0)
        return [
            solver.Sum([p for p, s in zip(prob, subsets, strict=True) if i in s])
            for i in range(n)
        ]

    values = [v for v in _multiple_lps(targets, build) if v is not None]
    return max(values)


# ---------------------------------------------------------------- strategies


def _pair(values: st.SearchStrategy[float]) -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(values, values).map(lambda p: (min(p), max(p)))


_ints = st.integers(-10, 10).map(float)
# Payoffs with 3 decimals: GLOP (the reference) is unreliable on coefficients like 1e-98.
_floats = st.floats(-100.0, 100.0).map(lambda x: round(x, 3))
_wild = st.one_of(st.floats(-1e300, 1e300), st.floats(-1e-300, 1e-300), _ints)


@st.composite
def games(draw: st.DrawFn, values: st.SearchStrategy[float] | None = None,
          max_n: int = 7) -> tuple[list[Target], float]:
    family = draw(st.sampled_from([_ints, _floats])) if values is None else values
    n = draw(st.integers(1, max_n))
    targets = []
    for _ in range(n):
        du, dc = draw(_pair(family))
        ac, au = draw(_pair(family))
        targets.append(Target(dc, du, ac, au))
    resources = draw(st.one_of(st.integers(0, n + 1).map(float),
                               st.floats(0.0, n + 1.0, allow_nan=False)))
    return targets, resources


def _scale(targets: list[Target]) -> float:
    return max(1.0, *(abs(v) for t in targets for v in
                      (t.defender_covered, t.defender_uncovered,
                       t.attacker_covered, t.attacker_uncovered)))


def check_equilibrium(targets: list[Target], resources: float, res: CoverageResult) -> None:
    """Structural SSE properties of ``res`` (independent of any reference)."""
    scale = _scale(targets)
    cov = res.coverage
    assert len(cov) == len(targets)
    assert all(0.0 <= c <= 1.0 for c in cov)
    assert sum(cov) <= resources + 1e-9
    ua = [t.attacker_uncovered + (t.attacker_covered - t.attacker_uncovered) * c
          for t, c in zip(targets, cov, strict=True)]
    ud = [t.defender_uncovered + (t.defender_covered - t.defender_uncovered) * c
          for t, c in zip(targets, cov, strict=True)]
    v = res.attacker_value
    tol = 1e-7 * max(1.0, abs(v))
    assert list(res.attack_set) == sorted(set(res.attack_set))
    assert res.attacked_target in res.attack_set
    for i in range(len(targets)):
        if i in res.attack_set:
            assert ua[i] == pytest.approx(v, rel=1e-7, abs=1e-7 * scale)
        else:
            assert ua[i] < v or (ua[i] <= v + tol and cov[i] == 0.0)
    assert res.defender_value == pytest.approx(ud[res.attacked_target], abs=1e-9 * scale)
    # Tie-breaking in the defender's favour within the attack set.
    assert all(ud[i] <= res.defender_value + 1e-9 * scale for i in res.attack_set)


# ---------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(games())
def test_matches_multiple_lps(game: tuple[list[Target], float]) -> None:
    targets, resources = game
    res = optimal_coverage(targets, resources)
    check_equilibrium(targets, resources, res)
    ref = lp_reference(targets, resources)
    assert res.defender_value == pytest.approx(ref, abs=1e-6 * _scale(targets))


@pytest.mark.filterwarnings("error")
@settings(max_examples=150, deadline=None)
@given(games(values=_wild, max_n=12))
def test_extreme_magnitudes_still_an_equilibrium(game: tuple[list[Target], float]) -> None:
    targets, resources = game
    check_equilibrium(targets, resources, optimal_coverage(targets, resources))


@settings(max_examples=60, deadline=None)
@given(games(values=_ints, max_n=5), st.integers(0, 5))
def test_marginals_are_implementable(game: tuple[list[Target], float], r: int) -> None:
    targets, _ = game
    r = min(r, len(targets))
    marginal = lp_reference(targets, float(r))
    pure = subset_reference(targets, r)
    assert marginal == pytest.approx(pure, abs=1e-6)
    if r < len(targets):  # unused resources can always be parked off the attacked target
        assert subset_reference(targets, r, exact=True) == pytest.approx(pure, abs=1e-6)
    assert optimal_coverage(targets, r).defender_value == pytest.approx(pure, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(games(values=_floats))
def test_arrays_entry_point_agrees(game: tuple[list[Target], float]) -> None:
    targets, resources = game
    dc, du, ac, au = (np.array([getattr(t, f) for t in targets]) for f in FIELDS)
    assert optimal_coverage_arrays(dc, du, ac, au, resources) == optimal_coverage(
        targets, resources)


# ---------------------------------------------------------------- worked cases


def test_hand_computed_two_targets() -> None:
    # N(v) = (1 - v)/2 + (2 - v)/4 = 1  =>  v = 0, c = (1/2, 1/2).
    targets = [Target(1, -1, -1, 1), Target(1, -3, -2, 2)]
    res = optimal_coverage(targets, 1)
    assert res.coverage == pytest.approx((0.5, 0.5), abs=1e-15)
    assert res.attacker_value == pytest.approx(0.0, abs=1e-15)
    assert res.attack_set == (0, 1)
    assert res.attacked_target == 0
    assert res.defender_value == pytest.approx(0.0, abs=1e-15)


def test_defender_choice_beats_lowest_attacker_value_pick() -> None:
    # Both in the attack set; the defender prefers being attacked at target 1.
    targets = [Target(0, -10, 0, 10), Target(5, 4, 0, 10)]
    res = optimal_coverage(targets, 1)
    assert res.attacker_value == pytest.approx(5.0)
    assert res.attacked_target == 1
    assert res.defender_value == pytest.approx(4.5)


def test_no_resources_attack_highest_payoff_with_tie_break() -> None:
    targets = [Target(0, -5, 0, 3), Target(0, -9, 0, 7), Target(0, -2, 0, 7)]
    res = optimal_coverage(targets, 0)
    assert res.coverage == (0.0, 0.0, 0.0)
    assert res.attack_set == (1, 2)
    assert res.attacked_target == 2
    assert res.defender_value == -2.0
    assert res.attacker_value == 7.0


def test_ties_go_to_lowest_index() -> None:
    targets = [Target(1, -1, 0, 4)] * 3
    res = optimal_coverage(targets, 1.5)
    assert res.attacked_target == 0
    assert res.coverage == pytest.approx((0.5, 0.5, 0.5))


def test_forced_full_coverage_can_hurt_the_defender() -> None:
    # With R = n and every resource forced out, both targets are fully covered and the
    # attacker goes for target 0 (0 > -1).  Leaving resources idle is better: c = (0, 1/2).
    targets = [Target(0, 0, 0, 0), Target(1, 0, -1, 1)]
    assert subset_reference(targets, 2, exact=True) == pytest.approx(0.0, abs=1e-9)
    res = optimal_coverage(targets, 2)
    assert res.coverage == (0.0, 0.5)
    assert (res.attacked_target, res.defender_value) == (1, 0.5)
    assert subset_reference(targets, 2) == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize("resources", [2, 3, 100])
def test_enough_resources_for_everything(resources: int) -> None:
    targets = [Target(5, -10, 0, 10), Target(5, -10, -5, 10)]
    res = optimal_coverage(targets, resources)
    assert res.attacker_value == 0.0  # max attacker_covered: cannot go lower
    assert res.coverage == pytest.approx((1.0, 2 / 3))
    assert res.attack_set == (0, 1)
    assert (res.attacked_target, res.defender_value) == (0, 5.0)


def test_coverage_insensitive_target_takes_the_spare() -> None:
    # Target 0's attacker payoff does not depend on coverage; the defender
    # puts the unused resources there and is attacked there.
    targets = [Target(10, 0, 3, 3), Target(1, 0, 0, 5)]
    res = optimal_coverage(targets, 1.5)
    assert res.attacker_value == 3.0
    assert res.attack_set == (0, 1)
    assert res.attacked_target == 0
    assert res.coverage == pytest.approx((1.0, 0.4))
    assert res.defender_value == pytest.approx(10.0)
    assert res.defender_value == pytest.approx(lp_reference(targets, 1.5), abs=1e-7)


def test_defender_indifferent_target() -> None:
    targets = [Target(-1, -1, 0, 10), Target(2, -8, 0, 10)]
    res = optimal_coverage(targets, 1)
    check_equilibrium(targets, 1, res)
    assert res.defender_value == pytest.approx(lp_reference(targets, 1), abs=1e-7)
    assert res.defender_value == pytest.approx(-1.0)


def test_large_random_game_against_general_lp_solver() -> None:
    from solver.stackelberg_general import ResourceType, optimal_coverage_general

    rng = np.random.default_rng(7)
    n = 400
    pay = np.column_stack([rng.uniform(0, 10, n), -rng.uniform(0, 10, n),
                           -rng.uniform(0, 10, n), rng.uniform(0, 10, n)])
    targets = [Target(*row) for row in pay.tolist()]
    res = optimal_coverage(targets, 37.5)
    check_equilibrium(targets, 37.5, res)
    ref = optimal_coverage_general(targets, [ResourceType("u", 37.5, frozenset(range(n)))])
    assert res.defender_value == pytest.approx(ref.defender_value, abs=1e-6)
    assert res.attacker_value == pytest.approx(ref.attacker_value, abs=1e-6)
    assert np.allclose(res.coverage, ref.coverage, atol=1e-6)


def test_scales_without_python_loops() -> None:
    rng = np.random.default_rng(3)
    n = 300_000
    args = (rng.uniform(0, 10, n), -rng.uniform(0, 10, n), -rng.uniform(0, 10, n),
            rng.uniform(0, 10, n))
    start = time.perf_counter()
    res = optimal_coverage_arrays(*args, 3000)
    assert time.perf_counter() - start < 2.0
    assert sum(res.coverage) == pytest.approx(3000, rel=1e-12)
    assert math.isfinite(res.defender_value)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        (Target(math.nan, 0, 0, 1), "target 1: field 'defender_covered' is nan"),
        (Target(1, -math.inf, 0, 1), "target 1: field 'defender_uncovered'"),
        (Target(1, 0, 0, math.inf), "target 1: field 'attacker_uncovered'"),
        (Target(-1, 0, 0, 1), "target 1: field 'defender_covered' is -1.0; expected >= "),
        (Target(1, 0, 2, 1), "target 1: field 'attacker_covered' is 2.0; expected <= "),
        (Target(1, 0, "0", 1),  # type: ignore[arg-type]
         "target 1: field 'attacker_covered' is '0'; expected a real"),
        (Target(1, True, 0, 1), "target 1: field 'defender_uncovered' is True"),
        (Target(10**400, 0, 0, 1), "target 1: field 'defender_covered'"),
    ],
)
def test_bad_payoffs_name_target_and_field(bad: Target, needle: str) -> None:
    with pytest.raises(GameError) as err:
        optimal_coverage([Target(1, 0, 0, 1), bad], 1)
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("resources", [-1, -0.5, math.nan, math.inf, True, "2", None])
def test_bad_resources(resources: object) -> None:
    with pytest.raises(GameError, match=r"^resources: expected a finite number >= 0"):
        optimal_coverage([Target(1, 0, 0, 1)], resources)  # type: ignore[arg-type]


def test_empty_and_non_target() -> None:
    with pytest.raises(GameError, match="at least one target"):
        optimal_coverage([], 1)
    with pytest.raises(GameError, match="target 0: expected a Target"):
        optimal_coverage([(1, 0, 0, 1)], 1)  # type: ignore[list-item]
    assert issubclass(GameError, ValueError)


def test_equal_payoffs_are_allowed() -> None:
    res = optimal_coverage([Target(0, 0, 0, 0), Target(2, 2, 1, 1)], 1)
    check_equilibrium([Target(0, 0, 0, 0), Target(2, 2, 1, 1)], 1, res)
    assert res.attack_set == (1,)
    assert res.defender_value == 2.0


# ---------------------------------------------------------------- posture CLI


def _cli(tmp_path: Path, text: str | bytes) -> argparse.Namespace:
    game = tmp_path / "game.json"
    if isinstance(text, bytes):
        game.write_bytes(text)
    else:
        game.write_text(text)
    parser = argparse.ArgumentParser(prog="hercules")
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["posture", str(game)])


def test_cli_prints_one_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    game = {"resources": 1, "targets": [
        {"defender_covered": 1, "defender_uncovered": -1, "attacker_covered": -1,
         "attacker_uncovered": 1, "name": "ignored"},
        {"defender_covered": 1, "defender_uncovered": -3, "attacker_covered": -2,
         "attacker_uncovered": 2.0}]}
    args = _cli(tmp_path, json.dumps(game, indent=2))
    assert args.func is run_posture
    assert args.func(args) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.count("\n") == 1
    assert json.loads(out) == {"coverage": [0.5, 0.5], "defender_value": 0.0,
                               "attacker_value": 0.0, "attack_set": [0, 1],
                               "attacked_target": 0}


_T = '{"defender_covered": 5, "defender_uncovered": -10, "attacker_covered": 0, '


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"resources": 2,\n "targets": [\n}', "invalid JSON at line 3, column 1"),
        ('{"resources": 2, "targets": [' + _T + '"attacker_uncovered": NaN}]}',
         "invalid JSON at line 1: NaN is not allowed"),
        ('{"resources": 2,\n"targets": [' + _T + '"attacker_uncovered": -Infinity}]}',
         "line 2: -Infinity is not allowed"),
        ('{"resources": 2, "targets": [' + _T + '"attacker_uncovered": 1e999}]}',
         "target 0: field 'attacker_uncovered' must be a finite number"),
        ('{"resources": 2, "targets": [' + _T + '"attacker_uncovered": "10"}]}',
         "target 0: field 'attacker_uncovered' must be a number, got a string"),
        ('{"resources": 2, "targets": [' + _T + '"attacker_uncovered": 1}, {}]}',
         "target 1: missing field 'defender_covered'"),
        ('{"resources": 2, "targets": [' + _T + '"attacker_uncovered": -1}]}',
         "target 0: field 'attacker_covered' is 0.0; expected <="),
        ('{"resources": true, "targets": []}', "field 'resources' must be a number, got a b"),
        ('{"resources": -1, "targets": [' + _T + '"attacker_uncovered": 1}]}',
         "resources: expected a finite number >= 0"),
        ('{"resources": 1, "targets": []}', "expected at least one target"),
        ('{"resources": 1, "targets": {}}', "field 'targets' must be a list, got an object"),
        ('{"resources": 1, "targets": [3]}', "target 0: expected an object, got int"),
        ('{"targets": []}', "missing field 'resources'"),
        ("[1, 2]", "expected a JSON object at top level, got a list"),
        (b"\xff\xfe{", "not UTF-8 text"),
    ],
)
def test_cli_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               text: str | bytes, needle: str) -> None:
    args = _cli(tmp_path, text)
    assert run_posture(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"error: {args.game}: ") and err.count("\n") == 1
    assert needle in err


def test_cli_missing_file_and_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert posture_main(["posture", str(missing)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {missing}: cannot read file")
    with pytest.raises(SystemExit):
        posture_main(["posture", "--help"])
    assert "attacker_uncovered" in capsys.readouterr().out
