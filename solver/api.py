"""The solver's public entry point: solve(scenario, options, progress, cancel, warm_start) -> Plan.

The console and the command line call only this (and the types re-exported by ``solver``);
docs/solver.md states the contract; solver/assemble.py turns a finished solve into the Plan.
A solve runs in steps:

1. CTSFO phase (solver/teams.py): the CTSFO teams are placed for reach, lexicographically
   first; their postings are then fixed;
2. first plan: the greedy construction (same hard rules), so a complete plan exists at once;
3. improving: each window (one slot by default; the slots decouple) is first improved within
   the support of its linear relaxation (the LP-guided step, solver/relaxation.py), then solved
   by CP-SAT from its best plan, in rounds (later rounds: the largest gaps first);
4. settling: windows no run replaced are scored; then KPIs and Unmet lines.

With a warm start and minimal disruption only the windows the changes broke are re-solved.
"""

from __future__ import annotations

import time
from typing import Any

from resources.kpis import is_ctsfo
from resources.model import Plan, Scenario
from resources.verify import verify_plan
from solver.assemble import assemble_plan
from solver.conflicts import find_conflict, precheck_pins
from solver.errors import InfeasiblePlan
from solver.greedy import greedy_postings
from solver.model import ModelContext, Posting
from solver.options import CancelToken, Progress, ProgressFn, SolveOptions, gap_of
from solver.problem import Problem
from solver.relaxation import solve_relaxation
from solver.run import WindowOutcome, run_window
from solver.teams import ctsfo_phase
from solver.terms import SCALE

CTSFO_SHARE = 0.1
#: Below this many seconds a CP-SAT run on a whole London-week window was measured to improve
#: nothing on the LP-guided step's plan; that plan is kept for a later round instead.
MIN_FULL_RUN_S = 3.0
#: Kept from the wall-clock limit for what follows the search (settling, KPIs, Unmet lines):
#: without it a 10 s London plan ran 0.4 s past its limit (0.2 s of it the Unmet lines).
FINISH_S = 0.4
FINISH_SHARE = 0.02
#: Below this many wall seconds left no further window is started (a model build and its
#: relaxation alone take about that long on a London slot); the rest keep their first plan.
MIN_STEP_S = 0.3
#: Seconds kept for scoring the LP-guided step's plan on the whole window (measured 0.1-0.3 s).
TAKE_S = 0.3


def plan_windows(p: Problem, options: SolveOptions) -> list[list[int]]:
    """Consecutive windows of ``window_slots`` slots (default 1: the slots decouple)."""
    size = options.window_slots or 1
    return [list(range(a, min(p.n_slots, a + size))) for a in range(0, p.n_slots, size)]


class _Window:
    """The current solution of one window."""

    def __init__(self, slots: list[int]) -> None:
        self.slots = slots
        self.chosen: set[Posting] = set()
        self.outcome: WindowOutcome | None = None
        self.ctx: ModelContext | None = None

    @property
    def abs_gap(self) -> float:
        """Objective minus bound of the current solution (infinite when not scored)."""
        o = self.outcome
        if o is None or o.objective is None or o.bound is None:
            return float("inf")
        return o.objective - o.bound

    def at(self, slot: int) -> dict[int, int]:
        """Unit -> option posted in ``slot`` (one of this window's slots)."""
        return {c.unit: c.option for c in self.chosen if c.slot == slot}


