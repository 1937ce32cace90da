"""Online backup and integrity checks of the store."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest

from resources.store import SCHEMA_VERSION, Store, StoreError, backup, check, default_backup_path
from tests.test_io_plan_json import sample_plan
from tests.test_io_scenario_json import rich_scenario


def _filled(path: Path, copies: int = 3) -> Path:
    with Store.open(path) as store:
        for i in range(copies):
            store.save_scenario(rich_scenario().with_changes(name=f"s{i}"))
        store.save_plan(sample_plan(plan_id=None))
    return path


def test_check_a_healthy_database(tmp_path: Path) -> None:
    result = check(_filled(tmp_path / "h.db"))
    assert result.ok and result.problems == ()
    assert (result.schema_version, result.scenarios, result.plans) == (SCHEMA_VERSION, 3, 1)
    assert check(tmp_path / "h.db", quick=True).ok


def test_check_does_not_create_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database at this path"):
        check(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_check_finds_corruption(tmp_path: Path) -> None:
    path = _filled(tmp_path / "h.db", copies=30)
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    for k in (2, 3, 5):
        data[k * page:k * page + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    result = check(path)
    assert not result.ok
    assert any("malformed" in p or "corrupt" in p or "page" in p for p in result.problems)


def test_check_reports_a_foreign_sqlite_file(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    result = check(other)
    assert result.problems == ("not a Hercules database (no schema_version table)",)


def test_backup_copies_everything_owner_only_and_verified(tmp_path: Path) -> None:
    src = _filled(tmp_path / "h.db")
    dest = tmp_path / "safe" / "copy.db"
    dest.parent.mkdir()  # a backup never makes a missing folder (test_cli_store_inputs)
    with Store.open(src) as live:  # an open connection does not prevent a backup
        live.save_scenario(rich_scenario().with_changes(name="late"))
        assert backup(src, dest) == dest
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.db"]
    result = check(dest)
    assert result.ok and result.scenarios == 4 and result.plans == 1
    with Store.open(dest) as copy:
        assert copy.load_scenario("late") == rich_scenario().with_changes(name="late")


def test_backup_never_overwrites(tmp_path: Path) -> None:
    src = _filled(tmp_path / "h.db", copies=1)
    dest = tmp_path / "copy.db"
    dest.write_bytes(b"precious")
    with pytest.raises(StoreError, match="refusing to overwrite"):
        backup(src, dest)
    assert dest.read_bytes() == b"precious"


def test_backup_of_a_missing_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database"):
        backup(tmp_path / "none.db", tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()


def test_default_backup_path() -> None:
    got = default_backup_path(Path("/d/hercules.db"), datetime(2026, 11, 26, 9, 5, 7))
    assert got == Path("/d/backups/hercules-20261126-090507.db")
