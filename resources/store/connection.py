"""Opening the SQLite file: owner-only permissions, durable settings, write transactions."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from resources.store.schema import StoreError

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


def _sqlite_error(path: Path, err: sqlite3.Error) -> StoreError:
    text = str(err)
    if "locked" in text or "busy" in text:
        return StoreError("the database is busy (another Hercules is writing); try again",
                          source=str(path))
    if "not a database" in text or "malformed" in text:
        return StoreError(f"not a usable Hercules database ({text})", source=str(path))
    return StoreError(f"database error: {text}", source=str(path))


def connect(path: Path, *, create: bool = True) -> Database:
    """Open (and if ``create``, create owner-only) the database with durable settings."""
    from resources.store.schema import migrate

    path = path.expanduser()
    if path.is_dir():
        raise StoreError("expected a database file, got a directory", source=str(path))
    exists = path.exists()
    if not exists and not create:
        raise StoreError("no database at this path", source=str(path))
    try:
        with private_umask():
            if not exists:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            uri = f"{path.resolve().as_uri()}?mode={'rwc' if create else 'rw'}"
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None)
            db = Database(conn)
            try:
                db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                db.execute("PRAGMA foreign_keys = ON")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = FULL")
                migrate(db)
            except BaseException:
                conn.close()
                raise
    except sqlite3.Error as err:
        raise _sqlite_error(path, err) from None
    except OSError as err:
        raise StoreError(f"cannot open the database ({err.strerror})", source=str(path)) from None
    if not exists:
        for p in [path, *(Path(f"{path}{s}") for s in SIDE_SUFFIXES)]:
            if p.exists():
                p.chmod(0o600)
    return db


@contextlib.contextmanager
def write_transaction(db: Database, path: Path) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT; the block's writes are durable once this exits cleanly."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as err:
        raise _sqlite_error(path, err) from None
    try:
        yield
        db.execute("COMMIT")
    except sqlite3.Error as err:
        db.rollback()
        raise _sqlite_error(path, err) from None
    except BaseException:
        db.rollback()
        raise


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn sqlite3 errors raised while reading into one-line StoreErrors."""
    try:
        yield
    except sqlite3.Error as err:
        raise _sqlite_error(path, err) from None
