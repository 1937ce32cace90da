"""The database schema as ordered migrations; migration 1 is the first release's schema."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from resources.store import audit
from resources.store.audit import now_utc
from resources.store.errors import StoreError

__all__ = ["LATEST", "MIGRATIONS", "VERSION_TABLE", "Migration", "StoreError", "current_version",
           "migrate", "now_utc"]


@dataclass(frozen=True)
class Migration:
    """One schema step: its version, what it does, its SQL, and an optional data step."""

    version: int
    description: str
    statements: tuple[str, ...]
    after: Callable[[Database], None] | None = field(default=None, compare=False)


def _adopt_existing(db: Database) -> None:
    """Give every scenario and plan stored before the audit trail a first, baseline entry."""
    for name, doc, version in db.execute(
            "SELECT name, document, version FROM scenarios ORDER BY name").fetchall():
        audit.append(db, "scenario.adopt", audit.scenario_object(name), detail={
            "note": "stored before the audit trail began",
            "state": {"sha256": audit.text_sha256(doc), "version": int(version)}})
    for plan_id, doc in db.execute("SELECT id, document FROM plans ORDER BY rowid").fetchall():
        audit.append(db, "plan.adopt", audit.plan_object(plan_id), detail={
            "note": "stored before the audit trail began",
            "state": {"sha256": audit.text_sha256(doc), "status": "draft", "version": 1}})


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
    Migration(2, "audit trail; plan status and version", (
        audit.TABLE_SQL,
        "CREATE INDEX audit_object ON audit (object, seq)",
        *audit.TRIGGERS.values(),
        "ALTER TABLE plans ADD COLUMN status TEXT NOT NULL DEFAULT 'draft' "
        "CHECK (status IN ('draft', 'approved'))",
        "ALTER TABLE plans ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)",
        "ALTER TABLE plans ADD COLUMN status_by TEXT",
        "ALTER TABLE plans ADD COLUMN status_at TEXT",
    ), after=_adopt_existing),
)
LATEST = MIGRATIONS[-1].version

VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""


def current_version(db: Database) -> int:
    """The schema version recorded in the database (0: empty database)."""
    tables = set(db.table_names())
    if "schema_version" not in tables:
        if tables:
            raise StoreError("not a Hercules database (it has tables but no schema version)")
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def newer_message(version: int) -> str:
    """Why a database from a newer Hercules is not written to."""
    return (f"the database has schema version {version}, newer than this program "
            f"understands ({LATEST}); use a newer Hercules")


def migrate(db: Database, before: Callable[[int], str | None] | None = None) -> int:
    """Bring the schema up to LATEST in one IMMEDIATE transaction, recorded in the audit trail.

    ``before(version)`` runs first when an existing database needs migrating (the automatic
    backup) and returns the backup's name for the audit entry.
    """
    version = current_version(db)
    if version > LATEST:
        raise StoreError(newer_message(version))
    if version == LATEST:
        return version
    backup_name = before(version) if before is not None and version > 0 else None
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(VERSION_TABLE)
        start = version = current_version(db)
        for m in MIGRATIONS:
            if m.version <= version:
                continue
            for sql in m.statements:
                db.execute(sql)
            if m.after is not None:
                m.after(db)
            db.execute(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                (m.version, m.description, now_utc()),
            )
            version = m.version
        if version != start:
            detail: dict[str, object] = {"from": start, "to": version}
            if backup_name:
                detail["backup"] = backup_name
            audit.append(db, "db.create" if start == 0 else "db.migrate", "db", detail=detail)
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
    return version

