"""One test per hard rule, on two- or three-unit fixtures where breaking the rule would pay.

Each test solves its fixture and checks the plan with the independent verifier; then it drops
the rule from the solver's registry (solver/rules.py) and shows the same fixture now yields a
plan the verifier rejects for exactly that rule, so the test would fail if the rule were lost.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from resources.model import (
    Area,
    ArmedShareCap,
    Forbid,
    Pin,
    Plan,
    Scenario,
    SiteKind,
    Tactic,
    UnitStatus,
)
from resources.model.sites import Sector
from resources.verify import verify_plan
from solver import rules
from solver.api import solve
from solver.options import SolveOptions
from tests.factories import site, tiny_scenario, unit

T = Tactic
LON, LAT = -0.1276, 51.5072
KM_LON = 1 / (111.19 * math.cos(math.radians(LAT)))
OPTIONS = SolveOptions(time_limit_s=5.0, deterministic=True)
ALL_ARMED = ArmedShareCap(Fraction(1, 1))


def at(callsign: str, plan: Plan, slot: int = 0) -> str | None:
    """Where ``callsign`` is posted in ``slot`` (site id, 'reserve', or None)."""
    for a in plan.assignments:
        if a.callsign == callsign and a.slot == slot:
            return a.site_id or "reserve"
    return None


def run(sc: Scenario, options: SolveOptions = OPTIONS) -> tuple[Plan, set[str]]:
    plan = solve(sc, options)
    return plan, {v.rule for v in verify_plan(sc, plan)}


def drop(monkeypatch: pytest.MonkeyPatch, registry: str, name: str) -> None:
    """Remove rule ``name`` from ``rules.<registry>`` for the rest of the test."""
    kept = tuple(r for r in getattr(rules, registry) if r.name != name)
    assert len(kept) == len(getattr(rules, registry)) - 1
    monkeypatch.setattr(rules, registry, kept)


def hot(site_id: str, **kw: object) -> object:
    """A high-risk site that wants a unit every slot."""
    args: dict[str, object] = {"risk": 9.0, "min_presence": 1, "profile": "flat"}
    args.update(kw)
    return site(site_id, **args)


def test_availability(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = tiny_scenario(
        units=(unit("NHT1", "NHT", status=UnitStatus.COMMITTED, committed_to="Op Trident"),
               unit("NHT2", "NHT", available_slots=frozenset({1}))),
        sites=(hot("A"),))
    plan, broken = run(sc)
    assert broken == set()
    assert at("NHT1", plan, 0) is None and at("NHT1", plan, 1) is None
    assert at("NHT2", plan, 0) is None and at("NHT2", plan, 1) == "A"
    drop(monkeypatch, "UNIT_SLOT_RULES", "availability")
    assert "availability" in run(sc)[1]


def test_boats_only_on_river_stretches(monkeypatch: pytest.MonkeyPatch) -> None:
    river = site("R", kind=SiteKind.RIVER_STRETCH, sector=Sector.TRANSPORT,
                 required_capability="river", risk=1.0, lon=LON + 0.004, lat=LAT - 0.002)
    sc = tiny_scenario(units=(unit("MAR1", "MARINE"),), sites=(hot("A"), river))
    plan, broken = run(sc)
    assert broken == set() and at("MAR1", plan) == "R"
    drop(monkeypatch, "OPTION_RULES", "capability")
    plan, broken = run(sc)
    assert at("MAR1", plan) == "A" and "capability" in broken


def test_river_stretches_only_from_boats(monkeypatch: pytest.MonkeyPatch) -> None:
    river = site("R", kind=SiteKind.RIVER_STRETCH, sector=Sector.TRANSPORT,
                 required_capability="river", risk=9.0, min_presence=1, profile="flat",
                 lon=-0.131, lat=51.5075)
    sc = tiny_scenario(units=(unit("NHT1", "NHT"),), sites=(river,))
    plan, broken = run(sc)
    assert broken == set() and at("NHT1", plan) in (None, "reserve")
    assert any("no boat available" in u.message for u in plan.unmet)
    drop(monkeypatch, "OPTION_RULES", "capability")
    plan, broken = run(sc)
    assert at("NHT1", plan) == "R" and "capability" in broken


def test_non_taskable_areas_are_not_tasked(monkeypatch: pytest.MonkeyPatch) -> None:
    ring = ((-0.14, 51.50), (-0.12, 51.50), (-0.12, 51.52), (-0.14, 51.52), (-0.14, 51.50))
    sc = tiny_scenario(units=(unit("NHT1", "NHT"),),
                       sites=(hot("C", borough="City of London"),),
                       areas=(Area("City of London", ((ring,),), taskable=False),))
    plan, broken = run(sc)
    assert broken == set() and at("NHT1", plan) != "C"
    drop(monkeypatch, "OPTION_RULES", "taskable_area")
    plan, broken = run(sc)
    assert at("NHT1", plan) == "C" and "taskable_area" in broken


def test_forbids_are_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = tiny_scenario(units=(unit("NHT1", "NHT"),), sites=(hot("A"),),
                       forbids=(Forbid("NHT1", "A", frozenset({0})),))
    plan, broken = run(sc)
    assert broken == set() and at("NHT1", plan, 0) != "A" and at("NHT1", plan, 1) == "A"
    drop(monkeypatch, "POSTING_RULES", "forbid")
    assert "forbid" in run(sc)[1]


def test_one_posting_per_unit_and_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = tiny_scenario(units=(unit("NHT1", "NHT"),),
                       sites=(hot("A"), hot("B", lon=-0.1266, lat=51.5072)))
    plan, broken = run(sc)
    assert broken == set()
    assert sum(1 for a in plan.assignments if a.slot == 0) == 1
    drop(monkeypatch, "CONSTRAINT_RULES", "one_posting")
    assert "one_place" in run(sc)[1]


def test_pins_are_kept_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    low = site("B", risk=1.0, lon=-0.1266, lat=51.5072)
    sc = tiny_scenario(units=(unit("NHT1", "NHT"),), sites=(hot("A"), low),
                       pins=(Pin("NHT1", 0, "B", T.STATIC_POINT),))
    plan, broken = run(sc)
    assert broken == set()
    pinned = [a for a in plan.assignments if a.pinned]
    assert [(a.callsign, a.slot, a.site_id, a.tactic) for a in pinned] == [
        ("NHT1", 0, "B", T.STATIC_POINT)]
    drop(monkeypatch, "CONSTRAINT_RULES", "pins")
    plan, broken = run(sc)
    assert at("NHT1", plan) == "A" and "pin" in broken


def test_vcp_needs_armed_cover(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = tiny_scenario(units=(unit("ANPR1", "ANPR"), unit("ANPR2", "ANPR")),
                       sites=(hot("A", max_presence=4),))
    plan, broken = run(sc)
    assert broken == set()
    assert all(a.tactic is not T.VCP_ANPR for a in plan.assignments)
    drop(monkeypatch, "CONSTRAINT_RULES", "vcp_armed_cover")
    plan, broken = run(sc)
    assert any(a.tactic is T.VCP_ANPR for a in plan.assignments)
    assert "vcp_armed_cover" in broken


def test_vcp_with_an_armed_unit_at_the_site_is_allowed() -> None:
    sc = tiny_scenario(units=(unit("ANPR1", "ANPR"), unit("ANPR2", "ANPR"), unit("AFP1", "AFP")),
                       sites=(hot("A", max_presence=4),), armed_share_cap=ALL_ARMED)
    plan, broken = run(sc)
    assert broken == set()
    assert any(a.tactic is T.VCP_ANPR for a in plan.assignments)


def test_armed_share_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = tiny_scenario(units=(unit("ARV1", "ARV"), unit("NHT1", "NHT")), sites=(hot("A"),))
    plan, broken = run(sc)
    assert broken == set()
    assert at("ARV1", plan) is None  # 3 armed of 7 officers would be 43% > 8%
    drop(monkeypatch, "CONSTRAINT_RULES", "armed_share")
    plan, broken = run(sc)
    assert at("ARV1", plan) is not None and "armed_share" in broken


def test_armed_share_cap_allows_exactly_the_limit() -> None:
    # 2 armed of 25 officers is exactly 8%: 25 x 2 <= 2 x 25.
    nht = tuple(unit(f"NHT{i}", "NHT", officers=o) for i, o in enumerate((6, 6, 6, 5)))
    sc = tiny_scenario(units=(unit("AFP1", "AFP"), *nht), sites=(hot("A"),))
    plan, broken = run(sc)
    assert broken == set() and at("AFP1", plan) is not None
    assert plan.kpis[0].armed_officers == 2 and plan.kpis[0].officers == 25


def test_site_maximum_presence(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = tiny_scenario(units=(unit("NHT1", "NHT"), unit("TSG1", "TSG")),
                       sites=(hot("A", max_presence=1),))
    plan, broken = run(sc)
    assert broken == set()
    assert sum(1 for a in plan.assignments if a.slot == 0 and a.site_id == "A") == 1
    drop(monkeypatch, "CONSTRAINT_RULES", "site_max_presence")
    assert "max_presence" in run(sc)[1]


def test_changeover_between_consecutive_postings(monkeypatch: pytest.MonkeyPatch) -> None:
    # A and B are 16 km apart: 37 min for a TSG carrier, the change-over allows 30.
    a = hot("A", lon=LON - 8 * KM_LON, lat=LAT, risk=10.0)
    b = hot("B", lon=LON + 8 * KM_LON, lat=LAT, risk=5.0)
    sc = tiny_scenario(units=(unit("TSG1", "TSG", lon=LON, lat=LAT),), sites=(a, b),
                       pins=(Pin("TSG1", 1, "B", T.STATIC_POINT),))
    two_slots = SolveOptions(time_limit_s=5.0, deterministic=True, window_slots=2)
    for options in (OPTIONS, two_slots):
        plan, broken = run(sc, options)
        assert broken == set() and at("TSG1", plan, 0) != "A"
    drop(monkeypatch, "CONSTRAINT_RULES", "changeover")
    plan, broken = run(sc, two_slots)
    assert at("TSG1", plan, 0) == "A" and "changeover" in broken


def test_ctsfo_out_of_reach_is_named_not_hidden() -> None:
    from resources.model import CoverageCell

    far = CoverageCell("FAR", LON + 60 * KM_LON, LAT, "Havering", 1.0)
    sc = tiny_scenario(units=(unit("CT1", "CTSFO"), *(unit(f"T{i}", "TSG") for i in range(12))),
                       sites=(hot("A"),), cells=(far,))
    plan, broken = run(sc)
    assert broken == set()
    lines = [u for u in plan.unmet if u.kind == "ctsfo_reach"]
    assert {u.slot for u in lines} == {0, 1}
    assert all("beyond reach of every place" in u.message for u in lines)


def test_ctsfo_phase_retries_a_slot_its_share_of_time_left_unsolved(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from solver import teams
    from solver.problem import Problem
    from solver.run import WindowOutcome, run_window

    sc = tiny_scenario(units=(unit("CT1", "CTSFO"), *(unit(f"T{i}", "TSG") for i in range(12))),
                       sites=(hot("A"),))
    budgets: list[float] = []

    def starved(ctx: object, options: SolveOptions, budget: float, **kw: object) -> object:
        budgets.append(budget)
        if budget < teams.RETRY_S:  # what a loaded machine gave a 0.02 s run: nothing
            return WindowOutcome("UNKNOWN", None, None)
        return run_window(ctx, options, budget, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(teams, "run_window", starved)
    fixed, log = teams.ctsfo_phase(Problem(sc, OPTIONS, None), OPTIONS, 0.001)
    assert log["status"] in ("OPTIMAL", "FEASIBLE") and "fallback" not in log
    assert budgets == [teams.MIN_SLOT_S, teams.RETRY_S] * 2  # floor, then one retry per slot
    assert {t for (_, t) in fixed} == {0, 1}
