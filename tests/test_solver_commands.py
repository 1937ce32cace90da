"""The `plan` and `check` verbs: output, files, the store, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from main import main
from resources.model import Scenario
from resources.store import Store
from tests.conftest import small_scenario


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store holding the small scenario."""
    path = tmp_path / "store.sqlite"
    sc = small_scenario()
    assert isinstance(sc, Scenario)
    with Store.open(path) as store:
        store.save_scenario(sc)
    return path


def plan_args(db: Path, *extra: str) -> list[str]:
    return ["--db", str(db), "plan", "--scenario", "small", "--time-limit", "3",
            "--deterministic", "--seed", "4", *extra]


def test_plan_prints_a_table_writes_json_and_stores_it(db: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    out = tmp_path / "plan.json"
    assert main(plan_args(db, "--out", str(out), "--save")) == 0
    text = capsys.readouterr().out
    assert "officers" in text and "armed reach" in text and "solver: cp-sat" in text
    doc = json.loads(out.read_text())
    assert doc["scenario"] == "small" and doc["armed_share_cap"] == "8%"
    assert {"unit", "slot", "site", "tactic", "officers", "armed_officers", "pinned"} <= set(
        doc["assignments"][0])
    assert {"officers", "armed_officers", "armed_share", "risk_coverage", "armed_reach"} <= set(
        doc["kpis"]["per_slot"][0])
    assert {"backend", "status", "objective", "bound", "gap", "seed", "wall_time_s",
            "parameters"} <= set(doc["solver"])
    plan_id = text.split("plan saved as ")[1].split()[0]
    assert doc["id"] == plan_id  # the file is the stored plan, id included
    with Store.open(db) as store:
        assert store.load_plan(plan_id).content_hash() == json_hash(out)


def json_hash(path: Path) -> str:
    from resources.io import read_plan

    return read_plan(path).content_hash()


def test_check_accepts_a_clean_plan_from_a_file_or_the_store(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.json"
    assert main(plan_args(db, "--out", str(out), "--save")) == 0
    plan_id = capsys.readouterr().out.split("plan saved as ")[1].split()[0]
    assert main(["--db", str(db), "check", str(out), "--scenario", "small"]) == 0
    assert main(["--db", str(db), "check", plan_id, "--scenario", "small"]) == 0
    assert "clean" in capsys.readouterr().out


def test_check_exits_1_and_lists_violations(db: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.json"
    assert main(plan_args(db, "--out", str(out))) == 0
    doc = json.loads(out.read_text())
    doc["assignments"][0]["officers"] = 99
    doc["assignments"][0]["armed_officers"] = 0
    out.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["--db", str(db), "check", str(out), "--scenario", "small"]) == 1
    text = capsys.readouterr().out
    assert "violation:" in text and "[crew]" in text


@pytest.mark.parametrize("argv", [
    ["check", "nothing.json", "--scenario", "small"],
    ["check", "P-00000000-0000", "--scenario", "small"],
    ["plan", "--scenario", "nowhere", "--time-limit", "1"],
])
def test_bad_input_exits_2_with_one_line(db: Path, argv: list[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_check_refuses_a_plan_for_another_scenario(db: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.json"
    assert main(plan_args(db, "--out", str(out))) == 0
    assert main(["--db", str(db), "check", str(out), "--scenario", "london"]) == 2
    assert "plan is for scenario 'small'" in capsys.readouterr().err


def test_plan_refuses_an_out_folder_that_does_not_exist(db: Path, tmp_path: Path) -> None:
    assert main(plan_args(db, "--out", str(tmp_path / "no" / "plan.json"))) == 2


@pytest.mark.parametrize("extra, message", [
    (["--balanced"], "--balanced needs --days N"),
    (["--first-day", "3"], "--first-day needs --days N"),
    (["--days", "0"], "expected at least 1 day, got 0"),
])
def test_day_options_without_days_are_refused(db: Path, extra: list[str], message: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(plan_args(db, "--save", *extra)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    with Store.open(db) as store:
        assert store.list_plans() == []


def test_plan_refuses_an_out_path_that_is_a_folder_before_solving(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(plan_args(db, "--save", "--out", str(tmp_path))) == 2
    assert "it is a folder" in capsys.readouterr().err
    with Store.open(db) as store:
        assert store.list_plans() == []


def test_seed_beyond_32_bits_is_an_argument_error(db: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(plan_args(db, "--seed", str(2**32)))
    assert caught.value.code == 2
    assert "expected a seed from 0 to 2147483647" in capsys.readouterr().err


def test_plan_without_save_does_not_create_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "never.sqlite"
    argv = ["--db", str(missing), "check", "P-1", "--scenario", "london"]
    assert main(argv) == 2
    assert not missing.exists()


def test_unknown_threat_level_is_an_argument_error(db: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(plan_args(db, "--threat", "PURPLE"))
    assert caught.value.code == 2


def test_a_plan_file_that_cannot_be_written_stores_nothing(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import resources.io.plan_json as plan_json

    def full_disk(path: Path, plan: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(plan_json, "write_plan", full_disk)
    assert main(plan_args(db, "--save", "--out", str(tmp_path / "plan.json"))) == 2
    assert "No space left on device" in capsys.readouterr().err
    with Store.open(db) as store:
        assert store.list_plans() == []


def test_day_files_and_day_numbers_are_checked_before_any_day_is_made(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "run-day1.json").mkdir()
    days = ["--days", "2", "--time-limit", "1"]
    assert main(plan_args(db, "--save", *days, "--out", str(tmp_path / "run.json"))) == 2
    err = capsys.readouterr().err
    assert "run-day1.json" in err and "it is a folder" in err
    assert not (tmp_path / "run-day0.json").exists()
    assert main(plan_args(db, "--save", *days, "--first-day", "10000")) == 2
    assert "go past the last day a plan can carry (10000)" in capsys.readouterr().err
    assert main(plan_args(db, "--save", *days, "--first-day", "9" * 20)) == 2
    with Store.open(db) as store:
        assert store.list_plans() == []
