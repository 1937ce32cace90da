"""The independent verifier: a clean hand-made plan passes; each broken rule is reported."""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

import pytest

from resources.kpis import plan_kpis
from resources.model import (
    Area,
    ArmedShareCap,
    Assignment,
    CoverageCell,
    Forbid,
    Pin,
    Plan,
    PlanSlot,
    Scenario,
    SiteKind,
    Tactic,
    UnitStatus,
    Unmet,
)
from resources.model.sites import Sector
from resources.verify import verify_plan
from tests.factories import site, tiny_scenario, unit

T = Tactic
LON, LAT = -0.1276, 51.5072
KM_LON = 1 / (111.19 * math.cos(math.radians(LAT)))
RING = ((-0.095, 51.51), (-0.08, 51.51), (-0.08, 51.52), (-0.095, 51.52), (-0.095, 51.51))


def scenario(**kw: object) -> Scenario:
    """Two slots; a crowded site A, a river stretch R, a far site F, a City site C."""
    sites = (
        site("A", lon=LON, lat=LAT, max_presence=2),
        site("R", kind=SiteKind.RIVER_STRETCH, sector=Sector.TRANSPORT,
             required_capability="river", lon=LON + 0.005, lat=LAT - 0.002),
        site("F", lon=LON + 20 * KM_LON, lat=LAT),
        site("C", borough="City of London", lon=-0.09, lat=51.515),
    )
    units = (
        unit("ARV1", "ARV", lon=LON, lat=LAT), unit("TSG1", "TSG", lon=LON, lat=LAT),
        unit("NHT1", "NHT", lon=LON, lat=LAT), unit("MAR1", "MARINE", lon=LON, lat=LAT),
        unit("CT1", "CTSFO", lon=LON, lat=LAT), unit("ANPR1", "ANPR", lon=LON, lat=LAT),
        unit("COM1", "NHT", lon=LON, lat=LAT, status=UnitStatus.COMMITTED,
             committed_to="Operation Trident"),
        unit("OFF1", "NHT", lon=LON, lat=LAT, available_slots=frozenset({1})),
    )
    args: dict[str, object] = {
        "areas": (Area("City of London", ((RING,),), taskable=False),),
        "cells": (CoverageCell("C0", LON, LAT, "Westminster", 1.0),),
        "armed_share_cap": ArmedShareCap(Fraction(1, 2)),
        "pins": (Pin("TSG1", 0, "A", T.STATIC_POINT),),
        "forbids": (Forbid("NHT1", "A"),),
    }
    args.update(kw)
    return tiny_scenario(units=units, sites=sites, **args)


def post(callsign: str, slot: int, site_id: str | None, tactic: Tactic, sc: Scenario,
         standby: str | None = None) -> Assignment:
    """A posting with the unit's roster crew, marked pinned when a pin asks for it."""
    u = sc.units_by_callsign[callsign]
    ut = sc.unit_type(u)
    pinned = any(p.callsign == callsign and p.slot == slot for p in sc.pins)
    return Assignment(callsign, slot, site_id, tactic, u.officers, ut.armed_for(u.officers),
                      pinned=pinned, standby_id=standby)


def make_plan(sc: Scenario, posts: list[Assignment], *, ctsfo_named: bool = True) -> Plan:
    """A plan with recomputed KPIs (and CTSFO-reach lines where the team does not reach)."""
    kpis = plan_kpis(sc, posts)
    unmet = tuple(Unmet(k.slot, "CTSFO reach", "out of reach", "ctsfo_reach")
                  for k in kpis if k.ctsfo_reach < 1.0 and ctsfo_named)
    slots = tuple(PlanSlot(s.index, s.start.isoformat(), s.end.isoformat())
                  for s in sc.calendar.slots())
    return Plan(sc.name, sc.threat_level.value, sc.armed_share_cap.percent, slots, tuple(posts),
                kpis, unmet)


def clean_posts(sc: Scenario) -> list[Assignment]:
    """Slot 0 and 1: TSG1 at A (pinned in slot 0), ARV1 at A, boat on the river, CTSFO on
    standby, NHT1 in reserve at base."""
    out = []
    for t in (0, 1):
        out += [post("TSG1", t, "A", T.STATIC_POINT, sc),
                post("ARV1", t, "A", T.VEHICLE_PATROL, sc),
                post("MAR1", t, "R", T.RIVER_PATROL, sc),
                post("CT1", t, None, T.RESERVE, sc, standby="SB-CENTRAL"),
                post("NHT1", t, None, T.RESERVE, sc)]
    return out


def rules_broken(sc: Scenario, posts: list[Assignment], **kw: bool) -> set[str]:
    return {v.rule for v in verify_plan(sc, make_plan(sc, posts, **kw))}


def test_a_clean_plan_has_no_violations() -> None:
    sc = scenario()
    assert verify_plan(sc, make_plan(sc, clean_posts(sc))) == []


