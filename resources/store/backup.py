"""Online backups (sqlite3 backup API, verified) and integrity checks of the store."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from resources.store.connection import BUSY_TIMEOUT_MS, private_umask
from resources.store.schema import LATEST, StoreError


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a database check; ``problems`` empty means healthy."""

    path: Path
    schema_version: int
    scenarios: int
    plans: int
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _open_existing(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StoreError("no database at this path", source=str(path))
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as err:
        raise StoreError(f"not a usable SQLite database ({err})", source=str(path)) from None
    return conn


def _integrity(conn: sqlite3.Connection, quick: bool) -> list[str]:
    pragma = "quick_check" if quick else "integrity_check"
    rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    return [] if rows == ["ok"] else rows


def check(path: Path, *, quick: bool = False) -> CheckResult:
    """PRAGMA integrity_check (or quick_check), foreign keys and schema version of a database."""
    conn = _open_existing(path)
    try:
        try:
            problems = _integrity(conn, quick)
            problems += [f"foreign key violation in {r[0]}"
                         for r in conn.execute("PRAGMA foreign_key_check").fetchall()]
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
        except sqlite3.Error as err:
            return CheckResult(path, 0, 0, 0, (f"cannot read the database: {err}",))
        version = 0
        counts = {"scenarios": 0, "plans": 0}
        if "schema_version" not in tables:
            problems.append("not a Hercules database (no schema_version table)")
        else:
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
        return CheckResult(path, version, counts["scenarios"], counts["plans"], tuple(problems))
    finally:
        conn.close()


def default_backup_path(store_path: Path, now: datetime | None = None) -> Path:
    """backups/hercules-YYYYMMDD-HHMMSS.db next to the database."""
    when = now or datetime.now()
    return store_path.parent / "backups" / f"{store_path.stem}-{when:%Y%m%d-%H%M%S}.db"


def backup(store_path: Path, dest: Path) -> Path:
    """Copy the live database to ``dest`` (never overwritten), verify it, return ``dest``."""
    if dest.exists():
        raise StoreError("refusing to overwrite an existing file", source=str(dest))
    src = _open_existing(store_path)
    tmp = dest.with_name(f".{dest.name}.partial")
    try:
        with private_umask():
            dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp.unlink(missing_ok=True)
            out = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                src.backup(out)
                out.execute("PRAGMA journal_mode = DELETE")
                problems = _integrity(out, quick=False)
            finally:
                out.close()
        if problems:
            raise StoreError(f"the backup failed its integrity check: {problems[0]}",
                             source=str(dest))
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(tmp, dest)
        except FileExistsError:
            raise StoreError("refusing to overwrite an existing file", source=str(dest)) from None
    except sqlite3.Error as err:
        raise StoreError(f"backup failed: {err}", source=str(dest)) from None
    except OSError as err:
        raise StoreError(f"backup failed ({err.strerror})", source=str(dest)) from None
    finally:
        src.close()
        tmp.unlink(missing_ok=True)
    return dest
