"""Scenario JSON: lossless round trips and precise validation errors."""

from __future__ import annotations

import copy
import json
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from resources.errors import InputError
from resources.io import read_scenario, scenario_from_dict, scenario_to_dict, write_scenario
from resources.model import (
    DEFAULT_POSTURES,
    Area,
    ArmedShareCap,
    Calendar,
    DeployedRule,
    Forbid,
    Mode,
    Pin,
    Posture,
    ResponseLevel,
    Scenario,
    Tactic,
    ThreatLevel,
    TravelModel,
    Unit,
    UnitStatus,
    UnitType,
)
from resources.model.catalogue import STANDARD_UNIT_TYPES
from resources.store import builtin_scenario
from tests.factories import site, tiny_scenario, unit

SQUARE = ((-0.2, 51.4), (0.0, 51.4), (0.0, 51.6), (-0.2, 51.6), (-0.2, 51.4))
#: A second part for a multi-polygon area: beside SQUARE, not overlapping it.
SQUARE_EAST = ((0.1, 51.4), (0.2, 51.4), (0.2, 51.6), (0.1, 51.6), (0.1, 51.4))
HOLE = ((-0.15, 51.45), (-0.05, 51.45), (-0.05, 51.55), (-0.15, 51.45))


def rich_scenario() -> Scenario:
    """A fixture using every optional feature of a scenario."""
    cycle = UnitType("CYCLE", "Cycle patrol", 2, 0, Mode.FOOT, 15.0,
                     frozenset({"cycle"}), frozenset({Tactic.FOOT_PATROL, Tactic.RESERVE}),
                     officers_min=1, officers_max=3)
    units = (
        unit("ARV1", "ARV", lon=-0.3, lat=51.45),
        unit("NHT1", "NHT", officers=5, available_slots=frozenset({0, 1, 2, 5})),
        unit("TSG1", "TSG", status=UnitStatus.COMMITTED, committed_to="Op Trident support"),
        Unit("CYC1", "CYCLE", -0.12, 51.5, "Westminster", 1, available_slots=frozenset()),
        unit("BOAT1", "MARINE", lon=-0.07, lat=51.505, borough="Tower Hamlets"),
    )
    sites = (
        site("S1", notes="=HYPERLINK(\"x\")", profile="evening", min_presence=1),
        site("S2", lon=-0.09, lat=51.51, kind="transport_hub", sector="transport",
             modes=frozenset({Mode.FOOT}), max_presence=7, risk=9.5),
        site("R1", kind="river_stretch", sector="visitor_attractions",
             required_capability="river", lon=-0.1, lat=51.507),
    )
    postures = dict(DEFAULT_POSTURES)
    postures[ThreatLevel.SEVERE] = Posture(ThreatLevel.SEVERE, ResponseLevel.HEIGHTENED,
                                           1.4, 4.5, 7.0, 18.0, 15, 2.5)
    travel = TravelModel(circuity=1.5, changeover_minutes=20.0,
                         speed_override_kmh={"ARV": 32.5},
                         matrix={("base:ARV1", "S1"): 11.5, ("S1", "S2"): 7.0})
    base = tiny_scenario(
        units=units[:-2] + units[-1:], sites=sites, slots_per_day=4,
        areas=(Area("Westminster", ((SQUARE, HOLE),)),
               Area("City of London", ((SQUARE,), (SQUARE_EAST,)), taskable=False)),
        calendar=Calendar(date(2026, 3, 2), 360, 2, 6),
        threat_level=ThreatLevel.SEVERE,
        armed_share_cap=ArmedShareCap(Fraction(1, 10)),
        deployed_rule=DeployedRule.SITES_ONLY,
        postures=postures, travel=travel,
        pins=(Pin("ARV1", 0, "S1", Tactic.STATIC_POINT, rationale="visible start"),
              Pin("NHT1", 1, None, Tactic.RESERVE, standby_id="SB-CENTRAL")),
        forbids=(Forbid("ARV1", "S2", frozenset({2, 3}), "road works"),
                 Forbid("NHT1", "S1")),
        description="Rich fixture: every optional feature", cell_size_m=1500.0,
    )
    return base.with_changes(unit_types=(*STANDARD_UNIT_TYPES, cycle), units=units)


def _roundtrip(s: Scenario) -> Scenario:
    return scenario_from_dict(json.loads(json.dumps(scenario_to_dict(s))), "x.json")


def test_rich_scenario_round_trips_losslessly() -> None:
    s = rich_scenario()
    back = _roundtrip(s)
    assert back == s
    assert back.armed_share_cap.share == Fraction(1, 10)
    assert back.units_by_callsign["CYC1"].available_slots == frozenset()
    assert back.units_by_callsign["ARV1"].available_slots is None
    assert back.travel.matrix[("base:ARV1", "S1")] == 11.5
    assert back.areas[0].polygons[0][1] == HOLE


def test_cap_is_written_as_an_exact_fraction() -> None:
    doc = scenario_to_dict(tiny_scenario())
    assert doc["armed_share_cap"] == "2/25"
    assert doc["format"] == "hercules-scenario/1"


def test_file_round_trip(tmp_path: Path) -> None:
    s = rich_scenario()
    write_scenario(tmp_path / "rich.json", s)
    assert read_scenario(tmp_path / "rich.json") == s


def test_embedded_london_round_trips() -> None:
    london = builtin_scenario("london")
    if london is None:
        pytest.skip("resources.london is not available")
    assert _roundtrip(london) == london


