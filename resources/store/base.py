"""What every part of the Store shares: the connection, the read-only guard, audited writes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from resources.store import audit
from resources.store.connection import write_transaction
from resources.store.errors import ReadOnlyError, StoreError


class StoreBase:
    """The open database, its path, and why it is read-only (None: writable)."""

    def __init__(self, db: Database, path: Path, read_only_reason: str | None = None) -> None:
        self.db = db
        self.path = path
        self.read_only_reason = read_only_reason

    @property
    def read_only(self) -> bool:
        """True when the database was opened read-only (damaged, or from a newer Hercules)."""
        return self.read_only_reason is not None

    def _writable(self) -> None:
        if self.read_only_reason is not None:
            raise ReadOnlyError(f"the database is open read-only ({self.read_only_reason}); "
                                "nothing was changed", source=str(self.path))

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """A guarded BEGIN IMMEDIATE ... COMMIT (the change and its audit entry together)."""
        self._writable()
        with write_transaction(self.db, self.path):
            yield

    def _record_refusal(self, action: str, obj: str, detail: dict[str, Any]) -> None:
        """Record a refused (conflicting) change in its own transaction, best effort."""
        with contextlib.suppress(StoreError), write_transaction(self.db, self.path):
            audit.append(self.db, action, obj, outcome="conflict", detail=detail)
