"""Where the per-user database lives."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def default_db_path(env: Mapping[str, str] | None = None) -> Path:
    """HERCULES_DB, else $XDG_DATA_HOME/hercules/hercules.db, else ~/.local/share/..."""
    env = os.environ if env is None else env
    explicit = env.get("HERCULES_DB", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else (
        Path.home() / ".local" / "share"
    )
    return base / "hercules" / "hercules.db"
