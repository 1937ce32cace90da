"""Each placement rule: allowed cases pass, each breach is named in plain English."""

from __future__ import annotations

from resources.model import Pin, Tactic
from resources.placement import (
    PlacementChecker,
    Proposal,
    apply_to_plan,
    default_tactic,
    describe,
    lock_pins,
    with_pin,
    without_pin,
)
from resources.verify import verify_plan
from tests.placement_world import forbid_world, world, world_plan

T = Tactic


def rules(checker: PlacementChecker, p: Proposal) -> list[str]:
    return [b.rule for b in checker.check(p)]


def test_armed_share_is_exact_at_the_cap() -> None:
    sc = world()
    at_cap = PlacementChecker(sc, world_plan(sc))  # 2 armed of 25 officers = 8% exactly
    assert rules(at_cap, Proposal("AFP1", 0, "B", T.FOOT_PATROL)) == []
    over = PlacementChecker(sc, world_plan(sc, with_dog=False))  # 2 of 24 is over
    breaches = over.check(Proposal("AFP1", 0, "B", T.FOOT_PATROL))
    assert [b.rule for b in breaches] == ["armed_share"]
    assert "2 armed of 24 deployed officers" in breaches[0].message
    assert "23 x armed <= 2 x unarmed" in breaches[0].message


def test_moving_an_unarmed_unit_away_counts_its_officers_out_only_once() -> None:
    sc = world()
    plan = apply_to_plan(world_plan(sc), PlacementChecker(sc, world_plan(sc)),
                         Proposal("AFP1", 0, "B", T.FOOT_PATROL))
    checker = PlacementChecker(sc, plan)
    # DOG1 stays posted (reserve still counts as deployed under ALL_POSTED)
    assert rules(checker, Proposal("DOG1", 0, None, T.RESERVE)) == []


def test_capability() -> None:
    sc = world()
    c = PlacementChecker(sc, world_plan(sc))
    assert rules(c, Proposal("NHT2", 0, "R", T.FOOT_PATROL)) == ["capability"]
    assert "river stretch" in c.check(Proposal("NHT2", 0, "R", T.FOOT_PATROL))[0].message
    assert rules(c, Proposal("MAR1", 0, "R", T.RIVER_PATROL)) == []
    assert rules(c, Proposal("MAR1", 0, "B", T.RIVER_PATROL)) == ["capability"]
    msg = c.check(Proposal("NHT2", 1, "B", T.VCP_ANPR))[0].message
    assert msg == "a NHT cannot do 'vcp_anpr' at Bravo Street"


def test_availability() -> None:
    sc = world()
    c = PlacementChecker(sc, world_plan(sc))
    breaches = c.check(Proposal("LATE1", 0, "B", T.FOOT_PATROL))
    assert [b.rule for b in breaches] == ["availability"]
    assert "not rostered on duty" in breaches[0].message
    assert rules(c, Proposal("LATE1", 1, "B", T.FOOT_PATROL)) == []


def test_double_booking_against_an_existing_pin() -> None:
    sc = with_pin(world(), Pin("DOG1", 0, "B", T.VEHICLE_PATROL))
    c = PlacementChecker(sc, world_plan(sc))
    breaches = c.check(Proposal("DOG1", 0, None, T.RESERVE))
    assert [b.rule for b in breaches] == ["double_booking"]
    assert "already pinned to Bravo Street" in breaches[0].message
    assert rules(c, Proposal("DOG1", 0, "B", T.VEHICLE_PATROL)) == []  # the same pin again


def test_reach_from_previous_and_to_next_posting() -> None:
    sc = world()
    c = PlacementChecker(sc, world_plan(sc))
    # NHT1 is at FAR in slot 1: being at B in slot 0 leaves no time to walk 25 km
    breaches = c.check(Proposal("NHT1", 0, "A", T.FOOT_PATROL))
    assert "reach" in [b.rule for b in breaches]
    reach = next(b for b in breaches if b.rule == "reach")
    assert "from Alpha Square to Far Green" in reach.message
    assert "change-over allows 30 min" in reach.message
    # TSG1 at A in slot 0 -> B in slot 1 is a few hundred metres
    assert rules(c, Proposal("TSG1", 1, "A", T.VEHICLE_PATROL)) == []
    # from B (slot 0) to FAR (slot 1) is too far for TSG2 as well
    assert rules(c, Proposal("TSG2", 1, "FAR", T.VEHICLE_PATROL)) == ["reach"]


def test_max_presence_counts_other_units_only() -> None:
    sc = world()
    c = PlacementChecker(sc, world_plan(sc))
    breaches = c.check(Proposal("DOG1", 0, "A", T.VEHICLE_PATROL))
    assert [b.rule for b in breaches] == ["max_presence"]
    assert "Alpha Square already has 1 units, maximum 1" in breaches[0].message
    assert rules(c, Proposal("TSG1", 0, "A", T.STATIC_POINT)) == []  # TSG1 is the one there


def test_forbid_and_its_rationale() -> None:
    sc = forbid_world()
    c = PlacementChecker(sc, world_plan(sc))
    breaches = c.check(Proposal("AFP1", 0, "B", T.FOOT_PATROL))
    assert [b.rule for b in breaches] == ["forbid"]
    assert breaches[0].message == "AFP1 is forbidden at Bravo Street (known to the crowd)"


