"""Damaged and newer databases open read-only; restore; migrations after a backup; plan versions;
backup rotation."""

from __future__ import annotations

import dataclasses
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from resources.errors import InputError
from resources.store import (
    ConflictError,
    ReadOnlyError,
    Store,
    StoreError,
    check,
    latest_usable_backup,
    list_backups,
    restore,
    rotate_backups,
)
from resources.store import schema as schema_module
from tests.test_io_plan_json import sample_plan
from tests.test_io_scenario_json import rich_scenario


def rows(path: Path) -> list[Any]:
    """Every row of every table (read-only connection)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        out: list[Any] = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "ORDER BY name").fetchall():
            out.append((table, conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()))
        return out
    finally:
        conn.close()


def filled(path: Path, copies: int = 30) -> Path:
    with Store.open(path) as store:
        for i in range(copies):
            store.save_scenario(rich_scenario().with_changes(name=f"s{i}"))
        store.save_plan(sample_plan(plan_id=None))
    return path


def damage(path: Path) -> None:
    """Overwrite the start of a few pages in the middle of the file."""
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 12 * page
    for k in (4, 7, 9):
        data[k * page:k * page + 16] = b"\xfe" * 16
    path.write_bytes(bytes(data))


def test_a_damaged_database_is_refused_or_opened_read_only_and_restored(tmp_path: Path) -> None:
    db = filled(tmp_path / "h.db")
    with Store.open(db) as store:
        before = store.audit_head()
        good = store.backup()
    damage(db)
    with pytest.raises(StoreError, match=r"damaged .*restore a backup with `db restore --latest`"):
        Store.open(db)
    store = Store.open(db, allow_read_only=True)
    try:
        assert store.read_only and "damaged" in (store.read_only_reason or "")
        with pytest.raises(ReadOnlyError, match="open read-only"):
            store.save_scenario(rich_scenario().with_changes(name="new"))
        with pytest.raises(ReadOnlyError):
            store.save_plan(sample_plan(plan_id=None))
        result = store.restore(latest_usable_backup(db))
        assert result.restored_from == good and result.safety_copy is not None
        assert not store.read_only
        assert len(store.list_scenarios()) >= 30
        report = store.verify_audit()
        assert report.ok
        entry = store.audit_entries(last=1)[0]
        assert entry.action == "db.restore" and entry.details()["backup_head"] == before
        store.save_scenario(rich_scenario().with_changes(name="after"))  # writable again
    finally:
        store.close()
    assert check(db).ok
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(result.safety_copy.stat().st_mode) == 0o600


def test_a_file_no_longer_a_database_is_replaced_on_restore(tmp_path: Path) -> None:
    db = filled(tmp_path / "h.db", copies=2)
    good = Store.open(db).backup()
    db.write_bytes(b"\x00" * 8192)
    with pytest.raises(StoreError, match=r"not a usable Hercules database.*db restore --latest"):
        Store.open(db)
    result = restore(db, good)
    assert result.safety_copy is not None and "damaged" in result.safety_copy.name
    assert result.safety_copy.read_bytes() == b"\x00" * 8192
    with Store.open(db) as store:
        assert store.verify_audit().ok and store.scenario_version("s1") == 1


def test_restore_refuses_a_bad_backup_and_changes_nothing(tmp_path: Path) -> None:
    db = filled(tmp_path / "h.db", copies=2)
    bad = tmp_path / "bad.db"
    bad.write_text("not a database at all" * 100)
    tampered = Store.open(db).backup(tmp_path / "t.db")
    conn = sqlite3.connect(tampered)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET user = 'x' WHERE seq = 2")
    conn.commit()
    conn.close()
    before = rows(db)
    for backup, message in ((bad, "not a usable SQLite database"),
                            (tampered, "the backup cannot be used: audit trail"),
                            (db, "cannot restore a database from itself")):
        with pytest.raises(StoreError, match=message):
            restore(db, backup)
        assert rows(db) == before
    with pytest.raises(StoreError, match="no usable backup"):
        latest_usable_backup(tmp_path / "elsewhere" / "h.db")


def test_a_newer_database_opens_read_only_for_reading(tmp_path: Path) -> None:
    db = filled(tmp_path / "h.db", copies=1)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_version VALUES (99, 'future', 'x')")
    conn.commit()
    conn.close()
    before = rows(db)
    with Store.open(db, allow_read_only=True) as store:
        assert store.read_only and "newer than this program" in (store.read_only_reason or "")
        assert store.load_scenario("s0") == rich_scenario().with_changes(name="s0")
        with pytest.raises(ReadOnlyError, match="schema version 99"):
            store.delete_scenario("s0")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):  # query_only
            store.db.execute("DELETE FROM scenarios")
    assert rows(db) == before


def _version_one(path: Path) -> None:
    """A database as the first release wrote it (schema 1, no audit trail)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY NOT NULL, "
                 "description TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for sql in schema_module.MIGRATIONS[0].statements:
        conn.execute(sql)
    conn.execute("INSERT INTO schema_version VALUES (1, 'scenarios and plans', 'then')")
    with Store.open(path.with_name("donor.db")) as donor:
        donor.save_scenario(rich_scenario())
        donor.save_plan(sample_plan(plan_id=None))
        scen = donor.db.execute("SELECT name, document, version, updated_at FROM scenarios")
        conn.executemany("INSERT INTO scenarios VALUES (?, ?, ?, ?)", scen.fetchall())
        plan = donor.db.execute("SELECT id, scenario, threat_level, created_at, day, "
                                "content_hash, document, seed FROM plans")
        conn.executemany("INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?)", plan.fetchall())
    conn.close()


