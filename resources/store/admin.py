"""The Store's trail and upkeep: audit head/entries/verify, change tokens, backup, restore."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.store import audit
from resources.store.audit_verify import AuditReport, verify
from resources.store.backup import (
    DEFAULT_KEEP,
    backup_connection,
    check_keep,
    rotate_backups,
    unique_backup_path,
)
from resources.store.base import StoreBase
from resources.store.connection import open_db, reading
from resources.store.errors import StoreError
from resources.store.restore import RestoreResult, restore

_ACTION = re.compile(r"^[a-z][a-z_]{0,30}\.[a-z][a-z_]{0,30}$")


@dataclass(frozen=True)
class Changes:
    """Commits since a change token. ``reset``: the database was restored: reload everything."""

    entries: tuple[audit.AuditEntry, ...]
    reset: bool
    token: str

    @property
    def objects(self) -> frozenset[str]:
        """The changed objects ('scenario:NAME', 'plan:ID', 'db')."""
        return frozenset(e.object for e in self.entries)


class AdminMethods(StoreBase):
    """The audit trail, change notification, backups and restore."""

    def audit_head(self) -> str:
        """The hash of the newest audit entry (the chain head) to print on packs and exports."""
        with reading(self.path):
            return audit.last_seq(self.db)[1]

    def audit_entries(self, *, last: int | None = None,
                      obj: str | None = None) -> list[audit.AuditEntry]:
        """Audit entries in order: all, the last N (1 or more), or those of one object."""
        if last is not None:
            audit.check_last(last)
        with reading(self.path):
            return audit.entries(self.db, last=last, obj=obj)

    def verify_audit(self, anchor: str | None = None) -> AuditReport:
        """Verify the trail (and that an externally kept head ``anchor`` is still in it).

        A malformed ``anchor`` is bad input (InputError), not a finding.
        """
        with reading(self.path):
            return verify(self.db, anchor=anchor)

    def record_event(self, action: str, obj: str, *, detail: dict[str, Any] | None = None,
                     rationale: str | None = None) -> str:
        """Record an event that changes no stored data (e.g. 'briefing.print'); the new head."""
        if not _ACTION.match(action):
            raise InputError(f"expected an action like 'briefing.print', got {action!r}",
                             field="action")
        if detail and "state" in detail:
            raise InputError("events cannot carry a stored state", field="detail")
        why = audit.clean_rationale(rationale)
        with self._write():
            return audit.append(self.db, action, obj, rationale=why, detail=detail).hash

    def data_version(self) -> int:
        """SQLite's data_version: changes when another connection commits (cheap to poll)."""
        with reading(self.path):
            return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def change_token(self) -> str:
        """A token naming the newest committed change ('SEQ:HASH')."""
        with reading(self.path):
            seq, head = audit.last_seq(self.db)
        return f"{seq}:{head}"

    def changes_since(self, token: str) -> Changes:
        """The changes committed (by any process) after ``token``, and the new token."""
        seq_text, _, head = token.partition(":")
        if not seq_text.isdigit() or not head:
            raise InputError(f"expected a change token 'SEQ:HASH', got {token!r}")
        seq = int(seq_text)
        with reading(self.path):
            row = self.db.execute("SELECT hash FROM audit WHERE seq = ?", (seq,)).fetchone()
            known = (row is not None and row[0] == head) or (seq == 0 and head == audit.GENESIS)
            found = audit.entries(self.db, after=seq if known else 0)
        restored = any(e.action == "db.restore" for e in found)
        return Changes(tuple(found), not known or restored, self.change_token())

    def backup(self, dest: Path | None = None, *, keep: int = DEFAULT_KEEP) -> Path:
        """Back up to ``dest`` (default: a new file in backups/, rotated to ``keep``), verified.

        A writable store records the backup (its file and chain head) in the trail.
        """
        check_keep(keep)
        target = dest if dest is not None else unique_backup_path(self.path)
        head = self.audit_head()
        with reading(self.path):
            done = backup_connection(self.db.conn, target, make_folder=dest is None)
        removed = rotate_backups(self.path, keep) if dest is None else []
        if not self.read_only:
            with self._write():
                audit.append(self.db, "db.backup", "db", detail={
                    "path": str(done), "head": head, "rotated_out": [p.name for p in removed]})
        return done

    def restore(self, backup_path: Path) -> RestoreResult:
        """Replace the database with a verified backup (the current one is kept as a copy).

        Works on a damaged (read-only) store; afterwards the store is reopened writable.
        """
        self.db.close()
        try:
            return restore(self.path, backup_path)
        finally:
            try:
                self.db, self.read_only_reason = open_db(self.path, allow_read_only=True,
                                                         always_check=True)
            except StoreError as err:  # still unusable: every later call fails clearly
                self.read_only_reason = f"it cannot be reopened: {err.detail}"
