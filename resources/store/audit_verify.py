"""Verifying the audit trail: guards, chain, sequence, and the data against its last entries."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from resources.errors import InputError
from resources.store.audit import GENESIS, TABLE_SQL, TRIGGERS, entry_hash, text_sha256

#: Problems listed in full before the report says "and N more".
MAX_PROBLEMS = 50
_HEX = re.compile(r"^[0-9a-f]{16,64}$")
_SEQ = re.compile(r"^[0-9]{1,19}$")
#: The largest entry number SQLite can hand out.
MAX_SEQ = 2**63 - 1
_COLUMNS = ("seq", "at", "user", "host", "app_version", "action", "object", "outcome",
            "rationale", "detail", "prev_hash", "hash")


@dataclass(frozen=True)
class Problem:
    """One finding; ``seq`` is the entry it was found at (None: not tied to one entry).

    ``kind``: 'chain' (an entry edited, removed or moved), 'guard' (triggers, table), 'data'
    (stored scenarios/plans against their last entries) or 'anchor'.
    """

    seq: int | None
    message: str
    kind: str = "chain"

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.message}" if self.seq is not None else self.message


@dataclass(frozen=True)
class AuditReport:
    """The outcome of `audit verify`; ``problems`` empty means the trail is intact."""

    entries: int
    head_seq: int
    head: str
    problems: tuple[Problem, ...]
    more: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        """The earliest entry at which the chain was broken (else the earliest entry named)."""
        for kinds in (("chain",), ("chain", "guard", "data", "anchor")):
            seqs = [p.seq for p in self.problems if p.seq is not None and p.kind in kinds]
            if seqs:
                return min(seqs)
        return None


def _norm(sql: str | None) -> str:
    return " ".join((sql or "").split())


class _Findings:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.more = 0

    def add(self, seq: int | None, message: str, kind: str = "chain") -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(seq, message, kind))
        else:
            self.more += 1


def _guards(db: Database, out: _Findings) -> None:
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                      "WHERE tbl_name = 'audit' OR name = 'audit'").fetchall()
    table = [r for r in rows if r[0] == "table"]
    if table and _norm(table[0][3]) != _norm(TABLE_SQL):
        out.add(None, "the audit table's definition was altered outside Hercules", "guard")
    triggers = {str(r[1]): str(r[3]) for r in rows if r[0] == "trigger"}
    for name, sql in TRIGGERS.items():
        if name not in triggers:
            out.add(None, f"the guard trigger '{name}' is missing (dropped outside Hercules); "
                          "the trail could have been changed", "guard")
        elif _norm(triggers[name]) != _norm(sql):
            out.add(None, f"the guard trigger '{name}' was altered outside Hercules", "guard")
    for name in sorted(set(triggers) - set(TRIGGERS)):
        out.add(None, f"an unexpected trigger '{name}' is attached to the audit table", "guard")


def _chain(db: Database, out: _Findings,
           states: dict[str, tuple[int, Any]]) -> tuple[int, int, str, dict[int, str]]:
    count = last = 0
    prev = GENESIS
    hashes: dict[int, str] = {}
    cur = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM audit ORDER BY seq")
    for row in cur:
        count += 1
        fields = dict(zip(_COLUMNS, row, strict=True))
        seq = int(fields["seq"])
        if seq != last + 1:
            gap = f"entry {last + 1}" if seq == last + 2 else f"entries {last + 1}-{seq - 1}"
            out.add(seq, f"{gap} before it are missing (deleted)")
        if fields["prev_hash"] != prev:
            out.add(seq, "its link to the previous entry is broken (an entry before it was "
                         "removed, inserted or reordered)")
        stored = fields.pop("hash")
        try:
            ok = entry_hash(fields) == stored
        except (TypeError, ValueError):
            ok = False
        if not ok:
            out.add(seq, "its contents do not match its hash (the entry was edited)")
        _note_state(fields, seq, states)
        prev = str(stored)
        hashes[seq] = prev
        last = seq
    return count, last, prev, hashes


def _note_state(fields: dict[str, Any], seq: int, states: dict[str, tuple[int, Any]]) -> None:
    if fields.get("outcome") != "ok":
        return
    try:
        detail = json.loads(str(fields["detail"]))
    except ValueError:
        return
    if isinstance(detail, dict) and "state" in detail:
        states[str(fields["object"])] = (seq, detail["state"])


def _high_water(db: Database, last: int, out: _Findings) -> None:
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    high = int(row[0]) if row and row[0] is not None else 0
    if high > last:
        what = f"entry {high}" if high == last + 1 else f"entries {last + 1}-{high}"
        out.add(last + 1, f"{what} at the end of the trail are missing (deleted)")
    elif high < last:
        out.add(None, "SQLite's sequence record of the trail was altered (it is behind the "
                      "newest entry)", "guard")


def _data(db: Database, out: _Findings, states: dict[str, tuple[int, Any]]) -> None:
    actual: dict[str, dict[str, Any]] = {}
    for name, doc, version in db.execute("SELECT name, document, version FROM scenarios"):
        actual[f"scenario:{name}"] = {"sha256": text_sha256(str(doc)), "version": version}
    for pid, doc, status, version in db.execute(
            "SELECT id, document, status, version FROM plans"):
        actual[f"plan:{pid}"] = {"sha256": text_sha256(str(doc)), "status": status,
                                 "version": version}
    for obj in sorted(set(actual) | {k for k, v in states.items() if v[1] is not None}):
        kind, _, key = obj.partition(":")
        label = f"{kind} '{key}'"
        seq, state = states.get(obj, (None, None))
        row = actual.get(obj)
        if row is None:
            out.add(seq, f"{label} recorded here is missing from the database "
                         "(deleted outside Hercules)", "data")
        elif obj not in states:
            out.add(None, f"{label} has no audit entry (added outside Hercules)", "data")
        elif state is None:
            out.add(seq, f"{label} was deleted here but is present (put back outside Hercules)",
                    "data")
        elif not isinstance(state, dict) or any(state.get(k) != v for k, v in row.items()):
            out.add(seq, f"{label} differs from the state recorded here (changed outside "
                         "Hercules)", "data")


def parse_anchor(anchor: str, source: str = "anchor") -> tuple[int | None, str]:
    """(SEQ or None, lower-case hash) of an anchor 'SEQ:HASH' or a bare hash; else InputError.

    Entry numbers start at 1, so a SEQ of 0 (or one SQLite could never hand out) is refused.
    """
    text = anchor.strip().lower()
    seq_text, colon, digest = text.rpartition(":")
    expected = ("expected 'SEQ:HASH' (SEQ an entry number from 1, as `audit head` prints) or a "
                "bare hash of 16-64 hex digits")
    if not _HEX.match(digest) or (colon and not _SEQ.match(seq_text)):
        raise InputError(f"{expected}, got {anchor!r}", source=source)
    if not colon:
        return None, digest
    seq = int(seq_text)
    if not 1 <= seq <= MAX_SEQ:
        raise InputError(f"expected an entry number from 1 to {MAX_SEQ} before the ':' "
                         f"(entries are numbered from 1), got {seq_text}", source=source)
    return seq, digest


def _anchor(anchor: str, hashes: dict[int, str], out: _Findings) -> None:
    """An anchor 'SEQ:HASH' (or a bare hash) kept outside must still be in the trail."""
    seq, digest = parse_anchor(anchor)
    if seq is None:
        if not any(h.startswith(digest) for h in hashes.values()):
            out.add(None, f"the anchor {digest[:16]} is not in the trail: the trail was "
                          "truncated or rewritten after that copy was made", "anchor")
        return
    if seq not in hashes:
        out.add(seq, "anchored outside the database but missing here (the trail was "
                     "truncated)", "anchor")
    elif not hashes[seq].startswith(digest):
        out.add(seq, "no longer carries the hash anchored outside the database (it, or an "
                     "entry before it, was rewritten)", "anchor")


def verify(db: Database, *, anchor: str | None = None) -> AuditReport:
    """Check the guards, every link and hash, the sequence, the data, and an external anchor."""
    out = _Findings()
    if anchor is not None:
        parse_anchor(anchor)
    if "audit" not in db.table_names():
        out.add(None, "the database has no audit trail table", "guard")
        return AuditReport(0, 0, GENESIS, tuple(out.items))
    _guards(db, out)
    states: dict[str, tuple[int, Any]] = {}
    count, last, head, hashes = _chain(db, out, states)
    _high_water(db, last, out)
    _data(db, out, states)
    if anchor is not None:
        _anchor(anchor, hashes, out)
    return AuditReport(count, last, head, tuple(out.items), out.more)
