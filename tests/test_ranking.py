"""Ranked options: only allowed postings, best first, with the exact KPI changes."""

from __future__ import annotations

from resources.kpis import KpiCalculator
from resources.model import Assignment, Tactic
from resources.ranking import rank_options
from tests.placement_world import world, world_plan


def test_options_for_an_unposted_armed_unit() -> None:
    sc = world()
    plan = world_plan(sc)
    options = rank_options(sc, plan, "AFP1", 1, limit=20)
    places = [o.site_id for o in options]
    assert "R" not in places  # a river stretch: refused, so not offered
    assert places[0] == "A"  # the only uncovered site it can reach
    best = options[0]
    calc = KpiCalculator(sc)
    others = [a for a in plan.assignments if a.slot == 1]
    before = calc.slot_kpi(others, 1)
    after = calc.slot_kpi([*others, Assignment("AFP1", 1, "A", Tactic.FOOT_PATROL, 2, 2)], 1)
    assert best.tactic is Tactic.FOOT_PATROL
    assert best.coverage_delta == after.risk_coverage - before.risk_coverage > 0
    assert best.reach_delta == after.armed_reach - before.armed_reach
    assert best.armed_share == 2 / 25
    assert [o.score for o in options] == sorted((o.score for o in options), reverse=True)
    assert "Alpha Square (foot_patrol): coverage +" in best.describe(sc)


def test_no_options_for_an_unknown_unit_and_refused_places_left_out() -> None:
    sc = world()
    plan = world_plan(sc)
    assert rank_options(sc, plan, "NOPE", 0) == []
    # LATE1 is off duty in slot 0: every posting is refused
    assert rank_options(sc, plan, "LATE1", 0) == []
