"""The SQLite store (through sqlite-utils): scenarios, plan history, audit trail, backups."""

from resources.store.admin import Changes
from resources.store.audit import AuditEntry
from resources.store.audit_verify import AuditReport
from resources.store.backup import (
    CheckResult,
    backup,
    check,
    default_backup_path,
    list_backups,
    rotate_backups,
)
from resources.store.builtin import BUILTIN_NAMES, builtin_scenario
from resources.store.errors import ConflictError, ReadOnlyError, StoreError
from resources.store.paths import default_db_path
from resources.store.restore import (
    RestoreResult,
    latest_usable_backup,
    newest_usable_backup,
    restore,
)
from resources.store.schema import LATEST as SCHEMA_VERSION
from resources.store.store import ImportSummary, PlanInfo, ScenarioInfo, Store

__all__ = [
    "BUILTIN_NAMES", "SCHEMA_VERSION", "AuditEntry", "AuditReport", "Changes", "CheckResult",
    "ConflictError", "ImportSummary", "PlanInfo", "ReadOnlyError", "RestoreResult",
    "ScenarioInfo", "Store", "StoreError", "backup", "builtin_scenario", "check",
    "default_backup_path", "default_db_path", "latest_usable_backup", "list_backups",
    "newest_usable_backup", "restore", "rotate_backups",
]