def test_vcp_needs_armed_cover_at_the_site() -> None:
    sc = world()
    c = PlacementChecker(sc, world_plan(sc))
    assert rules(c, Proposal("ANPR1", 1, "B", T.VCP_ANPR)) == ["vcp_armed_cover"]
    armed_there = apply_to_plan(world_plan(sc), c, Proposal("AFP1", 1, "B", T.FOOT_PATROL))
    assert rules(PlacementChecker(sc, armed_there), Proposal("ANPR1", 1, "B", T.VCP_ANPR)) == []


def test_moving_the_only_armed_cover_away_from_a_vcp_is_refused() -> None:
    sc = world()
    plan = world_plan(sc)
    plan = apply_to_plan(plan, PlacementChecker(sc, plan), Proposal("AFP1", 1, "B", T.FOOT_PATROL))
    plan = apply_to_plan(plan, PlacementChecker(sc, plan), Proposal("ANPR1", 1, "B", T.VCP_ANPR))
    c = PlacementChecker(sc, plan)
    away = c.check(Proposal("AFP1", 1, None, T.RESERVE))
    assert [b.rule for b in away] == ["vcp_armed_cover"]
    assert away[0].message == (f"{c.when(1)}: moving AFP1 would leave the VCP by ANPR1 at "
                               "Bravo Street without armed cover")
    assert "vcp_armed_cover" in rules(c, Proposal("AFP1", 1, "A", T.FOOT_PATROL))
    assert rules(c, Proposal("AFP1", 1, "B", T.STATIC_POINT)) == []  # stays at the site
    assert rules(c, Proposal("ANPR1", 1, None, T.RESERVE)) == []  # the VCP itself may leave
    # the verifier agrees: without the cover the plan breaks the rule
    broken = apply_to_plan(plan, c, Proposal("AFP1", 1, None, T.RESERVE))
    assert "vcp_armed_cover" in {v.rule for v in verify_plan(sc, broken, check_kpis=False)}


def test_an_edited_plan_is_a_new_unsaved_plan() -> None:
    sc = world()
    plan = world_plan(sc)
    assert plan.plan_id == "p-world"
    edited = apply_to_plan(plan, PlacementChecker(sc, plan), Proposal("AFP1", 0, "B",
                                                                      T.FOOT_PATROL))
    assert edited.plan_id is None and edited.created_at == ""


def test_unknown_names_are_reported_not_raised() -> None:
    sc = world()
    c = PlacementChecker(sc, world_plan(sc))
    assert rules(c, Proposal("NOPE", 0, "B", T.FOOT_PATROL)) == ["unknown_unit"]
    assert rules(c, Proposal("NHT1", 0, "ZZ", T.FOOT_PATROL)) == ["unknown_site"]
    assert rules(c, Proposal("NHT1", 9, "B", T.FOOT_PATROL)) == ["slot"]


def test_allowed_placement_agrees_with_the_verifier() -> None:
    sc = world()
    plan = world_plan(sc)
    c = PlacementChecker(sc, plan)
    p = Proposal("AFP1", 0, "B", T.FOOT_PATROL)
    assert c.check(p) == []
    pinned = with_pin(sc, p.to_pin("planner's choice"))
    after = apply_to_plan(plan, c, p)
    assert verify_plan(sc, plan, check_kpis=False) == []
    assert [v.rule for v in verify_plan(pinned, after, check_kpis=False)] == []
    refused = Proposal("DOG1", 0, "A", T.VEHICLE_PATROL)
    assert c.check(refused)
    bad = apply_to_plan(plan, c, refused)
    assert "max_presence" in [v.rule for v in verify_plan(sc, bad, check_kpis=False)]


def test_pin_edits_and_locks() -> None:
    sc = world()
    plan = world_plan(sc)
    one = with_pin(sc, Pin("NHT2", 0, "B", T.FOOT_PATROL, rationale="why"))
    two = with_pin(one, Pin("NHT2", 0, "A", T.STATIC_POINT))
    assert [(p.site_id, p.tactic) for p in two.pins] == [("A", T.STATIC_POINT)]
    assert without_pin(two, "NHT2", 0).pins == ()
    locked = lock_pins(plan, slot=1, rationale="hold")
    assert {(p.callsign, p.site_id) for p in locked} == {
        ("NHT1", "FAR"), ("TSG1", "B"), ("TSG2", "B"), ("ANPR1", "B"), ("DOG1", "B")}
    assert all(p.rationale == "hold" for p in locked)
    assert len(lock_pins(plan, callsign="TSG1")) == 2
    assert describe([]) == "OK: no rule broken"


def test_default_tactic() -> None:
    sc = world()
    u = sc.units_by_callsign
    assert default_tactic(sc, u["MAR1"], "R") is T.RIVER_PATROL
    assert default_tactic(sc, u["NHT1"], "B") is T.FOOT_PATROL
    assert default_tactic(sc, u["NHT1"], None) is T.RESERVE


def test_a_slot_already_over_the_cap_blames_only_moves_that_raise_the_share() -> None:
    sc = world()
    plan = apply_to_plan(world_plan(sc, with_dog=False), PlacementChecker(sc, world_plan(sc)),
                         Proposal("AFP1", 0, "B", T.FOOT_PATROL))  # 2 of 24: over already
    c = PlacementChecker(sc, plan)
    assert rules(c, Proposal("NHT2", 0, None, T.RESERVE)) == []  # share unchanged
    assert rules(c, Proposal("AFP1", 0, None, T.RESERVE)) == []  # the armed unit stays posted
    assert rules(c, Proposal("DOG1", 0, "B", T.VEHICLE_PATROL)) == []  # share falls: 2 of 25
