"""The coverage grid: square cells on the British National Grid over the taskable boroughs.

A cell is kept when its centre lies in a taskable borough, which it is then recorded in. Its
demand is a baseline of 1 plus the risk of every site discounted by distance:
``demand = 1 + sum(site.risk * exp(-d / 2 km))``, ``d`` being the distance from the cell centre to
the site, so busy central cells weigh many times more than quiet outer ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer
from pyproj.enums import TransformDirection

from resources.model.geo import Area, CoverageCell
from resources.model.sites import Site

BASELINE_DEMAND = 1.0
DECAY_M = 2000.0


@lru_cache(maxsize=1)
def _bng() -> Transformer:
    """WGS84 lon/lat to British National Grid (forward) and back (inverse), vectorised."""
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def to_bng_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project arrays of lon/lat to BNG easting/northing."""
    x, y = _bng().transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def from_bng_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unproject arrays of BNG easting/northing to lon/lat."""
    lon, lat = _bng().transform(x, y, direction=TransformDirection.INVERSE)
    return np.asarray(lon), np.asarray(lat)


def _grid(areas: Sequence[Area], size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Easting/northing of the south-west corners of grid squares covering the areas."""
    lo_lon, lo_lat, hi_lon, hi_lat = shapely.union_all([a.shape() for a in areas]).bounds
    cx, cy = to_bng_xy(np.array([lo_lon, lo_lon, hi_lon, hi_lon]),
                       np.array([lo_lat, hi_lat, lo_lat, hi_lat]))
    x0 = math.floor(float(cx.min()) / size_m) * size_m
    y0 = math.floor(float(cy.min()) / size_m) * size_m
    x1, y1 = float(cx.max()), float(cy.max())
    xs = np.arange(x0, x1 + size_m, size_m)
    ys = np.arange(y0, y1 + size_m, size_m)
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel()


def demand(cx: np.ndarray, cy: np.ndarray, sites: Sequence[Site]) -> np.ndarray:
    """Demand at BNG points: the baseline plus each site's risk decaying over 2 km."""
    lons = np.array([s.lon for s in sites])
    lats = np.array([s.lat for s in sites])
    sx, sy = to_bng_xy(lons, lats)
    risk = np.array([s.risk for s in sites])
    d = np.hypot(cx[:, None] - sx[None, :], cy[:, None] - sy[None, :])
    result: np.ndarray = BASELINE_DEMAND + (risk[None, :] * np.exp(-d / DECAY_M)).sum(axis=1)
    return result


def coverage_cells(areas: Sequence[Area], sites: Sequence[Site],
                   size_m: float) -> tuple[CoverageCell, ...]:
    """Grid cells of ``size_m`` metres whose centres lie in a taskable area, with their demand."""
    taskable = [a for a in areas if a.taskable]
    x0, y0 = _grid(taskable, size_m)
    cx, cy = x0 + size_m / 2, y0 + size_m / 2
    lon, lat = from_bng_xy(cx, cy)
    owner = np.full(cx.shape, -1)
    for i, area in enumerate(taskable):
        inside = shapely.contains_xy(area.shape(), lon, lat) & (owner < 0)
        owner[inside] = i
    keep = np.flatnonzero(owner >= 0)
    weights = demand(cx[keep], cy[keep], sites) if sites else np.full(len(keep), BASELINE_DEMAND)
    return tuple(
        CoverageCell(
            f"BNG {int(x0[k])} {int(y0[k])}", round(float(lon[k]), 6), round(float(lat[k]), 6),
            taskable[owner[k]].name, round(float(w), 3),
        )
        for k, w in zip(keep, weights, strict=True)
    )
