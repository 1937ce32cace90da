"""Command-line verbs of the resources layer: scenario, areas, sites, units, db, audit."""

from __future__ import annotations

import argparse
from typing import Any

from resources.commands_audit import register_audit
from resources.commands_data import register_data
from resources.commands_db import register_db
from resources.commands_scenario import register_scenario


class _WithoutVerbs:
    """A sub-parser set that drops the verbs another module registers.

    commands_data still registers an older `db` (check/backup); commands_db owns `db` now.
    """

    def __init__(self, inner: Any, skip: frozenset[str]) -> None:
        self._inner = inner
        self._skip = skip

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if name in self._skip:
            return argparse.ArgumentParser(prog=name, add_help=False)
        parser: argparse.ArgumentParser = self._inner.add_parser(name, **kwargs)
        return parser

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def register(subparsers: Any) -> None:
    """Add `scenario`, `areas`, `sites`, `units`, `db` and `audit` to a sub-parser set."""
    register_scenario(subparsers)
    register_data(_WithoutVerbs(subparsers, frozenset({"db"})))
    register_db(subparsers)
    register_audit(subparsers)
