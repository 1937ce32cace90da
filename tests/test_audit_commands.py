"""The `audit` and `db` verbs: verify (exit 1 on tamper, naming the entry), show, head, check,
backup rotation, restore and import."""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from resources.commands import register
from resources.errors import InputError
from resources.store import Store
from tests.test_audit_trail import build_trail, tamper
from tests.test_io_plan_json import sample_plan
from tests.test_io_scenario_json import rich_scenario


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hercules")
    parser.add_argument("--db", type=Path, required=True)
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def run(db: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run a verb as main.py does: InputError -> one line on stderr, exit 2."""
    args = _parser().parse_args(["--db", str(db), *argv])
    try:
        code = int(args.func(args))
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        code = 2
    out, err_text = capsys.readouterr()
    return code, out, err_text


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_trail(tmp_path / "store" / "h.db")


def test_audit_verify_intact_and_tampered(db: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(db, capsys, "audit", "verify")
    assert code == 0 and out.startswith("audit trail intact: 17 entries, head 17:")
    code, head, _ = run(db, capsys, "audit", "head")
    assert code == 0 and head.startswith("17:")
    tamper(db, "edit-rationale", 10)
    code, out, _ = run(db, capsys, "audit", "verify")
    assert code == 1
    assert "AUDIT TRAIL TAMPERED" in out and "first affected entry: 10" in out
    assert "entry 10: its contents do not match its hash (the entry was edited)" in out
    code, out, _ = run(db, capsys, "db", "check")
    assert code == 1 and "problem: audit trail: entry 10:" in out


def test_audit_verify_with_an_anchor(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, head, _ = run(db, capsys, "audit", "head")
    assert run(db, capsys, "audit", "verify", "--anchor", head.strip())[0] == 0
    code, out, _ = run(db, capsys, "audit", "verify", "--anchor", "3:" + "ab" * 32)
    assert code == 1 and "entry 3: no longer carries the hash anchored" in out


def test_audit_show_filters(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(db, capsys, "audit", "show", "--last", "2")
    lines = [ln for ln in out.splitlines() if not ln.startswith("        ")]
    assert code == 0 and len(lines) == 2 and "db.backup" in lines[-1]
    code, out, _ = run(db, capsys, "audit", "show", "--object", "other")
    actions = [ln.split()[3] for ln in out.splitlines() if not ln.startswith("        ")]
    assert actions == ["scenario.create", "scenario.delete"]
    assert "because: obsolete" in out
    code, out, _ = run(db, capsys, "audit", "show", "--object", "plan:P-20260104-0001",
                       "--json")
    import json

    docs = [json.loads(ln) for ln in out.splitlines()]
    assert [d["action"] for d in docs] == ["plan.create", "plan.approve", "plan.withdraw",
                                           "plan.approve", "plan.export"]
    assert docs[1]["rationale"] == "meets the posture" and docs[1]["detail"]["state"]
    code, out, _ = run(db, capsys, "audit", "show", "--object", "nothing")
    assert code == 0 and "no audit entries for 'nothing'" in out


def test_audit_of_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(tmp_path / "none.db", capsys, "audit", "verify")
    assert code == 2 and "no database at this path" in err
    assert not (tmp_path / "none.db").exists()


def test_db_backup_rotation_listing_and_restore(db: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(4):
        code, out, _ = run(db, capsys, "db", "backup", "--keep", "2")
        assert code == 0 and "backup written and verified" in out
    code, out, _ = run(db, capsys, "db", "backups")
    assert code == 0 and len(out.splitlines()) == 2
    with Store.open(db) as store:
        store.save_scenario(rich_scenario().with_changes(name="late"))
    code, out, _ = run(db, capsys, "db", "restore", "--latest")
    assert code == 0 and "the replaced database was kept as" in out
    with Store.open(db) as store:
        assert store.scenario_version("late") == 0  # made after the backup
        assert store.audit_entries(last=1)[0].action == "db.restore"
    code, _, err = run(db, capsys, "db", "restore", str(tmp_path / "missing.db"))
    assert code == 2 and "no such backup file" in err


def test_db_restore_refuses_a_tampered_backup(db: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.db"
    shutil.copy(db, bad)
    tamper(bad, "delete", 5)
    code, _, err = run(db, capsys, "db", "restore", str(bad))
    assert code == 2 and "the backup cannot be used: audit trail: entry 6" in err


def test_db_import(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.db"
    with Store.open(other) as store:
        store.save_scenario(rich_scenario().with_changes(name="visiting"))
        store.save_plan(sample_plan(plan_id=None, scenario="visiting"))
    code, out, _ = run(db, capsys, "db", "import", str(other))
    assert code == 0 and "1 scenario(s): visiting (version 1); 1 plan(s)" in out
    code, _, err = run(db, capsys, "db", "import", str(other))
    assert code == 2 and "'visiting' already exists; use --replace" in err
    code, out, _ = run(db, capsys, "db", "import", str(other), "--replace", "--no-plans")
    assert code == 0 and "visiting (version 2); 0 plan(s)" in out
    text = tmp_path / "notes.db"
    text.write_text("hello")
    code, _, err = run(db, capsys, "db", "import", str(text))
    assert code == 2 and err == "error: notes.db: expected an SQLite database file\n"


def test_db_check_reports_a_damaged_file_and_the_newest_backup(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db, capsys, "db", "backup")[0] == 0
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.commit()
    conn.close()
    code, out, _ = run(db, capsys, "db", "check")
    assert code == 1 and "guard trigger 'audit_no_delete' is missing" in out
    assert "newest backup:" in out and "db restore --latest" in out


def test_every_new_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = _parser()
    for argv in (["audit"], ["audit", "verify"], ["audit", "show"], ["audit", "head"],
                 ["db"], ["db", "check"], ["db", "backup"], ["db", "restore"],
                 ["db", "backups"], ["db", "import"]):
        with pytest.raises(SystemExit) as done:
            parser.parse_args(["--db", "x", *argv, "--help"])
        assert done.value.code == 0
        assert "usage:" in capsys.readouterr().out
