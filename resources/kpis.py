"""Per-slot measures of a plan, and the posture targets they are judged against.

Definitions (docs/solver.md explains them at length):

- officers / armed_officers: officers on postings that count as deployed under the scenario's
  DeployedRule (ALL_POSTED: every posting; SITES_ONLY: site postings), and the armed among them;
- risk_coverage: sum over taskable sites of risk_at(hour) x min(1, units / need), divided by the
  sum of risk_at(hour), where need = max(1, required_presence);
- armed_reach: demand-weighted share of coverage cells within the posture's armed reach minutes of
  the posting of an armed unit (reserve-only types such as the CTSFO team excluded), at that unit's
  speed; ctsfo_reach: the same for immediate-response units within the CTSFO reach minutes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from resources.model import (
    Assignment,
    DeployedRule,
    Scenario,
    Site,
    SlotKpi,
    UnitType,
)
from resources.travel import FloatArray, TravelTimes, base_id

IMMEDIATE_RESPONSE = "immediate_response"


def non_taskable_boroughs(scenario: Scenario) -> frozenset[str]:
    """Names of areas the force does not task by default (e.g. the City of London)."""
    return frozenset(a.name for a in scenario.areas if not a.taskable)


def taskable_sites(scenario: Scenario) -> tuple[Site, ...]:
    """Sites outside non-taskable areas, in scenario order."""
    skip = non_taskable_boroughs(scenario)
    return tuple(s for s in scenario.sites if s.borough not in skip)


def slot_hours(scenario: Scenario) -> tuple[float, ...]:
    """Start hour of day of every slot of the scenario's calendar."""
    return tuple(s.start_hour for s in scenario.calendar.slots())


def required_presence(scenario: Scenario, site: Site, hour: float) -> int:
    """Units the posture asks for at ``site`` in a slot starting at ``hour``.

    ceil(min_presence x presence_factor x crowd profile at the hour), and at least one when the
    site's risk is at or above the posture's min_risk_covered; never above max_presence.
    """
    posture = scenario.posture
    profile = site.risk_at(hour) / site.risk if site.risk > 0 else 0.0
    scaled = math.ceil(round(site.min_presence * posture.presence_factor * profile, 9))
    floor_one = 1 if site.risk > 0 and site.risk >= posture.min_risk_covered else 0
    return min(site.max_presence, max(scaled, floor_one))


def coverage_need(scenario: Scenario, site: Site, hour: float) -> int:
    """Units that count as full coverage of a site: max(1, required presence)."""
    return max(1, required_presence(scenario, site, hour))


def is_ctsfo(unit_type: UnitType) -> bool:
    """True for immediate-response (CTSFO) unit types."""
    return IMMEDIATE_RESPONSE in unit_type.capabilities


def counts_for_armed_reach(unit_type: UnitType) -> bool:
    """Armed types other than reserve-only ones (the CTSFO team has its own measure)."""
    return unit_type.armed and not unit_type.reserve_only


def posting_place(a: Assignment) -> str:
    """Where a posting is: its site, its standby point, or the unit's base."""
    return a.site_id or a.standby_id or base_id(a.callsign)


def counts_as_deployed(rule: DeployedRule, a: Assignment) -> bool:
    """True when the posting counts towards deployed officers (and the armed share)."""
    return rule is DeployedRule.ALL_POSTED or a.site_id is not None


def deployed_officers(scenario: Scenario, postings: Iterable[Assignment]) -> tuple[int, int]:
    """(officers, armed officers) deployed by ``postings`` under the scenario's rule."""
    officers = armed = 0
    for a in postings:
        if counts_as_deployed(scenario.deployed_rule, a):
            officers += a.officers
            armed += a.armed_officers
    return officers, armed


