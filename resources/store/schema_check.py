"""Whether a database's schema is exactly Hercules' own: no foreign tables, views, triggers or
indexes, and none of its own altered (checked before a file is restored or trusted)."""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache

from resources.store.schema import LATEST, MIGRATIONS, VERSION_TABLE

#: (type, name) -> (table it belongs to, normalised SQL)
Objects = dict[tuple[str, str], tuple[str, str]]
#: SQLite's own statistics tables (ANALYZE); they hold planner hints only.
_STAT_TABLES = frozenset({"sqlite_stat1", "sqlite_stat4"})
_PUNCT = re.compile(r"\s*([(),])\s*")
#: Tables whose absence check_connection already reports.
_REPORTED_MISSING = frozenset({"scenarios", "plans"})


def normalise(sql: str | None) -> str:
    """SQL text with whitespace made uniform (as stored, 'IF NOT EXISTS' is dropped by SQLite)."""
    text = _PUNCT.sub(r"\1", " ".join((sql or "").split()))
    return re.sub(r"(?i)^(CREATE TABLE) IF NOT EXISTS ", r"\1 ", text)


@lru_cache(maxsize=LATEST + 1)
def expected_objects(version: int) -> Objects:
    """The schema objects a Hercules database of ``version`` holds (built in memory)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute(VERSION_TABLE)
        for m in MIGRATIONS:
            if m.version <= version:
                for sql in m.statements:
                    conn.execute(sql)
        return _objects(conn)
    finally:
        conn.close()


def _objects(conn: sqlite3.Connection) -> Objects:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return {(str(t), str(n)): (str(tbl), normalise(sql)) for t, n, tbl, sql in rows}


def schema_problems(conn: sqlite3.Connection, version: int, *,
                    audit_checked: bool = False) -> list[str]:
    """Objects added, altered or missing against Hercules' schema of ``version``.

    With ``audit_checked`` the audit table and its triggers are left to the audit verification
    (which names them), so they are not reported twice.
    """
    if not 1 <= version <= LATEST:
        return []
    expected = expected_objects(version)
    actual = _objects(conn)
    out: list[str] = []
    for (kind, name), (table, sql) in sorted(actual.items()):
        if (kind, name) in expected:
            want_table, want_sql = expected[(kind, name)]
            covered = audit_checked and want_table == "audit" and kind in ("table", "trigger")
            if (table, sql) != (want_table, want_sql) and not covered:
                out.append(f"the {kind} '{name}' differs from Hercules' definition (altered "
                           "outside Hercules)")
        elif kind == "table" and name in _STAT_TABLES:
            continue
        elif not (audit_checked and kind == "trigger" and table == "audit"):
            out.append(f"unexpected {kind} '{name}' (not part of a Hercules database: added "
                       "outside Hercules)")
    for (kind, name), (table, _sql) in sorted(expected.items()):
        if (kind, name) in actual or (kind == "table" and name in _REPORTED_MISSING):
            continue
        if not (audit_checked and table == "audit" and kind in ("table", "trigger")):
            out.append(f"the {kind} '{name}' is missing")
    return out
