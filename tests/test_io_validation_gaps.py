"""Importer gaps found by the hostile-input audit: each must be one clear line, exit 2, no change.

Armed-share caps whose exact fraction would overflow the solver; numbers Python reads but the
formats do not allow; scenario parts that name nothing or lie outside the calendar; pins a plan
could never keep; overlapping multi-polygon parts; and error messages that echoed whole values.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resources.errors import InputError
from resources.io import (
    areas_from_geojson,
    parse_json,
    read_scenario,
    read_sites,
    read_units,
    scenario_from_dict,
    scenario_to_dict,
)
from resources.model import Area, ArmedShareCap, Pin, Tactic
from resources.model.catalogue import STANDARD_UNIT_TYPES
from resources.model.scenario import MAX_CAP_DENOMINATOR, MIN_CAP
from resources.model.units import parse_slots
from resources.store import Store
from tests.test_audit_commands import run
from tests.test_io_geojson import collection, feature
from tests.test_io_scenario_json import rich_scenario
from tests.test_io_tabular import SITE_HEADER, UNIT_HEADER

TYPES = {t.code: t for t in STANDARD_UNIT_TYPES}
BOUND = ("expected 0, or a share from 0.1% to 100% whose exact fraction has a denominator of "
         "at most 10,000")
#: Longest error line any case here may produce.
MAX_LINE = 320


def _doc() -> dict[str, Any]:
    return scenario_to_dict(rich_scenario())


def _error(doc: Any) -> str:
    with pytest.raises(InputError) as info:
        scenario_from_dict(doc, "s.json")
    return _one_line(str(info.value))


def _one_line(msg: str) -> str:
    assert "\n" not in msg and len(msg) <= MAX_LINE, msg
    assert "sys." not in msg and "Fraction(" not in msg, msg
    return msg


def _file_error(tmp_path: Path, doc: Any) -> str:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_scenario(path)
    return _one_line(str(info.value))


# ------------------------------------------------------------------ 1. the armed-share cap
@pytest.mark.parametrize("cap", ["1e-400", "0.0000000000000000001",
                                 "1/123456789012345678901234567890", "1e999", "0.09%",
                                 "33333/100000", 1e-300])
def test_a_cap_the_solver_could_not_hold_is_refused_with_its_bound(cap: object) -> None:
    doc = _doc()
    doc["armed_share_cap"] = cap
    msg = _error(doc)
    assert msg.startswith(f"s.json: field 'armed_share_cap': {BOUND}, got ")


@pytest.mark.parametrize(("text", "share"), [
    ("8%", Fraction(2, 25)), ("8.25%", Fraction(33, 400)), ("0.1%", Fraction(1, 1000)),
    ("100%", Fraction(1)), ("1/3", Fraction(1, 3)), ("0", Fraction(0)),
    (" 2 / 25 ", Fraction(2, 25)), (0.0825, Fraction(33, 400)), ("1e-2", Fraction(1, 100)),
])
def test_realistic_caps_still_parse(text: object, share: Fraction) -> None:
    assert ArmedShareCap.parse(text).share == share


def test_the_cap_bound_holds_for_caps_built_in_code_too() -> None:
    with pytest.raises(InputError, match="denominator of at most 10,000"):
        ArmedShareCap(Fraction(1, 10**19))
    with pytest.raises(InputError, match="got '2'"):
        ArmedShareCap(Fraction(2))


def test_the_bound_keeps_the_integer_form_far_inside_64_bits() -> None:
    # den x armed <= num x deployed over 100,000 units of up to 100 officers each.
    officers = 100_000 * 100
    assert MAX_CAP_DENOMINATOR * officers < 2**40 < 2**63
    assert Fraction(1, 1000) == MIN_CAP


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="0123456789.%/eE+- ", max_size=30))
def test_every_accepted_cap_text_is_within_the_bound(text: str) -> None:
    try:
        share = ArmedShareCap.parse(text).share
    except InputError as err:
        _one_line(str(err))
        return
    assert share == 0 or MIN_CAP <= share <= 1
    assert share.denominator <= MAX_CAP_DENOMINATOR


def test_a_huge_exponent_is_refused_without_being_computed() -> None:
    with pytest.raises(InputError, match="expected a share like"):
        ArmedShareCap.parse("1e999999999")


# -------------------------------------------------------- 2. plain ASCII decimal numbers only
def _csv(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("cell", "col"), [("-0_1", "lon"), ("１", "lon"), ("５１.５", "lat"),
                                           ("1_0", "risk")])
def test_csv_numbers_python_would_read_are_refused(tmp_path: Path, cell: str, col: str) -> None:
    row = {"lon": "-0.1", "lat": "51.5", "risk": "5"}
    row[col] = cell
    text = SITE_HEADER + (
        f"A,Alpha,iconic,retail,{row['lon']},{row['lat']},Westminster,{row['risk']}\n")
    with pytest.raises(InputError) as info:
        read_sites(_csv(tmp_path, text, "sites.csv"))
    assert _one_line(str(info.value)) == (
        f"sites.csv: line 2: field '{col}': expected a number in plain ASCII decimal digits "
        f"(such as 12 or -0.1, without '_'), got {cell!r}")


def test_csv_whole_numbers_and_slots_refuse_other_digits(tmp_path: Path) -> None:
    for officers, slots in (("1_0", "all"), ("３", "all"), ("3", "０-5"), ("3", "1_0")):
        text = UNIT_HEADER.strip() + ",available_slots\n" + (
            f"N1,NHT,-0.1,51.5,Westminster,{officers},\"{slots}\"\n")
        with pytest.raises(InputError) as info:
            read_units(_csv(tmp_path, text, "units.csv"), TYPES)
        msg = _one_line(str(info.value))
        assert msg.startswith("units.csv: line 2: field '"), msg


def test_plain_numbers_with_spaces_and_exponents_are_still_read(tmp_path: Path) -> None:
    text = SITE_HEADER + "A,Alpha,iconic,retail, -0.1 ,5.15e1,Westminster,+5\n"
    (site,) = read_sites(_csv(tmp_path, text, "sites.csv"))
    assert (site.lon, site.lat, site.risk) == (-0.1, 51.5, 5.0)


@pytest.mark.parametrize(("key", "value", "field"), [
    ("armed_share_cap", "１%", "armed_share_cap"), ("armed_share_cap", "1_0%", "armed_share_cap"),
])
def test_json_string_numbers_must_be_plain(key: str, value: str, field: str) -> None:
    doc = _doc()
    doc[key] = value
    assert _error(doc) == (f"s.json: field '{field}': expected a share like '8%', '0.08' or "
                           f"'2/25', got {value!r}")


@pytest.mark.parametrize("slots", ["０-3", "1_0", "0x1"])
def test_slot_ranges_must_be_plain(slots: str) -> None:
    with pytest.raises(InputError, match="expected 'all', 'none' or slot ranges"):
        parse_slots(slots)
    doc = _doc()
    doc["units"][1]["available_slots"] = slots
    assert "units[1]: field 'available_slots'" in _error(doc)


@pytest.mark.parametrize("start", ["２０２６-01-05", "20260105", "2026-W02-1"])
def test_start_date_is_a_plain_iso_date(start: str) -> None:
    doc = _doc()
    doc["calendar"]["start_date"] = start
    assert _error(doc).startswith("s.json: calendar: field 'start_date': expected an ISO date")


# ------------------------------------------------------------------- 3. scenario import gaps
def test_a_self_intersecting_area_is_refused_as_areas_import_refuses_it() -> None:
    doc = _doc()
    doc["areas"][0]["polygons"] = [[[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]]
    assert _error(doc) == (
        "s.json: areas[0]: field 'polygons': invalid polygon (Self-intersection[0.5 0.5])")


def test_travel_matrix_entries_must_name_known_places() -> None:
    doc = _doc()
    doc["travel"]["matrix"].append({"from": "S1", "to": "NOWHERE", "minutes": 5})
    assert _error(doc) == (
        "s.json: scenario 'tiny', travel model: field 'matrix': entry 3 (from 'S1' to "
        "'NOWHERE') names unknown place 'NOWHERE'; expected a site id, a standby point id or "
        "'base:' and a unit's callsign")


def test_speed_overrides_must_name_known_unit_types() -> None:
    doc = _doc()
    doc["travel"]["speed_override_kmh"]["HOVER"] = 10
    assert _error(doc).startswith(
        "s.json: scenario 'tiny', travel model: field 'speed_override_kmh': unknown unit type "
        "'HOVER'; expected one of AFP, ANPR, ARV, CTSFO, CYCLE,")


def test_available_slots_must_lie_within_the_calendar(tmp_path: Path) -> None:
    doc = _doc()  # 2 days of 4 six-hour slots: 0-7
    doc["units"][0]["available_slots"] = "0-99"
    assert _error(doc) == (
        "s.json: scenario 'tiny', unit 'ARV1': field 'available_slots': expected slots within "
        "0-7 (the calendar has 8 slots of 360 min over 2 days), got '0-99'")
    doc = _doc()
    doc["forbids"][0]["slots"] = [3, 8]
    assert "forbid 1: field 'slots': expected slots within 0-7" in _error(doc)
    units = read_units(_csv(tmp_path, UNIT_HEADER.strip() + ",available_slots\n"
                            "ARV1,ARV,-0.3,51.45,Westminster,3,0-500\n", "units.csv"), TYPES)
    with pytest.raises(InputError) as info:
        rich_scenario().with_changes(units=units)
    assert "unit 'ARV1': field 'available_slots': expected slots within 0-7" in str(info.value)


def test_a_duplicate_unit_type_code_is_reported_as_such() -> None:
    doc = _doc()
    doc["unit_types"][1]["code"] = doc["unit_types"][0]["code"]
    code = doc["unit_types"][0]["code"]
    assert _error(doc) == (f"s.json: unit_types[1]: field 'code': duplicate unit type code "
                           f"'{code}' (first at unit_types[0])")


PIN_CASES = [
    ({"unit": "ARV1", "slot": 1, "site": "S1", "tactic": "river_patrol"},
     "field 'tactic': a unit of type ARV cannot do river patrol at site 'S1'"),
    ({"unit": "BOAT1", "slot": 1, "site": "S1", "tactic": "river_patrol"},
     "field 'tactic': boats work only on river stretches, and site 'S1' is not one"),
    ({"unit": "NHT1", "slot": 3, "site": "S2", "tactic": "foot_patrol"},
     "field 'slot': unit 'NHT1' is not on duty in slot 3 (its available_slots are '0-2,5')"),
    ({"unit": "TSG1", "slot": 0, "site": "S1", "tactic": "static_point"},
     "field 'unit': unit 'TSG1' is committed to Op Trident support and cannot be pinned"),
    ({"unit": "NHT1", "slot": 0, "site": "S1", "tactic": "foot_patrol"},
     "field 'site': unit 'NHT1' is pinned at site 'S1' in slot 0, which forbid 2 bans"),
]


@pytest.mark.parametrize(("pin", "expected"), PIN_CASES)
def test_a_pin_the_plan_could_never_keep_is_refused_on_import(
        tmp_path: Path, pin: dict[str, Any], expected: str) -> None:
    doc = _doc()
    doc["pins"].append(pin)
    assert _file_error(tmp_path, doc) == f"s.json: scenario 'tiny', pin 3: {expected}"


def test_such_pins_stay_constructible_so_the_solver_can_explain_them() -> None:
    sc = rich_scenario()
    committed = sc.with_changes(pins=(Pin("TSG1", 0, "S1", Tactic.STATIC_POINT),))
    with pytest.raises(InputError, match="pin 1: field 'unit': unit 'TSG1' is committed"):
        committed.check_pins()
    sc.check_pins()  # the fixture's own pins are fine


def test_scenario_import_of_a_bad_file_is_one_line_exit_2_and_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "h.db"
    doc = _doc()
    doc["name"] = "gaps"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc), encoding="utf-8")
    assert run(db, capsys, "scenario", "import", str(good))[0] == 0
    for mutate in (lambda d: d.update(armed_share_cap="1e-400"),
                   lambda d: d["pins"].append(PIN_CASES[0][0]),
                   lambda d: d["travel"]["matrix"].append({"from": "x", "to": "S1",
                                                           "minutes": 1})):
        bad_doc = json.loads(good.read_text(encoding="utf-8"))
        mutate(bad_doc)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(bad_doc), encoding="utf-8")
        code, out, err = run(db, capsys, "scenario", "import", str(bad), "--replace")
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert err.startswith("error: bad.json: ")
        with Store.open(db) as store:
            assert store.scenario_version("gaps") == 1


# ----------------------------------------------------- 4. overlapping multi-polygon parts
SQ = [[0.0, 51.4], [0.1, 51.4], [0.1, 51.5], [0.0, 51.5], [0.0, 51.4]]
BESIDE = [[0.1, 51.4], [0.2, 51.4], [0.2, 51.5], [0.1, 51.5], [0.1, 51.4]]
INSIDE = [[0.02, 51.42], [0.08, 51.42], [0.08, 51.48], [0.02, 51.48], [0.02, 51.42]]


def _ring(coords: list[list[float]]) -> tuple[tuple[float, float], ...]:
    return tuple((x, y) for x, y in coords)


def test_areas_import_refuses_overlapping_parts() -> None:
    for parts in ([[SQ], [SQ]], [[SQ], [INSIDE]]):
        doc = collection(feature("Dup", {"type": "MultiPolygon", "coordinates": parts}))
        with pytest.raises(InputError) as info:
            areas_from_geojson(doc, "NAME", "b.geojson")
        msg = _one_line(str(info.value))
        assert msg.startswith("b.geojson: features[0]: field 'geometry.coordinates': polygons 1 "
                              "and 2 overlap (about "), msg
        assert "counted twice" in msg


def test_touching_parts_and_an_island_in_a_hole_are_fine() -> None:
    doc = collection(
        feature("Beside", {"type": "MultiPolygon", "coordinates": [[SQ], [BESIDE]]}),
        feature("Island", {"type": "MultiPolygon", "coordinates": [
            [SQ[::-1], INSIDE], [[[0.03, 51.43], [0.07, 51.43], [0.07, 51.47], [0.03, 51.43]]]]}),
    )
    beside, island = areas_from_geojson(doc, "NAME")
    one = Area("one", ((_ring(SQ),),)).geodesic_km2()
    assert beside.geodesic_km2() == pytest.approx(2 * one, rel=0.01)
    assert island.geodesic_km2() < one


def test_overlapping_parts_are_refused_in_scenarios_and_in_code() -> None:
    doc = _doc()
    doc["areas"][1]["polygons"] = [[SQ], [SQ]]
    assert _error(doc).startswith("s.json: areas[1]: field 'polygons': polygons 1 and 2 overlap")
    with pytest.raises(InputError, match="area 'X': field 'geometry': polygons 1 and 2 overlap"):
        Area("X", ((_ring(SQ),), (_ring(SQ),)))


# ------------------------------------------------------------------ 5. short error messages
def test_a_huge_json_integer_names_its_line_and_no_python_internals() -> None:
    text = '{\n "format": "hercules-scenario/1",\n "cell_size_m": ' + "9" * 5000 + "\n}"
    with pytest.raises(InputError) as info:
        parse_json(text, "s.json")
    assert _one_line(str(info.value)) == (
        "s.json: line 3: invalid JSON: expected a number of at most 100 characters, got "
        "99999999999999999999... (5,000 characters)")


def test_json_numbers_too_small_for_a_float_are_refused() -> None:
    with pytest.raises(InputError, match=r"line 2: invalid JSON: .* got 1e-400 .*read as 0"):
        parse_json('{"a": 1,\n "b": 1e-400}', "s.json")
    assert parse_json("[0.0e-400, -0, 5e-324]", "s.json") == [0.0, 0, 5e-324]


@pytest.mark.parametrize(("mutate", "start"), [
    (lambda d: d["sites"][0].update(max_presence=10**59),
     "s.json: sites[0]: field 'max_presence': expected a whole number in [1, 200], got a whole "
     "number of about 60 digits"),
    (lambda d: d.update(armed_share_cap="0." + "0" * 1100 + "1"),
     "s.json: field 'armed_share_cap': expected a share like '8%', '0.08' or '2/25', got "
     "'0." + "0" * 34 + "..."),
    (lambda d: d.update(armed_share_cap=1e300), f"s.json: field 'armed_share_cap': {BOUND}"),
    (lambda d: d.update({"x" * 5000: 1}), "s.json: field 'xxxxxxxxx"),
    (lambda d: d["units"][0].update(type="T" * 5000), "s.json: units[0]: field 'type': expected"),
    (lambda d: d["sites"][0].update(profile="p" * 30), "s.json: sites[0]: field 'profile'"),
    (lambda d: d.update(threat_level="Q" * 5000), "s.json: field 'threat_level': expected one"),
    (lambda d: d["units"][0].update(available_slots="9" * 5000),
     "s.json: units[0]: field 'available_slots': expected 'all', 'none'"),
])
def test_bad_values_are_echoed_short(mutate: Any, start: str) -> None:
    doc = _doc()
    mutate(doc)
    msg = _error(doc)
    assert msg.startswith(start), msg


def test_csv_long_numbers_are_echoed_short(tmp_path: Path) -> None:
    text = SITE_HEADER.strip() + ",max_presence\n" + (
        f"A,Alpha,iconic,retail,-0.1,51.5,Westminster,5,{'9' * 5000}\n")
    with pytest.raises(InputError) as info:
        read_sites(_csv(tmp_path, text, "sites.csv"))
    assert _one_line(str(info.value)) == (
        "sites.csv: line 2: field 'max_presence': expected a whole number of at most 100 "
        "characters, got '999999999999999999999999999999999999...")


def test_geojson_lists_a_few_properties_when_the_name_is_missing() -> None:
    props = {f"p{i:05d}" + "q" * 100: i for i in range(2000)}
    doc = collection({"type": "Feature", "properties": props,
                      "geometry": {"type": "Polygon", "coordinates": [SQ]}})
    with pytest.raises(InputError) as info:
        areas_from_geojson(doc, "NAME", "b.geojson")
    assert _one_line(str(info.value)).endswith("and 1,995 more")
