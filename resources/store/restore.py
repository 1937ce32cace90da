"""Restoring the database from a verified backup, keeping a safety copy, recorded in the trail."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from resources.store import audit
from resources.store.backup import (
    backup_connection,
    backups_folder,
    check,
    integrity,
    list_backups,
    unique_backup_path,
)
from resources.store.connection import write_transaction
from resources.store.errors import StoreError
from resources.store.files import SIDE_SUFFIXES, fsync_path, open_sqlite, private_umask
from resources.store.schema import current_version, migrate
from resources.store.schema_check import schema_problems


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the backup used, the copy of the replaced database, the new head."""

    restored_from: Path
    safety_copy: Path | None
    head: str
    scenarios: int
    plans: int


def usable_backup(path: Path) -> tuple[int, int, str]:
    """Check a backup (integrity, schema, audit trail); (scenarios, plans, audit head) if good."""
    result = check(path)
    if not result.ok:
        raise StoreError(f"the backup cannot be used: {result.problems[0]}", source=str(path))
    head = result.audit.head if result.audit is not None else audit.GENESIS
    return result.scenarios, result.plans, head


def newest_usable_backup(store_path: Path) -> tuple[Path, list[str]]:
    """The newest backup that passes its checks, and why each newer one was skipped."""
    reasons: list[str] = []
    for candidate in list_backups(store_path):
        try:
            usable_backup(candidate)
        except StoreError as err:
            reasons.append(f"{candidate.name}: {err.detail}")
            continue
        return candidate, reasons
    found = f" ({len(reasons)} found, none usable: {reasons[0]})" if reasons else ""
    raise StoreError(f"no usable backup in {backups_folder(store_path)}{found}",
                     source=str(store_path))


def latest_usable_backup(store_path: Path) -> Path:
    """The newest backup of the database that passes its checks."""
    return newest_usable_backup(store_path)[0]


def _live_head(store_path: Path) -> str | None:
    with contextlib.suppress(sqlite3.Error, OSError):
        conn = open_sqlite(store_path, "ro")
        try:
            row = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            return str(row[0]) if row else audit.GENESIS
        finally:
            conn.close()
    return None


def _verified_copy(store_path: Path, dest: Path) -> Path | None:
    try:
        conn = open_sqlite(store_path, "rw")
        try:
            return backup_connection(conn, dest, make_folder=True)
        finally:
            conn.close()
    except (sqlite3.Error, StoreError):
        return None


def _safety_copy(store_path: Path) -> Path | None:
    """Keep the database being replaced: a verified backup, or its raw files if damaged."""
    if not store_path.exists():
        return None
    copy = _verified_copy(store_path, unique_backup_path(store_path, "before-restore"))
    if copy is not None:
        return copy
    dest = unique_backup_path(store_path, "damaged")
    with private_umask():
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(store_path, dest)
        wal = Path(f"{store_path}-wal")
        if wal.exists():
            shutil.copyfile(wal, Path(f"{dest}-wal"))
    return dest


def _prepare(backup_path: Path, tmp: Path, detail: dict[str, object]) -> str:
    """Copy the backup to ``tmp``, bring it up to date and record the restore in it."""
    src = open_sqlite(backup_path, "ro")
    try:
        with private_umask():
            out = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    db = Database(open_sqlite(tmp, "rw"))
    try:
        foreign = schema_problems(db.conn, current_version(db))
        if foreign:  # the file changed after it was checked
            raise StoreError(f"the backup cannot be used: schema: {foreign[0]}",
                             source=str(backup_path))
        db.execute("PRAGMA journal_mode = DELETE")
        migrate(db)
        with write_transaction(db, tmp):
            entry = audit.append(db, "db.restore", "db", detail=detail)
        problems = integrity(db.conn, quick=False)
        if problems:
            raise StoreError(f"the restored copy failed its check: {problems[0]}",
                             source=str(backup_path))
        return entry.hash
    finally:
        db.close()


def _copy_into_live(tmp: Path, store_path: Path) -> bool:
    """Copy ``tmp`` over the live database through SQLite (one step, under its locks)."""
    try:
        live = open_sqlite(store_path, "rw")
        try:
            src = open_sqlite(tmp, "ro")
            try:
                src.backup(live)
            finally:
                src.close()
            return not integrity(live, quick=True)
        finally:
            live.close()
    except sqlite3.Error:
        return False


def _install(tmp: Path, store_path: Path) -> None:
    """Put the prepared copy in place: through SQLite, or by replacing an unusable file."""
    if store_path.exists() and _copy_into_live(tmp, store_path):
        return
    staged = store_path.with_name(f".{store_path.name}.restoring")
    shutil.copyfile(tmp, staged)
    fsync_path(staged)
    for suffix in SIDE_SUFFIXES:
        Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    os.replace(staged, store_path)
    fsync_path(store_path)


def restore(store_path: Path, backup_path: Path) -> RestoreResult:
    """Replace the database with a verified backup; the replaced one is kept as a safety copy.

    Changes made after the backup are no longer in the database (they stay in the safety copy).
    """
    store_path = store_path.expanduser()
    backup_path = backup_path.expanduser()
    if backup_path.resolve() == store_path.resolve():
        raise StoreError("cannot restore a database from itself", source=str(backup_path))
    scenarios, plan_count, backup_head = usable_backup(backup_path)
    replaced_head = _live_head(store_path)
    safety = _safety_copy(store_path)
    folder = backups_folder(store_path)
    made = not folder.is_dir()
    with private_umask():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = folder / f".restore-{os.getpid()}.db"
    tmp.unlink(missing_ok=True)
    detail: dict[str, object] = {
        "from": str(backup_path), "backup_head": backup_head, "replaced_head": replaced_head,
        "safety_copy": str(safety) if safety else None,
    }
    try:
        head = _prepare(backup_path, tmp, detail)
        with private_umask():
            _install(tmp, store_path)
    except sqlite3.Error as err:
        raise StoreError(f"restore failed: {err}; the database was not changed",
                         source=str(store_path)) from None
    except OSError as err:
        raise StoreError(f"restore failed ({err.strerror})", source=str(store_path)) from None
    finally:
        for p in [tmp, *(Path(f"{tmp}{s}") for s in SIDE_SUFFIXES)]:
            p.unlink(missing_ok=True)
        if made:  # a failed restore into a new place leaves no empty backups folder
            with contextlib.suppress(OSError):
                folder.rmdir()
    return RestoreResult(backup_path, safety, head, scenarios, plan_count)
