"""A greedy baseline with the same hard rules, for the benchmark (not used to make plans).

Slot by slot, in order: pins; unarmed units to sites by posture priority (nearest able unit
first), the rest of the unarmed units to reserve; then, within the armed-share cap, CTSFO teams
to the standby point that brings the most cells into reach, armed units to the highest-risk
sites and then wherever they add the most armed reach.  Every posting respects duty, capability,
taskable areas, forbids, site maxima, VCP armed cover and the change-over from the unit's
previous posting.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime

import numpy as np

from resources.kpis import KpiCalculator, counts_for_armed_reach, is_ctsfo
from resources.model import Assignment, Plan, PlanSlot, Scenario, SolverInfo, Tactic
from solver.conflicts import find_conflict, precheck_pins
from solver.explain import explain
from solver.options import SolveOptions
from solver.problem import Problem, UnitInfo
from solver.run import versions


class _Slot:
    """The state of one slot while the greedy fills it."""

    def __init__(self, g: _Greedy, t: int) -> None:
        self.g, self.t = g, t
        self.posted: dict[int, int] = {}
        self.count: dict[str, int] = defaultdict(int)
        self.armed_at: set[str] = set()
        self.tactics: set[Tactic] = set()
        self.deployed = 0
        self.armed = 0
        self.ctsfo_cells = np.zeros(len(g.p.demand), dtype=bool)
        self.armed_cells = np.zeros(len(g.p.demand), dtype=bool)

    def allowed(self, info: UnitInfo, k: int) -> bool:
        p = self.g.p
        if info.idx in self.posted or k not in self.g.options_in(info, self.t):
            return False
        opt = info.options[k]
        limit = p.sc.travel.changeover_minutes + 1e-9
        mins = p.unit_minutes(info)
        prev = self.g.prev.get(info.idx)
        if prev is not None and mins[prev, k] > limit:
            return False
        nxt = info.pinned_options.get(self.t + 1)
        if nxt is not None and mins[k, nxt] > limit:
            return False
        if opt.site_id is not None:
            site = p.sc.sites_by_id[opt.site_id]
            if self.count[opt.site_id] >= site.max_presence:
                return False
            covered = info.armed or opt.site_id in self.armed_at
            if opt.tactic is Tactic.VCP_ANPR and not covered:
                return False
        if info.armed and p.deploys(opt.site_id):
            cap = p.sc.armed_share_cap
            return cap.allows(self.armed + info.armed, self.deployed + info.officers)
        return True

    def post(self, info: UnitInfo, k: int) -> None:
        p = self.g.p
        opt = info.options[k]
        self.posted[info.idx] = k
        if p.deploys(opt.site_id):
            self.deployed += info.officers
            self.armed += info.armed
        if opt.site_id is not None:
            self.count[opt.site_id] += 1
            self.tactics.add(opt.tactic)
            if info.armed:
                self.armed_at.add(opt.site_id)


class _Stuck(Exception):
    """The greedy cannot meet the hard rules (pins it cannot balance)."""


class _Greedy:
    def __init__(self, p: Problem, fixed: dict[tuple[int, int], int | None]) -> None:
        self.p = p
        self.fixed = fixed
        self.prev: dict[int, int] = {}
        self._opts: dict[tuple[int, int], list[int]] = {}

    def options_in(self, info: UnitInfo, t: int) -> list[int]:
        key = (info.idx, t)
        if key not in self._opts:
            self._opts[key] = self.p.postings(info, t)
        return self._opts[key]

    def _best_site_option(self, s: _Slot, info: UnitInfo, site_id: str) -> int | None:
        ks = [k for k in self.options_in(info, s.t)
              if info.options[k].site_id == site_id and s.allowed(info, k)]
        if not ks:
            return None
        fresh = [k for k in ks if info.options[k].tactic not in s.tactics]
        return (fresh or ks)[0]

    def _fill_sites(self, s: _Slot, units: list[UnitInfo], armed_only: bool) -> None:
        p, t = self.p, s.t
        h = p.hours[t]
        if armed_only:
            vcp = [p.sc.sites_by_id[info.options[k].site_id or ""]
                   for info in p.units for tt, k in info.pinned_options.items()
                   if tt == t and info.options[k].tactic is Tactic.VCP_ANPR and not info.armed]
            order = vcp + list(p.armed_top_sites(t))
        else:
            order = sorted(p.target_sites,
                           key=lambda x: (-p.required(x, t), -x.risk_at(h), x.site_id))

        def short(site_id: str, goal: int) -> bool:
            return site_id not in s.armed_at if armed_only else s.count[site_id] < goal

        for site in order:
            goal = 1 if armed_only else p.need(site, t)
            while short(site.site_id, goal):
                best: tuple[float, int, UnitInfo, int] | None = None
                for info in units:
                    k = self._best_site_option(s, info, site.site_id) \
                        if info.idx not in s.posted else None
                    if k is None:
                        continue
                    mins = p.travel.minutes(f"base:{info.callsign}", site.site_id, info.utype)
                    if best is None or (mins, info.idx) < (best[0], best[1]):
                        best = (mins, info.idx, info, k)
                if best is None:
                    break
                s.post(best[2], best[3])
                if armed_only:
                    self._mark_reach(s, best[2], best[3], armed=True)

    def _mark_reach(self, s: _Slot, info: UnitInfo, k: int, *, armed: bool) -> None:
        p = self.p
        minutes = p.posture.armed_reach_minutes if armed else p.posture.ctsfo_reach_minutes
        cells = p.reach_table(info.utype, minutes).get(info.options[k].place)
        if cells is not None:
            (s.armed_cells if armed else s.ctsfo_cells)[cells] = True

    def _cover(self, s: _Slot, units: list[UnitInfo], armed: bool) -> None:
        """Post units, one at a time, where they bring the most uncovered demand into reach."""
        p = self.p
        minutes = p.posture.armed_reach_minutes if armed else p.posture.ctsfo_reach_minutes
        covered = s.armed_cells if armed else s.ctsfo_cells
        while True:
            best: tuple[float, int, UnitInfo, int] | None = None
            for info in units:
                if info.idx in s.posted:
                    continue
                table = p.reach_table(info.utype, minutes)
                for k in self.options_in(info, s.t):
                    cells = table.get(info.options[k].place)
                    if cells is None or not len(cells) or not s.allowed(info, k):
                        continue
                    gain = float(p.demand[cells][~covered[cells]].sum())
                    if gain > 0 and (best is None or (-gain, info.idx) < (-best[0], best[1])):
                        best = (gain, info.idx, info, k)
            if best is None:
                return
            s.post(best[2], best[3])
            self._mark_reach(s, best[2], best[3], armed=armed)

    def _reserve(self, s: _Slot, units: list[UnitInfo]) -> None:
        for info in units:
            for k in self.options_in(info, s.t):
                if info.options[k].is_reserve and s.allowed(info, k):
                    s.post(info, k)
                    break

    def run_slot(self, t: int) -> _Slot:
        p = self.p
        s = _Slot(self, t)
        on = [i for i in p.units if t in i.slots]
        for info in on:
            k = info.pinned_options.get(t)
            if (info.idx, t) in self.fixed:
                k = self.fixed[(info.idx, t)]
                if k is None:
                    s.posted[info.idx] = -1  # held back by the CTSFO phase
                    continue
            if k is not None:
                s.post(info, k)
        over = [sid for sid, n in s.count.items() if n > p.sc.sites_by_id[sid].max_presence]
        if over:
            raise _Stuck
        unarmed = [i for i in on if not i.armed]
        ctsfo = [i for i in on if i.armed and is_ctsfo(i.utype)]
        patrol = [i for i in on if i.armed and counts_for_armed_reach(i.utype)]
        self._fill_sites(s, unarmed, armed_only=False)
        self._reserve(s, unarmed)
        self._cover(s, ctsfo, armed=False)
        self._fill_sites(s, patrol, armed_only=True)
        self._cover(s, patrol, armed=True)
        self._reserve(s, [i for i in on if i.armed])
        s.posted = {u: k for u, k in s.posted.items() if k >= 0}
        uncovered = [u for u, k in s.posted.items()
                     if p.units[u].options[k].tactic is Tactic.VCP_ANPR and not p.units[u].armed
                     and p.units[u].options[k].site_id not in s.armed_at]
        if uncovered or not p.sc.armed_share_cap.allows(s.armed, s.deployed):
            raise _Stuck
        self.prev = dict(s.posted)
        return s


def greedy_postings(p: Problem, fixed: dict[tuple[int, int], int | None] | None = None
                    ) -> dict[tuple[int, int], int] | None:
    """(unit, slot) -> option of a greedy plan meeting every hard rule, with ``fixed`` postings
    (None: the unit stays unposted) kept; None when the greedy cannot balance the pins."""
    g = _Greedy(p, fixed or {})
    out: dict[tuple[int, int], int] = {}
    try:
        for t in range(p.n_slots):
            for u, k in g.run_slot(t).posted.items():
                out[(u, t)] = k
    except _Stuck:
        return None
    return out


def greedy_plan(scenario: Scenario, options: SolveOptions | None = None) -> Plan:
    """A plan by the greedy baseline (same hard rules as the optimiser, same KPIs and lines)."""
    options = options or SolveOptions()
    started = time.perf_counter()
    p = Problem(scenario, options)
    precheck_pins(p)
    postings = greedy_postings(p)
    if postings is None:
        raise find_conflict(p)
    chosen: list[Assignment] = []
    for (u, t), k in sorted(postings.items()):
        info = p.units[u]
        o = info.options[k]
        chosen.append(Assignment(
            info.callsign, t, o.site_id, o.tactic, info.officers, info.armed,
            pinned=info.pinned_options.get(t) == k and (info.callsign, t) in p.pins,
            standby_id=o.standby_id))
    chosen.sort(key=lambda a: (a.slot, a.callsign))
    kpis = KpiCalculator(scenario, p.travel).plan_kpis(chosen)
    return Plan(
        scenario=scenario.name, threat_level=scenario.threat_level.value,
        armed_share_cap=scenario.armed_share_cap.percent,
        slots=tuple(PlanSlot(s.index, s.start.isoformat(), s.end.isoformat())
                    for s in scenario.calendar.slots()),
        assignments=tuple(chosen), kpis=kpis, unmet=explain(p, chosen, kpis, None),
        solver=SolverInfo("greedy", "FEASIBLE", seed=options.seed,
                          wall_time_s=round(time.perf_counter() - started, 3),
                          parameters={"sites_per_unit": options.sites_per_unit,
                                      "home_range_minutes": options.home_range_minutes},
                          versions=versions()),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
