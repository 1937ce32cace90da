"""kill -9 at random moments while plans are being saved: nothing acknowledged is ever lost.

A writer process (tests/crash_writer.py) saves plans in a loop, approving some and editing a
scenario now and then, and prints an acknowledgement after each commit. The test kills it with
SIGKILL at a random (seeded) moment, reopens the database, checks its integrity and audit chain,
and that every acknowledged save is present and whole; 50 times. benchmarks/store_soak.py runs
1,000.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from resources.store import Store, check
from tests.crash_writer import kill_rounds

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")


def test_fifty_kills_lose_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    tally = kill_rounds(db, rounds=50, seed=20260105)
    assert tally.kills == 50
    assert tally.acknowledged >= 50  # the writers really were writing when killed
    assert tally.problems == []
    assert (tally.corrupt, tally.lost) == (0, 0)
    result = check(db)
    assert result.ok and result.plans >= len(tally.plans)
    with Store.open(db) as store:
        report = store.verify_audit()
        assert report.ok
        creates = [e for e in store.audit_entries() if e.action == "plan.create"]
        assert {e.object for e in creates} >= {f"plan:{p}" for p in tally.plans}


def test_the_harness_notices_lost_and_changed_saves(tmp_path: Path) -> None:
    """An acknowledged save that is missing is lost; one changed behind its back is caught."""
    import sqlite3

    from tests.crash_writer import Tally, _verify

    db = tmp_path / "crash.db"
    tally = kill_rounds(db, rounds=3, seed=5, max_acks=4)
    assert tally.plans and (tally.corrupt, tally.lost) == (0, 0)
    missing = Tally(plans={**tally.plans, "P-29990101-0001": "0" * 64})
    _verify(db, missing, ["P-29990101-0001"])
    assert (missing.corrupt, missing.lost) == (0, 1)
    victim = sorted(tally.plans)[0]
    conn = sqlite3.connect(db)
    conn.execute("UPDATE plans SET document = json_set(document, '$.day', 99) WHERE id = ?",
                 (victim,))
    conn.commit()
    conn.close()
    fresh = Tally(plans=dict(tally.plans), approved=dict(tally.approved))
    _verify(db, fresh, sorted(tally.plans))
    assert fresh.corrupt == 1  # the audit check sees the out-of-band change first
