"""The audit trail: append-only, hash-chained entries written inside the changing transaction."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata
from typing import Any

from sqlite_utils import Database

from resources import __version__
from resources.errors import InputError

#: The previous-hash of the first entry.
GENESIS = "0" * 64
#: The program version recorded when the package metadata is not installed (keep equal to main.py).
FALLBACK_VERSION = __version__
#: The append-only guards; `audit verify` checks that they are present and unaltered.
TRIGGERS: dict[str, str] = {
    "audit_no_update": (
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN "
        "SELECT RAISE(ABORT, 'the audit trail is append-only: entries cannot be changed'); END"
    ),
    "audit_no_delete": (
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN "
        "SELECT RAISE(ABORT, 'the audit trail is append-only: entries cannot be deleted'); END"
    ),
}
TABLE_SQL = """CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    host TEXT NOT NULL,
    app_version TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    outcome TEXT NOT NULL,
    rationale TEXT,
    detail TEXT NOT NULL CHECK (json_valid(detail)),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
)"""
MAX_RATIONALE = 2000
#: The most entries `audit show --last` lists.
MAX_LAST = 1_000_000
_COLUMNS = ("seq", "at", "user", "host", "app_version", "action", "object", "outcome",
            "rationale", "detail", "prev_hash", "hash")


def now_utc() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Actor:
    """Who and where: OS user, host name, program version."""

    user: str
    host: str
    app_version: str


@lru_cache(maxsize=1)
def current_actor() -> Actor:
    """The OS user (getpass, falling back to the uid), the host name and the program version."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    try:
        host = socket.gethostname() or "unknown"
    except OSError:
        host = "unknown"
    try:
        version = metadata.version("hercules-console")
    except metadata.PackageNotFoundError:
        version = FALLBACK_VERSION
    return Actor(user, host, version)


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change. ``detail`` is the stored canonical JSON text."""

    seq: int
    at: str
    user: str
    host: str
    app_version: str
    action: str
    object: str
    outcome: str
    rationale: str | None
    detail: str
    prev_hash: str
    hash: str

    def details(self) -> dict[str, Any]:
        """The parsed detail object."""
        value = json.loads(self.detail)
        return value if isinstance(value, dict) else {}

    def hashed_fields(self) -> dict[str, Any]:
        """Everything the entry's hash covers (all columns but the hash itself)."""
        return {c: getattr(self, c) for c in _COLUMNS if c != "hash"}

    def computed_hash(self) -> str:
        """The hash this entry should carry."""
        return entry_hash(self.hashed_fields())

    def summary(self) -> str:
        """One line for `audit show`."""
        why = f" because: {self.rationale}" if self.rationale else ""
        return (f"{self.seq:>6}  {self.at}  {self.user}@{self.host}  {self.action} "
                f"{self.object} [{self.outcome}]{why}")


def canonical(doc: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text, finite numbers only."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) over the canonical JSON of an entry's fields, previous hash included."""
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


def text_sha256(text: str) -> str:
    """SHA-256 (hex) of a stored document's UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_rationale(rationale: str | None, *, required: bool = False) -> str | None:
    """A rationale trimmed and checked: at most 2000 characters, no control characters."""
    value = (rationale or "").strip()
    if not value:
        if required:
            raise InputError("expected a rationale (why this decision was taken)",
                             field="rationale")
        return None
    if len(value) > MAX_RATIONALE:
        raise InputError(f"expected at most {MAX_RATIONALE} characters", field="rationale")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value) or "\x7f" in value:
        raise InputError("expected text without control characters", field="rationale")
    return value


def row_entry(row: tuple[Any, ...]) -> AuditEntry:
    """An entry from a row selected with the columns in table order."""
    t = [str(v) for v in row]
    return AuditEntry(int(row[0]), t[1], t[2], t[3], t[4], t[5], t[6], t[7],
                      None if row[8] is None else t[8], t[9], t[10], t[11])


def last_seq(db: Database) -> tuple[int, str]:
    """(seq, hash) of the newest entry; (0, GENESIS) for an empty trail."""
    row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def high_water(db: Database) -> int:
    """The largest seq ever handed out (SQLite's AUTOINCREMENT record), 0 if none."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def append(db: Database, action: str, obj: str, *, outcome: str = "ok",
           rationale: str | None = None, detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry; call inside the write transaction that makes the change."""
    if not db.conn.in_transaction:
        raise RuntimeError("audit entries are written inside the changing transaction")
    seq, prev = last_seq(db)
    seq = max(seq, high_water(db)) + 1
    actor = current_actor()
    fields: dict[str, Any] = {
        "seq": seq, "at": now_utc(), "user": actor.user, "host": actor.host,
        "app_version": actor.app_version, "action": action, "object": obj,
        "outcome": outcome, "rationale": rationale, "detail": canonical(detail or {}),
        "prev_hash": prev,
    }
    entry = AuditEntry(**fields, hash=entry_hash(fields))
    db.execute(f"INSERT INTO audit ({', '.join(_COLUMNS)}) VALUES "
               f"({', '.join('?' for _ in _COLUMNS)})",
               [getattr(entry, c) for c in _COLUMNS])
    return entry


def check_last(last: int) -> int:
    """``last`` if it is a sensible count of newest entries (1 to MAX_LAST)."""
    if isinstance(last, bool) or not isinstance(last, int) or not 1 <= last <= MAX_LAST:
        raise InputError(f"expected a whole number of entries from 1 to {MAX_LAST:,}, got "
                         f"{last!r}", field="last")
    return last


def entries(db: Database, *, last: int | None = None, obj: str | None = None,
            after: int = 0) -> list[AuditEntry]:
    """Entries in chain order, optionally only for one object, after a seq, or the last N."""
    sql = f"SELECT {', '.join(_COLUMNS)} FROM audit WHERE seq > ?"
    params: list[object] = [after]
    if obj is not None:
        sql += " AND object = ?"
        params.append(obj)
    if last is not None:
        sql = f"SELECT * FROM ({sql} ORDER BY seq DESC LIMIT ?) ORDER BY seq"
        params.append(check_last(last))
    else:
        sql += " ORDER BY seq"
    return [row_entry(r) for r in db.execute(sql, params).fetchall()]


def scenario_object(name: str) -> str:
    """The audit object name of a scenario."""
    return f"scenario:{name}"


def plan_object(plan_id: str) -> str:
    """The audit object name of a plan."""
    return f"plan:{plan_id}"
