"""Runs CP-SAT on one window model: parameters, progress callbacks, cancellation, the outcome."""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from solver.model import ModelContext
from solver.options import CancelToken, Progress, ProgressFn, SolveOptions, gap_of
from solver.terms import SCALE


def versions() -> dict[str, str]:
    """Versions recorded in every plan."""
    return {"ortools": metadata.version("ortools"), "python": platform.python_version(),
            "numpy": np.__version__}


@dataclass
class WindowOutcome:
    """What one CP-SAT run produced (objective and bound in points)."""

    status: str
    objective: float | None
    bound: float | None
    chosen: list[int] = field(default_factory=list)
    term_values: list[int] = field(default_factory=list)
    wall_time_s: float = 0.0
    first_solution_s: float | None = None
    solutions: int = 0
    deterministic_time: float = 0.0

    @property
    def has_solution(self) -> bool:
        """True when a plan (feasible for every hard rule) was found."""
        return self.status in ("OPTIMAL", "FEASIBLE")


def parameters(options: SolveOptions, budget: float, *, first: bool = False) -> dict[str, Any]:
    """CP-SAT parameters of a run with ``budget`` seconds (or deterministic units).

    ``first``: only a first feasible solution is wanted (no presolve, stop at the first).
    """
    params: dict[str, Any] = {"random_seed": options.seed}
    if options.deterministic:
        params["num_workers"] = 1
        params["max_deterministic_time"] = budget
    else:
        params["num_workers"] = options.workers
        params["max_time_in_seconds"] = budget
    if first:
        params["stop_after_first_solution"] = True
        params["cp_model_presolve"] = False
        return params
    if options.linearization_level is not None:
        params["linearization_level"] = options.linearization_level
    elif params["num_workers"] == 1:
        params["linearization_level"] = 2
    if options.extra_subsolvers:
        params["extra_subsolvers"] = list(options.extra_subsolvers)
    return params


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Forwards incumbents and bounds to the progress function, offset by earlier windows."""

    def __init__(self, progress: ProgressFn | None, started: float,
                 offset: tuple[float, float] | None, phase: str,
                 known: tuple[float | None, float | None] = (None, None)) -> None:
        super().__init__()
        self.known = known
        self.progress = progress
        self.started = started
        self.offset = offset
        self.phase = phase
        self.count = 0
        self.first_at: float | None = None
        self.best_obj: float | None = None
        self.best_bound: float | None = None

    def on_solution_callback(self) -> None:
        self.count += 1
        now = time.perf_counter()
        if self.first_at is None:
            self.first_at = now
        self.best_obj = self.objective_value / SCALE
        self.best_bound = self.best_objective_bound / SCALE
        self._emit(now)

    def on_bound(self, bound: float) -> None:
        self.best_bound = bound / SCALE
        self._emit(time.perf_counter())

    def _emit(self, now: float) -> None:
        if self.progress is None:
            return
        off = self.offset
        best_obj, best_bound = self.best_obj, self.best_bound
        known_obj, known_bound = self.known  # the window's plan and bound before this run
        if best_obj is not None and known_obj is not None:
            best_obj = min(best_obj, known_obj)
        if best_bound is not None and known_bound is not None:
            best_bound = max(best_bound, known_bound)
        obj = None if best_obj is None or off is None else best_obj + off[0]
        bnd = None if best_bound is None or off is None else best_bound + off[1]
        self.progress(Progress(now - self.started, obj, bnd, gap_of(obj, bnd), self.count,
                               self.phase))


def run_window(ctx: ModelContext, options: SolveOptions, budget: float, *,
               progress: ProgressFn | None = None, cancel: CancelToken | None = None,
               started: float | None = None, offset: tuple[float, float] | None = (0.0, 0.0),
               phase: str = "solve", first: bool = False,
               known: tuple[float | None, float | None] = (None, None)) -> WindowOutcome:
    """Solve ``ctx``'s model within ``budget``; the best solution is kept when cancelled.

    Progress reports add ``offset`` (the other windows' objective and bound) to this run's;
    with ``offset`` None they carry no objective (the plan is not fully scored yet).  ``known``
    (the window's objective and bound before this run) keeps the reported incumbent from
    rising and the bound from falling while a run restarts from a weaker bound of its own.
    """
    solver = cp_model.CpSolver()
    for key, value in parameters(options, budget, first=first).items():
        if key == "extra_subsolvers":
            solver.parameters.extra_subsolvers.extend(value)
        else:
            setattr(solver.parameters, key, value)
    t0 = time.perf_counter()
    reporter = _Reporter(progress, started if started is not None else t0, offset, phase, known)
    if progress is not None:
        solver.best_bound_callback = reporter.on_bound
    stop = solver.stop_search
    if cancel is not None:
        cancel.attach(stop)
    try:
        status = solver.solve(ctx.m, reporter)
    finally:
        if cancel is not None:
            cancel.detach(stop)
    out = WindowOutcome(
        status=solver.status_name(status), objective=None, bound=None,
        wall_time_s=time.perf_counter() - t0,
        first_solution_s=None if reporter.first_at is None else reporter.first_at - t0,
        solutions=reporter.count, deterministic_time=solver.deterministic_time,
    )
    if out.has_solution:
        out.objective = solver.objective_value / SCALE
        out.bound = solver.best_objective_bound / SCALE
        sol = list(solver.response_proto.solution)
        out.chosen = [n for n, v in enumerate(ctx.x) if sol[v.index]]
        out.term_values = [int(sol[t.var.index]) for t in ctx.terms]
    return out