@pytest.mark.parametrize(("change", "rule"), [
    (lambda sc: [post("COM1", 0, None, T.RESERVE, sc)], "availability"),
    (lambda sc: [post("OFF1", 0, None, T.RESERVE, sc)], "availability"),
    (lambda sc: [replace(post("ANPR1", 0, None, T.RESERVE, sc), officers=5)], "crew"),
    (lambda sc: [post("ANPR1", 0, "R", T.VEHICLE_PATROL, sc)], "capability"),
    (lambda sc: [post("ANPR1", 0, "A", T.FOOT_PATROL, sc)], "capability"),
    (lambda sc: [post("ANPR1", 1, "C", T.VEHICLE_PATROL, sc)], "taskable_area"),
    (lambda sc: [post("ANPR1", 0, "F", T.VCP_ANPR, sc)], "vcp_armed_cover"),
    (lambda sc: [post("ANPR1", 1, "A", T.VEHICLE_PATROL, sc)], "max_presence"),
], ids=["committed", "off-duty", "crew", "river-by-car", "foot-tactic-by-car", "city",
        "vcp-without-cover", "max-presence"])
def test_each_broken_rule_is_reported(change: object, rule: str) -> None:
    sc = scenario()
    assert rule in rules_broken(sc, clean_posts(sc) + change(sc))  # type: ignore[operator]


def test_boats_only_on_river_and_ctsfo_only_in_reserve() -> None:
    sc = scenario()
    posts = [p for p in clean_posts(sc) if p.callsign not in ("MAR1", "CT1")]
    boat_on_land = [*posts, post("MAR1", 0, "F", T.RIVER_PATROL, sc)]
    ctsfo_at_site = [*posts, post("CT1", 0, "F", T.STATIC_POINT, sc)]
    assert "capability" in rules_broken(sc, boat_on_land, ctsfo_named=False)
    assert "capability" in rules_broken(sc, ctsfo_at_site, ctsfo_named=False)


def test_vcp_with_armed_cover_is_clean() -> None:
    sc = scenario()
    posts = [*clean_posts(sc), post("ANPR1", 0, "F", T.VCP_ANPR, sc)]
    posts = [p for p in posts if not (p.callsign == "ARV1" and p.slot == 0)]
    assert "vcp_armed_cover" in rules_broken(sc, posts)
    posts.append(post("ARV1", 0, "F", T.VCP_ANPR, sc))
    assert "vcp_armed_cover" not in rules_broken(sc, posts)


def test_forbid_pin_and_one_place() -> None:
    sc = scenario()
    base = [p for p in clean_posts(sc) if (p.callsign, p.slot) not in (("NHT1", 1),)]
    assert "forbid" in rules_broken(sc, [*base, post("NHT1", 1, "A", T.FOOT_PATROL, sc)])
    moved = [p for p in clean_posts(sc) if (p.callsign, p.slot) != ("TSG1", 0)]
    assert "pin" in rules_broken(sc, [*moved, post("TSG1", 0, None, T.RESERVE, sc)])
    twice = [*clean_posts(sc), post("NHT1", 0, "F", T.FOOT_PATROL, sc)]
    assert "one_place" in rules_broken(sc, twice)


def test_armed_share_is_checked_in_exact_integers() -> None:
    sc = scenario(armed_share_cap=ArmedShareCap())  # 8%: 25 x armed <= 2 x deployed
    posts = [post("TSG1", 0, "A", T.STATIC_POINT, sc), post("ARV1", 0, "A", T.VEHICLE_PATROL, sc)]
    assert "armed_share" in rules_broken(sc, posts, ctsfo_named=True)
    assert "armed_share" not in rules_broken(sc, posts[:1])


def test_changeover_between_consecutive_postings() -> None:
    sc = scenario()
    base = [p for p in clean_posts(sc) if p.callsign != "NHT1"]
    far = [*base, post("NHT1", 0, None, T.RESERVE, sc), post("NHT1", 1, "F", T.FOOT_PATROL, sc)]
    assert "changeover" in rules_broken(sc, far)


def test_misreported_kpis_and_unnamed_ctsfo_gaps_are_reported() -> None:
    sc = scenario()
    plan = make_plan(sc, clean_posts(sc))
    bad = replace(plan, kpis=(replace(plan.kpis[0], risk_coverage=0.01), *plan.kpis[1:]))
    assert {v.rule for v in verify_plan(sc, bad)} == {"kpi"}
    no_team = [p for p in clean_posts(sc) if p.callsign != "CT1"]
    assert "ctsfo_reach" in rules_broken(sc, no_team, ctsfo_named=False)
    assert "ctsfo_reach" not in rules_broken(sc, no_team, ctsfo_named=True)


def test_unknown_references_and_header_mismatches() -> None:
    sc = scenario()
    ghost = Assignment("GHOST", 0, None, T.RESERVE, 2, 0)
    nowhere = replace(post("NHT1", 0, None, T.RESERVE, sc), site_id="NOWHERE",
                      tactic=T.FOOT_PATROL)
    plan = make_plan(sc, [p for p in clean_posts(sc) if (p.callsign, p.slot) != ("NHT1", 0)])
    plan = replace(plan, assignments=(*plan.assignments, ghost, nowhere), threat_level="LOW")
    rules = {v.rule for v in verify_plan(sc, plan, check_kpis=False)}
    assert {"unknown_unit", "unknown_site", "threat_level"} <= rules