def test_migration_backs_up_first_and_adopts_existing_rows(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    _version_one(db)
    with Store.open(db) as store:
        entries = store.audit_entries()
        assert [e.action for e in entries] == ["scenario.adopt", "plan.adopt", "db.migrate"]
        assert store.verify_audit().ok
        assert store.list_plans()[0].status == "draft"
        backup_name = entries[-1].details()["backup"]
    (copy,) = list_backups(db)
    assert copy.name == backup_name and "before-v2" in copy.name
    assert check(copy).schema_version == 1 and check(copy).ok


def test_a_failed_migration_changes_nothing(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "h.db"
    _version_one(db)
    before = rows(db)

    def boom(_: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    broken = dataclasses.replace(schema_module.MIGRATIONS[1], after=boom)
    monkeypatch.setattr(schema_module, "MIGRATIONS", (schema_module.MIGRATIONS[0], broken))
    with pytest.raises(StoreError, match="input/output error"):
        Store.open(db)
    assert rows(db) == before


def test_plan_approval_is_versioned_and_attributed(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as a, Store.open(tmp_path / "h.db") as b:
        pid = a.save_plan(sample_plan(plan_id=None))
        info = a.plan_info(pid)
        assert (info.status, info.version) == ("draft", 1)
        with pytest.raises(InputError, match="rationale"):
            a.approve_plan(pid, 1, "  ")
        assert b.approve_plan(pid, 1, "cover is adequate") == 2
        with pytest.raises(ConflictError, match="version 2, expected 1, now approved"):
            a.approve_plan(pid, 1, "looks fine")
        with pytest.raises(InputError, match="already approved"):
            a.approve_plan(pid, 2, "again")
        with pytest.raises(InputError, match="withdraw the approval first"):
            a.delete_plan(pid)
        info = a.plan_info(pid)
        assert info.status == "approved" and info.status_by and info.status_at
        assert a.list_plans()[0].status == "approved"
        assert a.set_plan_status(pid, "draft", 2, "superseded") == 3
        a.delete_plan(pid, rationale="superseded")
        conflicts = [e for e in a.audit_entries() if e.outcome == "conflict"]
        assert [e.action for e in conflicts] == ["plan.approve"]
        assert a.verify_audit().ok


def test_backups_are_rotated_but_safety_copies_kept(tmp_path: Path) -> None:
    db = filled(tmp_path / "h.db", copies=1)
    with Store.open(db) as store:
        made = [store.backup(keep=3) for _ in range(6)]
    plain = list_backups(db)
    assert plain == made[:-4:-1]  # the newest three, newest first
    (db.parent / "backups" / "h-20000101-000000-before-restore.db").write_bytes(b"x")
    assert rotate_backups(db, keep=1) == plain[1:]
    names = sorted(p.name for p in list_backups(db))
    assert names == sorted([made[-1].name, "h-20000101-000000-before-restore.db"])
    with pytest.raises(StoreError, match="at least 1"):
        rotate_backups(db, keep=0)