class _Solve:
    """One call of solve(): the shared state of its steps."""

    def __init__(self, scenario: Scenario, options: SolveOptions, progress: ProgressFn | None,
                 cancel: CancelToken | None, warm_start: Plan | None) -> None:
        self.started = time.perf_counter()
        self.options = options
        self.progress = progress
        self.cancel = cancel
        self.warm = warm_start is not None
        self.p = Problem(scenario, options, warm_start)
        precheck_pins(self.p)
        self.windows = [_Window(s) for s in plan_windows(self.p, options)]
        self.fixed: dict[tuple[int, int], int | None] = {}
        self.team = frozenset(i.idx for i in self.p.units if is_ctsfo(i.utype))
        self.warm_plan = warm_start
        self.log: dict[str, Any] = {}

    @property
    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.cancelled

    def budget(self, share: float, windows_left: int) -> float:
        """Time for one window: deterministic mode, ``share`` of the limit over all windows;
        otherwise the wall time left (at most ``share`` of the limit) over the windows left."""
        o = self.options
        if o.deterministic:
            return o.time_limit_s * share / len(self.windows)
        return max(0.2, min(self.left(), o.time_limit_s * share) / max(1, windows_left))

    def left(self) -> float:
        """Wall seconds left for solving: the time limit less what has run and what settling,
        KPIs and the Unmet lines need afterwards (FINISH_S plus FINISH_SHARE of the limit)."""
        limit = self.options.time_limit_s
        reserve = min(limit / 4, FINISH_S + FINISH_SHARE * limit)
        return limit - reserve - (time.perf_counter() - self.started)

    def totals(self, skip: _Window | None = None) -> tuple[float, float]:
        obj = sum(w.outcome.objective or 0.0 for w in self.windows
                  if w.outcome is not None and w is not skip)
        bnd = sum(w.outcome.bound or 0.0 for w in self.windows
                  if w.outcome is not None and w is not skip)
        return obj, bnd

    def model(self, w: _Window, i: int, use_fixed: bool, hints: bool = True,
              allowed: dict[tuple[int, int], set[int]] | None = None) -> ModelContext:
        before = self.windows[i - 1].at(w.slots[0] - 1) if i > 0 else {}
        after = {}
        if i + 1 < len(self.windows) and self.windows[i + 1].chosen:
            after = self.windows[i + 1].at(w.slots[-1] + 1)
        fixed = self.fixed if use_fixed else {}
        free_team = any((u, t) not in fixed for u in self.team for t in w.slots
                        if t in self.p.units[u].slots)
        ctx = ModelContext(self.p, w.slots, before=before, after=after, fixed=fixed,
                           allowed=allowed)
        ctx.build(objective="full" if free_team else "patrol", warm=self.warm,
                  min_disruption=self.options.min_disruption, hints=hints)
        return ctx

    def run(self, w: _Window, i: int, budget: float, *, first: bool, hint: bool = False) -> None:
        """Solve window ``i`` (``hint``: from its current solution); keep the better solution.

        Hinting from CP-SAT's own poor first solutions was measured to slow it down markedly;
        the greedy's plan and improved solutions are hinted.
        """
        phase = f"{'first plan' if first else 'improving'} {i + 1}/{len(self.windows)}"
        for use_fixed in ([True, False] if self.fixed else [False]):
            ctx = self.model(w, i, use_fixed)
            if hint and w.chosen:
                ctx.add_hints(w.chosen)
            out = self.attempt(ctx, w, budget, first, phase)
            if out.status != "INFEASIBLE":
                break
            self.log.setdefault("ctsfo_released", []).append(w.slots)
        if out.status == "INFEASIBLE":
            raise find_conflict(self.p)
        worse = (w.outcome is not None and out.objective is not None
                 and w.outcome.objective is not None and out.objective > w.outcome.objective
                 and ctx.linked_out == 0)
        if out.has_solution and worse:
            assert w.outcome is not None
            w.outcome.bound = max(w.outcome.bound or 0.0, out.bound or 0.0)
            if out.status == "OPTIMAL":
                w.outcome.status = "OPTIMAL"
        elif out.has_solution:
            w.outcome, w.ctx = out, ctx
            w.chosen = {ctx.posts[n] for n in out.chosen}
        elif w.outcome is None and not w.chosen:
            raise InfeasiblePlan([f"no plan found for {self.p.labels[w.slots[0]]} within "
                                  f"the time limit ({out.status.lower()})"], minimal=False)

    def attempt(self, ctx: ModelContext, w: _Window, budget: float, first: bool,
                phase: str) -> WindowOutcome:
        """One CP-SAT run; a window still without any plan is retried with more time (and
        presolve) until it has one, even past the time limit: a plan is always returned."""
        scored = all(o.outcome is not None for o in self.windows if o is not w)
        offset = self.totals(skip=w) if scored and not first else None
        quick, cancel = first, None if first else self.cancel
        known = (None, None) if w.outcome is None else (w.outcome.objective, w.outcome.bound)
        while True:
            out = run_window(ctx, self.options, budget, progress=None if first else self.progress,
                             cancel=cancel, started=self.started, offset=offset, phase=phase,
                             first=quick, known=known)
            if out.has_solution or out.status in ("INFEASIBLE", "MODEL_INVALID") \
                    or w.outcome is not None or w.chosen:
                return out
            self.log["retries"] = self.log.get("retries", 0) + 1
            quick, cancel, budget = False, None, budget * 3

    def emit(self, phase: str) -> None:
        if self.progress is None:
            return
        n = sum(w.outcome.solutions for w in self.windows if w.outcome is not None)
        elapsed = time.perf_counter() - self.started
        if any(w.outcome is None for w in self.windows):  # a plan exists, not yet scored
            self.progress(Progress(elapsed, None, None, None, n, phase))
            return
        obj, bnd = self.totals()
        self.progress(Progress(elapsed, obj, bnd, gap_of(obj, bnd), n, phase))

    def warm_option(self, u: int, t: int) -> int | None:
        """Index of unit ``u``'s warm-start posting in slot ``t`` (None: none, or not legal)."""
        info = self.p.units[u]
        return info.find(self.p.warm.get((info.callsign, t)))

    def warm_postings(self, w: _Window) -> set[Posting]:
        """The warm-start plan's postings in window ``w`` (those still legal)."""
        out = set()
        for info in self.p.units:
            for t in w.slots:
                k = self.warm_option(info.idx, t)
                if k is not None:
                    out.add(Posting(info.idx, t, k))
        return out

    def dirty_slots(self) -> set[int]:
        """Slots where the warm-start plan breaks a hard rule of the scenario (new pins too)."""
        assert self.warm_plan is not None
        broken = verify_plan(self.p.sc, self.warm_plan, check_kpis=False)
        if any(v.slot is None for v in broken):
            return set(range(self.p.n_slots))
        return {v.slot for v in broken if v.slot is not None} | {
            v.slot - 1 for v in broken if v.slot is not None and v.rule == "changeover"}

    def take(self, w: _Window, i: int, keep: set[Posting], *, proven: bool = False,
             ctx: ModelContext | None = None) -> bool:
        """Adopt the postings ``keep`` as window ``i``'s solution, scored by CP-SAT with
        every posting fixed (a hundredth of a second per window); False if they break a rule.

        ``ctx``: the window's model, already built (it is used up).  Unless ``proven``
        (minimal-disruption repair: an unchanged window is optimal, since a change costs more
        than it can gain), the window's bound is the trivial 0."""
        ctx = ctx or self.model(w, i, use_fixed=True, hints=False)
        ctx.fix_postings(ctx.m, keep)
        out = run_window(ctx, self.options, 5.0)
        if not out.has_solution:
            return False
        if not proven:
            out.status, out.bound = "FEASIBLE", 0.0
        w.outcome, w.ctx = out, ctx
        w.chosen = {ctx.posts[n] for n in out.chosen}
        return True

    def guided(self, w: _Window, i: int, budget: float) -> None:
        """LP-guided step: solve the window's linear relaxation (its optimum bounds the window),
        then CP-SAT on the window restricted to the relaxation's support and the current
        postings (so the current plan stays a solution), within ``budget``; a better plan is
        scored on the whole window and kept.  On a London-week slot this reached in about two
        seconds what CP-SAT on the whole window needed ten or more for (docs/solver.md)."""
        t0 = time.perf_counter()
        full = self.model(w, i, use_fixed=True, hints=False)
        relax = solve_relaxation(full.m)
        if relax is None:
            return
        allowed: dict[tuple[int, int], set[int]] = {key: set() for key in full.unit_slot}
        for n, post in enumerate(full.posts):
            if relax.values[full.x[n].index] > 1e-6 or post in w.chosen:
                allowed[(post.unit, post.slot)].add(post.option)
        sub = self.model(w, i, use_fixed=True, hints=False, allowed=allowed)
        sub.add_hints(w.chosen)
        if not self.options.deterministic:  # the builds, the LP and scoring count against it
            budget = max(0.2, budget - (time.perf_counter() - t0) - TAKE_S)
        out = run_window(sub, self.options, budget, cancel=self.cancel)
        if not out.has_solution:
            return
        previous, kept, kept_ctx = w.outcome, set(w.chosen), w.ctx
        if not self.take(w, i, {sub.posts[n] for n in out.chosen}, ctx=full):
            return
        assert w.outcome is not None
        if previous is not None and previous.objective is not None \
                and w.outcome.objective is not None \
                and previous.objective <= w.outcome.objective:
            w.outcome, w.chosen, w.ctx = previous, kept, kept_ctx  # no better: keep it
        bound = relax.objective / SCALE
        if w.outcome.bound is None or bound > w.outcome.bound:
            w.outcome.bound = bound
        self.log["lp_guided"] = self.log.get("lp_guided", 0) + 1

    def first_plan(self) -> None:
        """A complete plan fast: the greedy construction (same hard rules), which the first
        improving run of each window starts from (hint) and which is scored (``settle``) only
        where no run improved it; CP-SAT's first solutions where the greedy cannot balance the
        pins."""
        postings = greedy_postings(self.p, self.fixed)
        if postings is not None:
            for w in self.windows:
                w.chosen = {Posting(u, t, k) for (u, t), k in postings.items() if t in w.slots}
            self.log["first_plan"] = "greedy"
            self.emit("first plan")
            return
        for i, w in enumerate(self.windows):
            self.run(w, i, self.budget(1.0, 1), first=True)  # it stops at a first solution
        self.log["first_plan"] = "cp-sat first solutions"
        self.emit("first plan")

    def settle(self) -> None:
        """Score the windows whose first-plan postings no run has replaced."""
        for i, w in enumerate(self.windows):
            if w.outcome is None and not self.take(w, i, set(w.chosen)):
                self.run(w, i, self.budget(1.0, 1), first=True)

    def repair(self) -> None:
        """Minimal disruption: re-solve only the windows where the warm plan breaks a rule."""
        dirty = self.dirty_slots()
        self.log["repaired_slots"] = sorted(dirty)
        self.fixed = {(u, t): self.warm_option(u, t) for u in sorted(self.team)
                      for t in range(self.p.n_slots)
                      if t in self.p.units[u].slots and t not in self.p.units[u].pinned_options}
        todo = [i for i, w in enumerate(self.windows)
                if set(w.slots) & dirty or not self.take(w, i, self.warm_postings(w), proven=True)]
        for k, i in enumerate(todo):
            self.run(self.windows[i], i, self.budget(1.0, len(todo) - k), first=False)
        if self.cancelled:
            self.log["stopped"] = "cancelled"
        self.emit("done")

    def improve(self, i: int, budget: float, rounds: int) -> None:
        """One improving visit of window ``i``.  First round: the LP-guided step, then CP-SAT on
        the whole window if at least MIN_FULL_RUN_S is left (in deterministic mode each gets
        half the budget); later rounds: CP-SAT on the whole window from its best plan."""
        w = self.windows[i]
        if rounds == 0 and self.options.lp_guided:
            if self.options.deterministic:
                self.guided(w, i, budget / 2)
                budget /= 2
            else:
                t0 = time.perf_counter()
                self.guided(w, i, budget)
                budget -= time.perf_counter() - t0
            self.emit(f"improving {i + 1}/{len(self.windows)}")
            if not self.options.deterministic and budget < MIN_FULL_RUN_S \
                    and w.outcome is not None:
                return
        self.run(w, i, max(0.2, budget), first=False,
                 hint=rounds > 0 or self.options.lp_guided or w.outcome is None)

    def solve(self) -> None:
        if self.warm_plan is not None and self.options.min_disruption:
            self.repair()
            return
        team_budget = self.options.time_limit_s * CTSFO_SHARE if self.options.deterministic \
            else self.budget(CTSFO_SHARE, 1)
        self.fixed, self.log["ctsfo_phase"] = ctsfo_phase(self.p, self.options, team_budget)
        self.first_plan()
        rest = 1.0 - CTSFO_SHARE if self.options.deterministic else 1.0
        rounds = 0
        while not self.cancelled:
            todo = [i for i, w in enumerate(self.windows)
                    if w.outcome is None or w.outcome.status != "OPTIMAL"]
            if rounds:  # later rounds: the windows with the largest absolute gap first
                todo.sort(key=lambda i: -self.windows[i].abs_gap)
            left = self.left()
            if not todo or (rounds and (self.options.deterministic or left < 0.5)):
                break
            for k, i in enumerate(todo):
                if self.cancelled or (not self.options.deterministic
                                      and self.left() < MIN_STEP_S):
                    break  # out of time: the windows left keep their first plan
                budget = self.budget(rest, len(todo) - k)
                if rounds and not self.options.deterministic:  # fewer windows, runs worth it
                    left = self.left()
                    if left < 0.5:
                        break
                    budget = min(max(budget, MIN_FULL_RUN_S), left)
                self.improve(i, budget, rounds)
            rounds += 1
        self.log["rounds"] = rounds
        if self.cancelled:
            self.log["stopped"] = "cancelled"
        self.settle()
        self.emit("done")


def solve(scenario: Scenario, options: SolveOptions | None = None,
          progress: ProgressFn | None = None, cancel: CancelToken | None = None,
          warm_start: Plan | None = None) -> Plan:
    """A plan meeting every hard rule, with KPIs and Unmet lines; raises InfeasiblePlan."""
    options = options or SolveOptions()
    run = _Solve(scenario, options, progress, cancel, warm_start)
    run.solve()
    return assemble_plan(run, scenario, warm_start)
