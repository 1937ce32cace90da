"""Fault injection: a disk I/O error or a full disk at the Nth write gives a clear error and leaves
the store exactly as it was (data and audit trail)."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from resources.store import Store, StoreError
from tests.test_io_plan_json import sample_plan
from tests.test_io_scenario_json import rich_scenario
from tests.test_store_hardening import rows

_WRITES = ("INSERT", "UPDATE", "DELETE", "COMMIT")


class FaultyConnection:
    """Wraps a connection; the Nth write statement (INSERT/UPDATE/DELETE/COMMIT) fails."""

    def __init__(self, conn: sqlite3.Connection, fail_at: int, message: str) -> None:
        self._conn = conn
        self.fail_at = fail_at
        self.message = message
        self.writes = 0

    def execute(self, sql: str, *params: Any) -> sqlite3.Cursor:
        if sql.lstrip().upper().startswith(_WRITES):
            self.writes += 1
            if self.writes == self.fail_at:
                raise sqlite3.OperationalError(self.message)
        return self._conn.execute(sql, *params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _prepared(path: Path) -> tuple[Path, str]:
    with Store.open(path) as store:
        store.save_scenario(rich_scenario())
        pid = store.save_plan(sample_plan(plan_id=None))
    return path, pid


OPERATIONS: dict[str, Callable[[Store, str], object]] = {
    "save scenario": lambda s, _: s.save_scenario(
        rich_scenario().with_changes(description="edited"), expected_version=1),
    "new scenario": lambda s, _: s.save_scenario(rich_scenario().with_changes(name="n")),
    "save plan": lambda s, _: s.save_plan(dataclasses.replace(sample_plan(plan_id=None), day=3)),
    "approve plan": lambda s, pid: s.approve_plan(pid, 1, "ok"),
    "delete scenario": lambda s, _: s.delete_scenario("tiny", rationale="gone"),
    "record export": lambda s, pid: s.record_export(pid, Path("/x.json"), "json"),
}


@pytest.mark.parametrize("message, expected", [
    ("disk I/O error", "the disk reported an input/output error; nothing was saved"),
    ("database or disk is full", "the disk is full"),
])
@pytest.mark.parametrize("name", list(OPERATIONS))
def test_a_fault_at_every_write_changes_nothing(tmp_path: Path, name: str, message: str,
                                                expected: str) -> None:
    db, pid = _prepared(tmp_path / "h.db")
    before = rows(db)
    n = 1
    while True:
        store = Store.open(db)
        faulty = FaultyConnection(store.db.conn, n, message)
        store.db.conn = faulty  # type: ignore[assignment]
        try:
            OPERATIONS[name](store, pid)
        except StoreError as err:
            assert expected in str(err) and "\n" not in str(err)
            assert not store.db.conn.in_transaction
        else:
            assert faulty.writes < n  # no write left to fail: the operation completed
            store.close()
            break
        finally:
            store.db.conn = faulty._conn
            store.close()
        assert rows(db) == before, (name, n)
        n += 1
    assert n >= 3  # at least: the change, its audit entry, the commit
    assert rows(db) != before
    with Store.open(db) as store:
        assert store.verify_audit().ok


def test_a_real_full_disk_at_the_nth_save(tmp_path: Path) -> None:
    """SQLite's own size limit (max_page_count) stands in for a full disk."""
    db, _ = _prepared(tmp_path / "h.db")
    store = Store.open(db)
    try:
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages + 12}")
        saved: list[str] = []
        big = {"pad": "x" * 6000}
        with pytest.raises(StoreError, match="the disk is full"):
            for day in range(100):
                saved.append(store.save_plan(dataclasses.replace(
                    sample_plan(plan_id=None), day=day, extra=big)))
        assert 0 < len(saved) < 100
        before = rows(db)
        with pytest.raises(StoreError, match="the disk is full"):
            store.save_plan(dataclasses.replace(sample_plan(plan_id=None), extra=big))
        assert rows(db) == before
    finally:
        store.close()
    with Store.open(db) as store:
        assert {p.plan_id for p in store.list_plans(limit=1000)} >= set(saved)
        assert store.verify_audit().ok
        store.save_plan(sample_plan(plan_id=None))  # space again: saving works
