"""Areas (boroughs and the City), standby points, coverage cells, and projections for London."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from pyproj import Geod, Transformer
from shapely import STRtree
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from resources.errors import InputError
from resources.model import _check

Ring = tuple[tuple[float, float], ...]
#: A polygon as an exterior ring followed by its holes, lon/lat degrees.
PolygonRings = tuple[Ring, ...]

_GEOD = Geod(ellps="WGS84")
#: Overlap between two parts of an area tolerated as rounding noise (square metres).
OVERLAP_TOLERANCE_M2 = 1.0
_M_PER_DEGREE = 111_320.0


@lru_cache(maxsize=1)
def _to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


@lru_cache(maxsize=1)
def _from_bng() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def to_bng(lon: float, lat: float) -> tuple[float, float]:
    """Project WGS84 lon/lat to British National Grid easting/northing in metres."""
    x, y = _to_bng().transform(lon, lat)
    return float(x), float(y)


def to_bng_many(
    lons: npt.ArrayLike, lats: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Project arrays of WGS84 lon/lat to British National Grid metres (vectorised to_bng)."""
    lon = np.asarray(lons, dtype=np.float64)
    lat = np.asarray(lats, dtype=np.float64)
    x, y = _to_bng().transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def from_bng(x: float, y: float) -> tuple[float, float]:
    """Unproject British National Grid metres to WGS84 lon/lat."""
    lon, lat = _from_bng().transform(x, y)
    return float(lon), float(lat)


def geodesic_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic (WGS84 ellipsoid) distance in kilometres."""
    _, _, d = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(d) / 1000.0


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km on a 6371 km sphere; fast and within 0.5% of geodesic."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Area:
    """A named area (borough or the City) with its polygons in lon/lat.

    ``taskable`` is False for areas the Met does not task by default (the City of London).
    """

    name: str
    polygons: tuple[PolygonRings, ...]
    taskable: bool = True

    def __post_init__(self) -> None:
        try:
            _check.text(self.name, "name", max_len=120)
            if not self.polygons:
                raise InputError("expected at least one polygon", field="geometry")
            for poly in self.polygons:
                if not poly:
                    raise InputError("expected an exterior ring", field="geometry")
                for ring in poly:
                    if len(ring) < 4:
                        raise InputError(
                            "expected a ring of at least 4 positions", field="geometry"
                        )
                    for lon, lat in ring:
                        _check.lonlat(lon, lat)
            problem = polygons_problem(self.polygons)
            if problem is not None:
                raise InputError(problem, field="geometry")
        except InputError as err:
            raise err.within(location=f"area '{_check.label(self.name)}'") from None

    def shape(self) -> MultiPolygon:
        """The area as a shapely MultiPolygon in lon/lat degrees."""
        return MultiPolygon([Polygon(p[0], list(p[1:])) for p in self.polygons])

    def geodesic_km2(self) -> float:
        """Area on the WGS84 ellipsoid in square kilometres (holes subtracted)."""
        total = 0.0
        for poly in self.shape().geoms:
            # Counter-clockwise exterior, clockwise holes: holes then subtract.
            a, _ = _GEOD.geometry_area_perimeter(orient(poly, 1.0))
            total += abs(float(a))
        return total / 1e6


def polygons_problem(polygons: tuple[PolygonRings, ...]) -> str | None:
    """Why these polygons do not make a valid area (one invalid, or two overlapping), or None.

    Each polygon must be valid (no self-intersection); parts of a multi-polygon may touch but
    not overlap, since an overlap would be counted twice.
    """
    shapes: list[Polygon] = []
    for k, rings in enumerate(polygons):
        shape = Polygon(rings[0], list(rings[1:]))
        if not shape.is_valid:
            where = f"polygon {k + 1}: " if len(polygons) > 1 else ""
            return f"{where}invalid polygon ({explain_validity(shape)})"
        shapes.append(shape)
    if len(shapes) < 2:
        return None
    left, right = STRtree(shapes).query(shapes, predicate="intersects")
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        if i >= j:
            continue
        common = shapes[i].intersection(shapes[j])
        scale = _M_PER_DEGREE ** 2 * math.cos(math.radians(common.centroid.y or 0.0))
        m2 = common.area * scale if not common.is_empty else 0.0
        if m2 > OVERLAP_TOLERANCE_M2:
            size = f"{m2 / 1e6:,.1f} km²" if m2 >= 1e5 else f"{m2:,.0f} m²"
            return (f"polygons {i + 1} and {j + 1} overlap (about {size}), so "
                    "the overlap would be counted twice; expected parts that do not overlap "
                    "(merge or remove them)")
    return None


@dataclass(frozen=True)
class StandbyPoint:
    """A place where reserve units (including CTSFO) wait between taskings."""

    point_id: str
    name: str
    lon: float
    lat: float
    borough: str

    def __post_init__(self) -> None:
        try:
            _check.ident(self.point_id, "id")
            _check.text(self.name, "name")
            _check.lonlat(self.lon, self.lat)
            _check.text(self.borough, "borough")
        except InputError as err:
            raise err.within(location=f"standby point '{_check.label(self.point_id)}'") from None


@dataclass(frozen=True)
class CoverageCell:
    """A square of the coverage grid, centre in lon/lat, with a demand weight."""

    cell_id: str
    lon: float
    lat: float
    borough: str
    demand: float

    def __post_init__(self) -> None:
        try:
            _check.ident(self.cell_id, "id")
            _check.lonlat(self.lon, self.lat)
            _check.number(self.demand, "demand", lo=0.0, hi=1e6)
        except InputError as err:
            raise err.within(location=f"cell '{_check.label(self.cell_id)}'") from None
