"""The `brief` and `export` verbs: plan by stored id or JSON file, clear errors on bad input."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from desktop.cli import register
from resources.errors import InputError
from resources.io.plan_json import write_plan
from resources.store import Store
from tests.conftest import hand_plan, small_scenario
from tests.pdf_text import page_count


def run(db: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    args.db = db
    code: int = args.func(args)
    return code


@pytest.fixture
def db(plan_store: tuple[Path, str]) -> tuple[Path, str]:
    return plan_store


def test_export_by_id_records_the_export(db: tuple[Path, str], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path, plan_id = db
    out = tmp_path / "t.json"
    assert run(path, "export", plan_id, "--format", "json", "--out", str(out)) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["plan_id"] == plan_id and len(doc["rows"]) == 14 * 4
    assert doc["audit_head"] and len(doc["audit_head"]) == 64
    assert f"wrote 56 postings of plan {plan_id}" in capsys.readouterr().out
    with Store.open(path) as store:
        assert store.audit_entries(last=1)[0].action == "plan.export"


def test_brief_from_a_plan_file(db: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = db
    plan_file = tmp_path / "plan.json"
    write_plan(plan_file, hand_plan(small_scenario()))  # type: ignore[arg-type]
    out = tmp_path / "pack.pdf"
    assert run(path, "brief", str(plan_file), "--out", str(out), "--no-map") == 0
    assert page_count(out.read_bytes()) == 1 + 4 + 14  # cover, slots, units posted


def test_bad_plan_and_bad_format(db: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = db
    with pytest.raises(InputError, match="no plan file"):
        run(path, "export", str(tmp_path / "none.json"), "--format", "csv", "--out",
            str(tmp_path / "x.csv"))
    with pytest.raises(SystemExit):
        run(path, "export", "P-1", "--format", "xlsx", "--out", str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.csv").exists()
