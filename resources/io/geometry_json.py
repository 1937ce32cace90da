"""Polygon coordinates in JSON (GeoJSON layout) and areas as scenario records."""

from __future__ import annotations

import math
from typing import Any

from resources.errors import InputError
from resources.io.fields import Obj, describe
from resources.model import Area
from resources.model.geo import PolygonRings, Ring

JSON = dict[str, Any]

#: Positions accepted in one area (all rings of all polygons).
MAX_POSITIONS = 2_000_000


class GeometryError(InputError):
    """A coordinate problem, located by polygon, ring and position inside a geometry."""


def area_to_dict(a: Area) -> JSON:
    """An area as a scenario record: name, taskable flag, MultiPolygon-style coordinates."""
    return {
        "name": a.name,
        "taskable": a.taskable,
        "polygons": [[[list(p) for p in ring] for ring in poly] for poly in a.polygons],
    }


def area_from(o: Obj) -> Area:
    """Parse an area record (rings need 4+ positions; closure is not enforced here)."""
    o.only({"name", "taskable", "polygons"})
    try:
        polygons = multipolygon(o.raw("polygons"), require_closed=False)
    except GeometryError as err:
        raise o.error(err.detail, "polygons") from None
    name, taskable = o.text("name", max_len=120), o.boolean("taskable", True)
    try:
        return Area(name, polygons, taskable)
    except InputError as err:
        if err.field == "geometry":
            raise o.error(err.detail, "polygons") from None
        raise o.wrap(err) from None


def multipolygon(coords: object, *, require_closed: bool) -> tuple[PolygonRings, ...]:
    """MultiPolygon coordinates: a list of polygons."""
    if not isinstance(coords, list) or not coords:
        raise GeometryError(f"expected a non-empty list of polygons, got {describe(coords)}")
    out = []
    budget = [MAX_POSITIONS]
    for i, poly in enumerate(coords):
        try:
            out.append(_polygon(poly, require_closed, budget))
        except GeometryError as err:
            raise GeometryError(f"polygon {i + 1}, {err.detail}") from None
    return tuple(out)


def polygon(coords: object, *, require_closed: bool) -> PolygonRings:
    """Polygon coordinates: an exterior ring followed by its holes."""
    return _polygon(coords, require_closed, [MAX_POSITIONS])


def _polygon(coords: object, require_closed: bool, budget: list[int]) -> PolygonRings:
    if not isinstance(coords, list) or not coords:
        raise GeometryError(f"expected a non-empty list of rings, got {describe(coords)}")
    rings = []
    for r, ring in enumerate(coords):
        what = "exterior ring" if r == 0 else f"hole {r}"
        try:
            rings.append(_ring(ring, require_closed, budget))
        except GeometryError as err:
            raise GeometryError(f"{what}: {err.detail}") from None
    return tuple(rings)


def _ring(coords: object, require_closed: bool, budget: list[int]) -> Ring:
    if not isinstance(coords, list):
        raise GeometryError(f"expected a list of positions, got {describe(coords)}")
    if len(coords) < 4:
        raise GeometryError(f"expected at least 4 positions, got {len(coords)}")
    budget[0] -= len(coords)
    if budget[0] < 0:
        raise GeometryError(f"expected at most {MAX_POSITIONS} positions in one area")
    out = []
    for k, pos in enumerate(coords):
        out.append(_position(pos, k + 1))
    if require_closed and out[0] != out[-1]:
        raise GeometryError(
            "expected a closed ring (last position equal to the first), "
            f"got first {list(out[0])} and last {list(out[-1])}"
        )
    return tuple(out)


def _position(pos: object, k: int) -> tuple[float, float]:
    if not isinstance(pos, list) or not 2 <= len(pos) <= 3:
        raise GeometryError(f"position {k}: expected [lon, lat], got {describe(pos)}")
    for v in pos:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise GeometryError(f"position {k}: expected numbers, got {describe(v)}")
    lon, lat = float(pos[0]), float(pos[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        hint = " (the file looks projected, e.g. in metres)" if abs(lon) > 1000 else ""
        raise GeometryError(
            f"position {k}: expected longitude in [-180, 180] and latitude in [-90, 90], "
            f"got [{pos[0]}, {pos[1]}]{hint}"
        )
    return (lon, lat)
