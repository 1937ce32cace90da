"""Travel times between places: haversine distance x circuity / mode speed, or an imported matrix.

Places are named by id: a site id, a standby point id, or ``base:CALLSIGN`` for a unit's base.
The scenario's travel matrix (minutes by road) replaces the distance model for vehicle units on
the pairs it lists; foot, horse and boat units always use the distance model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from resources.errors import InputError
from resources.model import Mode, Scenario, UnitType

EARTH_RADIUS_KM = 6371.0088
FloatArray = npt.NDArray[np.float64]


def base_id(callsign: str) -> str:
    """The place id of a unit's base."""
    return f"base:{callsign}"


def haversine_km(
    lon_a: npt.ArrayLike, lat_a: npt.ArrayLike, lon_b: npt.ArrayLike, lat_b: npt.ArrayLike
) -> FloatArray:
    """Great-circle distances in km, shape (len(a), len(b)), for degree lon/lat arrays."""
    la = np.radians(np.asarray(lat_a, dtype=np.float64))[:, None]
    lb = np.radians(np.asarray(lat_b, dtype=np.float64))[None, :]
    dlon = np.radians(
        np.asarray(lon_b, dtype=np.float64)[None, :] - np.asarray(lon_a, dtype=np.float64)[:, None]
    )
    h = np.sin((lb - la) / 2.0) ** 2 + np.cos(la) * np.cos(lb) * np.sin(dlon / 2.0) ** 2
    out: FloatArray = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return out


def minutes_for_km(km: npt.ArrayLike, speed_kmh: float, circuity: float) -> FloatArray:
    """Minutes to cover straight-line ``km`` at ``speed_kmh`` along a route ``circuity`` longer."""
    out: FloatArray = np.asarray(km, dtype=np.float64) * (circuity * 60.0 / speed_kmh)
    return out


def reach_km(minutes: float, speed_kmh: float, circuity: float) -> float:
    """Straight-line km reachable in ``minutes`` at ``speed_kmh`` (inverse of minutes_for_km)."""
    return minutes * speed_kmh / (60.0 * circuity)


class TravelTimes:
    """Travel minutes between the places of one scenario, per unit type."""

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._circuity = scenario.travel.circuity
        self._matrix = dict(scenario.travel.matrix)
        places: dict[str, tuple[float, float]] = {}
        for u in scenario.units:
            places[base_id(u.callsign)] = (u.base_lon, u.base_lat)
        for p in scenario.standby_points:
            places[p.point_id] = (p.lon, p.lat)
        for s in scenario.sites:
            places[s.site_id] = (s.lon, s.lat)
        self._places = places

    @property
    def circuity(self) -> float:
        """The scenario's circuity factor."""
        return self._circuity

    def has_place(self, place_id: str) -> bool:
        """True when ``place_id`` names a site, standby point or unit base of the scenario."""
        return place_id in self._places

    def place(self, place_id: str) -> tuple[float, float]:
        """Lon/lat of a place id."""
        try:
            return self._places[place_id]
        except KeyError:
            raise InputError(f"unknown place '{place_id}'", field="place") from None

    def speed_kmh(self, unit_type: UnitType) -> float:
        """The type's speed after any scenario override."""
        return self._scenario.speed_kmh(unit_type)

    def uses_matrix(self, unit_type: UnitType) -> bool:
        """True when the imported matrix applies to this type (vehicles, matrix present)."""
        return unit_type.mode is Mode.VEHICLE and bool(self._matrix)

    def minutes(self, from_id: str, to_id: str, unit_type: UnitType) -> float:
        """Minutes from one place to another for a unit of ``unit_type``."""
        if from_id == to_id:
            return 0.0
        if self.uses_matrix(unit_type):
            hit = self._matrix.get((from_id, to_id))
            if hit is not None:
                return float(hit)
        return float(self.matrix([from_id], [to_id], unit_type)[0, 0])

    def matrix(
        self, from_ids: Sequence[str], to_ids: Sequence[str], unit_type: UnitType
    ) -> FloatArray:
        """Minutes from each of ``from_ids`` (rows) to each of ``to_ids`` (columns)."""
        a = np.array([self.place(p) for p in from_ids], dtype=np.float64).reshape(-1, 2)
        b = np.array([self.place(p) for p in to_ids], dtype=np.float64).reshape(-1, 2)
        km = haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        out = minutes_for_km(km, self.speed_kmh(unit_type), self._circuity)
        same = np.equal.outer(np.asarray(from_ids, dtype=object), np.asarray(to_ids, dtype=object))
        out[same] = 0.0
        if self.uses_matrix(unit_type):
            rows = {p: i for i, p in enumerate(from_ids)}
            cols = {p: j for j, p in enumerate(to_ids)}
            for (f, t), mins in self._matrix.items():
                i, j = rows.get(f), cols.get(t)
                if i is not None and j is not None and f != t:
                    out[i, j] = mins
        return out

    def to_points(
        self, from_ids: Sequence[str], lons: npt.ArrayLike, lats: npt.ArrayLike,
        unit_type: UnitType,
    ) -> FloatArray:
        """Minutes from places to arbitrary points (e.g. coverage cells): distance model."""
        a = np.array([self.place(p) for p in from_ids], dtype=np.float64).reshape(-1, 2)
        km = haversine_km(a[:, 0], a[:, 1], lons, lats)
        return minutes_for_km(km, self.speed_kmh(unit_type), self._circuity)
