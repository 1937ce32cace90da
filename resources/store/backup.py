"""Online backups (sqlite3 backup API, verified, rotated) and integrity checks of the store."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from resources.store.audit_verify import AuditReport, verify
from resources.store.errors import StoreError
from resources.store.files import SIDE_SUFFIXES, fsync_path, open_sqlite, private_umask
from resources.store.schema import LATEST
from resources.store.schema_check import schema_problems

#: Plain backups kept in the backups folder when none is said.
DEFAULT_KEEP = 10
#: The most plain backups that may be kept.
MAX_KEEP = 10_000
_STAMP = r"\d{8}-\d{6}(?:-\d+)?"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a database check; ``problems`` empty means healthy."""

    path: Path
    schema_version: int
    scenarios: int
    plans: int
    problems: tuple[str, ...] = field(default_factory=tuple)
    audit: AuditReport | None = None

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _open_existing(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StoreError("no database at this path", source=str(path))
    try:
        conn = open_sqlite(path, "rw")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as err:
        raise StoreError(f"not a usable SQLite database ({err})", source=str(path)) from None
    return conn


def integrity(conn: sqlite3.Connection, quick: bool) -> list[str]:
    """Problems reported by PRAGMA integrity_check (or quick_check); empty when healthy."""
    pragma = "quick_check" if quick else "integrity_check"
    rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    return [] if rows == ["ok"] else rows


def check_connection(conn: sqlite3.Connection, path: Path, *, quick: bool = False,
                     audit: bool = True) -> CheckResult:
    """Integrity, foreign keys, schema version, counts and (schema 2+) the audit trail."""
    try:
        problems = integrity(conn, quick)
        problems += [f"foreign key violation in {r[0]}"
                     for r in conn.execute("PRAGMA foreign_key_check").fetchall()]
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    except sqlite3.Error as err:
        return CheckResult(path, 0, 0, 0, (f"cannot read the database: {err}",))
    version = 0
    counts = {"scenarios": 0, "plans": 0}
    report = None
    if "schema_version" not in tables:
        problems.append("not a Hercules database (no schema_version table)")
        return CheckResult(path, 0, 0, 0, tuple(problems))
    try:
        version = int(conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
                      or 0)
        if version > LATEST:
            problems.append(f"schema version {version} is newer than this program ({LATEST})")
        for name in counts:
            if name in tables:
                counts[name] = int(conn.execute(
                    "SELECT count(*) FROM scenarios" if name == "scenarios"
                    else "SELECT count(*) FROM plans").fetchone()[0])
            else:
                problems.append(f"table '{name}' is missing")
        if audit and version >= 2 and not problems:
            report = verify(Database(conn))
            problems += [f"audit trail: {p}" for p in report.problems]
        problems += [f"schema: {p}" for p in schema_problems(
            conn, version, audit_checked=report is not None)]
    except sqlite3.Error as err:
        problems.append(f"cannot read the database: {err}")
    return CheckResult(path, version, counts["scenarios"], counts["plans"], tuple(problems),
                       report)


def check(path: Path, *, quick: bool = False, audit: bool = True) -> CheckResult:
    """PRAGMA integrity_check (or quick_check), foreign keys, schema version and audit trail."""
    conn = _open_existing(path)
    try:
        return check_connection(conn, path, quick=quick, audit=audit)
    finally:
        conn.close()


def backups_folder(store_path: Path) -> Path:
    """The folder where backups of ``store_path`` go: backups/ next to the database."""
    return store_path.parent / "backups"


def default_backup_path(store_path: Path, now: datetime | None = None) -> Path:
    """backups/hercules-YYYYMMDD-HHMMSS.db next to the database."""
    when = now or datetime.now()
    return backups_folder(store_path) / f"{store_path.stem}-{when:%Y%m%d-%H%M%S}.db"


def unique_backup_path(store_path: Path, tag: str = "") -> Path:
    """A backup name that does not exist yet: the default name, with -2, -3 ... if taken."""
    base = default_backup_path(store_path)
    stem = base.stem + (f"-{tag}" if tag else "")
    for n in range(1, 10_000):
        candidate = base.with_name(f"{stem}{'' if n == 1 else f'-{n}'}.db")
        if not candidate.exists():
            return candidate
    raise StoreError("too many backups this second", source=str(base.parent))


def list_backups(store_path: Path) -> list[Path]:
    """This database's backups in its backups folder, newest first (safety copies included)."""
    folder = backups_folder(store_path)
    pattern = re.compile(rf"^{re.escape(store_path.stem)}-{_STAMP}(?:-[a-z][a-z0-9-]*)?\.db$")
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if pattern.match(p.name) and p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def check_keep(keep: int) -> int:
    """``keep`` if it is a sensible number of backups to keep (1-10000)."""
    if isinstance(keep, bool) or not isinstance(keep, int) or not 1 <= keep <= MAX_KEEP:
        raise StoreError(f"expected to keep at least 1 backup and at most {MAX_KEEP}, got "
                         f"{keep!r}", field="keep")
    return keep


def rotate_backups(store_path: Path, keep: int = DEFAULT_KEEP) -> list[Path]:
    """Delete plain backups beyond the newest ``keep`` (tagged safety copies are kept)."""
    check_keep(keep)
    plain = re.compile(rf"^{re.escape(store_path.stem)}-{_STAMP}\.db$")
    old = [p for p in list_backups(store_path) if plain.match(p.name)][keep:]
    for p in old:
        p.unlink(missing_ok=True)
    return old


def _folder_for(dest: Path, make_folder: bool) -> bool:
    """Make sure ``dest``'s folder exists; True when it was created here (to undo on failure).

    Only the backups folder itself is ever made (``make_folder``); an explicit destination in
    a missing folder is refused, as every other writer does.
    """
    folder = dest.parent
    if folder.is_dir():
        return False
    if not make_folder or not folder.parent.is_dir():
        raise StoreError("the folder does not exist", source=str(dest))
    folder.mkdir(mode=0o700)
    return True


def backup_connection(src: sqlite3.Connection, dest: Path, *, make_folder: bool = False) -> Path:
    """Copy an open database to ``dest`` (never overwritten) with the backup API and verify it.

    With ``make_folder`` a missing backups folder is created (and removed again if the backup
    fails); otherwise the folder must exist.
    """
    if dest.exists():
        raise StoreError("refusing to overwrite an existing file", source=str(dest))
    tmp = dest.with_name(f".{dest.name}.partial")
    made = False
    done = False
    try:
        with private_umask():
            made = _folder_for(dest, make_folder)
            tmp.unlink(missing_ok=True)
            out = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                src.backup(out)
                out.execute("PRAGMA journal_mode = DELETE")
                problems = integrity(out, quick=False)
            finally:
                out.close()
        if problems:
            raise StoreError(f"the backup failed its integrity check: {problems[0]}",
                             source=str(dest))
        fsync_path(tmp)
        try:
            os.link(tmp, dest)
        except FileExistsError:
            raise StoreError("refusing to overwrite an existing file", source=str(dest)) from None
        fsync_path(dest)
        done = True
    except sqlite3.Error as err:
        raise StoreError(f"backup failed: {err}; nothing was written", source=str(dest)) from None
    except OSError as err:
        raise StoreError(f"backup failed ({err.strerror or err}); nothing was written",
                         source=str(dest)) from None
    finally:
        for p in (tmp, *(Path(f"{tmp}{s}") for s in SIDE_SUFFIXES)):
            p.unlink(missing_ok=True)
        if made and not done:
            with contextlib.suppress(OSError):
                dest.parent.rmdir()
    return dest


def backup(store_path: Path, dest: Path) -> Path:
    """Copy the live database to ``dest`` (never overwritten), verify it, return ``dest``."""
    src = _open_existing(store_path)
    try:
        return backup_connection(src, dest)
    finally:
        src.close()
