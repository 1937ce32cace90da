"""The SQLite store: location, durability settings, permissions, versions, plans, migrations."""

from __future__ import annotations

import dataclasses
import sqlite3
import stat
from pathlib import Path

import pytest

from resources.errors import InputError
from resources.model import Scenario, ThreatLevel
from resources.store import (
    SCHEMA_VERSION,
    ConflictError,
    Store,
    StoreError,
    builtin_scenario,
    default_db_path,
)
from resources.store.connection import write_transaction
from tests.factories import site, tiny_scenario, unit
from tests.test_io_plan_json import sample_plan
from tests.test_io_scenario_json import rich_scenario


def small() -> Scenario:
    return tiny_scenario(units=(unit("ARV1", "ARV"), unit("NHT1", "NHT")),
                         sites=(site("S1"), site("S2", lon=-0.09)))


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_default_path_rules(tmp_path: Path) -> None:
    assert default_db_path({"HERCULES_DB": "/x/y.db", "XDG_DATA_HOME": "/d"}) == Path("/x/y.db")
    assert default_db_path({"XDG_DATA_HOME": "/d"}) == Path("/d/hercules/hercules.db")
    assert default_db_path({"XDG_DATA_HOME": "relative"}) == (
        Path.home() / ".local" / "share" / "hercules" / "hercules.db")
    assert default_db_path({}) == Path.home() / ".local" / "share" / "hercules" / "hercules.db"


def test_new_database_is_owner_only_with_durable_settings(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "h.db"
    with Store.open(path) as store:
        store.save_scenario(small())
        conn = store.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        side = [p for p in path.parent.iterdir() if p.name.startswith("h.db")]
        assert {p.name for p in side} >= {"h.db", "h.db-wal", "h.db-shm"}
        for p in side:
            assert _mode(p) == 0o600, p.name
    assert _mode(path.parent) == 0o700


def test_schema_is_created_by_migration_one(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        db = store.db
        assert {"scenarios", "plans", "schema_version"} <= set(db.table_names())
        rows = db.execute("SELECT version FROM schema_version").fetchall()
        assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))
        idx = db.execute("PRAGMA index_list(plans)").fetchall()
        assert any(r[1] == "plans_scenario_created" for r in idx)
    with Store.open(tmp_path / "h.db") as again:  # re-opening does not re-migrate
        count = again.db.execute("SELECT count(*) FROM schema_version").fetchone()[0]
        assert count == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'future', 'x')")
    conn.close()
    with pytest.raises(StoreError, match="schema version 99, newer than"):
        Store.open(path)


def test_foreign_files_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("just some text that is certainly not a database" * 50)
    with pytest.raises(StoreError, match="not a usable Hercules database"):
        Store.open(text)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(StoreError, match="not a Hercules database"):
        Store.open(other)
    with pytest.raises(StoreError, match="no database"):
        Store.open(tmp_path / "missing.db", create=False)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        rich = rich_scenario()
        assert store.save_scenario(rich) == 1
        assert store.load_scenario("tiny") == rich
        assert store.load_versioned("tiny") == (rich, 1)
        (info,) = [i for i in store.list_scenarios() if i.name == "tiny"]
        assert (info.units, info.sites, info.areas, info.version) == (5, 3, 2, 1)
        assert info.threat_level == "SEVERE" and info.stored and not info.builtin


