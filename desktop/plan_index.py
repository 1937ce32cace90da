"""A plan indexed for drawing: postings per slot, timeline categories, armed reach per cell."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from desktop.geometry import Array, MapGeometry
from desktop.theme import KIND_CATEGORY
from resources.kpis import counts_for_armed_reach, is_ctsfo
from resources.model import Assignment, Plan, Scenario, UnitStatus
from resources.travel import haversine_km, reach_km

#: Timeline category codes (see theme.TIMELINE_CATEGORIES).
OFF_DUTY, COMMITTED, IDLE, RESERVE = 0, 1, 2, 3
_RING_M = 220.0


@dataclass
class SlotPostings:
    """Where every posted unit is in one slot, in BNG metres, grouped for drawing."""

    unit: npt.NDArray[np.intp]
    x: Array
    y: Array
    armed: npt.NDArray[np.bool_]
    ctsfo: npt.NDArray[np.bool_]
    site_units: npt.NDArray[np.int32]
    site_armed: npt.NDArray[np.int32]


class PlanIndex:
    """Everything the views need about a plan, computed once per (scenario, plan)."""

    def __init__(self, scenario: Scenario, plan: Plan | None, geo: MapGeometry) -> None:
        self.scenario, self.plan, self.geo = scenario, plan, geo
        n_units, n_slots = len(scenario.units), scenario.calendar.slot_count
        self.n_slots = n_slots
        self.assignment = np.full((n_units, n_slots), -1, dtype=np.int32)
        self.category = np.full((n_units, n_slots), IDLE, dtype=np.int8)
        for u, unit in enumerate(scenario.units):
            if unit.status is UnitStatus.COMMITTED:
                self.category[u, :] = COMMITTED
            elif unit.available_slots is not None:
                on = [s for s in unit.available_slots if 0 <= s < n_slots]
                self.category[u, :] = OFF_DUTY
                self.category[u, on] = IDLE
        self.assignments: tuple[Assignment, ...] = plan.assignments if plan else ()
        kinds = [KIND_CATEGORY.get(s.kind.value, 4) for s in scenario.sites]
        for i, a in enumerate(self.assignments):
            row = geo.unit_index.get(a.callsign)
            if row is None or not 0 <= a.slot < n_slots:
                continue
            self.assignment[row, a.slot] = i
            site = geo.site_index.get(a.site_id) if a.site_id is not None else None
            self.category[row, a.slot] = RESERVE if site is None else kinds[site]
        types = [scenario.unit_type(u) for u in scenario.units]
        self.unit_armed = np.array([t.armed for t in types], dtype=np.bool_)
        self.unit_reach = np.array([counts_for_armed_reach(t) for t in types], dtype=np.bool_)
        self.unit_ctsfo = np.array([is_ctsfo(t) for t in types], dtype=np.bool_)
        self.unit_speed = np.array([scenario.speed_kmh(t) for t in types], dtype=np.float64)
        self._postings: dict[int, SlotPostings] = {}
        self._reach: dict[int, Array] = {}

    def at(self, unit: int, slot: int) -> Assignment | None:
        """The assignment of unit row ``unit`` in ``slot``, or None."""
        i = int(self.assignment[unit, slot])
        return self.assignments[i] if i >= 0 else None

    def postings(self, slot: int) -> SlotPostings:
        """Posted units of a slot with their map positions (units sharing a place fan out)."""
        cached = self._postings.get(slot)
        if cached is not None:
            return cached
        geo = self.geo
        col = self.assignment[:, slot] if self.assignment.size else np.empty(0, np.int32)
        units = np.nonzero(col >= 0)[0]
        xs, ys = np.empty(units.size), np.empty(units.size)
        site_units = np.zeros(len(self.scenario.sites), dtype=np.int32)
        site_armed = np.zeros(len(self.scenario.sites), dtype=np.int32)
        crowd: dict[tuple[float, float], int] = {}
        for k, u in enumerate(units):
            a = self.assignments[int(col[u])]
            s = geo.site_index.get(a.site_id) if a.site_id is not None else None
            p = geo.standby_index.get(a.standby_id) if a.standby_id is not None else None
            if s is not None:
                x, y = float(geo.site_x[s]), float(geo.site_y[s])
                site_units[s] += 1
                site_armed[s] += 1 if a.armed_officers > 0 else 0
            elif p is not None:
                x, y = float(geo.standby_x[p]), float(geo.standby_y[p])
            else:
                x, y = float(geo.base_x[u]), float(geo.base_y[u])
            n = crowd.get((x, y), 0)
            crowd[(x, y)] = n + 1
            if n:
                ring, pos = divmod(n - 1, 8)
                ang = pos * math.pi / 4 + ring * math.pi / 8
                x += _RING_M * (ring + 1) * math.cos(ang)
                y += _RING_M * (ring + 1) * math.sin(ang)
            xs[k], ys[k] = x, y
        out = SlotPostings(
            units, xs, ys, self.unit_armed[units], self.unit_ctsfo[units],
            site_units, site_armed,
        )
        self._postings[slot] = out
        return out

    def reach_minutes(self, slot: int) -> Array:
        """Minutes from each cell to the nearest posting that counts for armed reach (see kpis)."""
        cached = self._reach.get(slot)
        if cached is not None:
            return cached
        geo = self.geo
        n_cells = geo.cell_x.size
        best = np.full(n_cells, np.inf)
        col = self.assignment[:, slot] if self.assignment.size else np.empty(0, np.int32)
        patrol = (col >= 0) & self.unit_reach
        factor = self.scenario.travel.circuity * 60.0
        site_cols, site_speed, sb_cols, sb_speed, base_units = [], [], [], [], []
        for u in np.nonzero(patrol)[0]:
            a = self.assignments[int(col[u])]
            speed = float(self.unit_speed[u])
            s = geo.site_index.get(a.site_id) if a.site_id is not None else None
            p = geo.standby_index.get(a.standby_id) if a.standby_id is not None else None
            if s is not None:
                site_cols.append(s)
                site_speed.append(speed)
            elif p is not None:
                sb_cols.append(p)
                sb_speed.append(speed)
            else:
                base_units.append(int(u))
        if n_cells and site_cols:
            km = geo.cell_site_km[:, site_cols]
            best = np.minimum(best, (km / np.asarray(site_speed)[None, :]).min(axis=1) * factor)
        if n_cells and sb_cols:
            km = geo.cell_standby_km[:, sb_cols]
            best = np.minimum(best, (km / np.asarray(sb_speed)[None, :]).min(axis=1) * factor)
        if n_cells and base_units:
            km = haversine_km(geo.cell_lon, geo.cell_lat, geo.base_lon[base_units],
                                  geo.base_lat[base_units])
            speeds = self.unit_speed[base_units]
            best = np.minimum(best, (km / speeds[None, :]).min(axis=1) * factor)
        self._reach[slot] = best
        return best

    def ctsfo(self, slot: int) -> tuple[Array, Array, Array]:
        """Immediate-response (CTSFO) postings of a slot: x, y and reach radius in metres."""
        p = self.postings(slot)
        minutes = self.scenario.posture.ctsfo_reach_minutes
        circuity = self.scenario.travel.circuity
        radius = np.array([reach_km(minutes, float(v), circuity) * 1000.0
                           for v in self.unit_speed[p.unit[p.ctsfo]]], dtype=np.float64)
        return p.x[p.ctsfo], p.y[p.ctsfo], radius
