"""Command-line verbs of the resources layer: scenario, areas, sites, units, db, audit."""

from __future__ import annotations

from typing import Any

from resources.commands_audit import register_audit
from resources.commands_data import register_data
from resources.commands_db import register_db
from resources.commands_scenario import register_scenario


def register(subparsers: Any) -> None:
    """Add `scenario`, `areas`, `sites`, `units`, `db` and `audit` to a sub-parser set."""
    register_scenario(subparsers)
    register_data(subparsers)
    register_db(subparsers)
    register_audit(subparsers)
