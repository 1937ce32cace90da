"""Built-in scenarios that exist without any set-up (the embedded London)."""

from __future__ import annotations

import importlib
from functools import lru_cache

from resources.model import Scenario

#: Names of the built-in scenarios.
BUILTIN_NAMES: tuple[str, ...] = ("london",)


@lru_cache(maxsize=len(BUILTIN_NAMES))
def builtin_scenario(name: str) -> Scenario | None:
    """The embedded scenario called ``name``; None when there is none or it is not installed."""
    if name != "london":
        return None
    try:
        module = importlib.import_module("resources.london")
    except ModuleNotFoundError as err:
        if err.name in ("resources", "resources.london"):
            return None
        raise
    build = getattr(module, "build_london", None)
    if build is None:
        return None
    scenario = build()
    if not isinstance(scenario, Scenario):
        raise TypeError("build_london() did not return a Scenario")
    return scenario
