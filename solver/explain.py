"""Plain-English Unmet lines: for every target a plan misses, by how much and why."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from resources.kpis import KpiCalculator, counts_as_deployed, counts_for_armed_reach, is_ctsfo
from resources.model import (
    TACTIC_RULES,
    ArmedShareCap,
    Assignment,
    Site,
    SiteKind,
    SlotKpi,
    Tactic,
    Unmet,
)
from solver.problem import Option, Problem, UnitInfo


def cap_message(cap: ArmedShareCap, armed: int, deployed: int) -> str:
    """'armed share would be 9.1%; 38 more unarmed officers or 3 fewer armed needed'."""
    p, q = cap.share.numerator, cap.share.denominator
    share = 100 * armed / deployed if deployed else 100.0
    text = f"{share:.1f}"
    if float(text) <= 100 * p / q < share:  # 8.03% must not print as the cap itself
        text = f"{share:.2f}"
    more = "no number of" if p == 0 else str(max(0, math.ceil(q * armed / p) - deployed))
    fewer = max(0, math.ceil((q * armed - p * deployed) / (q - p))) if q > p else 0
    return (f"armed share would be {text}%; {more} more unarmed officers "
            f"or {fewer} fewer armed needed")


def _n(count: int, word: str) -> str:
    """'1 unit', '3 units' (regular plurals only)."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _places(cells: np.ndarray, p: Problem) -> str:
    names = Counter(p.sc.cells[int(c)].borough for c in cells)
    top = ", ".join(f"{b} {n}" for b, n in sorted(names.items(), key=lambda e: (-e[1], e[0]))[:3])
    return top + (", ..." if len(names) > 3 else "")


