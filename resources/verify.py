"""The independent plan verifier: every hard rule and every KPI recomputed from scenario + plan.

It shares no code with the solver (it imports no OR-Tools and nothing from solver/); it trusts
nothing the plan says about itself except the postings, and reports each breach in plain English.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from resources.kpis import (
    KpiCalculator,
    counts_as_deployed,
    non_taskable_boroughs,
    posting_place,
)
from resources.model import Assignment, Mode, Plan, Scenario, SiteKind, Tactic, Unit
from resources.travel import TravelTimes

_TOL = 1e-6


@dataclass(frozen=True)
class Violation:
    """One breach of a hard rule (or a KPI the plan misreports)."""

    rule: str
    slot: int | None
    subject: str
    message: str

    def __str__(self) -> str:
        where = f"slot {self.slot}: " if self.slot is not None else ""
        return f"[{self.rule}] {where}{self.message}"


class _Checker:
    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        self.sc = scenario
        self.plan = plan
        self.out: list[Violation] = []
        self.slots = scenario.calendar.slots()
        self.labels = {s.index: s.label for s in self.slots}
        # Postings that name a known unit, slot and places; the rest are reported once.
        self.ok: list[Assignment] = []

    def add(self, rule: str, slot: int | None, subject: str, message: str) -> None:
        self.out.append(Violation(rule, slot, subject, message))

    def when(self, slot: int) -> str:
        return self.labels.get(slot, f"slot {slot}")

    def unit(self, a: Assignment) -> Unit:
        return self.sc.units_by_callsign[a.callsign]


def _check_header(c: _Checker) -> None:
    sc, plan = c.sc, c.plan
    if plan.scenario != sc.name:
        c.add("scenario", None, plan.scenario,
              f"plan is for scenario '{plan.scenario}', not '{sc.name}'")
    if plan.threat_level != sc.threat_level.value:
        c.add("threat_level", None, plan.threat_level,
              f"plan is at threat level {plan.threat_level}, scenario at {sc.threat_level}")
    if plan.armed_share_cap != sc.armed_share_cap.percent:
        c.add("armed_share_cap", None, plan.armed_share_cap,
              f"plan records cap {plan.armed_share_cap}, scenario has "
              f"{sc.armed_share_cap.percent}")
    want = [(s.index, s.start.isoformat(), s.end.isoformat()) for s in c.slots]
    have = [(p.index, p.start, p.end) for p in plan.slots]
    if want != have:
        c.add("slots", None, "slots",
              f"plan slots do not match the scenario calendar ({len(have)} recorded, "
              f"{len(want)} expected)")


def _check_references(c: _Checker) -> None:
    sc = c.sc
    seen: dict[tuple[str, int], Assignment] = {}
    for a in c.plan.assignments:
        if a.callsign not in sc.units_by_callsign:
            c.add("unknown_unit", a.slot, a.callsign, f"unit '{a.callsign}' is not on the roster")
            continue
        if a.slot not in c.labels:
            c.add("slot", a.slot, a.callsign, f"{a.callsign} is posted in unknown slot {a.slot}")
            continue
        if a.site_id is not None and a.site_id not in sc.sites_by_id:
            c.add("unknown_site", a.slot, a.site_id, f"site '{a.site_id}' is not in the scenario")
            continue
        if a.standby_id is not None and a.standby_id not in sc.standby_by_id:
            c.add("unknown_standby", a.slot, a.standby_id,
                  f"standby point '{a.standby_id}' is not in the scenario")
            continue
        key = (a.callsign, a.slot)
        if key in seen:
            c.add("one_place", a.slot, a.callsign,
                  f"{c.when(a.slot)}: {a.callsign} has two postings "
                  f"({posting_place(seen[key])} and {posting_place(a)})")
            continue
        seen[key] = a
        c.ok.append(a)


def _check_unit_rules(c: _Checker) -> None:
    sc = c.sc
    for a in c.ok:
        u = c.unit(a)
        ut = sc.unit_type(u)
        w = c.when(a.slot)
        if not u.on_duty(a.slot):
            why = (f"committed to {u.committed_to}" if u.committed_to
                   else "not rostered on duty")
            c.add("availability", a.slot, a.callsign, f"{w}: {a.callsign} is posted but {why}")
        if a.officers != u.officers or a.armed_officers != ut.armed_for(u.officers):
            c.add("crew", a.slot, a.callsign,
                  f"{w}: {a.callsign} recorded with {a.officers} officers "
                  f"({a.armed_officers} armed); roster says {u.officers} "
                  f"({ut.armed_for(u.officers)} armed)")
        if a.site_id is None:
            if a.tactic is not Tactic.RESERVE or Tactic.RESERVE not in ut.tactics:
                c.add("capability", a.slot, a.callsign,
                      f"{w}: {a.callsign} has a reserve posting with tactic '{a.tactic}' "
                      f"but a {ut.code} cannot do that")
            continue
        site = sc.sites_by_id[a.site_id]
        if a.standby_id is not None:
            c.add("capability", a.slot, a.callsign,
                  f"{w}: {a.callsign} is at site {site.name} and standby point "
                  f"{a.standby_id} at once")
        if ut.reserve_only:
            c.add("capability", a.slot, a.callsign,
                  f"{w}: {a.callsign} ({ut.code}) may only hold reserve postings, "
                  f"but is at {site.name}")
        elif ut.mode is Mode.BOAT and site.kind is not SiteKind.RIVER_STRETCH:
            c.add("capability", a.slot, a.callsign,
                  f"{w}: boat {a.callsign} is posted at {site.name}, which is not a river stretch")
        elif site.kind is SiteKind.RIVER_STRETCH and ut.mode is not Mode.BOAT:
            c.add("capability", a.slot, a.callsign,
                  f"{w}: river stretch {site.name} is covered by {a.callsign}, not a boat")
        elif not sc.can_perform(u, site, a.tactic):
            c.add("capability", a.slot, a.callsign,
                  f"{w}: a {ut.code} cannot do '{a.tactic}' at {site.name}")


def _check_site_rules(c: _Checker) -> None:
    sc = c.sc
    by_site: dict[tuple[str, int], list[Assignment]] = defaultdict(list)
    for a in c.ok:
        if a.site_id is not None:
            by_site[(a.site_id, a.slot)].append(a)
    pinned = {(p.callsign, p.slot, p.site_id) for p in sc.pins}
    off_limits = non_taskable_boroughs(sc)
    for (sid, t), posts in sorted(by_site.items()):
        site = sc.sites_by_id[sid]
        w = c.when(t)
        if len(posts) > site.max_presence:
            c.add("max_presence", t, sid,
                  f"{w}: {len(posts)} units at {site.name}, maximum {site.max_presence}")
        has_armed = any(p.armed_officers > 0 for p in posts)
        for p in posts:
            if p.tactic is Tactic.VCP_ANPR and not has_armed:
                c.add("vcp_armed_cover", t, p.callsign,
                      f"{w}: VCP by {p.callsign} at {site.name} has no armed unit at the site")
            if site.borough in off_limits and (p.callsign, t, sid) not in pinned:
                c.add("taskable_area", t, p.callsign,
                      f"{w}: {p.callsign} is tasked at {site.name} in {site.borough}, "
                      f"an area not tasked by this force")
    for fb in sc.forbids:
        for t in sorted(fb.slots) if fb.slots is not None else sorted(c.labels):
            for p in by_site.get((fb.site_id, t), []):
                if p.callsign == fb.callsign:
                    c.add("forbid", t, p.callsign,
                          f"{c.when(t)}: {p.callsign} is posted at "
                          f"{sc.sites_by_id[fb.site_id].name}, which a forbid rules out")


def _check_armed_share(c: _Checker) -> None:
    sc = c.sc
    cap = sc.armed_share_cap
    officers: dict[int, int] = defaultdict(int)
    armed: dict[int, int] = defaultdict(int)
    for a in c.ok:
        if counts_as_deployed(sc.deployed_rule, a):
            officers[a.slot] += a.officers
            armed[a.slot] += a.armed_officers
    for t in sorted(officers):
        if not cap.allows(armed[t], officers[t]):
            c.add("armed_share", t, "armed share",
                  f"{c.when(t)}: {armed[t]} armed of {officers[t]} deployed officers "
                  f"({100.0 * armed[t] / officers[t]:.1f}%) is over the {cap.percent} cap "
                  f"({cap.integer_form})")


def _check_pins(c: _Checker) -> None:
    have = {(a.callsign, a.slot): a for a in c.ok}
    pins = {(p.callsign, p.slot): p for p in c.sc.pins}
    for key, pin in sorted(pins.items()):
        a = have.get(key)
        want = pin.site_id or pin.standby_id or "reserve at base"
        if a is None or (a.site_id, a.tactic, a.standby_id) != (
            pin.site_id, pin.tactic, pin.standby_id
        ):
            got = "no posting" if a is None else f"{posting_place(a)} ({a.tactic})"
            c.add("pin", pin.slot, pin.callsign,
                  f"{c.when(pin.slot)}: {pin.callsign} is pinned to {want} ({pin.tactic}) "
                  f"but the plan has {got}")
        elif not a.pinned:
            c.add("pin", pin.slot, pin.callsign,
                  f"{c.when(pin.slot)}: {pin.callsign} keeps its pin but is not marked pinned")
    for key, a in sorted(have.items()):
        if a.pinned and key not in pins:
            c.add("pin", a.slot, a.callsign,
                  f"{c.when(a.slot)}: {a.callsign} is marked pinned but the scenario has no "
                  f"such pin")


def _check_changeover(c: _Checker, travel: TravelTimes) -> None:
    sc = c.sc
    limit = sc.travel.changeover_minutes
    have = {(a.callsign, a.slot): a for a in c.ok}
    for (cs, t), a in sorted(have.items()):
        b = have.get((cs, t + 1))
        if b is None:
            continue
        ut = sc.unit_type(sc.units_by_callsign[cs])
        mins = travel.minutes(posting_place(a), posting_place(b), ut)
        if mins > limit + _TOL:
            c.add("changeover", t + 1, cs,
                  f"{c.when(t + 1)}: {cs} needs {mins:.0f} min from {posting_place(a)} to "
                  f"{posting_place(b)}, change-over allows {limit:.0f} min")


def _check_kpis(c: _Checker, calc: KpiCalculator) -> None:
    fresh = calc.plan_kpis(c.ok)
    recorded = {k.slot: k for k in c.plan.kpis}
    for k in fresh:
        r = recorded.get(k.slot)
        if r is None:
            c.add("kpi", k.slot, "kpis", f"{c.when(k.slot)}: the plan records no KPIs")
            continue
        for name in ("officers", "armed_officers", "sites_covered"):
            if getattr(r, name) != getattr(k, name):
                c.add("kpi", k.slot, name, f"{c.when(k.slot)}: {name} recorded "
                      f"{getattr(r, name)}, recomputed {getattr(k, name)}")
        for name in ("armed_share", "risk_coverage", "armed_reach", "ctsfo_reach"):
            if abs(getattr(r, name) - getattr(k, name)) > _TOL:
                c.add("kpi", k.slot, name, f"{c.when(k.slot)}: {name} recorded "
                      f"{getattr(r, name):.4f}, recomputed {getattr(k, name):.4f}")
        named = any(u.slot == k.slot and u.kind == "ctsfo_reach" for u in c.plan.unmet)
        if k.ctsfo_reach < 1.0 - _TOL and not named:
            c.add("ctsfo_reach", k.slot, "CTSFO reach",
                  f"{c.when(k.slot)}: {100 * (1 - k.ctsfo_reach):.1f}% of demand is beyond "
                  f"the CTSFO reach and the plan does not name it")


_RULES: tuple[Callable[[_Checker], None], ...] = (
    _check_header, _check_references, _check_unit_rules, _check_site_rules,
    _check_armed_share, _check_pins,
)


def verify_plan(scenario: Scenario, plan: Plan, *, check_kpis: bool = True) -> list[Violation]:
    """Every breach of a hard rule in ``plan`` (and misreported KPIs); empty when clean."""
    c = _Checker(scenario, plan)
    for rule in _RULES:
        rule(c)
    travel = TravelTimes(scenario)
    _check_changeover(c, travel)
    if check_kpis:
        _check_kpis(c, KpiCalculator(scenario, travel))
    return c.out
