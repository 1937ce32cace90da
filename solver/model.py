"""One CP-SAT model over a window of slots: posting variables, the hard rules, the penalty terms."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from resources.model import Assignment
from resources.travel import FloatArray
from solver import rules, targets
from solver.problem import Option, Problem, UnitInfo
from solver.terms import PenaltyTerm


@dataclass(frozen=True)
class Posting:
    """Unit ``unit`` (index into Problem.units) takes option ``option`` in ``slot``."""

    unit: int
    slot: int
    option: int


class Guards:
    """Assumption literals guarding hard-rule instances, for the conflict search."""

    def __init__(self) -> None:
        self.literals: list[cp_model.IntVar] = []
        self.described: dict[int, str] = {}
        self.keys: dict[Hashable, cp_model.IntVar] = {}


class ModelContext:
    """The model of one window: variables, indexes, and the builders' shared state."""

    def __init__(self, problem: Problem, slots: Sequence[int], *,
                 before: dict[int, int] | None = None, guards: Guards | None = None,
                 units: frozenset[int] | None = None,
                 fixed: dict[tuple[int, int], int | None] | None = None,
                 cap_slack: dict[int, int] | None = None,
                 after: dict[int, int] | None = None,
                 allowed: dict[tuple[int, int], set[int]] | None = None) -> None:
        """``before``/``after``: unit -> option posted in the slot just before/after the window
        (postings that could not follow/precede it are left out); ``units``: only these units
        (None: all); ``fixed``: (unit, slot) -> the only option allowed (None: no posting),
        which is then forced; ``cap_slack``: per-slot room added to the armed-share inequality
        for officers deployed outside this model; ``allowed``: (unit, slot) -> the only options
        kept (a pinned option is always kept), for a restricted model."""
        self.p = problem
        self.units = units
        self.fixed = fixed or {}
        self.cap_slack = cap_slack or {}
        self.allowed = allowed
        self.m = cp_model.CpModel()
        self.slots = list(slots)
        self.guards = guards
        self.posts: list[Posting] = []
        self.x: list[cp_model.IntVar] = []
        self.unit_slot: dict[tuple[int, int], list[int]] = {}
        self.slot_posts: dict[int, list[int]] = defaultdict(list)
        self.site_slot: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.pinned: list[int] = []
        self.forced: list[int] = []
        self.terms: list[PenaltyTerm] = []
        self.linked_out = 0
        self._build_postings(before or {}, after or {})

    # ------------------------------------------------------------------ build
    def _neighbours(self, info: UnitInfo, t: int, before: dict[int, int],
                    after: dict[int, int]) -> list[int]:
        """Options fixed next to the window for ``info`` at slot ``t`` (outside neighbours)."""
        out = []
        if t == self.slots[0] and info.idx in before:
            out.append(before[info.idx])
        if t == self.slots[-1]:
            if info.idx in after:
                out.append(after[info.idx])
            nxt = info.pinned_options.get(t + 1)
            if nxt is not None and t + 1 < self.p.n_slots:
                out.append(nxt)
        return out

    def _build_postings(self, before: dict[int, int], after: dict[int, int]) -> None:
        p = self.p
        limit = p.sc.travel.changeover_minutes + 1e-9
        for t in self.slots:
            for info in p.units:
                if self.units is not None and info.idx not in self.units:
                    continue
                ks = p.postings(info, t)
                forced = False
                if (info.idx, t) in self.fixed:
                    only = self.fixed[(info.idx, t)]
                    ks = [k for k in ks if k == only]
                    forced = bool(ks)
                pin = info.pinned_options.get(t)
                if self.allowed is not None:
                    keep = self.allowed.get((info.idx, t), set())
                    ks = [k for k in ks if k in keep or k == pin]
                near = self._neighbours(info, t, before, after)
                if near and ks:
                    mins = p.unit_minutes(info)
                    pins = {info.pinned_options.get(t - 1), info.pinned_options.get(t + 1)}
                    free = [j for j in near if j not in pins]
                    kept = [k for k in ks if k == pin or _fits(mins, k, near, limit)]
                    forced_only = [k for k in ks if k == pin or _fits(mins, k, free, limit)]
                    self.linked_out += len(forced_only) - len(kept)
                    ks = kept
                idx: list[int] = []
                for k in ks:
                    var = self.m.new_bool_var("")
                    n = len(self.x)
                    self.x.append(var)
                    self.posts.append(Posting(info.idx, t, k))
                    idx.append(n)
                    self.slot_posts[t].append(n)
                    site = info.options[k].site_id
                    if site is not None:
                        self.site_slot[(site, t)].append(n)
                    if k == pin:
                        self.pinned.append(n)
                if idx:
                    self.unit_slot[(info.idx, t)] = idx
                if forced:
                    self.forced.extend(idx)

    def build(self, *, objective: str | None = "full", warm: bool = False,
              min_disruption: bool = False, hints: bool = True) -> None:
        """Add every hard rule and, unless ``objective`` is None, the penalty terms.

        ``objective``: "full" (every target), "patrol" (every target but CTSFO reach, the
        CTSFO teams being fixed by a first phase) or "ctsfo" (CTSFO reach only).
        """
        for rule in rules.CONSTRAINT_RULES:
            rule.build(self)
        for n in self.forced:
            self.m.add(self.x[n] == 1)
        if objective is None:
            return
        if objective == "ctsfo":
            self.terms = targets.ctsfo_phase_terms(self)
        else:
            self.terms = targets.build_terms(self, min_disruption=warm and min_disruption,
                                             ctsfo=objective == "full")
        self.m.minimize(cp_model.LinearExpr.weighted_sum(
            [t.var for t in self.terms], [t.coef for t in self.terms]))
        if warm and hints:
            self.add_warm_hints()

    def add_hints(self, chosen: set[Posting]) -> None:
        """Hint the solution that posts exactly ``chosen``: every variable, the penalty and
        helper variables too when those postings meet the hard rules (CP-SAT starts from a
        complete hint at once; from postings alone it was measured to take seconds)."""
        self.m.clear_hints()  # type: ignore[no-untyped-call]
        values = self._completed(chosen)
        if values is not None:
            for i, value in enumerate(values):
                self.m.add_hint(self.m.get_int_var_from_proto_index(i), value)
            return
        for n, post in enumerate(self.posts):
            self.m.add_hint(self.x[n], post in chosen)

    def fix_postings(self, model: cp_model.CpModel, chosen: set[Posting]) -> None:
        """Force every posting variable of ``model`` (this model or a clone of it): 1 for the
        postings in ``chosen``, 0 otherwise."""
        for n, post in enumerate(self.posts):
            model.add(model.get_bool_var_from_proto_index(self.x[n].index) == int(post in chosen))

    def _completed(self, chosen: set[Posting]) -> list[int] | None:
        """Values of every variable with the postings fixed to ``chosen`` (None: infeasible)."""
        fixed = self.m.clone()
        self.fix_postings(fixed, chosen)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 5.0
        if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return list(solver.response_proto.solution)

    def add_warm_hints(self) -> None:
        """Hint every posting variable with the warm-start plan (1 where it posted the unit)."""
        p = self.p
        for n, post in enumerate(self.posts):
            info = p.units[post.unit]
            self.m.add_hint(self.x[n], info.find(p.warm.get((info.callsign, post.slot)))
                            == post.option)

    def guard(self, description: str, key: Hashable) -> cp_model.IntVar | None:
        """An assumption literal for one hard-rule instance (None outside the conflict search)."""
        g = self.guards
        if g is None:
            return None
        lit = g.keys.get(key)
        if lit is None:
            lit = self.m.new_bool_var(description)
            g.keys[key] = lit
            g.literals.append(lit)
            g.described[lit.index] = description
        return lit

    # ---------------------------------------------------------------- lookups
    def info(self, n: int) -> UnitInfo:
        """The unit of posting ``n``."""
        return self.p.units[self.posts[n].unit]

    def opt(self, n: int) -> Option:
        """The option of posting ``n``."""
        post = self.posts[n]
        return self.p.units[post.unit].options[post.option]

    def armed(self, n: int) -> int:
        """Armed officers of posting ``n``'s unit."""
        return self.p.units[self.posts[n].unit].armed

    def deployed(self, n: int) -> bool:
        """True when posting ``n`` counts as deployed for the armed share."""
        return self.p.deploys(self.opt(n).site_id)

    def assignment(self, n: int) -> Assignment:
        """Posting ``n`` as a plan assignment."""
        post = self.posts[n]
        info = self.p.units[post.unit]
        o = info.options[post.option]
        return Assignment(
            callsign=info.callsign, slot=post.slot, site_id=o.site_id, tactic=o.tactic,
            officers=info.officers, armed_officers=info.armed,
            pinned=info.pinned_options.get(post.slot) == post.option
            and (info.callsign, post.slot) in self.p.pins,
            standby_id=o.standby_id,
        )


def _fits(mins: FloatArray, k: int, among: list[int], limit: float) -> bool:
    """True when option ``k`` is within ``limit`` minutes both ways of every option in ``among``."""
    return all(mins[j, k] <= limit and mins[k, j] <= limit for j in among)