class Explainer:
    """Builds the Unmet lines of a finished plan."""

    def __init__(self, p: Problem, assignments: Sequence[Assignment], kpis: Sequence[SlotKpi],
                 gap: float | None) -> None:
        self.p = p
        self.gap = gap
        self.kpis = {k.slot: k for k in kpis}
        self.by_slot: dict[int, list[Assignment]] = defaultdict(list)
        for a in assignments:
            self.by_slot[a.slot].append(a)
        self.posted = {(a.callsign, a.slot): a for a in assignments}
        self.calc = KpiCalculator(p.sc, p.travel)
        self._can: dict[tuple[str, str], bool] = {}
        self.site_opts: dict[str, list[tuple[UnitInfo, int]]] = defaultdict(list)
        for info in p.units:
            for k, o in enumerate(info.options):
                if o.site_id is not None:
                    self.site_opts[o.site_id].append((info, k))

    # --------------------------------------------------------------- helpers
    def cap_binds(self, t: int, crew: int | None = None) -> str | None:
        """A cap message when one more armed unit (``crew`` armed officers; default the
        smallest armed patrol unit on duty) would break the cap."""
        cap = self.p.sc.armed_share_cap
        posts = self.by_slot[t]
        deployed = sum(a.officers for a in posts
                       if counts_as_deployed(self.p.sc.deployed_rule, a))
        armed = sum(a.armed_officers for a in posts
                    if counts_as_deployed(self.p.sc.deployed_rule, a))
        crews = [i.armed for i in self.p.units if t in i.slots and counts_for_armed_reach(i.utype)]
        if crew is None and not crews:
            return None
        extra = crew if crew is not None else min(crews)
        if cap.allows(armed + extra, deployed + extra):
            return None
        return (f"armed officers at the {cap.percent} cap ({armed} of {deployed}); one more "
                f"armed unit: {cap_message(cap, armed + extra, deployed + extra)}")

    def _why_site(self, site: Site, t: int) -> str:
        p = self.p
        able = [i for i in p.units if t in i.slots and self._type_can(i, site)]
        if not able:
            if site.kind is SiteKind.RIVER_STRETCH:
                return "no boat available"
            return "no unit able to work there is on duty"
        allowed = [i for i in able if not self._forbidden(i.callsign, site.site_id, t)]
        if not allowed:
            return f"the able units on duty ({len(able)}) are forbidden there"
        cands = [(i, k) for i, k in self.site_opts[site.site_id]
                 if t in i.slots and k in p.postings(i, t)]
        if not cands:
            base_mins = [(p.travel.minutes(f"base:{i.callsign}", site.site_id, i.utype),
                          i.callsign) for i in able]
            mins, who = min(base_mins)
            if mins > p.opts.home_range_minutes:
                return (f"no able unit within reach: the nearest, {who}, is {mins:.0f} min "
                        f"from its base (home range {p.opts.home_range_minutes:.0f} min)")
            return (f"no able unit kept it among its candidate sites "
                    f"(nearest: {who}, {mins:.0f} min)")
        units = sorted({i.callsign for i, _ in cands})
        idle = [cs for cs in units if (cs, t) not in self.posted]
        busy = len(units) - len(idle)
        if not idle:
            return ("the only able unit within reach is posted elsewhere" if len(units) == 1
                    else f"all {len(units)} able units within reach are posted elsewhere")
        cap = self.cap_binds(t)
        armed_idle = [cs for cs in idle if p.by_callsign[cs].armed > 0]
        if cap and len(armed_idle) == len(idle):
            return cap
        moved = [cs for cs in idle if self._travel_blocked(cs, site.site_id, t)]
        if len(moved) == len(idle):
            return (f"{_n(busy, 'able unit')} posted elsewhere; the others cannot make the "
                    f"change-over from their postings in the slots around it")
        gap = "" if self.gap is None else f" (gap {100 * self.gap:.2f}%)"
        return (f"{_n(len(idle), 'able unit')} left unposted: the search stopped before "
                f"using them{gap}")

    def _type_can(self, info: UnitInfo, site: Site) -> bool:
        key = (info.utype.code, site.site_id)
        hit = self._can.get(key)
        if hit is None:
            hit = any(
                self.p.is_regular(info.utype, Option(site.site_id, site.site_id, None, tac))
                for tac in sorted(info.utype.tactics) if tac is not Tactic.RESERVE
            )
            self._can[key] = hit
        return hit

    def _forbidden(self, callsign: str, site_id: str, t: int) -> bool:
        rules = self.p.forbidden.get(callsign, {})
        if site_id not in rules:
            return False
        slots = rules[site_id]
        return slots is None or t in slots

    def _travel_blocked(self, callsign: str, place: str, t: int) -> bool:
        p = self.p
        ut = p.by_callsign[callsign].utype
        limit = p.sc.travel.changeover_minutes + 1e-9
        for other in (t - 1, t + 1):
            a = self.posted.get((callsign, other))
            if a is not None:
                there = a.site_id or a.standby_id or f"base:{callsign}"
                if p.travel.minutes(there, place, ut) > limit:
                    return True
        return False

    # ----------------------------------------------------------------- lines
    def presence(self) -> list[Unmet]:
        """Sites below the posture's minimum presence."""
        p, out = self.p, []
        level = p.sc.threat_level.value
        for t in range(p.n_slots):
            count = Counter(a.site_id for a in self.by_slot[t] if a.site_id is not None)
            for s in p.target_sites:
                req = p.required(s, t)
                have = count[s.site_id]
                if have >= req:
                    continue
                why = self._why_site(s, t)
                head = (f"{s.name} uncovered {p.labels[t]}" if have == 0 else
                        f"{s.name} {p.labels[t]}: {have} of {req} units")
                out.append(Unmet(t, s.name, f"{head} (minimum {req} at {level}): {why}",
                                 "presence"))
        return out

    def armed_top(self) -> list[Unmet]:
        """Highest-risk sites without an armed unit."""
        p, out = self.p, []
        for t in range(p.n_slots):
            top = p.armed_top_sites(t)
            armed = {a.site_id for a in self.by_slot[t] if a.armed_officers > 0}
            missing = [s for s in top if s.site_id not in armed]
            if not missing:
                continue
            names = ", ".join(s.name for s in missing[:5]) + (", ..." if len(missing) > 5 else "")
            why = self.cap_binds(t) or self._why_site_armed(missing, t)
            out.append(Unmet(t, "armed presence at top sites",
                             f"{p.labels[t]}: {len(top) - len(missing)} of the {len(top)} "
                             f"highest-risk sites have an armed unit; without: {names}: {why}",
                             "armed_top_sites"))
        return out

    def _why_site_armed(self, missing: list[Site], t: int) -> str:
        p = self.p
        reachable = [s for s in missing if any(
            i.armed > 0 and t in i.slots and k in p.postings(i, t)
            for i, k in self.site_opts[s.site_id])]
        if not reachable:
            return "no armed unit on duty can be posted there"
        return "the armed units on duty are placed where they weigh more (reach, other sites)"

    def reach(self, kind: str) -> list[Unmet]:
        """Armed reach or CTSFO reach below 100% of demand."""
        p, out = self.p, []
        armed = kind == "armed_reach"
        minutes = p.posture.armed_reach_minutes if armed else p.posture.ctsfo_reach_minutes
        total = float(p.demand.sum())
        for t in range(p.n_slots):
            k = self.kpis[t]
            share = k.armed_reach if armed else k.ctsfo_reach
            if share >= 1.0 - 1e-9 or total <= 0:
                continue
            units = [i for i in p.units if t in i.slots
                     and (counts_for_armed_reach(i.utype) and i.armed if armed
                          else is_ctsfo(i.utype))]
            posts = [a for a in self.by_slot[t] if p.by_callsign[a.callsign] in units]
            missed = np.flatnonzero(self.calc.reached(posts, minutes) == 0)
            possible = np.zeros(len(p.demand), dtype=bool)
            for i in units:
                table = p.reach_table(i.utype, minutes)
                for o in i.options:
                    possible[table.get(o.place, np.zeros(0, dtype=np.int64))] = True
            beyond = [c for c in missed if not possible[c]]
            who = "an armed unit" if armed else "a CTSFO team"
            head = (f"{p.labels[t]}: {'armed' if armed else 'CTSFO'} reach {100 * share:.1f}% "
                    f"of demand; {len(missed)} cells beyond {minutes:.0f} min of {who} "
                    f"({_places(missed, p)})")
            reasons = []
            if not units:
                reasons.append(f"no {'armed unit' if armed else 'CTSFO team'} on duty")
            elif beyond:
                reasons.append(f"{len(beyond)} of them are beyond reach of every place "
                               f"{who} on duty can be posted")
            idle_teams = [i for i in units if (i.callsign, t) not in self.posted]
            crew = None if armed else min((i.armed for i in idle_teams), default=None)
            if (armed or crew is not None) and (cap := self.cap_binds(t, crew)):
                reasons.append(cap)
            if len(beyond) < len(missed) and units:
                what = _n(len(units), "armed unit" if armed else "team")
                reasons.append(f"{what} on duty cannot cover the rest as well")
            out.append(Unmet(t, "armed reach" if armed else "CTSFO reach",
                             f"{head}: {'; '.join(reasons)}", kind))
        return out

    def mix(self) -> list[Unmet]:
        """Tactics some unit on the roster can do but no site posting uses in the slot."""
        p, out = self.p, []
        tactics = sorted({o.tactic for i in p.units for o in i.options if o.site_id})
        for t in range(p.n_slots):
            used = {a.tactic for a in self.by_slot[t] if a.site_id is not None}
            for tac in tactics:
                if tac in used:
                    continue
                able = [i for i in p.units if t in i.slots
                        and any(o.tactic is tac for o in i.options)]
                name = TACTIC_RULES[tac].label
                label = name[0].lower() + name[1:]
                why = ("no unit able to do it is on duty" if not able else
                       f"the units able to do it ({len(able)}) weigh more elsewhere")
                out.append(Unmet(t, TACTIC_RULES[tac].label,
                                 f"{p.labels[t]}: no {label} in the mix: {why}", "mix"))
        return out


def explain(p: Problem, assignments: Sequence[Assignment], kpis: Sequence[SlotKpi],
            gap: float | None) -> tuple[Unmet, ...]:
    """Every Unmet line of a plan: CTSFO reach, presence, armed top sites, armed reach, mix."""
    e = Explainer(p, assignments, kpis, gap)
    lines = e.reach("ctsfo_reach") + e.presence() + e.armed_top() + e.reach("armed_reach")
    return tuple(sorted(lines + e.mix(), key=lambda u: (u.slot if u.slot is not None else -1)))
