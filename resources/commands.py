"""Command-line verbs of the resources layer: scenario, areas, sites, units, db."""

from __future__ import annotations

from typing import Any

from resources.commands_data import register_data
from resources.commands_scenario import register_scenario


def register(subparsers: Any) -> None:
    """Add `scenario`, `areas`, `sites`, `units` and `db` to an argparse sub-parser set."""
    register_scenario(subparsers)
    register_data(subparsers)