def test_defaults_for_a_minimal_document() -> None:
    doc = {"format": "hercules-scenario/1", "name": "mini", "units": [], "sites": [],
           "armed_share_cap": "8%"}
    s = scenario_from_dict(doc)
    assert s.unit_types == STANDARD_UNIT_TYPES
    assert s.armed_share_cap.share == Fraction(2, 25)
    assert s.postures == DEFAULT_POSTURES


def _error(doc: Any) -> str:
    with pytest.raises(InputError) as info:
        scenario_from_dict(doc, "london.json")
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def _doc() -> dict[str, Any]:
    return scenario_to_dict(rich_scenario())


def test_error_names_the_json_path_and_field() -> None:
    doc = _doc()
    doc["units"][1]["officers"] = "four"
    assert _error(doc) == (
        "london.json: units[1]: field 'officers': expected a whole number, got 'four'"
    )


def test_crew_outside_the_type_range() -> None:
    doc = _doc()
    doc["units"][1]["officers"] = 12
    assert _error(doc) == (
        "london.json: units[1]: field 'officers': expected a whole number in [2, 6], got 12"
    )


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(format="hercules-scenario/9"),
         "london.json: field 'format': expected 'hercules-scenario/1'"),
        (lambda d: d.update(colour="red"), "london.json: field 'colour': unknown field"),
        (lambda d: d["units"][0].update(type="HOVERCRAFT"),
         "london.json: units[0]: field 'type': unknown unit type 'HOVERCRAFT'"),
        (lambda d: d["units"][2].update(callsign="ARV1"),
         "london.json: units[2]: field 'callsign': duplicate callsign 'ARV1' (first at units[0])"),
        (lambda d: d["sites"][1].update(lat=95),
         "london.json: sites[1]: field 'lat': expected a number in [-90.0, 90.0], got 95"),
        (lambda d: d["sites"][0].update(kind="castle"),
         "london.json: sites[0]: field 'kind': expected one of crowded_place"),
        (lambda d: d["sites"][0].update(modes=["foot", "jetpack"]),
         "london.json: sites[0]: field 'modes': expected items from vehicle, foot"),
        (lambda d: d["sites"][0].pop("name"),
         "london.json: sites[0]: field 'name': missing required field"),
        (lambda d: d.update(armed_share_cap="lots"),
         "london.json: field 'armed_share_cap': expected a share like"),
        (lambda d: d["calendar"].update(start_date="2026-13-01"),
         "london.json: calendar: field 'start_date': expected an ISO date"),
        (lambda d: d["calendar"].update(slot_minutes=7),
         "london.json: calendar: field 'slot_minutes': expected a whole number in [15, 1440]"),
        (lambda d: d["postures"].update(EXTREME={}),
         "london.json: postures: field 'EXTREME': expected a threat level"),
        (lambda d: d["postures"]["LOW"].update(weight=-1),
         "london.json: postures.LOW, posture LOW: field 'weight': expected a number in [0.0"),
        (lambda d: d.update(threat_level="PURPLE"),
         "london.json: field 'threat_level': expected one of LOW"),
        (lambda d: d["travel"]["matrix"].append(dict(d["travel"]["matrix"][0])),
         "london.json: travel.matrix[2]: field 'to': duplicate travel time"),
        (lambda d: d["pins"][0].update(site="NOWHERE"),
         "london.json: scenario 'tiny', pin 1: field 'site': unknown site 'NOWHERE'"),
        (lambda d: d["pins"][0].update(tactic="ambush"),
         "london.json: pins[0]: field 'tactic': expected one of"),
        (lambda d: d["forbids"][0].update(slots="3-1"),
         "london.json: forbids[0]: field 'slots': expected ascending slot range"),
        (lambda d: d["units"][1].update(available_slots=[0, -1]),
         "london.json: units[1]: field 'available_slots': expected slot numbers"),
        (lambda d: d["areas"][0]["polygons"][0][0].__setitem__(1, [500000, 180000]),
         "london.json: areas[0]: field 'polygons': polygon 1, exterior ring: position 2: "
         "expected longitude in [-180, 180]"),
        (lambda d: d["areas"][1].update(name="Westminster"),
         "london.json: areas[1]: field 'name': duplicate area name 'Westminster'"),
        (lambda d: d["unit_types"][0].update(mode="submarine"),
         "london.json: unit_types[0]: field 'mode': expected one of vehicle"),
        (lambda d: d["unit_types"][0].update(tactics=["river_patrol"]),
         "london.json: unit_types[0], unit type 'ARV': field 'tactics': tactic 'river_patrol' "
         "cannot be done by a vehicle unit"),
        (lambda d: d["units"][2].update(committed_to=""),
         "london.json: units[2], unit 'TSG1': field 'committed_to': a committed unit must name"),
        (lambda d: d.update(units={}), "london.json: field 'units': expected a list"),
        (lambda d: d["units"].__setitem__(0, "ARV1"),
         "london.json: units[0]: expected an object, got 'ARV1'"),
    ],
)
def test_validation_errors(mutate: Any, expected: str) -> None:
    doc = _doc()
    mutate(doc)
    assert _error(doc).startswith(expected)


def test_document_is_not_modified_by_reading() -> None:
    doc = _doc()
    before = copy.deepcopy(doc)
    scenario_from_dict(doc)
    assert doc == before


def test_not_an_object() -> None:
    assert _error([1, 2]) == "london.json: expected an object, got a list"