def test_versions_prevent_lost_updates_between_two_stores(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store.open(path) as a, Store.open(path) as b:
        assert a.save_scenario(small(), expected_version=0) == 1
        s_a, v_a = a.load_versioned("tiny")
        s_b, v_b = b.load_versioned("tiny")
        assert b.save_scenario(s_b.with_changes(description="B"), expected_version=v_b) == 2
        with pytest.raises(ConflictError, match="version 2, expected 1"):
            a.save_scenario(s_a.with_changes(description="A"), expected_version=v_a)
        assert a.load_scenario("tiny").description == "B"
        with pytest.raises(ConflictError):
            a.save_scenario(small(), expected_version=0)
        assert a.save_scenario(small()) == 3  # None: no check
    assert issubclass(ConflictError, InputError)


def test_a_failed_write_rolls_back(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        store.save_scenario(small())
        with pytest.raises(RuntimeError), write_transaction(store.db, store.path):
            store.db.execute("DELETE FROM scenarios")
            raise RuntimeError("boom")
        assert store.scenario_version("tiny") == 1
        assert not store.db.conn.in_transaction


def test_a_busy_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store.open(path) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        store.db.execute("PRAGMA busy_timeout = 50")
        try:
            with pytest.raises(StoreError, match="busy"):
                store.save_scenario(small())
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.save_scenario(small()) == 1


def test_delete_scenario(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        store.save_scenario(small())
        with pytest.raises(ConflictError):
            store.delete_scenario("tiny", expected_version=5)
        store.delete_scenario("tiny", expected_version=1)
        with pytest.raises(InputError, match="no scenario named 'tiny'"):
            store.load_scenario("tiny")
        with pytest.raises(InputError, match="is not stored"):
            store.delete_scenario("tiny")


def test_unknown_scenario_lists_the_known_ones(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        store.save_scenario(small())
        with pytest.raises(InputError, match=r"no scenario named 'nope' \(known: .*tiny"):
            store.load_scenario("nope")


def test_builtin_london_needs_no_set_up_and_stored_version_wins(tmp_path: Path) -> None:
    london = builtin_scenario("london")
    if london is None:
        pytest.skip("resources.london is not available")
    with Store.open(tmp_path / "h.db") as store:
        assert store.load_versioned("london") == (london, 0)
        (info,) = [i for i in store.list_scenarios() if i.name == "london"]
        assert info.builtin and not info.stored and info.units == len(london.units)
        changed = london.with_changes(threat_level=ThreatLevel.CRITICAL)
        assert store.save_scenario(changed, expected_version=0) == 1
        assert store.load_scenario("london") == changed
        (info,) = [i for i in store.list_scenarios() if i.name == "london"]
        assert info.builtin and info.stored and info.threat_level == "CRITICAL"
        store.delete_scenario("london")
        assert store.load_scenario("london") == london


def test_plans_get_daily_sequential_ids_and_round_trip(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        base = sample_plan(plan_id=None)
        ids = [store.save_plan(dataclasses.replace(base, day=d)) for d in range(3)]
        assert ids == ["P-20260104-0001", "P-20260104-0002", "P-20260104-0003"]
        loaded = store.load_plan(ids[1])
        assert loaded == dataclasses.replace(base, day=1, plan_id=ids[1])
        assert loaded.content_hash() == dataclasses.replace(base, day=1).content_hash()
        later = dataclasses.replace(base, created_at="2026-01-05T09:00:00+00:00")
        assert store.save_plan(later) == "P-20260105-0001"
        row = store.db.execute("SELECT scenario, threat_level, day, seed, content_hash "
                               "FROM plans WHERE id = ?", (ids[2],)).fetchone()
        assert row[:4] == ("tiny", "SEVERE", 2, 42)
        assert row[4] == dataclasses.replace(base, day=2).content_hash()


def test_list_and_recent_plans(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        for i in range(4):
            store.save_plan(sample_plan(plan_id=None, day=i,
                                        created_at=f"2026-01-0{i + 1}T10:00:00+00:00"))
        store.save_plan(sample_plan(plan_id=None, scenario="other"))
        infos = store.list_plans("tiny")
        assert [i.day for i in infos] == [3, 2, 1, 0]
        assert len(store.list_plans()) == 5
        assert len(store.list_plans(limit=2)) == 2
        recent = store.recent_plans("tiny", 2)
        assert [p.day for p in recent] == [3, 2]
        assert all(p.scenario == "tiny" for p in recent)
        with pytest.raises(InputError, match="no plan with id 'P-x'"):
            store.load_plan("P-x")


def test_a_plan_without_a_timestamp_gets_one(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        pid = store.save_plan(sample_plan(plan_id=None, created_at=""))
        plan = store.load_plan(pid)
        assert plan.created_at and plan.plan_id == pid
        assert pid == f"P-{plan.created_at[:10].replace('-', '')}-0001"


def test_names_from_input_are_parameters_not_sql(tmp_path: Path) -> None:
    evil = "x'); DROP TABLE plans; --"
    with Store.open(tmp_path / "h.db") as store:
        store.save_plan(sample_plan(plan_id=None, scenario=evil))
        assert store.list_plans(evil)[0].scenario == evil
        assert "plans" in store.db.table_names()
        with pytest.raises(InputError):
            store.load_scenario(evil)


def test_two_stores_never_hand_out_the_same_plan_id(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store.open(path) as a, Store.open(path) as b:
        ids = [(a if i % 2 else b).save_plan(sample_plan(plan_id=None)) for i in range(6)]
    assert ids == [f"P-20260104-000{i}" for i in range(1, 7)]
