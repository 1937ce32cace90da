"""Built-in scenarios that exist without any set-up: the embedded London day and week."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from resources.london import build_london, build_london_week
from resources.model import Scenario

_BUILDERS: dict[str, Callable[[], Scenario]] = {
    "london": build_london,
    "london-week": build_london_week,
}

#: Names of the built-in scenarios.
BUILTIN_NAMES: tuple[str, ...] = tuple(_BUILDERS)


@lru_cache(maxsize=len(BUILTIN_NAMES))
def builtin_scenario(name: str) -> Scenario | None:
    """The embedded scenario called ``name``; None when there is none."""
    build = _BUILDERS.get(name)
    return build() if build is not None else None
