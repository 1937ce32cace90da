"""Soak of the store's safety promises; prints a markdown table.

Run: ``.venv/bin/python benchmarks/store_soak.py [--kills 1000] [--edits 1000] [--seed 1]``.

1. kill -9: a writer saves plans (approving some, editing a scenario) and acknowledges each
   commit; it is killed with SIGKILL at random moments; after every kill the database is
   reopened and checked (integrity, audit chain, every acknowledged save present and whole).
2. two processes x N interleaved read-modify-write edits of one scenario and N status toggles
   of one plan, each with the version read: lost updates and conflicts reported.
3. fault injection: a disk I/O error and a full disk at every write of six operations.
4. tampering: every entry of a trail edited, re-hashed, deleted, swapped and renumbered, plus
   random tampering of a long trail (the soak database's): share detected.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlite_utils import Database

from resources.store import Store, StoreError
from resources.store.audit_verify import verify
from tests.crash_writer import kill_rounds, two_editors
from tests.test_audit_trail import KINDS, build_trail, tamper_with
from tests.test_store_faults import OPERATIONS, FaultyConnection, _prepared
from tests.test_store_hardening import rows

Row = tuple[str, str, str, float]


def soak(folder: Path, kills: int, seed: int) -> tuple[list[Row], Path]:
    start = time.monotonic()
    db = folder / "soak.db"
    t = kill_rounds(db, kills, seed, progress=True)
    wall = time.monotonic() - start
    for p in t.problems[:10]:
        print(f"  problem: {p}", file=sys.stderr)
    return [("kill -9 soak", f"{t.kills:,} kills, {t.acknowledged:,} acknowledged saves",
             f"{t.corrupt} corrupt, {t.lost} lost", wall)], db


def two_process(folder: Path, edits: int) -> list[Row]:
    got = two_editors(folder / "two.db", edits)
    versions = got["versions"]
    assert isinstance(versions, dict)
    lost = 0
    for a, b in versions.values():
        lost += 2 * edits - len(set(a) | set(b))  # a version handed out twice = a lost update
    n = int(str(got["description"]).split("=")[1])
    lost += 2 * edits - n  # an increment that did not survive
    lost += 2 * edits + 1 - int(str(got["plan_version"]))
    return [(f"two processes x {edits:,} edits", f"{4 * edits:,} saves (a scenario and a plan "
             "status, each with the version read)",
             f"{lost} lost updates; {got['conflicts']} conflicts reported, "
             f"{got['recorded_conflicts']} in the audit trail; audit "
             f"{'intact' if got['audit_ok'] else 'FAILED'}", float(str(got["wall_s"])))]


def faults(folder: Path) -> list[Row]:
    start = time.monotonic()
    points = unchanged = 0
    for message in ("disk I/O error", "database or disk is full"):
        for name, op in OPERATIONS.items():
            db, pid = _prepared(folder / f"f-{name}-{message[:4]}.db")
            before = rows(db)
            n = 1
            while True:
                store = Store.open(db)
                faulty = FaultyConnection(store.db.conn, n, message)
                store.db.conn = faulty  # type: ignore[assignment]
                try:
                    op(store, pid)
                    done = True
                except StoreError:
                    done = False
                finally:
                    store.db.conn = faulty._conn
                    store.close()
                if done:
                    break
                points += 1
                unchanged += rows(db) == before
                n += 1
    wall = time.monotonic() - start
    return [("fault injection", f"{points} faults (I/O error, disk full) at every write of "
             f"{len(OPERATIONS)} operations", f"{unchanged}/{points} left the store unchanged",
             wall)]


def tampering(folder: Path, long_trail: Path, seed: int) -> list[Row]:
    start = time.monotonic()
    rng = random.Random(seed)
    base = build_trail(folder / "trail" / "h.db")
    detected = total = 0
    for source, picks in ((base, None), (long_trail, 100)):
        with Store.open(source) as store:
            entries = [e.seq for e in store.audit_entries()]
            head = store.change_token()
        chosen = entries if picks is None else rng.sample(entries, min(picks, len(entries)))
        conn = sqlite3.connect(source, isolation_level=None)
        try:
            for seq in chosen:
                for kind in KINDS:
                    conn.execute("BEGIN IMMEDIATE")  # tamper, verify, then undo
                    try:
                        tamper_with(conn, kind, seq)
                        anchor = head if seq == entries[-1] else None
                        detected += not verify(Database(conn), anchor=anchor).ok
                    finally:
                        conn.execute("ROLLBACK")
                    total += 1
        finally:
            conn.close()
        with Store.open(source) as store:
            assert store.verify_audit().ok  # every tampering was undone
    wall = time.monotonic() - start
    return [("audit tampering", f"{total:,} tamperings (edit, re-hash, delete, swap, "
             "renumber)", f"{detected:,} detected ({100 * detected / total:.1f}%)", wall)]


def main() -> None:
    """Run the soak and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="store-soak-"))
    try:
        table, soak_db = soak(folder, args.kills, args.seed)
        table += two_process(folder, args.edits)
        table += faults(folder)
        table += tampering(folder, soak_db, args.seed)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("| test | volume | result | wall time |")
    print("| --- | --- | --- | ---: |")
    for name, volume, result, wall in table:
        print(f"| {name} | {volume} | {result} | {wall:.1f} s |")


if __name__ == "__main__":
    main()
