"""Predictability metrics on hand-made plans, counts and payoffs."""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from resources.errors import InputError
from resources.model import Assignment, Plan, PlanSlot, Tactic
from resources.predictability import (
    TargetKey,
    defender_value,
    expected_overlap,
    frequency_gap,
    jaccard,
    plan_targets,
    recent_overlap,
    run_metrics,
    run_site_entropy,
    site_entropy,
    value_loss,
)
from resources.store import Store
from solver import randomise_cli
from tests.factories import site, tiny_scenario, unit

SCENARIO = tiny_scenario(
    units=(unit("TROJAN 1", "ARV"), unit("TROJAN 2", "ARV"), unit("NHT 1", "NHT"),
           unit("NHT 2", "NHT")),
    sites=(site("alpha"), site("bravo"), site("charlie"), site("delta")),
)


def _plan(posts: list[tuple[str, int, str | None]]) -> Plan:
    ut = {u.callsign: SCENARIO.unit_type(u) for u in SCENARIO.units}
    assignments = tuple(
        Assignment(cs, slot, sid, Tactic.STATIC_POINT if sid else Tactic.RESERVE,
                   ut[cs].officers, ut[cs].armed_officers)
        for cs, slot, sid in posts)
    return Plan("tiny", "SUBSTANTIAL", "8%", (PlanSlot(0, "a", "b"), PlanSlot(1, "b", "c")),
                assignments)


def test_plan_targets_count_units_per_slot_site_and_type() -> None:
    plan = _plan([("TROJAN 1", 0, "alpha"), ("NHT 1", 0, "alpha"), ("NHT 2", 0, "alpha"),
                  ("TROJAN 2", 1, None), ("NHT 1", 1, "bravo")])
    assert plan_targets(SCENARIO, plan) == Counter({
        (0, "alpha", "ARV"): 1, (0, "alpha", "NHT"): 2, (1, "bravo", "NHT"): 1})


def test_site_entropy_of_one_plan() -> None:
    spread = {(0, s, "ARV"): 1 for s in ("alpha", "bravo", "charlie", "delta")}
    assert site_entropy(spread, 0) == pytest.approx((2.0, 2.0))
    skewed: dict[TargetKey, int] = {(0, "alpha", "ARV"): 2, (0, "alpha", "NHT"): 1,
                                    (0, "bravo", "NHT"): 1}
    shannon, mins = site_entropy(skewed, 0)
    assert shannon == pytest.approx(-(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25)))
    assert mins == pytest.approx(-math.log2(0.75))
    assert site_entropy(skewed, 1) == (0.0, 0.0)


def test_fixed_plan_has_no_entropy_over_a_run_and_rotation_has_some() -> None:
    fixed = [{(0, "alpha", "ARV"): 1}] * 10
    assert run_site_entropy(fixed, [0]) == {0: (0.0, 0.0)}
    rota = [{(0, s, "ARV"): 1} for s in ("alpha", "bravo", "charlie", "delta")] * 3
    assert run_site_entropy(rota, [0])[0] == pytest.approx((2.0, 2.0))


def test_jaccard_is_multiset_overlap() -> None:
    a = {(0, "alpha", "ARV"): 2, (0, "bravo", "NHT"): 1}
    b = {(0, "alpha", "ARV"): 1, (0, "charlie", "NHT"): 1}
    assert jaccard(a, b) == pytest.approx(1 / 4)  # min: 1; max: 2 + 1 + 1
    assert jaccard(a, a) == 1.0
    assert jaccard({}, {}) == 1.0
    assert jaccard(a, {}) == 0.0


def test_recent_overlap_uses_the_last_k_plans() -> None:
    today = {(0, "alpha", "ARV"): 1}
    history = [{(0, "alpha", "ARV"): 1}, {(0, "bravo", "ARV"): 1}, {(0, "charlie", "ARV"): 1}]
    assert recent_overlap(today, history, 1) == 0.0
    assert recent_overlap(today, history, 3) == pytest.approx(1 / 3)
    assert recent_overlap(today, [], 3) is None


def test_expected_overlap_of_single_bernoulli_parts() -> None:
    p = 0.3
    assert expected_overlap({(0, "a", "X"): p}) == pytest.approx(p * p / (2 * p - p * p))
    assert expected_overlap({(0, "a", "X"): 2.0}) == 1.0
    # whole parts count fully in both the minimum and the maximum
    assert expected_overlap({(0, "a", "X"): 1.5}) == pytest.approx(1.25 / 1.75)


def test_expected_overlap_matches_simulated_independent_draws() -> None:
    parts = {(0, "a", "X"): [0.4, 0.7], (0, "b", "X"): [1.2], (0, "c", "Y"): [0.5, 0.5, 0.5]}
    rng = np.random.default_rng(4)

    def draw() -> dict[TargetKey, int]:
        return {k: sum(math.floor(m) + int(rng.random() < m - math.floor(m)) for m in ms)
                for k, ms in parts.items()}

    lo = hi = 0
    for _ in range(20_000):
        a, b = draw(), draw()
        lo += sum(min(a[k], b[k]) for k in parts)
        hi += sum(max(a[k], b[k]) for k in parts)
    assert expected_overlap(parts) == pytest.approx(lo / hi, abs=0.01)


