"""The SQLite store (through sqlite-utils): scenarios, plan history, backups and checks."""

from resources.store.backup import CheckResult, backup, check, default_backup_path
from resources.store.builtin import BUILTIN_NAMES, builtin_scenario
from resources.store.paths import default_db_path
from resources.store.schema import LATEST as SCHEMA_VERSION
from resources.store.schema import StoreError
from resources.store.store import ConflictError, PlanInfo, ScenarioInfo, Store

__all__ = [
    "BUILTIN_NAMES", "SCHEMA_VERSION", "CheckResult", "ConflictError", "PlanInfo",
    "ScenarioInfo", "Store", "StoreError", "backup", "builtin_scenario", "check",
    "default_backup_path", "default_db_path",
]
