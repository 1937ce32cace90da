"""The armed-reach part on its own: a maximal covering model, solvable by CP-SAT or by HiGHS.

Used by the benchmark to choose the backend by measurement: the same instance (the armed units
on duty in one slot, their candidate places, the cells each place reaches, at most ``budget``
units posted) is solved by both, and the optima must agree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from resources.kpis import counts_for_armed_reach
from solver.problem import Problem

DEMAND_SCALE = 1000


@dataclass(frozen=True)
class CoveringInstance:
    """Units, their candidate places (cell index lists), integer cell weights, a unit budget."""

    choices: tuple[tuple[tuple[int, ...], ...], ...]
    weights: tuple[int, ...]
    budget: int


@dataclass(frozen=True)
class CoveringResult:
    """Optimum (covered weight), proof status and wall time of one backend."""

    backend: str
    objective: int
    optimal: bool
    seconds: float


def armed_reach_instance(p: Problem, slot: int, budget: int) -> CoveringInstance:
    """The armed-reach covering instance of ``slot``: armed patrol units on duty, their places."""
    minutes = p.posture.armed_reach_minutes
    choices = []
    for info in p.units:
        if slot not in info.slots or not info.armed or not counts_for_armed_reach(info.utype):
            continue
        table = p.reach_table(info.utype, minutes)
        places = sorted({info.options[k].place for k in p.postings(info, slot)})
        sets = {tuple(int(c) for c in table[pl]) for pl in places if len(table.get(pl, ()))}
        if sets:
            choices.append(tuple(sorted(sets)))
    weights = tuple(max(0, round(float(d) * DEMAND_SCALE)) for d in p.demand)
    return CoveringInstance(tuple(choices), weights, budget)


def solve_cpsat(inst: CoveringInstance, *, workers: int = 2, seconds: float = 60.0,
                linearization_level: int | None = None,
                extra_subsolvers: tuple[str, ...] = ()) -> CoveringResult:
    """Maximal covering by CP-SAT with the given parameters."""
    m = cp_model.CpModel()
    cover: dict[int, list[cp_model.IntVar]] = {}
    picks = []
    for u, sets in enumerate(inst.choices):
        ys = [m.new_bool_var(f"y{u}_{j}") for j in range(len(sets))]
        m.add_at_most_one(ys)
        picks.extend(ys)
        for y, cells in zip(ys, sets, strict=True):
            for c in cells:
                cover.setdefault(c, []).append(y)
    m.add(cp_model.LinearExpr.sum(picks) <= inst.budget)
    zs, ws = [], []
    for c, ys in sorted(cover.items()):
        z = m.new_bool_var(f"z{c}")
        m.add(z <= cp_model.LinearExpr.sum(ys))
        zs.append(z)
        ws.append(inst.weights[c])
    m.maximize(cp_model.LinearExpr.weighted_sum(zs, ws))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = seconds
    if linearization_level is not None:
        solver.parameters.linearization_level = linearization_level
    solver.parameters.extra_subsolvers.extend(extra_subsolvers)
    t0 = time.perf_counter()
    status = solver.solve(m)
    took = time.perf_counter() - t0
    name = f"cp-sat ({workers} workers" + (
        f", linearization_level {linearization_level}" if linearization_level is not None
        else "") + (f", {'+'.join(extra_subsolvers)}" if extra_subsolvers else "") + ")"
    return CoveringResult(name, round(solver.objective_value), status == cp_model.OPTIMAL, took)


def solve_highs(inst: CoveringInstance, *, seconds: float = 60.0) -> CoveringResult:
    """Maximal covering as a MIP by HiGHS (bundled with OR-Tools, via pywraplp)."""
    solver = pywraplp.Solver.CreateSolver("HIGHS")
    if solver is None:
        raise RuntimeError("this OR-Tools build has no HiGHS")
    solver.SetTimeLimit(int(seconds * 1000))
    cover: dict[int, list[pywraplp.Variable]] = {}
    picks = []
    for u, sets in enumerate(inst.choices):
        ys = [solver.BoolVar(f"y{u}_{j}") for j in range(len(sets))]
        solver.Add(solver.Sum(ys) <= 1)
        picks.extend(ys)
        for y, cells in zip(ys, sets, strict=True):
            for c in cells:
                cover.setdefault(c, []).append(y)
    solver.Add(solver.Sum(picks) <= inst.budget)
    objective = solver.Objective()
    for c, ys in sorted(cover.items()):
        z = solver.BoolVar(f"z{c}")
        solver.Add(z <= solver.Sum(ys))
        objective.SetCoefficient(z, inst.weights[c])
    objective.SetMaximization()
    t0 = time.perf_counter()
    status = solver.Solve()
    took = time.perf_counter() - t0
    return CoveringResult("highs (pywraplp MIP)", round(objective.Value()),
                          status == pywraplp.Solver.OPTIMAL, took)
