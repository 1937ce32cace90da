"""End to end on the embedded London: a seeded deterministic solve, checked by the verifier."""

from __future__ import annotations

from collections import Counter

import pytest

from resources.london import build_london
from resources.model import Scenario
from resources.verify import verify_plan
from solver import SolveOptions, solve
from solver.greedy import greedy_plan

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def london() -> Scenario:
    return build_london()


def test_seeded_london_day_meets_every_hard_rule(london: Scenario) -> None:
    plan = solve(london, SolveOptions(time_limit_s=10.0, seed=7))
    assert verify_plan(london, plan) == []
    assert len(plan.kpis) == 12 and len(plan.assignments) > 1000
    cap = london.armed_share_cap
    for k in plan.kpis:
        assert cap.allows(k.armed_officers, k.officers)
        assert 0.0 < k.risk_coverage <= 1.0 and 0.0 < k.armed_reach <= 1.0
    kinds = Counter(u.kind for u in plan.unmet)
    assert kinds["presence"] > 0  # London has more sites than units on duty
    assert all(u.message and u.slot is not None for u in plan.unmet)
    committed = {u.callsign for u in london.units if u.committed_to}
    assert committed and not committed & {a.callsign for a in plan.assignments}
    rivers = {s.site_id for s in london.sites if s.required_capability == "river"}
    boats = {u.callsign for u in london.units if u.type_code == "MARINE"}
    for a in plan.assignments:
        if a.site_id in rivers:
            assert a.callsign in boats
        if a.callsign in boats:
            assert a.site_id is None or a.site_id in rivers


def test_greedy_baseline_on_london_meets_every_hard_rule(london: Scenario) -> None:
    plan = greedy_plan(london)
    assert verify_plan(london, plan) == []
