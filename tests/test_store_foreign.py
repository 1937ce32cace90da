"""Another team's .db file: read defensively (read-only, no triggers, views or unsafe functions,
schema not adopted), validated completely, copied all or nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from resources.errors import InputError
from resources.io import scenario_to_dict
from resources.store import Store
from resources.store.foreign import read_foreign_db
from tests.test_io_plan_json import sample_plan
from tests.test_io_scenario_json import rich_scenario
from tests.test_store_hardening import rows


def other_team(path: Path) -> Path:
    with Store.open(path) as store:
        store.save_scenario(rich_scenario().with_changes(name="theirs"))
        store.save_scenario(rich_scenario().with_changes(name="second"))
        pid = store.save_plan(sample_plan(plan_id=None, scenario="theirs"))
        store.approve_plan(pid, 1, "their approval")
    return path


def handmade(path: Path, *statements: str, params: tuple[object, ...] = ()) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER, description TEXT, "
                 "applied_at TEXT)")
    conn.execute("INSERT INTO schema_version VALUES (1, 'x', 'y')")
    for sql in statements:
        conn.execute(sql, params if "?" in sql else ())
    conn.close()
    return path


def test_import_copies_validated_data_and_leaves_the_file_untouched(tmp_path: Path) -> None:
    theirs = other_team(tmp_path / "in" / "theirs.db")
    for side in ("-wal", "-shm"):
        Path(f"{theirs}{side}").unlink(missing_ok=True)
    before = theirs.read_bytes()
    with Store.open(tmp_path / "mine.db") as store:
        own = store.save_plan(sample_plan(plan_id=None))
        summary = store.import_database(theirs)
        assert summary.scenarios == (("second", 1), ("theirs", 1))
        ((old, new),) = summary.plans
        assert old == own and new != own  # a fresh id, never theirs
        plan = store.load_plan(new)
        assert plan.scenario == "theirs" and store.plan_info(new).status == "draft"
        actions = [e.action for e in store.audit_entries()]
        assert actions[-3:] == ["scenario.import", "scenario.import", "plan.import"]
        assert store.audit_entries()[-1].details()["source"] == "theirs.db"
        assert store.verify_audit().ok
        # their schema (audit table, triggers) was not adopted: ours is unchanged
        names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
        assert "audit_no_update" in names and not any("theirs" in n for n in names)
    assert theirs.read_bytes() == before
    assert sorted(p.name for p in theirs.parent.iterdir()) == ["theirs.db"]


def test_existing_names_need_replace_and_nothing_is_half_imported(tmp_path: Path) -> None:
    theirs = other_team(tmp_path / "theirs.db")
    db = tmp_path / "mine.db"
    with Store.open(db) as store:
        store.save_scenario(rich_scenario().with_changes(name="theirs"))
    before = rows(db)
    with Store.open(db) as store, pytest.raises(InputError, match="'theirs' already exists"):
        store.import_database(theirs)  # 'second' came first and must not stay
    assert rows(db) == before
    with Store.open(db) as store:
        with pytest.raises(InputError, match="into itself"):
            store.import_database(db)
        summary = store.import_database(theirs, replace=True, with_plans=False)
        assert dict(summary.scenarios) == {"second": 1, "theirs": 2} and summary.plans == ()


def _doc(**changes: object) -> str:
    doc = scenario_to_dict(rich_scenario())
    doc.update(changes)
    return json.dumps(doc)


SCENARIOS = "CREATE TABLE scenarios (name TEXT, document, version INTEGER, updated_at TEXT)"


@pytest.mark.parametrize("build, expected", [
    (lambda p: p.write_text("SQLite format 3 but not really" * 40), "expected an SQLite"),
    (lambda p: p.write_bytes(b""), "expected an SQLite database file"),
    (lambda p: handmade(p, "CREATE TABLE t (x)"), "no 'scenarios' table"),
    (lambda p: handmade(p, "CREATE TABLE base (name, document)",
                        "CREATE VIEW scenarios AS SELECT name, document FROM base"),
     "no 'scenarios' table"),
    (lambda p: handmade(p, SCENARIOS, "INSERT INTO scenarios VALUES ('a', ?, 1, 'x')",
                        params=(b"\x00\x01",)), "expected a text key and a JSON text document"),
    (lambda p: handmade(p, SCENARIOS, "INSERT INTO scenarios VALUES ('a', ?, 1, 'x')",
                        params=(_doc().replace('"cell_size_m": 1500.0', '"cell_size_m": NaN'),)),
     "scenario 'a': line 1: invalid JSON: expected a finite number"),
    (lambda p: handmade(p, SCENARIOS, "INSERT INTO scenarios VALUES ('a', ?, 1, 'x')",
                        params=(_doc(threat_level="PURPLE"),)), "field 'threat_level'"),
    (lambda p: handmade(p, SCENARIOS, "INSERT INTO scenarios VALUES ('a', ?, 1, 'x')",
                        params=('{"format": ',)), "broken JSON"),
    (lambda p: handmade(
        p, "CREATE TABLE scenarios (name TEXT, raw TEXT, version INT, updated_at TEXT, "
           "document TEXT AS (replace(raw, 'x', 'y')))",
        "INSERT INTO scenarios (name, raw, version, updated_at) VALUES ('a', '{}', 1, 'x')"),
     "scenario 'a': field 'format': missing required field"),
    (lambda p: handmade(p, SCENARIOS, "CREATE VIEW plans AS SELECT load_extension('/tmp/e')"),
     "'plans' is a view"),
], ids=["text", "empty", "no-table", "view", "blob", "nan", "bad-field", "broken-json",
        "generated-column", "plans-view"])
def test_hostile_files_are_refused_and_change_nothing(tmp_path: Path, build: object,
                                                      expected: str) -> None:
    foreign = tmp_path / "foreign.db"
    build(foreign)  # type: ignore[operator]
    db = tmp_path / "mine.db"
    Store.open(db).close()
    before = rows(db)
    with Store.open(db) as store, pytest.raises(InputError, match=expected) as err:
        store.import_database(foreign)
    assert "\n" not in str(err.value)
    assert rows(db) == before


def test_its_triggers_never_run(tmp_path: Path) -> None:
    """A trigger that would fire on any write; the reader never writes, so it never runs."""
    theirs = other_team(tmp_path / "theirs.db")
    conn = sqlite3.connect(theirs, isolation_level=None)
    conn.execute("CREATE TABLE log (x)")
    conn.execute("CREATE TRIGGER spy AFTER UPDATE ON scenarios BEGIN "
                 "INSERT INTO log VALUES (load_extension('/tmp/evil')); END")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = theirs.read_bytes()
    content = read_foreign_db(theirs)
    assert {s.name for s in content.scenarios} == {"theirs", "second"}
    assert theirs.read_bytes() == before


def test_a_damaged_foreign_file_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.db"
    with Store.open(theirs) as store:
        for i in range(30):
            store.save_scenario(rich_scenario().with_changes(name=f"s{i}"))
    data = bytearray(theirs.read_bytes())
    data[5 * 4096:5 * 4096 + 16] = b"\xfe" * 16
    theirs.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"theirs\.db: .*(damaged|safely)"):
        read_foreign_db(theirs)


def test_the_reading_connection_can_only_read(tmp_path: Path) -> None:
    from resources.store.foreign import _connect

    theirs = other_team(tmp_path / "theirs.db")
    conn = _connect(theirs)
    try:
        for sql in ("DELETE FROM scenarios", "UPDATE plans SET status = 'x'",
                    "CREATE TABLE t (x)", "SELECT upper(name) FROM scenarios",
                    "SELECT load_extension('/tmp/evil')", "ATTACH DATABASE ':memory:' AS m",
                    "PRAGMA writable_schema = ON"):
            with pytest.raises(sqlite3.DatabaseError, match=r"not authorized|prohibited"):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM scenarios").fetchone() == (2,)
    finally:
        conn.close()
