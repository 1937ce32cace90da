"""The greedy construction: a complete plan meeting every hard rule, fast.

solve() starts from it (the first plan CP-SAT improves; solver/api.py), and the benchmark uses
it as the baseline.  Slot by slot, in order: pins and fixed CTSFO postings; the unarmed units of
the day's drawn requirements (``SolveOptions.required``) at their sites, room being kept where
drawn armed units are still to come; unarmed units to sites by posture priority (nearest able
unit first), the rest to reserve, and any without a reserve posting to a site of theirs (every
unarmed officer deployed makes armed-share room); then, within the armed-share cap, CTSFO teams
where they bring the most cells into reach, the drawn armed units (least armed share first),
armed units to the highest-risk sites and then wherever they add the most armed reach, the rest
to reserve.  Every posting respects duty, capability, taskable areas, forbids, site maxima, VCP
armed cover and the change-over from the unit's previous posting (and to a pinned next one); a
requirement the rules cannot meet is left short.
"""

from __future__ import annotations

import time
from collections import defaultdict

from resources.kpis import counts_for_armed_reach, is_ctsfo
from resources.model import Assignment, Plan, Scenario, SolverInfo, Tactic
from solver.assemble import new_plan
from solver.conflicts import find_conflict, precheck_pins
from solver.greedy_fill import SlotFill, Units
from solver.options import Requirement, SolveOptions
from solver.problem import Problem, UnitInfo
from solver.run import versions


class _Stuck(Exception):
    """The greedy cannot meet the hard rules (pins it cannot balance)."""


class _Greedy:
    def __init__(self, p: Problem, fixed: dict[tuple[int, int], int | None]) -> None:
        self.p = p
        self.fixed = fixed
        self.tables = Units(p)
        self.prev: dict[int, int] = {}
        self.required: dict[int, list[Requirement]] = defaultdict(list)
        for r in p.opts.required:
            self.required[r.slot].append(r)

    def _fill_sites(self, s: SlotFill, units: list[UnitInfo], armed_only: bool) -> None:
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
        group = {i.idx for i in units}

        def keep(info: UnitInfo) -> bool:
            return info.idx in group

        for site in order:
            sid = site.site_id
            if armed_only:
                want = 0 if sid in s.armed_at else 1
            else:
                want = p.need(site, t) - s.count[sid] - s.held.get(sid, 0)
            if want > 0:
                s.fill_site(s.candidates(sid, keep), want,
                            s.mark_armed_reach if armed_only else None)

    def run_slot(self, t: int) -> SlotFill:
        p = self.p
        on = [i for i in p.units if t in i.slots]
        s = SlotFill(self.tables, t, on, self.prev)
        for info in on:
            k = info.pinned_options.get(t)
            if (info.idx, t) in self.fixed:
                k = self.fixed[(info.idx, t)]
                if k is None:
                    s.posted[info.idx] = -1  # held back by the CTSFO phase
                    continue
            if k is not None:
                s.post(info, k)
                if info.armed and is_ctsfo(info.utype):
                    s.mark_reach(info, k, armed=False)
                elif info.armed and counts_for_armed_reach(info.utype):
                    s.mark_armed_reach(info, k)
        over = [sid for sid, n in s.count.items() if n > p.sc.sites_by_id[sid].max_presence]
        if over:
            raise _Stuck
        unarmed = [i for i in on if not i.armed]
        ctsfo = [i for i in on if i.armed and is_ctsfo(i.utype)]
        patrol = [i for i in on if i.armed and counts_for_armed_reach(i.utype)]
        reqs = self.required.get(t, [])
        if reqs:
            s.require(reqs, armed=False)
            s.held.update(s.outstanding(reqs, armed=True))
        self._fill_sites(s, unarmed, armed_only=False)
        s.reserve(unarmed)
        for site in p.armed_top_sites(t):  # the spill leaves room for the armed fill
            if site.site_id not in s.armed_at:
                s.held[site.site_id] += 1
        s.spill(unarmed)
        s.held.clear()
        s.cover(ctsfo, armed=False)
        if reqs:
            s.require(reqs, armed=True)
        self._fill_sites(s, patrol, armed_only=True)
        s.cover(patrol, armed=True)
        s.reserve([i for i in on if i.armed])
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
    solver = SolverInfo("greedy", "FEASIBLE", seed=options.seed,
                        wall_time_s=round(time.perf_counter() - started, 3),
                        parameters={"sites_per_unit": options.sites_per_unit,
                                    "home_range_minutes": options.home_range_minutes},
                        versions=versions())
    return new_plan(scenario, p, chosen, solver)
