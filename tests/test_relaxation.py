"""The linear relaxation read from a CP-SAT model, and the LP-guided step of the solver."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from resources.model import Scenario
from resources.verify import verify_plan
from solver import SolveOptions, solve
from solver.model import ModelContext
from solver.problem import Problem
from solver.relaxation import solve_relaxation
from tests.conftest import small_scenario


def test_relaxation_of_a_set_cover_is_fractional_and_below_the_integer_optimum() -> None:
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(3)]
    for a, b in ((0, 1), (1, 2), (0, 2)):  # a triangle: every edge needs an end
        m.add_bool_or([x[a], x[b]])
    m.minimize(sum(x))
    relax = solve_relaxation(m)
    assert relax is not None
    assert relax.objective == pytest.approx(1.5)
    assert relax.values == pytest.approx([0.5, 0.5, 0.5])
    solver = cp_model.CpSolver()
    solver.solve(m)
    assert solver.objective_value == 2  # the LP is a strict lower bound here


def test_negated_literals_and_at_most_one_are_read_exactly() -> None:
    m = cp_model.CpModel()
    a, b, c = (m.new_bool_var(n) for n in "abc")
    m.add_at_most_one([a, b, c])
    m.add_bool_or([~a, b])  # a implies b: with at most one of them, a is false
    m.add(2 * b + 3 * c >= 3)
    m.minimize(5 * b + 4 * c - a)
    relax = solve_relaxation(m)
    assert relax is not None
    assert relax.values[0] == pytest.approx(0.0, abs=1e-9)
    assert relax.objective == pytest.approx(4.0)  # c = 1 (b = 1.5 would break amo)


def test_enforced_rows_are_relaxed_by_big_m_and_hold_when_enforced() -> None:
    m = cp_model.CpModel()
    x, y = m.new_bool_var("x"), m.new_bool_var("y")
    z = m.new_int_var(0, 10, "z")
    m.add(z >= 7).only_enforce_if(x)
    m.add(z <= 2).only_enforce_if(~x)
    m.add_bool_or([x, y])
    m.minimize(z + 3 * y)
    relax = solve_relaxation(m)
    assert relax is not None and relax.objective == pytest.approx(3.0)
    m.add(x == 1)  # now the enforced row must hold in full
    relax = solve_relaxation(m)
    assert relax is not None and relax.values[2] == pytest.approx(7.0)


def test_unsupported_constraints_give_no_relaxation() -> None:
    m = cp_model.CpModel()
    a, b = m.new_int_var(0, 3, "a"), m.new_int_var(0, 3, "b")
    m.add_all_different([a, b])
    assert solve_relaxation(m) is None


def test_an_infeasible_relaxation_gives_none() -> None:
    m = cp_model.CpModel()
    a = m.new_bool_var("a")
    m.add(2 * a >= 3)
    assert solve_relaxation(m) is None


def test_window_relaxation_bounds_the_cp_sat_optimum() -> None:
    sc = small_scenario()
    assert isinstance(sc, Scenario)
    p = Problem(sc, SolveOptions())
    ctx = ModelContext(p, [0])
    ctx.build(objective="full")
    relax = solve_relaxation(ctx.m)
    assert relax is not None
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(ctx.m) == cp_model.OPTIMAL
    assert relax.objective <= solver.objective_value + 1e-6
    assert relax.objective > 0  # a real bound, not the trivial one


def test_restricted_window_keeps_only_the_allowed_options_and_pins() -> None:
    sc = small_scenario()
    assert isinstance(sc, Scenario)
    p = Problem(sc, SolveOptions())
    full = ModelContext(p, [0])
    some = next(iter(full.unit_slot))
    only = {full.posts[full.unit_slot[some][0]].option}
    sub = ModelContext(p, [0], allowed={some: only})
    assert {post.option for post in sub.posts if (post.unit, post.slot) == some} == only
    assert all((post.unit, post.slot) == some for post in sub.posts)  # the rest: no options


def test_lp_guided_solve_meets_every_rule_and_is_recorded() -> None:
    sc = small_scenario()
    assert isinstance(sc, Scenario)
    guided = solve(sc, SolveOptions(time_limit_s=4.0, deterministic=True))
    plain = solve(sc, SolveOptions(time_limit_s=4.0, deterministic=True, lp_guided=False))
    assert verify_plan(sc, guided) == []
    assert guided.solver.parameters.get("lp_guided", 0) >= 1
    assert "lp_guided" not in plain.solver.parameters
    assert guided.solver.bound is not None and guided.solver.objective is not None
    assert guided.solver.bound <= guided.solver.objective + 1e-6
