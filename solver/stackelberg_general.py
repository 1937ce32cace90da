"""Strong Stackelberg equilibrium with resource types, capabilities and an armed cap.

Linear model (OR-Tools ``pywraplp``): ``x[r, t] >= 0`` expected units of type ``r`` at
target ``t`` (only where ``can_cover``), ``sum_t x[r, t] <= count_r``; effective deployment
``D_t = sum_r eff[r, t] x[r, t]``; coverage ``c_t = min(1, D_t)``, relaxed to ``c_t <= D_t,
c_t <= 1`` except at the attacked target where it is kept exact; armed cap ``p/q``:
``(1 - p/q) armed <= (p/q) unarmed`` over deployed officers; ``U_a(i) <= v`` for all ``i``.

Backends: ``"multi-lp"`` (default): Conitzer & Sandholm's multiple LPs with GLOP, one per
candidate attacked target, pruned by the minimax attacker value and per-target bounds.
``"milp"`` / ``"milp:CBC"`` / ``"milp:HIGHS"`` (default SCIP): one DOBSS-style MILP
(binary attack choice, big-M); its chosen target is then re-solved on the LP path.
Both return the canonical solution: among defender-optimal ones with that attacked target,
the lowest attacker value, then the least total deployment (lexicographic LPs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real

import numpy as np
from ortools.linear_solver import pywraplp

from solver.stackelberg import FloatArray, GameError, Target, payoff_matrix

__all__ = ["GeneralCoverageResult", "ResourceType", "optimal_coverage_general"]


@dataclass(frozen=True)
class ResourceType:
    """A kind of resource: how many, which targets it may cover, officers per unit."""

    name: str
    count: float
    can_cover: frozenset[int]
    weight_armed: float = 0.0
    weight_unarmed: float = 0.0


@dataclass(frozen=True)
class GeneralCoverageResult:
    """An SSE of the general game.

    ``allocation`` maps ``(type name, target)`` to the expected units deployed there
    (entries above 1e-12 only); ``coverage`` is the probability each target is
    protected.  ``backend`` names the formulation and solver used.
    """

    coverage: tuple[float, ...]
    allocation: Mapping[tuple[str, int], float]
    defender_value: float
    attacker_value: float
    attack_set: tuple[int, ...]
    attacked_target: int
    backend: str


def _number(value: object, where: str, lo: float = 0.0, hi: float = math.inf) -> float:
    ok = not isinstance(value, bool) and isinstance(value, Real)
    number = float(value) if ok else math.nan  # type: ignore[arg-type]
    if not (math.isfinite(number) and lo <= number <= hi):
        bound = f"<= {hi}" if math.isfinite(hi) else ""
        raise GameError(f"{where}: expected a finite number >= {lo} {bound}, got {value!r}")
    return number


def _check_types(types: Sequence[ResourceType], n: int) -> None:
    seen: set[str] = set()
    for r, rt in enumerate(types):
        where = f"resource type {r}"
        if not isinstance(rt, ResourceType):
            raise GameError(f"{where}: expected a ResourceType, got {type(rt).__name__}")
        if not isinstance(rt.name, str) or not rt.name or rt.name in seen:
            raise GameError(f"{where}: field 'name' must be a unique non-empty string")
        seen.add(rt.name)
        _number(rt.count, f"{where} '{rt.name}': field 'count'")
        _number(rt.weight_armed, f"{where} '{rt.name}': field 'weight_armed'")
        _number(rt.weight_unarmed, f"{where} '{rt.name}': field 'weight_unarmed'")
        for t in rt.can_cover:
            if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < n:
                raise GameError(
                    f"{where} '{rt.name}': field 'can_cover' has {t!r}; "
                    f"expected target indices 0..{n - 1}"
                )


def _effectiveness(
    types: Sequence[ResourceType], eff: Mapping[tuple[str, int], float] | None
) -> dict[tuple[int, int], float]:
    index = {rt.name: r for r, rt in enumerate(types)}
    out = {(r, t): 1.0 for r, rt in enumerate(types) for t in rt.can_cover}
    for key, value in (eff or {}).items():
        name, t = key if isinstance(key, tuple) and len(key) == 2 else ("", -1)
        r = index.get(name, -1)
        if (r, t) not in out:
            raise GameError(
                f"effectiveness: key {key!r} is not a (resource type, coverable target) pair"
            )
        out[r, t] = _number(value, f"effectiveness {key!r}", 0.0, 1.0)
    return out


@dataclass(frozen=True)
class _Extras:
    """Validated optional inputs: per-target capacity and fixed coverage, fixed officers."""

    capacity: Mapping[int, float]
    fixed: FloatArray
    officers: tuple[float, float]


def _table(name: str, values: Mapping[int, float] | None, n: int) -> dict[int, float]:
    out: dict[int, float] = {}
    for t, v in (values or {}).items():
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < n:
            raise GameError(f"{name}: key {t!r} is not a target index 0..{n - 1}")
        out[t] = _number(v, f"{name}[{t}]")
    return out


def _extras(n: int, capacity: Mapping[int, float] | None,
            fixed_coverage: Mapping[int, float] | None, officers: tuple[float, float]) -> _Extras:
    fixed = np.zeros(n)
    for t, v in _table("fixed_coverage", fixed_coverage, n).items():
        fixed[t] = v
    if not isinstance(officers, tuple) or len(officers) != 2:
        raise GameError("fixed_officers: expected a pair (armed, unarmed)")
    pair = (_number(officers[0], "fixed_officers[0]"), _number(officers[1], "fixed_officers[1]"))
    return _Extras(_table("capacity", capacity, n), fixed, pair)


class _Core:
    """The variables and rows shared by both formulations."""

    def __init__(
        self,
        solver: pywraplp.Solver,
        pay: FloatArray,
        types: Sequence[ResourceType],
        eff: Mapping[tuple[int, int], float],
        cap: Fraction | None,
        extras: _Extras,
    ) -> None:
        inf = solver.infinity()
        n = pay.shape[0]
        self.solver, self.pay, self.fixed = solver, pay, extras.fixed
        self.da = pay[:, 3] - pay[:, 2]
        self.dd = pay[:, 0] - pay[:, 1]
        self.c = [solver.NumVar(0.0, 1.0, f"c{t}") for t in range(n)]
        self.v = solver.NumVar(-inf, inf, "v")
        self.x: dict[tuple[int, int], pywraplp.Variable] = {}
        self.terms: list[list[tuple[pywraplp.Variable, float]]] = [[] for _ in range(n)]
        share = float(cap or 0)
        armed = None if cap is None else solver.Constraint(
            -inf, share * extras.officers[1] - (1.0 - share) * extras.officers[0])
        rows = {t: solver.Constraint(-inf, c) for t, c in extras.capacity.items()}
        for r, rt in enumerate(types):
            row = solver.Constraint(-inf, float(rt.count))
            for t in sorted(rt.can_cover):
                var = solver.NumVar(0.0, float(rt.count), f"x{r}_{t}")
                self.x[r, t] = var
                row.SetCoefficient(var, 1.0)
                self.terms[t].append((var, eff[r, t]))
                if t in rows:
                    rows[t].SetCoefficient(var, 1.0)
                if armed is not None and cap is not None:
                    share = float(cap)
                    armed.SetCoefficient(var, (1.0 - share) * float(rt.weight_armed)
                                         - share * float(rt.weight_unarmed))
        for t in range(n):
            cover = solver.Constraint(-inf, float(self.fixed[t]))
            cover.SetCoefficient(self.c[t], 1.0)
            for var, e in self.terms[t]:
                cover.SetCoefficient(var, -e)
            attack = solver.Constraint(-inf, -float(pay[t, 3]))
            attack.SetCoefficient(self.c[t], -float(self.da[t]))
            attack.SetCoefficient(self.v, -1.0)

    def deployed(self, t: int) -> float:
        fixed = float(self.fixed[t])  # effective deployment, fixed coverage included
        return fixed + float(sum(e * var.solution_value() for var, e in self.terms[t]))


class _MultiLP:
    """GLOP model with switchable rows making target ``t`` the attacked one.

    Physically ``c_t = min(1, D_t)`` with ``D_t = sum_r eff * x[r, t]``.  The relaxation
    ``c_t <= D_t`` is harmless at targets that are not attacked (more coverage there only
    lowers the attacker's utility), but at the attacked target it must be exact, so each
    ``t`` has two convex variants: ``c_t = D_t <= 1`` and (``full``) ``c_t = 1 <= D_t``.
    """

    def __init__(self, core: _Core) -> None:
        self.core = core
        inf = core.solver.infinity()
        self.sel = core.solver.Constraint(-inf, inf)  # U_a(t) >= v
        self.sel.SetCoefficient(core.v, -1.0)
        self.exact = core.solver.Constraint(-inf, 0.0)  # D_t + fixed_t - c_t <= 0
        self.current: int | None = None

    def select(self, t: int, full: bool) -> None:
        core, exact = self.core, self.exact
        if self.current is not None:
            old = self.current
            self.sel.SetCoefficient(core.c[old], 0.0)
            exact.SetCoefficient(core.c[old], 0.0)
            for var, _ in core.terms[old]:
                exact.SetCoefficient(var, 0.0)
            core.c[old].SetLb(0.0)
        self.sel.SetCoefficient(core.c[t], -float(core.da[t]))
        self.sel.SetLb(-float(core.pay[t, 3]))
        if full:
            core.c[t].SetLb(1.0)
        else:
            exact.SetUb(-float(core.fixed[t]))
            exact.SetCoefficient(core.c[t], -1.0)
            for var, e in core.terms[t]:
                exact.SetCoefficient(var, e)
        self.current = t

    def solve(self) -> bool:
        status = self.core.solver.Solve()
        if status == pywraplp.Solver.OPTIMAL:
            return True
        if status == pywraplp.Solver.INFEASIBLE:
            return False
        raise RuntimeError(f"LP solver failed with status {status}")

    def _objective(self, coefs: Sequence[tuple[pywraplp.Variable, float]],
                   maximize: bool, offset: float = 0.0) -> pywraplp.Objective:
        obj = self.core.solver.Objective()
        obj.Clear()
        for var, coef in coefs:
            obj.SetCoefficient(var, coef)
        obj.SetOffset(offset)
        if maximize:
            obj.SetMaximization()
        else:
            obj.SetMinimization()
        return obj

    def min_attacker_value(self) -> float:
        """The minimax attacker value ``v*`` (no attacked target selected)."""
        self._objective([(self.core.v, 1.0)], maximize=False)
        if not self.solve():  # only the armed cap with fixed officers can make it so
            raise GameError("armed_cap: no deployment meets the cap with the fixed officers")
        return float(self.core.v.solution_value())

    def defender_best(self, t: int, full: bool) -> float | None:
        """LP_t (variant ``full``): best defender utility with ``t`` attacked, or None."""
        core = self.core
        self.select(t, full)
        obj = self._objective([(core.c[t], float(core.dd[t]))], True, float(core.pay[t, 1]))
        return float(obj.Value()) if self.solve() else None

    def polish(self, t: int, full: bool, value: float, tol: float) -> None:
        """Lexicographic tie-break at ``t``: keep the defender's value, then minimise
        the attacker's value, then the total deployment."""
        core = self.core
        inf = core.solver.infinity()
        self.select(t, full)
        keep = core.solver.Constraint(value - float(core.pay[t, 1]) - tol, inf)
        keep.SetCoefficient(core.c[t], float(core.dd[t]))
        self._objective([(core.v, 1.0)], maximize=False)
        if not self.solve():  # pragma: no cover - value was attained before
            keep.SetBounds(-inf, inf)
            self.defender_best(t, full)
            return
        pin = core.solver.Constraint(-inf, float(core.v.solution_value()) + tol)
        pin.SetCoefficient(core.v, 1.0)
        self._objective([(var, 1.0) for var in core.x.values()], maximize=False)
        if not self.solve():  # pragma: no cover - numerical safety net
            pin.SetBounds(-inf, inf)
            self.solve()


def _milp_choice(pay: FloatArray, core: _Core, solver_id: str) -> tuple[int, bool]:
    """Solve the DOBSS-style MILP; return the attacked target and its variant."""
    solver = core.solver
    inf = solver.infinity()
    n = pay.shape[0]
    big_a = float(pay[:, 3].max() - pay[:, 2].min()) + 1.0
    big_d = float(pay[:, 0].max() - pay[:, 1].min()) + 1.0
    d = solver.NumVar(float(pay[:, 1].min()), float(pay[:, 0].max()), "d")
    pick = [solver.BoolVar(f"a{t}") for t in range(n)]
    full = [solver.BoolVar(f"h{t}") for t in range(n)]
    one = solver.Constraint(1.0, 1.0)
    for t in range(n):
        one.SetCoefficient(pick[t], 1.0)
        # v - U_a(t) <= (1 - a_t) M
        row = solver.Constraint(-inf, big_a + float(pay[t, 3]))
        row.SetCoefficient(core.v, 1.0)
        row.SetCoefficient(core.c[t], float(core.da[t]))
        row.SetCoefficient(pick[t], big_a)
        # d <= U_d(t) + (1 - a_t) M
        row = solver.Constraint(-inf, big_d + float(pay[t, 1]))
        row.SetCoefficient(d, 1.0)
        row.SetCoefficient(core.c[t], -float(core.dd[t]))
        row.SetCoefficient(pick[t], big_d)
        # attacked: D_t <= c_t unless fully covered (h_t = 1, c_t >= h_t)
        big_x = sum(e * float(var.ub()) for var, e in core.terms[t]) + 1.0
        row = solver.Constraint(-inf, big_x - float(core.fixed[t]))
        row.SetCoefficient(core.c[t], -1.0)
        for var, e in core.terms[t]:
            row.SetCoefficient(var, e)
        row.SetCoefficient(pick[t], big_x)
        row.SetCoefficient(full[t], -big_x)
        row = solver.Constraint(0.0, inf)
        row.SetCoefficient(core.c[t], 1.0)
        row.SetCoefficient(full[t], -1.0)
    solver.Objective().SetCoefficient(d, 1.0)
    solver.Objective().SetMaximization()
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise RuntimeError(f"{solver_id} MILP failed with status {status}")
    t = int(np.argmax([a.solution_value() for a in pick]))
    return t, full[t].solution_value() > 0.5


def _parse_backend(backend: str) -> tuple[str, str]:
    kind, _, solver_id = backend.partition(":")
    if kind == "multi-lp" and not solver_id:
        return kind, "GLOP"
    if kind == "milp":
        return kind, solver_id or "SCIP"
    raise GameError(f"backend: expected 'multi-lp', 'milp' or 'milp:SOLVER', got {backend!r}")


def _new_solver(solver_id: str) -> pywraplp.Solver:
    solver = pywraplp.Solver.CreateSolver(solver_id)
    if solver is None:
        raise GameError(f"backend: OR-Tools solver {solver_id!r} is not available")
    solver.SuppressOutput()
    if solver_id.upper().startswith("HIGHS"):  # its banner goes to stdout otherwise
        solver.SetSolverSpecificParametersAsString("output_flag=false")
    return solver


def optimal_coverage_general(
    targets: Sequence[Target],
    resource_types: Sequence[ResourceType],
    *,
    armed_cap: Fraction | None = None,
    effectiveness: Mapping[tuple[str, int], float] | None = None,
    backend: str = "multi-lp",
    capacity: Mapping[int, float] | None = None,
    fixed_coverage: Mapping[int, float] | None = None,
    fixed_officers: tuple[float, float] = (0.0, 0.0),
) -> GeneralCoverageResult:
    """Compute a strong Stackelberg equilibrium of the general security game.

    ``armed_cap`` (0..1) caps armed officers as a share of all deployed officers;
    ``effectiveness[(type name, target)]`` (0..1, default 1) scales the coverage one
    unit gives; ``capacity[t]`` caps the expected units at ``t``; ``fixed_coverage[t]`` is
    effective deployment already at ``t``; ``fixed_officers`` (armed, unarmed) count towards
    the cap.  Ties between equally good attacked targets go to the lowest index
    (``multi-lp``; the MILP's choice among exact ties is the solver's).
    Raises :class:`GameError` for invalid input.
    """
    pay = payoff_matrix(targets)
    n = pay.shape[0]
    _check_types(resource_types, n)
    eff = _effectiveness(resource_types, effectiveness)
    extras = _extras(n, capacity, fixed_coverage, fixed_officers)
    cap: Fraction | None = None
    if armed_cap is not None:
        _number(armed_cap, "armed_cap", 0.0, 1.0)
        cap = Fraction(armed_cap)
    kind, solver_id = _parse_backend(backend)
    scale = max(1.0, float(np.abs(pay).max()))
    tol = 1e-7 * scale

    lp = _MultiLP(_Core(_new_solver("GLOP"), pay, resource_types, eff, cap, extras))
    core = lp.core
    if kind == "milp":
        milp_core = _Core(_new_solver(solver_id), pay, resource_types, eff, cap, extras)
        best_t, best_full = _milp_choice(pay, milp_core, solver_id)
        found = lp.defender_best(best_t, best_full)
        if found is None:  # pragma: no cover - MILP solution is LP-feasible
            raise RuntimeError("MILP target infeasible in the LP")
        best_v = found
    else:
        best_t, best_full, best_v = _multi_lp(lp, eff, resource_types, tol)
    lp.polish(best_t, best_full, best_v, 1e-4 * tol)

    c_t = min(1.0, max(0.0, float(core.c[best_t].solution_value())))
    cov = np.array([min(1.0, max(0.0, core.deployed(t))) for t in range(n)])
    cov[best_t] = c_t
    cov[cov < 1e-12] = 0.0
    util = pay[:, 3] - core.da * cov
    att_value = float(util[best_t])
    attack = np.flatnonzero(util >= att_value - tol)
    alloc = {
        (resource_types[r].name, t): float(var.solution_value())
        for (r, t), var in core.x.items()
        if var.solution_value() > 1e-12
    }
    return GeneralCoverageResult(
        coverage=tuple(cov.tolist()),
        allocation=alloc,
        defender_value=float(pay[best_t, 1] + core.dd[best_t] * c_t),
        attacker_value=att_value,
        attack_set=tuple(attack.tolist()),
        attacked_target=best_t,
        backend=f"{kind}/{solver_id}",
    )


def _multi_lp(
    lp: _MultiLP,
    eff: Mapping[tuple[int, int], float],
    types: Sequence[ResourceType],
    tol: float,
) -> tuple[int, bool, float]:
    """Best (attacked target, variant, value) by multiple LPs, pruned by bounds."""
    core = lp.core
    pay = core.pay
    v_star = lp.min_attacker_value()
    reach = core.fixed.copy()
    for (r, t), e in eff.items():
        reach[t] += e * float(types[r].count)
    head = np.divide(pay[:, 3] - v_star + tol, core.da,
                     out=np.full_like(reach, np.inf), where=core.da > 0)
    bound = pay[:, 1] + core.dd * np.clip(np.minimum(reach, head), 0.0, 1.0)
    # (bound, target, full?) - U_a(t) = v >= v* rules out most targets and variants.
    live = np.flatnonzero(pay[:, 3] >= v_star - tol).tolist()
    cands = [(float(bound[t]), t, False) for t in live]
    full = np.flatnonzero((pay[:, 2] >= v_star - tol) & (reach >= 1.0 - tol)).tolist()
    cands += [(float(pay[t, 0]), t, True) for t in full]
    cands.sort(key=lambda item: (-math.floor(item[0] / tol), item[1], item[2]))  # ties by index
    best: tuple[int, bool, float] = (-1, False, -math.inf)
    for ub, t, is_full in cands:
        if ub < best[2] - tol:
            break
        if ub <= best[2] + 2 * tol and t >= best[0] >= 0:  # at best a tie (bound has +tol)
            continue
        value = lp.defender_best(t, is_full)
        if value is None:
            continue
        if value > best[2] + tol or (value >= best[2] - tol and t < best[0]):
            best = (t, is_full, value)
    if best[0] < 0:  # pragma: no cover - the minimax target is always feasible
        raise RuntimeError("no feasible attacked target")
    return best
