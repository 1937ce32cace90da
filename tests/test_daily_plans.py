"""Daily plans: drawn targets as solver requirements, kept under every hard rule, day by day."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from main import main
from resources.errors import InputError
from resources.model import Forbid, Pin, Plan, Scenario, Tactic
from resources.predictability import plan_targets, randomisation_of
from resources.store import Store
from resources.verify import verify_plan
from solver.balance import DEFAULT_GAIN, BalancedDraws
from solver.daily import DayDraw, day_seed
from solver.daily_plans import DailyRun, daily_plan, kept_units, solve_days
from solver.options import Requirement, SolveOptions
from tests.test_daily import SCENARIO

NAME = SCENARIO.name
FAST = SolveOptions(time_limit_s=2.0, deterministic=True)


@pytest.fixture(scope="module")
def run4() -> list[Plan]:
    return solve_days(SCENARIO, 4, 21, FAST, mode="balanced")


def test_every_drawn_requirement_is_kept_and_every_plan_verifies(run4: list[Plan]) -> None:
    run = DailyRun.build(SCENARIO)
    balanced = BalancedDraws(run.posture)
    for d, plan in enumerate(run4):
        assert verify_plan(SCENARIO, plan) == []
        rec = randomisation_of(plan)
        draw = balanced.draw(d, 21)
        assert rec["balance"] == {**draw.balance} and rec["balance"]["mode"] == "balanced"
        assert rec["balance"]["gain"] == DEFAULT_GAIN and rec["balance"]["history_days"] == d
        assert rec["design_entropy_bits"] == draw.balance["entropy_bits"]
        assert plan.day == d and rec["day"] == d and rec["run_seed"] == 21
        assert rec["seed"] == day_seed(21, d) == plan.solver.seed == draw.seed
        assert [r[:4] for r in rec["requirements"]] == [
            [r.slot, r.site_id, r.type_code, r.count] for r in draw.requirements]
        assert rec["kept"] == 1.0 and rec["kept_units"] == rec["drawn_units"] > 0
        posted = plan_targets(SCENARIO, plan)
        assert all(posted[key] >= n for key, n in draw.targets.items())
        assert not [u for u in plan.unmet if u.kind == "required"]
        assert rec["value"] <= rec["optimum"] + 1e-6
        assert 0.0 < rec["expected_overlap"] < 1.0 and rec["marginals"]


def test_days_differ_and_a_run_continued_from_its_history_is_one_run(run4: list[Plan]) -> None:
    targets = [tuple(sorted(plan_targets(SCENARIO, p).items())) for p in run4]
    assert len(set(targets)) > 1
    other_run = solve_days(SCENARIO, 1, 99, FAST)  # another seed: not this run's history
    again = solve_days(SCENARIO, 2, 21, FAST, first_day=2, mode="balanced",
                       history=[*other_run, run4[1], run4[0], run4[3]])
    for a, b in zip(again, run4[2:], strict=True):
        assert a.day == b.day and a.assignments == b.assignments
        assert randomisation_of(a) == randomisation_of(b)
    assert randomisation_of(again[0])["balance"]["history_days"] == 2
    other = solve_days(SCENARIO, 1, 22, FAST)[0]
    assert randomisation_of(other)["seed"] != randomisation_of(run4[0])["seed"]


def test_independent_days_are_drawn_from_their_seed_alone() -> None:
    run = DailyRun.build(SCENARIO)
    plans = solve_days(SCENARIO, 2, 21, FAST, first_day=3, mode="independent")
    for d, plan in zip((3, 4), plans, strict=True):
        rec = randomisation_of(plan)
        draw = run.posture.draw(d, 21)
        assert rec["balance"] == {"mode": "independent"} and rec["seed"] == draw.seed
        assert [r[:4] for r in rec["requirements"]] == [
            [r.slot, r.site_id, r.type_code, r.count] for r in draw.requirements]
        assert rec["design_entropy_bits"] == [round(b, 3) for b in run.posture.entropy_bounds()]
    with pytest.raises(ValueError, match="mode"):
        solve_days(SCENARIO, 1, 21, FAST, mode="alternate")


def test_a_requirement_posts_its_units_and_an_impossible_one_is_an_unmet_line() -> None:
    want = Requirement(0, "market", "NHT", 2, ("NHT 1", "NHT 2", "NHT 3", "NHT 4"))
    river = Requirement(0, "reach", "NHT", 1, ("NHT 1",))  # NHT cannot patrol the river
    run = DailyRun.build(SCENARIO)
    draw = DayDraw(0, 5, {(0, "market", "NHT"): 2, (0, "reach", "NHT"): 1}, (want, river))
    plan = daily_plan(SCENARIO, run, draw, FAST, 5)
    assert verify_plan(SCENARIO, plan) == []
    at_market = {a.callsign for a in plan.assignments if a.slot == 0 and a.site_id == "market"}
    assert len(at_market & set(want.callsigns)) >= 2
    assert kept_units(SCENARIO, plan, (want, river)) == [2, 0]
    lines = [u for u in plan.unmet if u.kind == "required"]
    assert len(lines) == 1 and lines[0].slot == 0 and "NHT at reach" in lines[0].message
    rec = randomisation_of(plan)
    assert rec["kept_units"] == 2 and rec["drawn_units"] == 3 and rec["kept"] == round(2 / 3, 6)


def test_requirements_by_type_count_only_units_of_that_type() -> None:
    plan = solve_days(SCENARIO, 1, 8, FAST)[0]
    site_nht = next((a.site_id, a.slot) for a in plan.assignments
                    if a.site_id is not None and a.callsign.startswith("NHT"))
    req = Requirement(site_nht[1], site_nht[0], "ARV", 1)
    posted_arv = any(a.site_id == site_nht[0] and a.slot == site_nht[1]
                     and a.callsign.startswith("TROJAN") for a in plan.assignments)
    assert kept_units(SCENARIO, plan, (req,)) == [int(posted_arv)]
    with pytest.raises(ValueError, match="count"):
        SolveOptions(required=(Requirement(0, "square", "NHT", 0),))


def test_pins_and_forbids_keep_their_rules_and_report_their_cost() -> None:
    sc = SCENARIO.with_changes(pins=(Pin("TROJAN 1", 0, "square", Tactic.STATIC_POINT),),
                               forbids=(Forbid("AFP 1", "market"),))
    plans = solve_days(sc, 2, 4, FAST)
    for plan in plans:
        assert verify_plan(sc, plan) == []
        assert any(a.callsign == "TROJAN 1" and a.slot == 0 and a.site_id == "square"
                   and a.pinned for a in plan.assignments)
        cost = randomisation_of(plan)["overrides"]
        assert cost["pins"] == 1 and cost["forbids"] == 1 and cost["slots"]
    assert "overrides" not in randomisation_of(solve_days(SCENARIO, 1, 4, FAST)[0])


def test_bad_day_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        solve_days(SCENARIO, 0, 1, FAST)
    with pytest.raises(ValueError, match=">= 0"):
        solve_days(SCENARIO, 1, 1, FAST, first_day=-1)


@pytest.mark.slow
def test_two_london_days_keep_the_draw_under_every_hard_rule() -> None:
    from resources.london import build_london

    london = build_london()
    plans = solve_days(london, 2, 7, SolveOptions(time_limit_s=30.0))
    assert [p.day for p in plans] == [0, 1]
    for plan in plans:
        assert verify_plan(london, plan) == []
        rec = randomisation_of(plan)
        assert rec["drawn_units"] > 300 and rec["kept"] >= 0.99
    assert plans[0].assignments != plans[1].assignments


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite"
    with Store.open(path) as store:
        store.save_scenario(SCENARIO)
    return path


def test_plan_days_saves_each_day_and_predictability_reads_them(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "day.json"
    args = ["--db", str(db), "plan", "--scenario", NAME, "--time-limit", "2",
            "--deterministic", "--seed", "9", "--days", "2", "--save", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    lines = [ln for ln in text.splitlines() if ln.startswith("day ")]
    assert len(lines) == 2 and all("kept" in ln and "saved as" in ln for ln in lines)
    assert "2 daily plans (seed 9)" in text
    ids = [ln.split("saved as ")[1].strip() for ln in lines]
    assert (tmp_path / "day-day0.json").is_file() and (tmp_path / "day-day1.json").is_file()
    written = [json.loads((tmp_path / f"day-day{d}.json").read_text())["id"] for d in (0, 1)]
    assert written == ids  # each file is the stored plan, id included
    with Store.open(db) as store:
        stored = [store.load_plan(i) for i in ids]
    assert [p.day for p in stored] == [0, 1]
    assert [randomisation_of(p)["seed"] for p in stored] == [day_seed(9, 0), day_seed(9, 1)]
    assert all(verify_plan(SCENARIO, p) == [] for p in stored)
    assert main(["--db", str(db), "predictability", "--scenario", NAME, "--json"]) == 0
    assert '"kept"' in capsys.readouterr().out
    base = ["--db", str(db), "plan", "--scenario", NAME, "--time-limit", "2", "--deterministic",
            "--seed", "9", "--days", "1", "--first-day", "2"]
    assert main([*base, "--balanced", "--save"]) == 0  # continues the stored run: days 0, 1
    assert f"balanced over days (gain {DEFAULT_GAIN}, after 2 earlier days of the run)" in (
        capsys.readouterr().out)
    with Store.open(db) as store:
        plans = store.recent_plans(NAME, 3)
    run = DailyRun.build(SCENARIO)
    assert randomisation_of(plans[0])["targets"] == BalancedDraws(
        run.posture, history=[plan_targets_of(p) for p in reversed(plans[1:])]
    ).draw(2, 9).to_dict()["targets"]
    assert main([*base, "--save"]) == 0
    assert "; independent days" in capsys.readouterr().out
    assert main(["--db", str(db), "predictability", "--scenario", NAME]) == 0
    text = capsys.readouterr().out
    assert f"draws: balanced over days (gain {DEFAULT_GAIN}) for 1 plan" in text
    assert "independent days for 3 plans" in text


def plan_targets_of(plan: Plan) -> dict[tuple[int, str, str], int]:
    """The drawn targets a daily plan records."""
    return {(t, s, c): n for t, s, c, n in randomisation_of(plan)["targets"]}


def test_plan_days_on_unplayable_games_is_one_line_and_saves_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import small_scenario

    path = tmp_path / "small.sqlite"
    small = small_scenario()  # its CTSFO team alone breaks the 8% cap: no drawable game
    assert isinstance(small, Scenario)
    with Store.open(path) as store:
        store.save_scenario(small)
    args = ["--db", str(path), "plan", "--scenario", small.name, "--days", "2", "--save"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: scenario '{small.name}': the daily draws cannot be made")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    with Store.open(path) as store:
        assert store.list_plans(small.name, limit=10) == []


def test_plan_days_refuses_too_many_days(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "plan", "--scenario", NAME, "--days", "400"]) == 2
    assert "366" in capsys.readouterr().err


def test_a_malformed_stored_draw_is_a_one_line_error(run4: list[Plan]) -> None:
    rec = randomisation_of(run4[0])
    bad = replace(run4[0], extra={**run4[0].extra,
                                  "randomisation": {**rec, "targets": [[0, "square", "NHT"]]}})
    with pytest.raises(InputError, match=r"day 0: field 'randomisation.targets'"):
        solve_days(SCENARIO, 1, 21, FAST, first_day=1, mode="balanced", history=[bad])
