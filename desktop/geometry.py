"""A scenario's static map geometry projected once to British National Grid metres."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from resources.model import Scenario
from resources.model.geo import to_bng_many
from resources.travel import haversine_km

Array = npt.NDArray[np.float64]


def _nan_joined(rings: Sequence[Sequence[tuple[float, float]]]) -> tuple[Array, Array]:
    """All rings projected and joined into one x/y pair with NaN breaks (one curve item)."""
    if not rings:
        return np.empty(0), np.empty(0)
    lon = np.concatenate([np.append(np.asarray([p[0] for p in r]), np.nan) for r in rings])
    lat = np.concatenate([np.append(np.asarray([p[1] for p in r]), np.nan) for r in rings])
    x, y = to_bng_many(lon, lat)
    x[np.isnan(lon)] = np.nan
    y[np.isnan(lat)] = np.nan
    return x, y


@dataclass
class CellRaster:
    """Coverage cells laid on a regular BNG grid, so one image shows them all."""

    rows: npt.NDArray[np.intp]
    cols: npt.NDArray[np.intp]
    shape: tuple[int, int]
    x0: float
    y0: float
    size: float

    def rect(self) -> tuple[float, float, float, float]:
        """The image rectangle (x, y, width, height) in BNG metres."""
        h, w = self.shape
        return self.x0, self.y0, w * self.size, h * self.size


class MapGeometry:
    """Borough outlines, the Thames, sites, standby points, cells: projected once per scenario."""

    def __init__(self, scenario: Scenario, thames: Sequence[tuple[float, float]] = ()) -> None:
        rings = [ring for area in scenario.areas for poly in area.polygons for ring in poly]
        self.borough_x, self.borough_y = _nan_joined(rings)
        city = [r for a in scenario.areas if not a.taskable for p in a.polygons for r in p[:1]]
        self.untaskable_x, self.untaskable_y = _nan_joined(city)
        self.labels = self._labels(scenario)
        self.thames_x, self.thames_y = _nan_joined([list(thames)] if len(thames) > 1 else [])
        self.site_lon = np.array([s.lon for s in scenario.sites], dtype=np.float64)
        self.site_lat = np.array([s.lat for s in scenario.sites], dtype=np.float64)
        self.site_x, self.site_y = to_bng_many(self.site_lon, self.site_lat)
        self.standby_lon = np.array([p.lon for p in scenario.standby_points], dtype=np.float64)
        self.standby_lat = np.array([p.lat for p in scenario.standby_points], dtype=np.float64)
        self.standby_x, self.standby_y = to_bng_many(self.standby_lon, self.standby_lat)
        self.base_lon = np.array([u.base_lon for u in scenario.units], dtype=np.float64)
        self.base_lat = np.array([u.base_lat for u in scenario.units], dtype=np.float64)
        self.base_x, self.base_y = to_bng_many(self.base_lon, self.base_lat)
        self.cell_lon = np.array([c.lon for c in scenario.cells], dtype=np.float64)
        self.cell_lat = np.array([c.lat for c in scenario.cells], dtype=np.float64)
        self.cell_x, self.cell_y = to_bng_many(self.cell_lon, self.cell_lat)
        self.cell_demand = np.array([c.demand for c in scenario.cells], dtype=np.float64)
        self.raster = self._raster(scenario.cell_size_m)
        self.site_index = {s.site_id: i for i, s in enumerate(scenario.sites)}
        self.standby_index = {p.point_id: i for i, p in enumerate(scenario.standby_points)}
        self.unit_index = {u.callsign: i for i, u in enumerate(scenario.units)}
        self._cell_site_km: Array | None = None
        self._cell_standby_km: Array | None = None

    def _labels(self, scenario: Scenario) -> list[tuple[str, float, float]]:
        out: list[tuple[str, float, float]] = []
        names, lons, lats = [], [], []
        for area in scenario.areas:
            shape = area.shape()
            biggest = max(shape.geoms, key=lambda g: g.area)
            pt = biggest.representative_point()
            names.append(area.name)
            lons.append(pt.x)
            lats.append(pt.y)
        xs, ys = to_bng_many(lons, lats)
        for name, x, y in zip(names, xs, ys, strict=True):
            out.append((name, float(x), float(y)))
        return out

    def _raster(self, size: float) -> CellRaster:
        if self.cell_x.size == 0:
            empty = np.zeros(0, dtype=np.intp)
            return CellRaster(empty, empty, (1, 1), 0.0, 0.0, size)
        x0 = float(self.cell_x.min()) - size / 2
        y0 = float(self.cell_y.min()) - size / 2
        cols = np.floor((self.cell_x - x0) / size).astype(np.intp)
        rows = np.floor((self.cell_y - y0) / size).astype(np.intp)
        shape = (int(rows.max()) + 1, int(cols.max()) + 1)
        return CellRaster(rows, cols, shape, x0, y0, size)

    @property
    def cell_site_km(self) -> Array:
        """Great-circle km from every cell (rows) to every site (columns); computed once."""
        if self._cell_site_km is None:
            self._cell_site_km = haversine_km(
                self.cell_lon, self.cell_lat, self.site_lon, self.site_lat
            )
        return self._cell_site_km

    @property
    def cell_standby_km(self) -> Array:
        """Great-circle km from every cell to every standby point; computed once."""
        if self._cell_standby_km is None:
            self._cell_standby_km = haversine_km(
                self.cell_lon, self.cell_lat, self.standby_lon, self.standby_lat
            )
        return self._cell_standby_km

    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of everything on the map, with a small margin."""
        xs = [a for a in (self.borough_x, self.site_x, self.cell_x, self.base_x) if a.size]
        ys = [a for a in (self.borough_y, self.site_y, self.cell_y, self.base_y) if a.size]
        if not xs:
            return 500_000.0, 150_000.0, 560_000.0, 210_000.0
        x = np.concatenate(xs)
        y = np.concatenate(ys)
        xmin, xmax = float(np.nanmin(x)), float(np.nanmax(x))
        ymin, ymax = float(np.nanmin(y)), float(np.nanmax(y))
        pad = max(xmax - xmin, ymax - ymin, 2000.0) * 0.03
        return xmin - pad, ymin - pad, xmax + pad, ymax + pad


def circle_path(xs: Array, ys: Array, radius_m: Array, points: int = 48) -> tuple[Array, Array]:
    """Circles around each centre joined with NaN breaks, for one curve item."""
    if xs.size == 0:
        return np.empty(0), np.empty(0)
    t = np.append(np.linspace(0.0, 2 * math.pi, points), np.nan)
    cx = xs[:, None] + radius_m[:, None] * np.cos(t)[None, :]
    cy = ys[:, None] + radius_m[:, None] * np.sin(t)[None, :]
    return cx.ravel(), cy.ravel()
