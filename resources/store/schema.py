"""The database schema as ordered migrations; migration 1 is the first release's schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from resources.errors import InputError


class StoreError(InputError):
    """The database cannot be used as asked (wrong file, newer schema, busy, full disk)."""


@dataclass(frozen=True)
class Migration:
    """One schema step: its version, what it does, and its SQL statements."""

    version: int
    description: str
    statements: tuple[str, ...]


#: Never edit a released migration; append a new one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "scenarios and plans", (
        """CREATE TABLE scenarios (
            name TEXT PRIMARY KEY NOT NULL,
            document TEXT NOT NULL CHECK (json_valid(document)),
            version INTEGER NOT NULL CHECK (version >= 1),
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE plans (
            id TEXT PRIMARY KEY NOT NULL,
            scenario TEXT NOT NULL,
            threat_level TEXT NOT NULL,
            created_at TEXT NOT NULL,
            day INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            document TEXT NOT NULL CHECK (json_valid(document)),
            seed INTEGER
        )""",
        "CREATE INDEX plans_scenario_created ON plans (scenario, created_at)",
    )),
)
LATEST = MIGRATIONS[-1].version

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""


def now_utc() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def current_version(db: Database) -> int:
    """The schema version recorded in the database (0: empty database)."""
    tables = set(db.table_names())
    if "schema_version" not in tables:
        if tables:
            raise StoreError("not a Hercules database (it has tables but no schema version)")
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(db: Database) -> int:
    """Bring the schema up to LATEST, each step in one IMMEDIATE transaction."""
    version = current_version(db)
    if version > LATEST:
        raise StoreError(
            f"the database has schema version {version}, newer than this program "
            f"understands ({LATEST}); use a newer Hercules"
        )
    if version == LATEST:
        return version
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(_VERSION_TABLE)
        version = current_version(db)
        for m in MIGRATIONS:
            if m.version <= version:
                continue
            for sql in m.statements:
                db.execute(sql)
            db.execute(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                (m.version, m.description, now_utc()),
            )
            version = m.version
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
    return version
