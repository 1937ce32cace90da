"""Reading another team's Hercules .db file defensively: read-only, no triggers, no extensions,
no schema of its own adopted; every document validated before anything is used."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.io import safe_json
from resources.io.plan_json import plan_from_dict
from resources.io.scenario_json import scenario_from_dict
from resources.model import Plan, Scenario

#: Largest foreign database read.
MAX_FILE_BYTES = 1024 * 1024 * 1024
#: Largest single document (scenario or plan JSON) read from it.
MAX_DOCUMENT_CHARS = safe_json.MAX_BYTES
MAX_SCENARIOS = 1_000
MAX_PLANS = 100_000
_MAGIC = b"SQLite format 3\x00"
#: The only functions the reading queries may call.
_FUNCTIONS = frozenset({"count", "length", "typeof", "max"})
_PRAGMAS = frozenset({"quick_check", "data_version"})


@dataclass(frozen=True)
class ForeignContent:
    """What a foreign database holds, fully validated."""

    source: str
    schema_version: int
    scenarios: tuple[Scenario, ...]
    plans: tuple[tuple[str, Plan], ...]


def _authorizer(action: int, arg1: str | None, arg2: str | None, _db: str | None,
                _trigger: str | None) -> int:
    """Allow reading only: SELECT, column reads, a few functions, two pragmas."""
    if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _FUNCTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in _PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _connect(path: Path) -> sqlite3.Connection:
    """Open the file read-only and immutable (no journal, no side files, nothing written)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                           isolation_level=None)
    try:
        if hasattr(conn, "enable_load_extension"):
            conn.enable_load_extension(False)
        for pragma in ("trusted_schema = OFF", "query_only = ON", "cell_size_check = ON",
                       "mmap_size = 0"):
            conn.execute(f"PRAGMA {pragma}")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_DOCUMENT_CHARS * 4 + 1024)
        conn.set_authorizer(_authorizer)
    except BaseException:
        conn.close()
        raise
    return conn


def _tables(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in conn.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()}


def _documents(conn: sqlite3.Connection, sql: str, limit: int, what: str,
               src: str) -> list[tuple[str, str]]:
    rows = conn.execute(sql, (limit + 1,)).fetchall()
    if len(rows) > limit:
        raise InputError(f"expected at most {limit} {what}s", source=src)
    out: list[tuple[str, str]] = []
    for key, kind, size, doc in rows:
        label = f"{what} {key!r}"
        if not isinstance(key, str) or kind != "text" or not isinstance(doc, str):
            raise InputError(f"{label}: expected a text key and a JSON text document, got "
                             f"{type(key).__name__} and {kind}", source=src)
        if int(size) > MAX_DOCUMENT_CHARS:
            raise InputError(f"{label}: document larger than {MAX_DOCUMENT_CHARS} characters",
                             source=src)
        out.append((key, doc))
    return out


def _parse(docs: list[tuple[str, str]], what: str, src: str,
           make: Callable[[Any, str], Any]) -> list[Any]:
    out = []
    for key, text in docs:
        where = f"{src}: {what} '{key}'"
        out.append(make(safe_json.parse_json(text, where), where))
    return out


def read_foreign_db(path: Path) -> ForeignContent:
    """Validate and read every scenario and plan of a Hercules database written elsewhere."""
    src = path.name
    if not path.is_file():
        raise InputError("file not found" if not path.exists() else "expected a regular file",
                         source=str(path))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", source=src)
    with path.open("rb") as fh:
        head = fh.read(len(_MAGIC))
    if head != _MAGIC:
        raise InputError("expected an SQLite database file", source=src)
    try:
        conn = _connect(path)
        try:
            return _read(conn, src)
        finally:
            conn.close()
    except sqlite3.Error as err:
        raise InputError(f"cannot read the database safely ({err})", source=src) from None


def _read(conn: sqlite3.Connection, src: str) -> ForeignContent:
    problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        raise InputError(f"the database is damaged ({problems[0]})", source=src)
    tables = _tables(conn)
    for name in ("schema_version", "scenarios"):
        if tables.get(name) != "table":
            raise InputError(f"not a Hercules database (no '{name}' table)", source=src)
    if tables.get("plans", "table") != "table":
        raise InputError(f"not a Hercules database ('plans' is a {tables['plans']})", source=src)
    version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    if not isinstance(version, int) or version < 1:
        raise InputError(f"not a Hercules database (schema version {version!r})", source=src)
    scen_docs = _documents(
        conn, "SELECT name, typeof(document), length(document), document FROM scenarios "
        "ORDER BY name LIMIT ?", MAX_SCENARIOS, "scenario", src)
    plan_docs: list[tuple[str, str]] = []
    if tables.get("plans") == "table":
        plan_docs = _documents(
            conn, "SELECT id, typeof(document), length(document), document FROM plans "
            "ORDER BY created_at, id LIMIT ?", MAX_PLANS, "plan", src)
    scenarios = _parse(scen_docs, "scenario", src, lambda d, s: scenario_from_dict(d, s))
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError("two scenarios share a name", source=src)
    parsed = _parse(plan_docs, "plan", src, lambda d, s: plan_from_dict(d, s))
    return ForeignContent(src, version, tuple(scenarios),
                          tuple((k, p) for (k, _), p in zip(plan_docs, parsed, strict=True)))
