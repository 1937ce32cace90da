"""Two processes editing the same scenario and plan: no lost update, every conflict reported."""

from __future__ import annotations

from pathlib import Path

from tests.crash_writer import two_editors

EDITS = 200


def test_two_processes_interleaved_edits_lose_no_update(tmp_path: Path) -> None:
    got = two_editors(tmp_path / "two.db", EDITS)
    assert got["codes"] == [0, 0]
    versions = got["versions"]
    assert isinstance(versions, dict)
    for kind in ("scenario", "plan"):
        a, b = versions[kind]
        assert len(a) == len(b) == EDITS
        assert not set(a) & set(b)  # no version was handed out twice
        # every saved version is exactly one step after the one read: a dense 2..2N+1 sequence
        assert sorted(a + b) == list(range(2, 2 * EDITS + 2))
    assert got["description"] == f"n={2 * EDITS}"  # every increment survived
    assert got["plan_version"] == 2 * EDITS + 1
    assert got["recorded_conflicts"] == got["conflicts"]  # every refusal is in the trail
    assert got["audit_ok"] is True