class KpiCalculator:
    """Computes SlotKpi for the slots of one scenario (caches cells and travel)."""

    def __init__(self, scenario: Scenario, travel: TravelTimes | None = None) -> None:
        self.scenario = scenario
        self.travel = travel or TravelTimes(scenario)
        self._sites = taskable_sites(scenario)
        self._hours = slot_hours(scenario)
        self._cell_lon = np.array([c.lon for c in scenario.cells], dtype=np.float64)
        self._cell_lat = np.array([c.lat for c in scenario.cells], dtype=np.float64)
        self._demand = np.array([c.demand for c in scenario.cells], dtype=np.float64)

    def reached(self, postings: Sequence[Assignment], minutes: float) -> FloatArray:
        """Boolean mask (as 0/1 floats) of cells within ``minutes`` of any of ``postings``."""
        mask = np.zeros(len(self._demand), dtype=np.float64)
        by_type: dict[str, list[str]] = defaultdict(list)
        for a in postings:
            unit = self.scenario.units_by_callsign.get(a.callsign)
            if unit is not None and self.travel.has_place(posting_place(a)):
                by_type[unit.type_code].append(posting_place(a))
        for code in sorted(by_type):
            ut = self.scenario.types_by_code[code]
            places = sorted(set(by_type[code]))
            mins = self.travel.to_points(places, self._cell_lon, self._cell_lat, ut)
            mask = np.maximum(mask, (mins <= minutes + 1e-9).any(axis=0).astype(np.float64))
        return mask

    def reach_share(self, postings: Sequence[Assignment], minutes: float) -> float:
        """Demand-weighted share of cells within ``minutes`` of any of ``postings``."""
        total = float(self._demand.sum())
        if total <= 0.0:
            return 1.0
        return float((self.reached(postings, minutes) * self._demand).sum() / total)

    def risk_coverage(self, postings: Sequence[Assignment], slot: int) -> float:
        """Risk-weighted share of site risk covered in ``slot`` (1.0 when no risk at all)."""
        hour = self._hours[slot]
        count: dict[str, int] = defaultdict(int)
        for a in postings:
            if a.site_id is not None:
                count[a.site_id] += 1
        num = den = 0.0
        for s in self._sites:
            r = s.risk_at(hour)
            den += r
            num += r * min(1.0, count[s.site_id] / coverage_need(self.scenario, s, hour))
        return 1.0 if den <= 0.0 else num / den

    def slot_kpi(self, postings: Sequence[Assignment], slot: int) -> SlotKpi:
        """All measures of one slot from its postings."""
        officers, armed = deployed_officers(self.scenario, postings)
        posture = self.scenario.posture
        types = self.scenario.types_by_code
        units = self.scenario.units_by_callsign

        def type_of(a: Assignment) -> UnitType | None:
            u = units.get(a.callsign)
            return None if u is None else types.get(u.type_code)

        armed_posts = [
            a for a in postings
            if a.armed_officers > 0 and (t := type_of(a)) is not None and counts_for_armed_reach(t)
        ]
        ctsfo_posts = [a for a in postings if (t := type_of(a)) is not None and is_ctsfo(t)]
        return SlotKpi(
            slot=slot,
            officers=officers,
            armed_officers=armed,
            armed_share=armed / officers if officers else 0.0,
            risk_coverage=self.risk_coverage(postings, slot),
            armed_reach=self.reach_share(armed_posts, posture.armed_reach_minutes),
            ctsfo_reach=self.reach_share(ctsfo_posts, posture.ctsfo_reach_minutes),
            sites_covered=len({a.site_id for a in postings if a.site_id is not None}),
        )

    def plan_kpis(self, assignments: Iterable[Assignment]) -> tuple[SlotKpi, ...]:
        """SlotKpi for every slot of the calendar, in slot order."""
        by_slot: dict[int, list[Assignment]] = defaultdict(list)
        for a in assignments:
            by_slot[a.slot].append(a)
        return tuple(self.slot_kpi(by_slot[t], t) for t in range(len(self._hours)))


def plan_kpis(scenario: Scenario, assignments: Iterable[Assignment]) -> tuple[SlotKpi, ...]:
    """SlotKpi for every slot of ``scenario`` from a plan's assignments."""
    return KpiCalculator(scenario).plan_kpis(assignments)
