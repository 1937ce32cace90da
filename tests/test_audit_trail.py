"""The audit trail: an entry for every change in the same transaction, hash-chained, append-only,
and every edit, deletion or reordering of an entry found by `audit verify`, which says where."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
import sqlite3
from pathlib import Path

import pytest

from resources.errors import InputError
from resources.model import Forbid, Pin, Tactic
from resources.store import ConflictError, Store
from resources.store.audit import GENESIS, TRIGGERS, entry_hash
from resources.store.connection import write_transaction
from tests.test_io_plan_json import sample_plan
from tests.test_io_scenario_json import rich_scenario

COLUMNS = ("seq", "at", "user", "host", "app_version", "action", "object", "outcome",
           "rationale", "detail", "prev_hash", "hash")


def build_trail(path: Path) -> Path:
    """A database whose trail holds every kind of entry (about 20)."""
    with Store.open(path) as store:
        s = rich_scenario()
        v = store.save_scenario(s, expected_version=0, rationale="first draft")
        pin = Pin("NHT1", 2, "S2", Tactic.FOOT_PATROL, rationale="community meeting")
        v = store.save_scenario(s.with_changes(pins=(*s.pins, pin)), v, rationale="pinned")
        s2, v = store.load_versioned("tiny")
        v = store.save_scenario(s2.with_changes(
            forbids=(Forbid("ARV1", "S1", frozenset({1}), "event"),),
            units=s2.units[:-1]), v)
        with pytest.raises(ConflictError):
            store.save_scenario(s2, expected_version=1)
        store.save_scenario(rich_scenario().with_changes(name="other"))
        ids = [store.save_plan(dataclasses.replace(sample_plan(plan_id=None), day=d))
               for d in range(3)]
        store.approve_plan(ids[0], 1, "meets the posture")
        store.set_plan_status(ids[0], "draft", 2, "revised intelligence")
        store.approve_plan(ids[0], 3, "re-approved")
        store.record_export(ids[0], Path("/exports/p1.pdf"), "pdf", file_sha256="ab" * 32)
        store.delete_plan(ids[2], rationale="duplicate")
        store.record_event("briefing.print", "scenario:tiny", detail={"copies": 2})
        store.delete_scenario("other", rationale="obsolete")
        store.backup(path.parent / "b.db")
    return path


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection with the guard triggers dropped (what a tamperer would do)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for name in TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    return conn


def restore_triggers(conn: sqlite3.Connection) -> None:
    """Put the guards back, as a careful tamperer would."""
    for sql in TRIGGERS.values():
        conn.execute(sql)


def tamper(path: Path, kind: str, seq: int) -> None:
    """Apply one tampering to entry ``seq`` of the file, guard triggers dropped and put back."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        tamper_with(conn, kind, seq)
    finally:
        conn.close()


