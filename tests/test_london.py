"""The embedded London scenario: geography, sites, roster, cells and determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import shapely
from shapely.geometry import LineString, Point, shape
from shapely.geometry.base import BaseGeometry

from resources.errors import InputError
from resources.london import BOROUGH_CENTRES, build_london, london_areas, thames_course
from resources.london.boroughs import borough_seeds
from resources.london.names import BOROUGHS, CITY
from resources.london.roster import armed_share_by_slot
from resources.model import Mode, Scenario, Sector, SiteKind, ThreatLevel, UnitStatus
from resources.model.catalogue import STANDARD_UNIT_TYPES
from resources.model.geo import to_bng

REAL_BOUNDARIES = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "london_boroughs.geojson"
)


@pytest.fixture(scope="module")
def london() -> Scenario:
    return build_london()


@pytest.fixture(scope="module")
def real() -> dict[str, BaseGeometry]:
    if not REAL_BOUNDARIES.exists():
        pytest.skip("real borough boundaries not available")
    data = json.loads(REAL_BOUNDARIES.read_text(encoding="utf-8"))
    return {f["properties"]["BOROUGH"]: shape(f["geometry"]).buffer(0) for f in data["features"]}


def _bng_line(points: tuple[tuple[float, float], ...]) -> LineString:
    return LineString([to_bng(lon, lat) for lon, lat in points])


def test_areas_are_the_32_boroughs_and_the_city(london: Scenario) -> None:
    assert len(london.areas) == 33
    assert {a.name for a in london.areas} == set(BOROUGHS.values())
    assert {a.name for a in london.areas if not a.taskable} == {CITY}


def test_total_area_is_close_to_greater_london(london: Scenario) -> None:
    total = sum(a.geodesic_km2() for a in london.areas)
    assert abs(total - 1572.0) / 1572.0 < 0.10


def test_polygons_are_valid_and_do_not_overlap(london: Scenario) -> None:
    shapes = [a.shape() for a in london.areas]
    assert all(s.is_valid and len(s.geoms) == 1 for s in shapes)
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            assert a.intersection(b).area < 1e-12


def test_each_borough_centre_lies_in_its_own_polygon(london: Scenario) -> None:
    assert set(BOROUGH_CENTRES) == {a.name for a in london.areas}
    for area in london.areas:
        assert area.shape().contains(Point(BOROUGH_CENTRES[area.name])), area.name


def test_every_standard_unit_type_is_on_the_roster(london: Scenario) -> None:
    assert {u.type_code for u in london.units} == {t.code for t in STANDARD_UNIT_TYPES}


def test_roster_size_and_unique_callsigns(london: Scenario) -> None:
    assert len(london.units) >= 600
    assert len({u.callsign for u in london.units}) == len(london.units)


def test_roster_mix_follows_public_figures(london: Scenario) -> None:
    n = Counter(u.type_code for u in london.units)
    assert 70 <= n["ARV"] <= 90 and 30 <= n["AFP"] <= 40 and 3 <= n["CTSFO"] <= 4
    assert 60 <= n["DOG-GP"] + n["DOG-EX"] <= 80 and 40 <= n["TSG"] <= 50
    assert 12 <= n["MARINE"] <= 16 and 20 <= n["MOUNTED"] <= 30
    assert 250 <= n["NHT"] <= 300 and 30 <= n["ANPR"] <= 40
    assert n["DOG-EX"] == pytest.approx((n["DOG-GP"] + n["DOG-EX"]) / 5, abs=3)


def test_sites_are_inside_london_and_in_their_own_borough(london: Scenario) -> None:
    assert len(london.sites) >= 150
    union = shapely.union_all([a.shape() for a in london.areas])
    by_name = {a.name: a.shape() for a in london.areas}
    for site in london.sites:
        assert union.distance(Point(site.lon, site.lat)) < 1e-6, site.name
        if site.kind is not SiteKind.RIVER_STRETCH:
            assert by_name[site.borough].contains(Point(site.lon, site.lat)), site.name


def test_sites_cover_every_borough_and_sector(london: Scenario) -> None:
    per_borough = Counter(s.borough for s in london.sites)
    assert all(per_borough[name] >= 2 for name in BOROUGHS.values())
    assert {s.sector for s in london.sites} == set(Sector)
    assert {s.kind for s in london.sites} == set(SiteKind)
    assert per_borough["Westminster"] > max(per_borough["Havering"], per_borough["Sutton"])


def test_site_risk_and_presence(london: Scenario) -> None:
    for s in london.sites:
        assert 1 <= s.risk <= 10
        if s.risk >= 8 and s.borough != CITY:
            assert s.min_presence >= 1, s.name
        if s.borough == CITY:
            assert s.min_presence == 0, s.name
    top = {s.name for s in london.sites if s.risk == 10}
    assert {"Palace of Westminster", "King's Cross St Pancras", "Tower of London"} <= top
    profiles = {s.name: s.profile for s in london.sites}
    assert profiles["Waterloo station"] == "commuter"
    assert profiles["Wembley Stadium"] == "event"
    assert profiles["Soho (Old Compton Street)"] == "night"


def test_river_stretches_are_boat_only_and_on_the_thames(london: Scenario) -> None:
    river = [s for s in london.sites if s.kind is SiteKind.RIVER_STRETCH]
    assert len(river) >= 12
    course = _bng_line(thames_course())
    for s in river:
        assert s.allowed_modes == {Mode.BOAT} and s.required_capability == "river"
        assert course.distance(Point(to_bng(s.lon, s.lat))) < 300.0, s.name
    others = [s for s in london.sites if s.kind is not SiteKind.RIVER_STRETCH]
    assert all(Mode.BOAT not in s.allowed_modes for s in others)


def test_thames_runs_from_hampton_court_to_dartford_creek() -> None:
    course = thames_course()
    assert 40 <= len(course) <= 90
    hampton_court, dartford_creek = (-0.3378, 51.4036), (0.2170, 51.4790)
    assert Point(to_bng(*course[0])).distance(Point(to_bng(*hampton_court))) < 1000
    assert Point(to_bng(*course[-1])).distance(Point(to_bng(*dartford_creek))) < 1000
    assert 55_000 < _bng_line(course).length < 80_000


def test_every_met_borough_has_units(london: Scenario) -> None:
    per_borough = Counter(u.borough for u in london.units)
    assert all(per_borough[name] >= 5 for code, name in BOROUGHS.items() if code != "CL")
    nht = Counter(u.borough for u in london.units if u.type_code == "NHT")
    assert len(nht) == 32


def test_armed_share_exceeds_the_cap_in_every_slot(london: Scenario) -> None:
    shares = armed_share_by_slot(london)
    assert len(shares) == 12
    assert all(0.08 < s < 0.16 for s in shares), shares


def test_shifts_are_contiguous_windows(london: Scenario) -> None:
    for u in london.units:
        assert u.available_slots is not None
        slots = sorted(u.available_slots)
        assert slots == list(range(slots[0], slots[-1] + 1)), u.callsign
        if u.type_code == "CTSFO":
            assert slots == list(range(12))
        else:
            assert 2 <= len(slots) <= 5, u.callsign
    for t in range(12):
        assert sum(u.on_duty(t) for u in london.units) >= 150


def test_some_units_are_committed_elsewhere(london: Scenario) -> None:
    committed = [u for u in london.units if u.status is UnitStatus.COMMITTED]
    assert 0.05 <= len(committed) / len(london.units) <= 0.08
    assert all(u.committed_to.startswith("Operation ") for u in committed)
    assert any("Trident" in u.committed_to for u in committed)


def test_standby_points_are_police_stations_in_their_borough(london: Scenario) -> None:
    assert 12 <= len(london.standby_points) <= 20
    by_name = {a.name: a.shape() for a in london.areas}
    for p in london.standby_points:
        assert by_name[p.borough].contains(Point(p.lon, p.lat)), p.name


def test_cells_form_a_grid_over_the_taskable_boroughs(london: Scenario) -> None:
    assert london.cell_size_m == 2000.0
    assert 300 <= len(london.cells) <= 500
    by_name = {a.name: a.shape() for a in london.areas}
    for c in london.cells:
        assert c.borough != CITY and by_name[c.borough].contains(Point(c.lon, c.lat))
        assert c.demand >= 1.0
    x, y = zip(*(to_bng(c.lon, c.lat) for c in london.cells), strict=True)
    offsets = [(v - 1000.0) % 2000.0 for v in x + y]
    assert all(min(r, 2000.0 - r) < 1.0 for r in offsets)
    busiest = max(london.cells, key=lambda c: c.demand)
    quietest = min(london.cells, key=lambda c: c.demand)
    assert busiest.borough in {"Westminster", "Camden", "Lambeth", "Southwark"}
    assert busiest.demand > 20 * quietest.demand


def test_build_is_deterministic_and_seeded() -> None:
    a, b = build_london(), build_london()
    assert a == b
    other = build_london(seed=1)
    assert other.sites == a.sites and other.areas == a.areas
    assert other.units != a.units


_DIGEST = """
import hashlib
from resources.london import build_london
s = build_london()
parts = [(u.callsign, u.type_code, u.officers, u.status, sorted(u.available_slots or ()))
         for u in s.units]