def test_frequency_gap() -> None:
    days = [{(0, "a", "X"): 1}, {(0, "b", "X"): 1}, {(0, "a", "X"): 1}, {(0, "a", "X"): 1}]
    assert frequency_gap(days, {(0, "a", "X"): 0.5, (0, "b", "X"): 0.5}) == pytest.approx(0.25)
    assert frequency_gap(days, {(0, "a", "X"): 0.75, (0, "b", "X"): 0.25,
                                (0, "c", "X"): 0.1}) == pytest.approx(0.1)
    with pytest.raises(ValueError):
        frequency_gap([], {})


def test_defender_value_breaks_attacker_ties_for_the_defender() -> None:
    pay = np.array([[0, -10, 0, 10], [5, 4, 0, 10]], dtype=float)
    value, attacked = defender_value([0.5, 0.5], pay)
    assert (value, attacked) == (pytest.approx(4.5), 1)
    value, attacked = defender_value([0.6, 0.5], pay)  # target 0 now strictly worse for him
    assert (value, attacked) == (pytest.approx(4.5), 1)
    value, attacked = defender_value([0.4, 0.5], pay)
    assert (value, attacked) == (pytest.approx(-6.0), 0)


def test_defender_value_refuses_mismatched_input() -> None:
    with pytest.raises(ValueError, match="one coverage per target"):
        defender_value([0.5], np.zeros((2, 4)))
    with pytest.raises(ValueError, match="finite"):
        defender_value([float("nan")], np.zeros((1, 4)))


def test_value_loss_is_relative_to_the_optimum() -> None:
    assert value_loss(-10.1, -10.0) == pytest.approx(0.01)
    assert value_loss(-10.0, -10.0) == 0.0


def _store_with_plans(path: Path, plans: list[Plan]) -> None:
    with Store.open(path) as store:
        store.save_scenario(SCENARIO)
        for plan in plans:
            store.save_plan(plan)


def _record(day: int, marg: dict[tuple[int, str, str], float]) -> dict[str, object]:
    return {"randomisation": {
        "expected_overlap": 0.25, "kept": 1.0, "value": -5.0 - day, "optimum": -5.0,
        "marginals": [[t, s, c, m] for (t, s, c), m in sorted(marg.items())]}}


def test_run_metrics_over_plans_with_and_without_records() -> None:
    marg = {(0, "alpha", "ARV"): 0.5, (0, "bravo", "ARV"): 0.5}
    plans = [replace(_plan([("TROJAN 1", 0, site_id)]), day=i, extra=_record(i, marg))
             for i, site_id in enumerate(["alpha", "bravo", "alpha", "alpha"])]
    m = run_metrics(SCENARIO, plans, k=2)
    assert [p.overlap for p in m.plans] == [None, 0.0, 0.5, 0.5]
    assert m.frequency_gap == pytest.approx(0.25)
    assert m.value == pytest.approx(-6.5) and m.optimum == -5.0
    assert m.site_entropy == pytest.approx(-(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25)))
    bare = run_metrics(SCENARIO, [_plan([("NHT 1", 0, "alpha")])])
    assert bare.frequency_gap is None and bare.expected_overlap is None


def test_predictability_command_reports_stored_plans(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    marg = {(0, "alpha", "ARV"): 0.5, (0, "bravo", "ARV"): 0.5}
    plans = [replace(_plan([("TROJAN 1", 0, s)]), day=i, created_at=f"2026-01-0{i + 1}T08:00:00",
                     extra=_record(i, marg)) for i, s in enumerate(["alpha", "bravo", "bravo"])]
    _store_with_plans(tmp_path / "h.db", plans)
    parser = argparse.ArgumentParser()
    randomise_cli.register(parser.add_subparsers())
    args = parser.parse_args(["predictability", "--scenario", "tiny", "--last", "2", "--json"])
    args.db = tmp_path / "h.db"
    assert args.func(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [p["day"] for p in doc["plans"]] == [1, 2]
    assert doc["plans"][1]["overlap"] == 1.0 and doc["frequency_gap"] == pytest.approx(0.5)
    args = parser.parse_args(["predictability", "--scenario", "tiny"])
    args.db = tmp_path / "h.db"
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "overlap with earlier plans" in text and "implied by the probabilities: 0.250" in text


def test_predictability_command_refuses_unknown_or_empty(tmp_path: Path) -> None:
    _store_with_plans(tmp_path / "h.db", [])
    parser = argparse.ArgumentParser()
    randomise_cli.register(parser.add_subparsers())
    for name, message in (("tiny", "no stored plans"), ("nowhere", "nowhere")):
        args = parser.parse_args(["predictability", "--scenario", name])
        args.db = tmp_path / "h.db"
        with pytest.raises(InputError, match=message):
            args.func(args)
    with pytest.raises(SystemExit):
        parser.parse_args(["predictability", "--scenario", "tiny", "--last", "0"])
