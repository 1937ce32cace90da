"""Rules of the domain objects: validation at construction and exact arithmetic."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import pytest

from resources.errors import InputError
from resources.model import (
    ArmedShareCap,
    Calendar,
    Mode,
    Pin,
    Tactic,
    ThreatLevel,
    Unit,
    UnitType,
)
from resources.model.catalogue import STANDARD_UNIT_TYPES
from resources.model.sites import SiteKind
from resources.model.threat import DEFAULT_POSTURES, ResponseLevel
from resources.model.units import format_slots, parse_slots
from tests.factories import site, tiny_scenario, unit


def test_cap_is_exact_integer_form_of_eight_percent() -> None:
    cap = ArmedShareCap()
    assert cap.share == Fraction(2, 25)
    assert cap.integer_form == "23 x armed <= 2 x unarmed"
    # 2 armed of 25 deployed is exactly 8%: allowed; 3 of 37 is 8.1%: refused.
    assert cap.allows(2, 25)
    assert not cap.allows(3, 37)
    assert cap.allows(3, 38)
    for armed in range(0, 40):
        for unarmed in range(0, 400):
            assert cap.allows(armed, armed + unarmed) == (23 * armed <= 2 * unarmed)


@pytest.mark.parametrize("text,share", [("8%", Fraction(2, 25)), ("0.08", Fraction(2, 25)),
                                        ("2/25", Fraction(2, 25)), ("12.5%", Fraction(1, 8)),
                                        (0.1, Fraction(1, 10))])
def test_cap_parses_common_forms(text: object, share: Fraction) -> None:
    assert ArmedShareCap.parse(text).share == share


@pytest.mark.parametrize("bad", ["eight", "120%", "-1%", "1/0", True, None])
def test_cap_rejects_nonsense(bad: object) -> None:
    with pytest.raises(InputError, match="armed_share_cap"):
        ArmedShareCap.parse(bad)


def test_standard_types_cover_the_force() -> None:
    codes = {t.code for t in STANDARD_UNIT_TYPES}
    assert {"ARV", "AFP", "CTSFO", "DOG-GP", "DOG-EX", "TSG", "MARINE", "MOUNTED", "NHT",
            "ANPR"} <= codes
    by = {t.code: t for t in STANDARD_UNIT_TYPES}
    assert by["ARV"].armed_officers == 3 and by["AFP"].armed_officers == 2
    assert by["CTSFO"].reserve_only and by["CTSFO"].tactics == {Tactic.RESERVE}
    assert by["MARINE"].mode is Mode.BOAT and by["TSG"].officers == 8
    assert (by["NHT"].officers_min, by["NHT"].officers_max) == (2, 6)
    assert by["CTSFO"].armed_for(6) == 6 and by["TSG"].armed_for(6) == 0


def test_unit_type_refuses_a_tactic_its_mode_cannot_do() -> None:
    with pytest.raises(InputError, match="river_patrol"):
        UnitType("X", "Boat on wheels", 2, 0, Mode.VEHICLE, 30.0, frozenset({"river"}),
                 frozenset({Tactic.RIVER_PATROL}))


def test_unit_type_refuses_more_armed_than_crew() -> None:
    with pytest.raises(InputError, match="armed_officers"):
        UnitType("X", "Odd", 2, 3, Mode.FOOT, 5.0)


def test_committed_unit_must_name_its_operation() -> None:
    with pytest.raises(InputError, match="committed_to"):
        unit("TROJAN 1", "ARV", status="committed")
    u = unit("TROJAN 1", "ARV", status="committed", committed_to="Operation Trident")
    assert not u.on_duty(0)


def test_availability_limits_duty() -> None:
    u = unit("N1", "NHT", available_slots=frozenset({1, 2}))
    assert [u.on_duty(s) for s in range(4)] == [False, True, True, False]


@pytest.mark.parametrize("slots", [None, frozenset(), frozenset({0}),
                                   frozenset({0, 1, 2, 5, 7, 8, 11})])
def test_slot_ranges_round_trip(slots: frozenset[int] | None) -> None:
    assert parse_slots(format_slots(slots)) == slots


def test_slot_ranges_reject_garbage() -> None:
    with pytest.raises(InputError, match="available_slots"):
        parse_slots("3-1")
    with pytest.raises(InputError, match="available_slots"):
        parse_slots("mornings")


def test_river_stretch_is_boat_only() -> None:
    s = site("putney", kind=SiteKind.RIVER_STRETCH, required_capability="river")
    assert s.allowed_modes == {Mode.BOAT}
    with pytest.raises(InputError, match="only from a boat"):
        site("putney", kind=SiteKind.RIVER_STRETCH, modes=frozenset({Mode.FOOT}))


@pytest.mark.parametrize("field,value", [("lon", 200.0), ("lat", float("nan")),
                                         ("risk", -1.0), ("profile", "sometimes"),
                                         ("min_presence", 9)])
def test_site_validation_names_the_field(field: str, value: object) -> None:
    with pytest.raises(InputError, match=field):
        site("bad", **{field: value})


def test_capability_rules() -> None:
    river = site("river", kind=SiteKind.RIVER_STRETCH, required_capability="river")
    street = site("street")
    sc = tiny_scenario(
        (unit("BOAT", "MARINE"), unit("ARV1", "ARV"), unit("CT", "CTSFO"), unit("H", "MOUNTED")),
        (river, street),
    )
    u = sc.units_by_callsign
    assert sc.can_perform(u["BOAT"], river, Tactic.RIVER_PATROL)
    assert not sc.can_perform(u["BOAT"], street, Tactic.RIVER_PATROL)
    assert not sc.can_perform(u["ARV1"], river, Tactic.VEHICLE_PATROL)
    assert sc.can_perform(u["ARV1"], street, Tactic.VCP_ANPR)
    assert not sc.can_perform(u["CT"], street, Tactic.RESERVE)
    assert sc.can_perform(u["H"], street, Tactic.MOUNTED_PATROL)
    assert not sc.can_perform(u["H"], street, Tactic.FOOT_PATROL)


def test_scenario_checks_pins_against_roster_and_slots() -> None:
    units = (unit("A1", "ARV"),)
    sites = (site("s1"),)
    ok = tiny_scenario(units, sites, pins=(Pin("A1", 1, "s1", Tactic.VEHICLE_PATROL),))
    assert len(ok.pins) == 1
    with pytest.raises(InputError, match="unknown unit 'Z9'"):
        tiny_scenario(units, sites, pins=(Pin("Z9", 0, "s1", Tactic.VEHICLE_PATROL),))
    with pytest.raises(InputError, match="slot"):
        tiny_scenario(units, sites, pins=(Pin("A1", 5, "s1", Tactic.VEHICLE_PATROL),))
    with pytest.raises(InputError, match="pinned twice"):
        tiny_scenario(units, sites, pins=(Pin("A1", 0, "s1", Tactic.VEHICLE_PATROL),
                                          Pin("A1", 0, None, Tactic.RESERVE)))


def test_scenario_refuses_unknown_type_and_duplicates() -> None:
    with pytest.raises(InputError, match="unknown unit type 'JETPACK'"):
        tiny_scenario((unit("A1", "ARV"), Unit("X", "JETPACK", -0.1, 51.5, "Camden", 2)))
    with pytest.raises(InputError, match="duplicate site id 's1'"):
        tiny_scenario((), (site("s1"), site("s1")))


def test_calendar_default_is_one_day_of_twelve_two_hour_slots() -> None:
    cal = Calendar()
    slots = cal.slots()
    assert len(slots) == 12 and slots[0].label == "00:00-02:00" and slots[-1].label == "22:00-00:00"
    week = Calendar(days=7)
    assert week.slot_count == 84 and week.slots()[83].day == 6
    with pytest.raises(InputError, match="slot_minutes"):
        Calendar(slot_minutes=50)


def test_threat_levels_map_to_response_and_tighten() -> None:
    p = DEFAULT_POSTURES
    assert p[ThreatLevel.LOW].response is ResponseLevel.NORMAL
    assert p[ThreatLevel.SEVERE].response is ResponseLevel.HEIGHTENED
    assert p[ThreatLevel.CRITICAL].response is ResponseLevel.EXCEPTIONAL
    order = list(ThreatLevel)
    for lo, hi in pairwise(order):
        assert p[hi].armed_reach_minutes <= p[lo].armed_reach_minutes
        assert p[hi].presence_factor >= p[lo].presence_factor
    assert ThreatLevel.parse(" severe ") is ThreatLevel.SEVERE
    with pytest.raises(InputError, match="threat_level"):
        ThreatLevel.parse("purple")


def test_area_subtracts_holes_whatever_their_winding() -> None:
    from resources.model import Area

    outer = ((0.0, 51.0), (0.1, 51.0), (0.1, 51.1), (0.0, 51.1), (0.0, 51.0))
    hole_ccw = ((0.02, 51.02), (0.08, 51.02), (0.08, 51.08), (0.02, 51.08), (0.02, 51.02))
    hole_cw = tuple(reversed(hole_ccw))
    full = Area("A", ((outer,),)).geodesic_km2()
    with_ccw = Area("A", ((outer, hole_ccw),)).geodesic_km2()
    with_cw = Area("A", ((outer, hole_cw),)).geodesic_km2()
    assert with_ccw == pytest.approx(with_cw)
    assert with_ccw < full * 0.7
