"""Plan comparison: KPI differences per slot, changed postings by kind."""

from __future__ import annotations

from dataclasses import replace

from resources.compare import compare_plans, format_delta, summary_lines
from resources.kpis import plan_kpis
from resources.model import Assignment, Tactic
from tests.placement_world import world, world_plan

T = Tactic


def test_changes_by_kind_and_kpi_deltas() -> None:
    sc = world()
    before = world_plan(sc)
    posts = [a for a in before.assignments if a.callsign not in ("DOG1", "TSG2")]
    posts = [replace(a, tactic=T.STATIC_POINT) if (a.callsign, a.slot) == ("TSG1", 0) else a
             for a in posts]
    posts += [
        Assignment("TSG2", 0, "FAR", T.VEHICLE_PATROL, 8, 0),  # moved (slot 0)
        Assignment("TSG2", 1, "B", T.VEHICLE_PATROL, 8, 0),  # unchanged
        Assignment("AFP1", 1, "B", T.FOOT_PATROL, 2, 2),  # added
    ]  # DOG1 removed in both slots
    after = replace(before, assignments=tuple(posts))
    cmp = compare_plans(before, after, plan_kpis(sc, before.assignments),
                        plan_kpis(sc, after.assignments))
    kinds = {(c.callsign, c.slot): c.kind for c in cmp.changes}
    assert kinds == {("TSG1", 0): "retasked", ("TSG2", 0): "moved", ("DOG1", 0): "removed",
                     ("DOG1", 1): "removed", ("AFP1", 1): "added"}
    assert cmp.changed_sites(0) == frozenset({"A", "B", "FAR"})
    s0, s1 = cmp.slots
    assert s0.delta("officers") == -1 and s1.delta("officers") == 1
    assert s1.delta("armed_officers") == 2
    assert s1.delta("armed_share") == 2 / 24
    assert s0.delta("sites_covered") == 1  # FAR newly covered
    text = next(c for c in cmp.changes if c.kind == "moved").describe()
    assert text == "slot 0: TSG2 moved from B (vehicle_patrol) to FAR (vehicle_patrol)"
    assert summary_lines(cmp)[-1] == "5 postings changed"
    assert format_delta("armed_share", 2 / 24) == "+8.3 pts"
    assert format_delta("officers", -1) == "-1"


def test_identical_plans_have_no_changes_and_missing_kpis_give_none() -> None:
    sc = world()
    plan = world_plan(sc)
    cmp = compare_plans(plan, plan)
    assert cmp.changes == ()
    assert all(s.delta("officers") is None for s in cmp.slots)
    assert cmp.mean_delta("officers") is None
