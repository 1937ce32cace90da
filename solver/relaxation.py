"""The linear relaxation of a window model, solved by GLOP (OR-Tools' simplex).

Used to guide the search (solver/api.py, "LP-guided" step): CP-SAT's own search was measured to
need ten seconds or more on a London-week slot to find what the relaxation's support contains,
while GLOP solves the relaxation in well under a second.  The relaxation is read from the CP-SAT
model itself, so it always matches the hard rules and penalty terms the model holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model, cp_model_helper

#: Bounds beyond this magnitude are treated as infinite.
_BIG = 2**53


@dataclass(frozen=True)
class Relaxation:
    """An optimal solution of the linear relaxation: one value per model variable."""

    values: list[float]
    objective: float  # in model units (the CP-SAT objective's integer scale)


class _Lp:
    """The LP under construction: one column per CP-SAT variable."""

    def __init__(self, proto: cp_model_helper.CpModelProto) -> None:
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.cols: list[pywraplp.Variable] = []
        self.lb: list[float] = []
        self.ub: list[float] = []
        for v in proto.variables:
            dom = list(v.domain)
            self.lb.append(float(dom[0]))
            self.ub.append(float(dom[-1]))
            self.cols.append(self.solver.NumVar(self.lb[-1], self.ub[-1], ""))

    def add_row(self, terms: list[tuple[int, float]], lo: float, hi: float,
                enforcement: list[int]) -> None:
        """``lo <= sum(coef * literal-or-var) <= hi``; when enforced, relaxed by big-M terms
        that vanish when every enforcement literal is true."""
        cols, const = self._columns(terms)
        lo, hi = lo - const, hi - const
        if not enforcement:
            self._row(cols, lo, hi)
            return
        low = sum(min(c * self.lb[v], c * self.ub[v]) for v, c in cols)
        high = sum(max(c * self.lb[v], c * self.ub[v]) for v, c in cols)
        if lo > -_BIG and lo > low:  # sum + M * sum(1 - e) >= lo
            extra, shift = self._columns([(e, -(lo - low)) for e in enforcement])
            self._row(cols + extra, lo - (lo - low) * len(enforcement) - shift, _BIG)
        if hi < _BIG and hi < high:  # sum - M * sum(1 - e) <= hi
            extra, shift = self._columns([(e, high - hi) for e in enforcement])
            self._row(cols + extra, -_BIG, hi + (high - hi) * len(enforcement) - shift)

    def _columns(self, terms: list[tuple[int, float]]) -> tuple[list[tuple[int, float]], float]:
        """(column, coefficient) pairs and the constant, a negated literal being 1 - var."""
        cols, const = [], 0.0
        for ref, coef in terms:
            if ref < 0:
                const += coef
                cols.append((-ref - 1, -coef))
            else:
                cols.append((ref, coef))
        return cols, const

    def _row(self, cols: list[tuple[int, float]], lo: float, hi: float) -> None:
        inf = self.solver.infinity()
        row = self.solver.RowConstraint(lo if lo > -_BIG else -inf, hi if hi < _BIG else inf, "")
        merged: dict[int, float] = {}
        for v, c in cols:
            merged[v] = merged.get(v, 0.0) + c
        for v, c in merged.items():
            row.SetCoefficient(self.cols[v], c)


def solve_relaxation(model: cp_model.CpModel) -> Relaxation | None:
    """The relaxation's optimum, or None when it is infeasible or the model holds a constraint
    type the window models never use (the caller then goes without guidance)."""
    proto = model.proto
    lp = _Lp(proto)
    for ct in proto.constraints:
        enf = list(ct.enforcement_literal)
        if ct.has_linear():
            dom = list(ct.linear.domain)
            lp.add_row(list(zip(ct.linear.vars, map(float, ct.linear.coeffs), strict=True)),
                       float(dom[0]), float(dom[-1]), enf)
        elif ct.has_at_most_one() or ct.has_exactly_one():
            lits = list(ct.at_most_one.literals if ct.has_at_most_one()
                        else ct.exactly_one.literals)
            lp.add_row([(x, 1.0) for x in lits], 1.0 if ct.has_exactly_one() else -_BIG, 1.0,
                       enf)
        elif ct.has_bool_or():
            lp.add_row([(x, 1.0) for x in ct.bool_or.literals], 1.0, _BIG, enf)
        elif ct.has_bool_and():
            for x in ct.bool_and.literals:
                lp.add_row([(x, 1.0)], 1.0, _BIG, enf)
        else:
            return None
    objective = lp.solver.Objective()
    for v, c in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(lp.cols[v], objective.GetCoefficient(lp.cols[v]) + float(c))
    objective.SetMinimization()
    if lp.solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return Relaxation([c.solution_value() for c in lp.cols],
                      objective.Value() + float(proto.objective.offset))
