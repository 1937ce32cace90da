"""Area boundaries from GeoJSON (RFC 7946): Polygon/MultiPolygon features in lon/lat.

Rings must be closed; they are re-wound to the right-hand rule so holes subtract.
"""

from __future__ import annotations

from pathlib import Path

from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from resources.errors import InputError
from resources.io import safe_json
from resources.io.fields import Obj, describe
from resources.io.geometry_json import GeometryError, multipolygon, polygon
from resources.model import Area
from resources.model._check import clip
from resources.model.geo import PolygonRings

#: The area that the Met does not task by default (matched case-insensitively).
NOT_TASKABLE = frozenset({"city of london"})
#: crs names that mean WGS84 longitude/latitude.
_LONLAT_CRS = frozenset({
    "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "ogc:crs84", "crs84",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84", "urn:ogc:def:crs:epsg::4326",
    "epsg:4326", "http://www.opengis.net/def/crs/epsg/0/4326",
})
MAX_FEATURES = 10_000
#: Positions accepted in one file (all rings of all features).
MAX_FILE_POSITIONS = 5_000_000


def read_areas(path: Path, name_field: str) -> tuple[Area, ...]:
    """Areas from a GeoJSON file, named by the property ``name_field``."""
    return areas_from_geojson(safe_json.read_json(path), name_field, path.name)


def areas_from_geojson(doc: object, name_field: str, source: str = "geojson") -> tuple[Area, ...]:
    """Validate a FeatureCollection and build one Area per feature."""
    top = Obj(doc, "", source)
    if top.raw("type") != "FeatureCollection":
        raise top.error(f"expected 'FeatureCollection', got {describe(top.raw('type'))}",
                        "type")
    if top.has("crs"):
        _check_crs(top.obj("crs"))
    feats = top.array("features", max_len=MAX_FEATURES)
    if not feats:
        raise top.error("expected at least one feature", "features")
    areas: list[Area] = []
    first: dict[str, str] = {}
    positions = 0
    for i, item in enumerate(feats):
        f = Obj(item, f"features[{i}]", source)
        area = _feature_area(f, name_field)
        positions += sum(len(ring) for poly in area.polygons for ring in poly)
        if positions > MAX_FILE_POSITIONS:
            raise f.error(f"expected at most {MAX_FILE_POSITIONS:,} positions in the whole file",
                          "geometry.coordinates")
        key = area.name.casefold()
        if key in first:
            raise f.error(f"duplicate area name '{area.name}' (first at {first[key]})",
                          f"properties.{name_field}")
        first[key] = f.path
        areas.append(area)
    return tuple(areas)


def _right_hand(shape: Polygon) -> PolygonRings:
    """Rings wound per RFC 7946 (exterior counter-clockwise, holes clockwise)."""
    fixed = orient(shape, sign=1.0)
    rings = [fixed.exterior, *fixed.interiors]
    return tuple(tuple((float(x), float(y)) for x, y in ring.coords) for ring in rings)


def _check_crs(crs: Obj) -> None:
    name = crs.obj("properties", {}).raw("name", None)
    if not isinstance(name, str) or name.strip().lower() not in _LONLAT_CRS:
        raise crs.error(
            f"the file declares coordinate system {describe(name)}; expected WGS84 lon/lat "
            "(CRS84 or EPSG:4326): reproject the file to WGS84 first", "properties.name",
        )


def _feature_area(f: Obj, name_field: str) -> Area:
    if f.raw("type") != "Feature":
        raise f.error(f"expected 'Feature', got {describe(f.raw('type'))}", "type")
    props = f.obj("properties", {})
    field = f"properties.{name_field}"
    raw_name = props.data.get(name_field)
    if raw_name is None:
        names = sorted(props.data)
        present = ", ".join(clip(n, 24) for n in names[:5]) or "none"
        if len(names) > 5:
            present += f" and {len(names) - 5:,} more"
        raise f.error(f"missing name; properties present: {present}", field)
    if not isinstance(raw_name, str) or not raw_name.strip():
        raise f.error(f"expected a non-empty name, got {describe(raw_name)}", field)
    name = " ".join(raw_name.split())
    if f.data.get("geometry") is None:
        raise f.error("expected a Polygon or MultiPolygon geometry, got null", "geometry")
    geom = f.obj("geometry")
    kind = geom.raw("type")
    try:
        if kind == "Polygon":
            polys: tuple[PolygonRings, ...] = (
                polygon(geom.raw("coordinates"), require_closed=True),
            )
        elif kind == "MultiPolygon":
            polys = multipolygon(geom.raw("coordinates"), require_closed=True)
        else:
            raise f.error(f"expected a Polygon or MultiPolygon geometry, got {describe(kind)}",
                          "geometry.type")
    except GeometryError as err:
        raise f.error(err.detail, "geometry.coordinates") from None
    oriented = tuple(_right_hand(Polygon(rings[0], list(rings[1:]))) for rings in polys)
    try:
        # Area checks each polygon is valid and that parts do not overlap (polygons_problem).
        return Area(name, oriented, taskable=name.casefold() not in NOT_TASKABLE)
    except InputError as err:
        if err.field == "geometry":
            raise f.error(err.detail, "geometry.coordinates") from None
        raise f.wrap(err) from None
