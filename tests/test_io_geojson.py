"""GeoJSON boundary import: real borough file, holes, multipolygons, and every rejection."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from resources.errors import InputError
from resources.io import areas_from_geojson, read_areas

BOROUGHS = Path(__file__).resolve().parents[2] / "shared" / "data" / "london_boroughs.geojson"

OUTER = [[-0.2, 51.4], [0.0, 51.4], [0.0, 51.6], [-0.2, 51.6], [-0.2, 51.4]]
HOLE = [[-0.15, 51.45], [-0.05, 51.45], [-0.05, 51.55], [-0.15, 51.55], [-0.15, 51.45]]
FAR = [[0.5, 51.4], [0.6, 51.4], [0.6, 51.5], [0.5, 51.4]]


def feature(name: Any, geometry: Any, field: str = "NAME") -> dict[str, Any]:
    return {"type": "Feature", "properties": {field: name, "code": 1}, "geometry": geometry}


def collection(*features: dict[str, Any], crs: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": list(features)}
    if crs is not None:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return doc


def sample() -> dict[str, Any]:
    return collection(
        feature("Westminster", {"type": "Polygon", "coordinates": [OUTER, HOLE]}),
        feature("City of London", {"type": "MultiPolygon", "coordinates": [[FAR]]}),
        feature("Two Parts", {"type": "MultiPolygon",
                              "coordinates": [[OUTER], [FAR]]}),
    )


def test_real_borough_file() -> None:
    if not BOROUGHS.is_file():
        pytest.skip("shared test data is not present")
    areas = read_areas(BOROUGHS, "BOROUGH")
    assert len(areas) == 33
    total = sum(a.geodesic_km2() for a in areas)
    assert total == pytest.approx(1595.0, rel=0.005)
    untaskable = [a.name for a in areas if not a.taskable]
    assert untaskable == ["City of London"]
    westminster = next(a for a in areas if a.name == "Westminster")
    assert 20.0 < westminster.geodesic_km2() < 23.0


def test_wrong_name_field_on_the_real_file() -> None:
    if not BOROUGHS.is_file():
        pytest.skip("shared test data is not present")
    with pytest.raises(InputError) as info:
        read_areas(BOROUGHS, "NAME")
    assert str(info.value) == (
        "london_boroughs.geojson: features[0]: field 'properties.NAME': missing name; "
        "properties present: BOROUGH"
    )


def test_holes_and_multipolygons() -> None:
    west, city, two = areas_from_geojson(sample(), "NAME")
    assert len(west.polygons) == 1 and len(west.polygons[0]) == 2
    assert west.geodesic_km2() == pytest.approx(
        areas_from_geojson(collection(feature("A", {"type": "Polygon", "coordinates": [OUTER]})),
                           "NAME")[0].geodesic_km2() * 0.75, rel=1e-3)
    assert west.taskable and two.taskable
    assert not city.taskable
    assert len(two.polygons) == 2


def test_city_is_matched_case_insensitively_and_names_are_tidied() -> None:
    doc = collection(feature("  CITY   OF london ", {"type": "Polygon", "coordinates": [OUTER]}))
    (area,) = areas_from_geojson(doc, "NAME")
    assert area.name == "CITY OF london" and not area.taskable


@pytest.mark.parametrize("crs", ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326",
                                 "urn:ogc:def:crs:EPSG::4326"])
def test_lon_lat_crs_names_are_accepted(crs: str) -> None:
    doc = collection(feature("A", {"type": "Polygon", "coordinates": [OUTER]}), crs=crs)
    assert len(areas_from_geojson(doc, "NAME")) == 1


def _error(doc: Any) -> str:
    with pytest.raises(InputError) as info:
        areas_from_geojson(doc, "NAME", "b.geojson")
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def _set(path: list[Any], value: Any) -> Any:
    def mutate(d: Any) -> None:
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value
    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_set(["type"], "Feature"),
         "b.geojson: field 'type': expected 'FeatureCollection', got 'Feature'"),
        (_set(["features"], []), "b.geojson: field 'features': expected at least one feature"),
        (_set(["crs"], {"type": "name", "properties": {"name": "EPSG:27700"}}),
         "b.geojson: crs: field 'properties.name': the file declares coordinate system "
         "'EPSG:27700'; expected WGS84 lon/lat"),
        (_set(["features", 1, "geometry", "type"], "LineString"),
         "b.geojson: features[1]: field 'geometry.type': expected a Polygon or MultiPolygon "
         "geometry, got 'LineString'"),
        (_set(["features", 1, "geometry"], None),
         "b.geojson: features[1]: field 'geometry': expected a Polygon or MultiPolygon"),
        (_set(["features", 0, "properties", "NAME"], ""),
         "b.geojson: features[0]: field 'properties.NAME': expected a non-empty name, got ''"),
        (_set(["features", 0, "properties", "NAME"], 42),
         "b.geojson: features[0]: field 'properties.NAME': expected a non-empty name, got 42"),
        (_set(["features", 2, "properties", "NAME"], "WESTMINSTER"),
         "b.geojson: features[2]: field 'properties.NAME': duplicate area name 'WESTMINSTER' "
         "(first at features[0])"),
        (_set(["features", 0, "geometry", "coordinates", 0], OUTER[:-1]),
         "b.geojson: features[0]: field 'geometry.coordinates': exterior ring: expected a "
         "closed ring"),
        (_set(["features", 0, "geometry", "coordinates", 1], HOLE[:2] + HOLE[:1]),
         "b.geojson: features[0]: field 'geometry.coordinates': hole 1: expected at least 4 "
         "positions, got 3"),
        (_set(["features", 0, "geometry", "coordinates", 0, 2], [530000.0, 180000.0]),
         "b.geojson: features[0]: field 'geometry.coordinates': exterior ring: position 3: "
         "expected longitude in [-180, 180] and latitude in [-90, 90], got [530000.0, "
         "180000.0] (the file looks projected"),
        (_set(["features", 0, "geometry", "coordinates", 0, 2], [0.1, 95.0]),
         "b.geojson: features[0]: field 'geometry.coordinates': exterior ring: position 3: "
         "expected longitude in [-180, 180] and latitude in [-90, 90], got [0.1, 95.0]"),
        (_set(["features", 0, "geometry", "coordinates", 0, 2], ["0", "51"]),
         "b.geojson: features[0]: field 'geometry.coordinates': exterior ring: position 3: "
         "expected numbers"),
        (_set(["features", 2, "geometry", "coordinates", 1, 0], [[0, 0], [1, 1]]),
         "b.geojson: features[2]: field 'geometry.coordinates': polygon 2, exterior ring: "
         "expected at least 4 positions"),
        (_set(["features", 0, "geometry", "coordinates"],
              [[[0, 51], [1, 52], [1, 51], [0, 52], [0, 51]]]),
         "b.geojson: features[0]: field 'geometry.coordinates': invalid polygon "
         "(Self-intersection"),
        (_set(["features", 0], "not a feature"),
         "b.geojson: features[0]: expected an object, got 'not a feature'"),
    ],
)
def test_rejections(mutate: Any, expected: str) -> None:
    doc = copy.deepcopy(sample())
    mutate(doc)
    assert _error(doc).startswith(expected)


def test_broken_file_is_reported_with_its_position(tmp_path: Path) -> None:
    p = tmp_path / "b.geojson"
    p.write_text(json.dumps(sample())[:-3])
    with pytest.raises(InputError, match=r"^b\.geojson: line 1, column \d+: broken JSON"):
        read_areas(p, "NAME")
