"""Opening the SQLite file: owner-only permissions, durable settings, health check, transactions."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from resources.store.backup import backup_connection, integrity, list_backups, unique_backup_path
from resources.store.errors import StoreError
from resources.store.files import (
    BUSY_TIMEOUT_MS,
    SIDE_SUFFIXES,
    open_sqlite,
    private_umask,
    sqlite_error,
)
from resources.store.schema import LATEST, current_version, migrate, newer_message

__all__ = ["BUSY_TIMEOUT_MS", "SIDE_SUFFIXES", "connect", "memory_db", "open_db",
           "private_umask", "reading", "write_transaction"]

#: Files (device, inode, size, mtime) whose integrity this process has already checked.
_CHECKED: set[tuple[int, int, int, int]] = set()


def _restore_hint(path: Path) -> str:
    found = list_backups(path)
    if not found:
        return "no backup of it was found next to it (backups/)"
    return (f"restore a backup with `db restore --latest` (newest: {found[0].name}) or "
            "`db restore FILE`")


def _damage(conn: sqlite3.Connection, path: Path, always: bool) -> str | None:
    """Why the file is damaged (quick_check), or None.

    A file is checked again whenever its size or modification time changed since this process
    last found it healthy (in WAL mode the main file changes at checkpoints).
    """
    st = path.stat()
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    if key in _CHECKED and not always:
        return None
    problems = integrity(conn, quick=True)
    if problems:
        return f"the database is damaged (integrity check: {problems[0]})"
    _CHECKED.add(key)
    return None


def _pre_migration_backup(conn: sqlite3.Connection, path: Path) -> str:
    dest = unique_backup_path(path, f"before-v{LATEST}")
    backup_connection(conn, dest, make_folder=True)
    return dest.name


def open_db(path: Path, *, create: bool = True, allow_read_only: bool = False,
            always_check: bool = False) -> tuple[Database, str | None]:
    """Open, check and migrate the database; returns it and why it is read-only (None: writable).

    A damaged database or one from a newer Hercules is refused unless ``allow_read_only``, in
    which case it is opened with writes disabled (PRAGMA query_only).
    """
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
            conn = open_sqlite(path, "rwc" if create else "rw")
            db = Database(conn)
            try:
                reason = _prepare(db, path, always_check, create)
                if reason is not None:
                    if not allow_read_only:
                        hint = _restore_hint(path) if "damaged" in reason else (
                            "it can only be opened read-only")
                        raise StoreError(f"{reason}; {hint}", source=str(path))
                    db.execute("PRAGMA query_only = ON")
            except BaseException:
                conn.close()
                raise
    except sqlite3.Error as err:
        error = sqlite_error(path, err)
        if "not a usable" in str(error) and exists:
            hint = _restore_hint(path)
            if not hint.startswith("no backup"):
                error = StoreError(f"{error.detail}; if this is your Hercules database, {hint}",
                                   source=str(path))
        raise error from None
    except OSError as err:
        raise StoreError(f"cannot open the database ({err.strerror})", source=str(path)) from None
    if not exists:
        for p in [path, *(Path(f"{path}{s}") for s in SIDE_SUFFIXES)]:
            if p.exists():
                p.chmod(0o600)
    return db, reason


def _refuse_foreign(db: Database, path: Path, create: bool) -> None:
    """Refuse, before anything is written, a file that is not (and may not become) a store.

    Only reads: the journal mode and the schema are set later, so a foreign SQLite file, or an
    empty one opened without ``create``, is left exactly as it was.
    """
    try:
        tables = {str(r[0]) for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err):
            raise
        return  # damaged: the health check below says so
    if tables and "schema_version" not in tables:
        raise StoreError("not a Hercules database (it has tables but no schema version); "
                         "nothing was changed", source=str(path))
    if not tables and not create:
        raise StoreError("no Hercules database in this file (it is empty); nothing was changed",
                         source=str(path))


def _prepare(db: Database, path: Path, always_check: bool, create: bool) -> str | None:
    _refuse_foreign(db, path, create)
    db.execute("PRAGMA foreign_keys = ON")
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        reason = _damage(db.conn, path, always_check)
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err):
            raise
        reason = f"the database is damaged ({err})"
    if reason is not None:
        return reason
    version = current_version(db)
    if version > LATEST:
        return newer_message(version)
    migrate(db, before=lambda _version: _pre_migration_backup(db.conn, path))
    return None


def memory_db() -> Database:
    """An empty, up-to-date store in memory, read-only: what a database not yet created reads as."""
    db = Database(sqlite3.connect(":memory:", isolation_level=None))
    migrate(db)
    db.execute("PRAGMA query_only = ON")
    return db


def connect(path: Path, *, create: bool = True) -> Database:
    """Open (and if ``create``, create owner-only) the database with durable settings."""
    return open_db(path, create=create)[0]


@contextlib.contextmanager
def write_transaction(db: Database, path: Path) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT; the block's writes are durable once this exits cleanly."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as err:
        raise sqlite_error(path, err) from None
    try:
        yield
        db.execute("COMMIT")
    except sqlite3.Error as err:
        _rollback(db)
        raise sqlite_error(path, err) from None
    except BaseException:
        _rollback(db)
        raise


def _rollback(db: Database) -> None:
    # after a full disk or an I/O error SQLite may already have rolled back
    with contextlib.suppress(sqlite3.Error):
        db.rollback()


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn sqlite3 errors raised while reading into one-line StoreErrors."""
    try:
        yield
    except sqlite3.Error as err:
        raise sqlite_error(path, err) from None