def tamper_with(conn: sqlite3.Connection, kind: str, seq: int) -> None:
    """Drop the guards, apply one tampering to entry ``seq``, put the guards back."""
    for name in TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    rows = {r[0]: r for r in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit")}
    if kind == "edit-user":
        conn.execute("UPDATE audit SET user = 'someone-else' WHERE seq = ?", (seq,))
    elif kind == "edit-rationale":
        conn.execute("UPDATE audit SET rationale = 'approved by the chief' WHERE seq = ?",
                     (seq,))
    elif kind == "edit-rehash":  # edit and recompute this entry's own hash
        fields = dict(zip(COLUMNS, rows[seq], strict=True))
        fields["outcome"] = "refused" if fields["outcome"] == "ok" else "ok"
        fields.pop("hash")
        conn.execute("UPDATE audit SET outcome = ?, hash = ? WHERE seq = ?",
                     (fields["outcome"], entry_hash(fields), seq))
    elif kind == "delete":
        conn.execute("DELETE FROM audit WHERE seq = ?", (seq,))
    elif kind == "swap":  # exchange the contents of two neighbours, keeping their numbers
        other = seq + 1 if seq + 1 in rows else seq - 1
        conn.execute("UPDATE audit SET hash = 'moving' WHERE seq = ?", (seq,))
        for a, b in ((other, seq), (seq, other)):
            conn.execute(f"UPDATE audit SET {', '.join(f'{c} = ?' for c in COLUMNS[1:])} "
                         "WHERE seq = ?", (*rows[b][1:], a))
    elif kind == "renumber":  # reorder by exchanging the numbers of two entries
        other = seq + 1 if seq + 1 in rows else seq - 1
        conn.execute("UPDATE audit SET seq = -1 WHERE seq = ?", (seq,))
        conn.execute("UPDATE audit SET seq = ? WHERE seq = ?", (seq, other))
        conn.execute("UPDATE audit SET seq = ? WHERE seq = -1", (other,))
    else:
        raise ValueError(kind)
    restore_triggers(conn)


KINDS = ("edit-user", "edit-rationale", "edit-rehash", "delete", "swap", "renumber")


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_trail(tmp_path_factory.mktemp("trail") / "h.db")


def test_every_change_is_recorded_with_who_where_and_why(trail: Path) -> None:
    with Store.open(trail) as store:
        entries = store.audit_entries()
        assert store.verify_audit().ok
    actions = [e.action for e in entries]
    assert actions[0] == "db.create"
    assert actions[1:] == [
        "scenario.create", "scenario.save", "scenario.save", "scenario.save", "scenario.create",
        "plan.create", "plan.create", "plan.create", "plan.approve", "plan.withdraw",
        "plan.approve", "plan.export", "plan.delete", "briefing.print", "scenario.delete",
        "db.backup"]
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    conflict = entries[4]
    assert conflict.outcome == "conflict" and conflict.details()["expected_version"] == 1
    assert all(e.outcome == "ok" for e in entries if e is not conflict)
    first = entries[1]
    assert first.user and first.host and first.app_version and first.at.endswith("+00:00")
    assert first.rationale == "first draft"
    pinned = entries[2].details()["diff"]
    assert pinned["pins"]["added"][0]["rationale"] == "community meeting"
    roster = entries[3].details()["diff"]
    assert roster["units"] == {"removed": ["BOAT1"]}
    assert roster["forbids"]["added"] == [{"unit": "ARV1", "site": "S1", "slots": "1",
                                           "rationale": "event"}]
    assert roster["forbids"]["removed"]  # the two old forbids went
    approve = entries[9]
    assert approve.rationale == "meets the posture"
    assert approve.details()["state"]["status"] == "approved"
    export = entries[12].details()
    assert export["path"] == "/exports/p1.pdf" and export["format"] == "pdf"
    for prev, e in itertools.pairwise(entries):
        assert e.prev_hash == prev.hash and e.computed_hash() == e.hash
    assert entries[0].prev_hash == GENESIS


def test_updates_and_deletes_are_blocked(trail: Path, tmp_path: Path) -> None:
    db = shutil.copy(trail, tmp_path / "h.db")
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE audit SET user = 'x' WHERE seq = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit WHERE seq = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit")
    finally:
        conn.close()
    with Store.open(Path(db)) as store:
        assert store.verify_audit().ok


def test_a_change_and_its_entry_commit_or_roll_back_together(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        store.save_scenario(rich_scenario())
        n = len(store.audit_entries())
        with pytest.raises(RuntimeError), write_transaction(store.db, store.path):
            store._put_scenario("tiny", store.db.execute(
                "SELECT document FROM scenarios").fetchone()[0], None, None, None, None)
            assert len(store.audit_entries()) == n + 1
            raise RuntimeError("power cut")
        assert len(store.audit_entries()) == n and store.scenario_version("tiny") == 1
        assert store.verify_audit().ok


@pytest.mark.parametrize("kind", KINDS)
def test_every_tampering_of_every_entry_is_detected(trail: Path, tmp_path: Path,
                                                    kind: str) -> None:
    with Store.open(trail) as store:
        entries = store.audit_entries()
        head = store.change_token()
    missed = []
    for e in entries:
        db = tmp_path / f"{kind}-{e.seq}.db"
        shutil.copy(trail, db)
        tamper(db, kind, e.seq)
        with Store.open(db, allow_read_only=True) as store:
            # only a rewrite of the newest entry needs the head kept outside to be seen
            needs_anchor = kind == "edit-rehash" and e is entries[-1]
            report = store.verify_audit(anchor=head if needs_anchor else None)
        if report.ok:
            missed.append(e.seq)
            continue
        first = report.first_bad_seq
        assert first is not None and abs(first - e.seq) <= 1, (kind, e.seq, report.problems)
    assert missed == []


def test_a_rewritten_tail_is_caught_by_an_anchor_kept_outside(trail: Path, tmp_path: Path) -> None:
    """Rewriting the newest entry (with a fresh hash) leaves an internally consistent chain:
    only a head printed earlier (a briefing pack, an export) can reveal it."""
    with Store.open(trail) as store:
        last = store.audit_entries()[-1]
        anchor = store.change_token()
    db = tmp_path / "h.db"
    shutil.copy(trail, db)
    tamper(db, "edit-rehash", last.seq)
    with Store.open(db) as store:
        assert store.verify_audit().ok
        report = store.verify_audit(anchor=anchor)
        bare = store.verify_audit(anchor=last.hash[:20])
        truncated = store.verify_audit(anchor=f"{last.seq + 5}:{last.hash}")
    assert str(report.problems[0]) == (
        f"entry {last.seq}: no longer carries the hash anchored outside the database (it, or an "
        "entry before it, was rewritten)")
    assert str(bare.problems[0]).startswith(f"the anchor {last.hash[:16]} is not in the trail")
    assert "missing here (the trail was truncated)" in str(truncated.problems[0])


def test_dropped_triggers_and_out_of_band_data_changes_are_detected(trail: Path,
                                                                    tmp_path: Path) -> None:
    cases = {
        "dropped": lambda c: None,
        "scenario": lambda c: c.execute(
            "UPDATE scenarios SET document = json_set(document, '$.description', 'x')"),
        "plan-status": lambda c: c.execute("UPDATE plans SET status = 'approved'"),
        "plan-deleted": lambda c: c.execute("DELETE FROM plans WHERE status = 'approved'"),
        "plan-added": lambda c: c.execute(
            "INSERT INTO plans SELECT 'P-20990101-0001', scenario, threat_level, created_at, "
            "day, content_hash, document, seed, status, version, status_by, status_at "
            "FROM plans LIMIT 1"),
        "deleted-back": lambda c: c.execute(
            "INSERT INTO scenarios SELECT 'other', document, 1, updated_at FROM scenarios"),
    }
    expected = {
        "dropped": "guard trigger 'audit_no_update' is missing",
        "scenario": "scenario 'tiny' differs from the state recorded here",
        "plan-status": "differs from the state recorded here",
        "plan-deleted": "is missing from the database",
        "plan-added": "plan 'P-20990101-0001' has no audit entry",
        "deleted-back": "scenario 'other' was deleted here but is present",
    }
    for name, change in cases.items():
        db = tmp_path / f"{name}.db"
        shutil.copy(trail, db)
        conn = raw(db)
        change(conn)
        if name != "dropped":
            restore_triggers(conn)
        conn.close()
        with Store.open(db) as store:
            report = store.verify_audit()
        assert any(expected[name] in str(p) for p in report.problems), (name, report.problems)


def test_the_chain_head_and_change_tokens(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as a, Store.open(tmp_path / "h.db") as b:
        token = a.change_token()
        version = a.data_version()
        b.save_scenario(rich_scenario())
        assert a.data_version() != version  # another connection committed
        changes = a.changes_since(token)
        assert not changes.reset and changes.objects == {"scenario:tiny"}
        assert a.audit_head() == b.audit_head() == changes.token.split(":")[1]
        assert a.changes_since(changes.token).entries == ()
        bogus = a.changes_since("1:" + "f" * 64)
        assert bogus.reset and len(bogus.entries) == len(a.audit_entries())
        copy = a.backup(tmp_path / "copy.db")
        token = a.change_token()
        b.restore(copy)
        restored = a.changes_since(token)
        assert restored.reset and "db" in restored.objects
        with pytest.raises(InputError, match="change token"):
            a.changes_since("nonsense")


def test_imports_name_their_source_and_actions_are_checked(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        store.save_scenario(rich_scenario(), action="scenario.import", source="london.json")
        entry = store.audit_entries(last=1)[0]
        assert entry.action == "scenario.import" and entry.details()["source"] == "london.json"
        for bad in ("plan.approve", "scenario import", "scenario."):
            with pytest.raises(InputError, match="expected an action"):
                store.save_scenario(rich_scenario(), action=bad)
        with pytest.raises(InputError, match="expected an action"):
            store.record_event("DROP TABLE", "db")
        with pytest.raises(InputError, match="stored state"):
            store.record_event("briefing.print", "db", detail={"state": None})
        with pytest.raises(InputError, match="control characters"):
            store.save_scenario(rich_scenario(), rationale="a\x00b")
        with pytest.raises(ConflictError):
            store.delete_scenario("tiny", expected_version=7)
        assert store.audit_entries(last=1)[0].outcome == "conflict"
        assert len(store.audit_entries()) == 3 and store.verify_audit().ok
