"""File-level helpers of the store: owner-only creation and one-line SQLite error messages."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from resources.errors import InputError
from resources.store.errors import StoreError

#: How long a writer waits for another writer before giving up.
BUSY_TIMEOUT_MS = 10_000
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Create files owner-only (0600) inside the block."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


@contextlib.contextmanager
def writing_file(path: Path) -> Iterator[None]:
    """Turn an OSError while writing ``path`` into a one-line InputError naming the file.

    Meant around atomic writers (temporary file and rename), so a failure leaves no file.
    """
    try:
        yield
    except OSError as err:
        raise InputError(f"cannot write the file ({err.strerror or err}); nothing was written",
                         source=str(path)) from None


def sqlite_error(path: Path, err: sqlite3.Error) -> StoreError:
    """A one-line StoreError for an sqlite3 error (busy, full disk, I/O error, damage)."""
    text = str(err)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return StoreError("the database is busy (another Hercules is writing); try again",
                          source=str(path))
    if "disk is full" in low or "database or disk is full" in low:
        return StoreError("the disk is full (or the database reached its size limit); "
                          "nothing was saved: free some space and try again", source=str(path))
    if "disk i/o error" in low or "i/o error" in low:
        return StoreError("the disk reported an input/output error; nothing was saved: "
                          "check the disk, then run `db check`", source=str(path))
    if "readonly" in low or "read-only" in low:
        return StoreError("the database file cannot be written (read-only file or folder)",
                          source=str(path))
    if "not a database" in low or "malformed" in low:
        return StoreError(f"not a usable Hercules database ({text})", source=str(path))
    return StoreError(f"database error: {text}", source=str(path))


def open_sqlite(path: Path, mode: str) -> sqlite3.Connection:
    """An autocommit-mode sqlite3 connection by URI (mode ro, rw or rwc) with a busy timeout."""
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except BaseException:
        conn.close()
        raise
    return conn


def fsync_path(path: Path) -> None:
    """Flush a file (and its folder entry) to disk."""
    with path.open("rb") as fh:
        os.fsync(fh.fileno())
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
