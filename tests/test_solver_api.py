"""The solver API: conflicts named, progress, cancellation, determinism, warm start, baselines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from resources.model import Pin, Plan, Scenario, Tactic, UnitStatus
from resources.verify import verify_plan
from solver import CancelToken, InfeasiblePlan, Progress, SolveOptions, solve
from solver.covering import armed_reach_instance, solve_cpsat, solve_highs
from solver.greedy import greedy_plan
from solver.problem import Problem
from tests.conftest import small_scenario
from tests.factories import site, tiny_scenario, unit

T = Tactic
ROOT = Path(__file__).resolve().parents[1]
QUICK = SolveOptions(time_limit_s=5.0, deterministic=True)


def small() -> Scenario:
    sc = small_scenario()
    assert isinstance(sc, Scenario)
    return sc


# ----------------------------------------------------------------------------- conflicts
def test_pins_that_break_the_armed_share_name_the_smallest_conflict() -> None:
    sc = tiny_scenario(
        units=(unit("ARV1", "ARV"), unit("ARV2", "ARV"), unit("NHT1", "NHT")),
        sites=(site("A"), site("B", lon=-0.1266)),
        pins=(Pin("ARV1", 0, "A", T.VEHICLE_PATROL), Pin("ARV2", 0, "A", T.STATIC_POINT),
              Pin("NHT1", 1, "B", T.FOOT_PATROL)))
    with pytest.raises(InfeasiblePlan) as caught:
        solve(sc, QUICK)
    err = caught.value
    assert err.minimal and len(err.conflicts) == 2
    cap = [c for c in err.conflicts if c.startswith("armed share cap 8%")]
    pins = [c for c in err.conflicts if c.startswith("pin: ARV")]
    assert len(cap) == 1 and len(pins) == 1
    assert "armed share would be" in cap[0] and "more unarmed officers" in cap[0]
    assert "NHT1" not in str(err)  # the pin that plays no part is not named


def test_pins_over_a_sites_maximum_name_both_pins() -> None:
    sc = tiny_scenario(units=(unit("NHT1", "NHT"), unit("NHT2", "NHT")),
                       sites=(site("A", max_presence=1),),
                       pins=(Pin("NHT1", 0, "A", T.FOOT_PATROL),
                             Pin("NHT2", 0, "A", T.STATIC_POINT)))
    with pytest.raises(InfeasiblePlan) as caught:
        solve(sc, QUICK)
    text = str(caught.value)
    assert "NHT1" in text and "NHT2" in text and "at most 1 units at A" in text


def test_a_pin_on_a_committed_unit_is_refused_with_the_reason() -> None:
    sc = tiny_scenario(
        units=(unit("NHT1", "NHT", status=UnitStatus.COMMITTED, committed_to="Op Trident"),),
        sites=(site("A"),), pins=(Pin("NHT1", 0, "A", T.FOOT_PATROL),))
    with pytest.raises(InfeasiblePlan, match="committed to Op Trident"):
        solve(sc, QUICK)


def test_an_infeasible_plan_is_a_one_line_input_error() -> None:
    from resources.errors import InputError

    sc = tiny_scenario(units=(unit("MAR1", "MARINE"),), sites=(site("A"),),
                       pins=(Pin("MAR1", 0, "A", T.RIVER_PATROL),))
    with pytest.raises(InputError) as caught:
        solve(sc, QUICK)
    assert "\n" not in str(caught.value) and "boats work only on river stretches" in str(
        caught.value)


# ------------------------------------------------------------------------------ progress
def test_progress_reports_incumbents_and_the_final_objective() -> None:
    sc = small()
    seen: list[Progress] = []
    plan = solve(sc, QUICK, progress=seen.append)
    assert seen and seen[-1].phase == "done"
    assert seen[-1].objective == pytest.approx(plan.solver.objective)
    assert all(p.bound is None or p.objective is None or p.bound <= p.objective + 1e-6
               for p in seen)
    assert verify_plan(sc, plan) == []


def test_cancel_from_another_thread_keeps_the_best_plan() -> None:
    sc = small()
    token = CancelToken()
    asked, done = threading.Event(), threading.Event()

    def on_progress(p: Progress) -> None:
        if p.phase.startswith("improving") and not asked.is_set():
            asked.set()
            assert done.wait(30)  # hold the search until the other thread has cancelled

    def canceller() -> None:
        assert asked.wait(120)
        token.cancel()
        done.set()

    thread = threading.Thread(target=canceller)
    thread.start()
    plan = solve(sc, SolveOptions(time_limit_s=600.0, seed=3), progress=on_progress,
                 cancel=token)
    thread.join(10)
    assert token.cancelled and plan.solver.parameters["stopped"] == "cancelled"
    assert plan.solver.status == "FEASIBLE" and plan.assignments
    assert verify_plan(sc, plan) == []


def test_cancel_before_the_start_still_returns_a_first_plan() -> None:
    sc = small()
    token = CancelToken()
    token.cancel()
    plan = solve(sc, SolveOptions(time_limit_s=600.0), cancel=token)
    assert plan.solver.parameters["stopped"] == "cancelled"
    assert verify_plan(sc, plan) == []


# --------------------------------------------------------------------------- determinism
_DETERMINISM = """
import json, sys
sys.path.insert(0, {root!r})
from tests.conftest import small_scenario
from solver import SolveOptions, solve
plan = solve(small_scenario(), SolveOptions(time_limit_s=3.0, seed=11, deterministic=True))
print(json.dumps({{"hash": plan.content_hash(), "params": plan.solver.parameters}}))
"""


def test_deterministic_mode_gives_the_same_plan_across_processes() -> None:
    """Same inputs and seed, different hash seeds (so no set-order luck): identical plans."""
    code = _DETERMINISM.format(root=str(ROOT))
    outs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, timeout=300, check=True)
        outs.append(json.loads(res.stdout.strip().splitlines()[-1]))
    assert outs[0]["hash"] == outs[1]["hash"]
    params = outs[0]["params"]
    assert params["num_workers"] == 1 and "max_deterministic_time" in params
    assert "max_time_in_seconds" not in params and params["random_seed"] == 11


def test_a_plan_records_backend_parameters_seed_and_versions() -> None:
    plan = solve(small(), SolveOptions(time_limit_s=3.0, seed=5, deterministic=True))
    s = plan.solver
    assert s.backend == "cp-sat" and s.seed == 5
    assert {"ortools", "python"} <= set(s.versions)
    assert s.parameters["decomposition"] == "slot by slot" and s.parameters["bound"] == "global"


# ---------------------------------------------------------------------------- warm start
def test_warm_start_after_one_pin_change_changes_only_what_it_must() -> None:
    sc = small()
    first = solve(sc, QUICK)
    moved = next(a for a in first.assignments if a.site_id is not None and a.slot == 2
                 and a.armed_officers == 0)
    p = Problem(sc, QUICK)
    info = p.by_callsign[moved.callsign]
    other = next(o for o in info.options if o.site_id not in (None, moved.site_id))
    pin = Pin(moved.callsign, 2, other.site_id, other.tactic)
    changed = sc.with_changes(pins=(pin,))
    plan = solve(changed, QUICK, warm_start=first)
    assert verify_plan(changed, plan) == []
    assert plan.solver.parameters["repaired_slots"] == [2]
    assert plan.extra["changed_postings"] <= 1  # at most the one knock-on change
    got = {(a.callsign, a.slot): a for a in plan.assignments}
    assert got[(moved.callsign, 2)].site_id == other.site_id and got[(moved.callsign, 2)].pinned


def test_warm_start_without_min_disruption_still_meets_every_rule() -> None:
    sc = small()
    first = solve(sc, QUICK)
    plan = solve(sc, SolveOptions(time_limit_s=5.0, deterministic=True, min_disruption=False),
                 warm_start=first)
    assert verify_plan(sc, plan) == [] and "changed_postings" in plan.extra


# ------------------------------------------------------------------------------ baselines
def test_greedy_baseline_keeps_every_hard_rule() -> None:
    sc = small()
    plan = greedy_plan(sc)
    assert plan.solver.backend == "greedy" and plan.assignments
    assert verify_plan(sc, plan) == []


def test_optimiser_is_no_worse_than_greedy_on_its_own_objective_terms() -> None:
    sc = small()
    best = solve(sc, SolveOptions(time_limit_s=10.0, deterministic=True))
    greedy = greedy_plan(sc)
    cov = [sum(k.risk_coverage for k in p.kpis) for p in (best, greedy)]
    assert cov[0] >= cov[1] - 1e-9


def test_covering_part_has_the_same_optimum_in_cp_sat_and_highs() -> None:
    sc = small()
    p = Problem(sc, QUICK)
    inst = armed_reach_instance(p, 1, budget=1)
    assert inst.choices
    a = solve_cpsat(inst, workers=1, seconds=30.0)
    b = solve_highs(inst, seconds=30.0)
    assert a.optimal and b.optimal and a.objective == b.objective > 0


def test_plan_json_round_trips() -> None:
    from resources.io import plan_from_dict

    plan = solve(small(), QUICK)
    again = plan_from_dict(json.loads(json.dumps(plan.to_dict())))
    assert isinstance(again, Plan) and again.content_hash() == plan.content_hash()


def test_cap_message_counts_what_it_would_take_in_exact_integers() -> None:
    from resources.model import ArmedShareCap
    from solver.explain import cap_message

    cap = ArmedShareCap()  # 25 x armed <= 2 x deployed
    assert cap_message(cap, 40, 440) == (
        "armed share would be 9.1%; 60 more unarmed officers or 6 fewer armed needed")
    assert not cap.allows(40, 499) and cap.allows(40, 500)
    assert not cap.allows(35, 435) and cap.allows(34, 434)
    assert "8.03%" in cap_message(cap, 56, 697)  # never printed as the cap itself


def test_progress_never_shows_a_rerun_window_worse_than_its_plan_or_bound() -> None:
    import time

    from solver.run import _Reporter

    seen: list[Any] = []
    reporter = _Reporter(seen.append, time.perf_counter(), (100.0, 50.0), "improving 1/2",
                         known=(10.0, 5.0))
    reporter.best_obj, reporter.best_bound = 12.0, 3.0  # the rerun's own first figures
    reporter._emit(time.perf_counter())
    reporter.best_obj, reporter.best_bound = 9.0, 6.0  # it improves on both
    reporter._emit(time.perf_counter())
    assert [(p.objective, p.bound) for p in seen] == [(110.0, 55.0), (109.0, 56.0)]