parts += [(x.site_id, x.lon, x.lat, x.risk, sorted(x.allowed_modes)) for x in s.sites]
parts += [(c.cell_id, c.demand) for c in s.cells] + [a.polygons for a in s.areas]
print(hashlib.sha256(repr(parts).encode()).hexdigest())
"""


def test_build_is_identical_across_processes() -> None:
    root = Path(__file__).resolve().parents[1]
    digests = {
        subprocess.run(
            [sys.executable, "-c", _DIGEST], cwd=root, capture_output=True, text=True,
            check=True, env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)},
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1


def test_options_set_threat_level_and_days() -> None:
    s = build_london(threat_level=ThreatLevel.SEVERE, days=3)
    assert s.name == "london" and s.threat_level is ThreatLevel.SEVERE
    assert s.calendar.slot_count == 36
    assert all(u.available_slots and max(u.available_slots) < 36 for u in s.units)
    assert len(armed_share_by_slot(s)) == 36


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"days": 0}, "days"), ({"days": 29}, "days"), ({"seed": "x"}, "seed"),
     ({"threat_level": "purple"}, "threat_level")],
)
def test_bad_options_raise_a_clear_error(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError, match=field):
        build_london(**kwargs)  # type: ignore[arg-type]


def test_unit_bases_lie_in_their_borough(london: Scenario) -> None:
    shapes = {a.name: a.shape() for a in london.areas}
    for u in london.units:
        assert shapes[u.borough].contains(Point(u.base_lon, u.base_lat)), u.callsign
    marine = {(u.base_lon, u.base_lat) for u in london.units if u.type_code == "MARINE"}
    assert len(marine) == 1


def test_centres_and_seeds_lie_in_the_real_borough(real: dict[str, BaseGeometry]) -> None:
    assert set(real) == set(BOROUGHS.values())
    for name, (lon, lat) in BOROUGH_CENTRES.items():
        assert real[name].contains(Point(lon, lat)), name
    for name, seeds in borough_seeds().items():
        for lon, lat in seeds:
            assert real[name].contains(Point(lon, lat)), (name, lon, lat)


def test_sites_lie_in_the_real_boroughs(london: Scenario, real: dict[str, BaseGeometry]) -> None:
    union = shapely.union_all(list(real.values()))
    for s in london.sites:
        p = Point(s.lon, s.lat)
        if s.kind is SiteKind.RIVER_STRETCH:
            assert union.distance(p) < 0.01, s.name
        else:
            assert union.contains(p), s.name
            assert real[s.borough].contains(p), s.name
    for sp in london.standby_points:
        assert real[sp.borough].contains(Point(sp.lon, sp.lat)), sp.name


def test_embedded_boroughs_resemble_the_real_ones(real: dict[str, BaseGeometry]) -> None:
    for area in london_areas():
        mine, theirs = area.shape(), real[area.name]
        overlap = mine.intersection(theirs).area / mine.union(theirs).area
        assert overlap > 0.5, (area.name, overlap)
