"""Small validators shared by the domain objects; each raises InputError naming the field."""

from __future__ import annotations

import math
import re

from resources.errors import InputError

_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.'()&/-]{0,79}$")


def ident(value: object, field: str) -> str:
    """A non-empty identifier of at most 80 printable characters."""
    if not isinstance(value, str) or not _IDENT.match(value):
        raise InputError(
            f"expected an identifier of 1-80 letters, digits or ' _.-()&/', got {value!r}",
            field=field,
        )
    return value


def text(value: object, field: str, *, max_len: int = 200, empty: bool = False) -> str:
    """A string of at most ``max_len`` characters without control characters."""
    if not isinstance(value, str) or len(value) > max_len or (not empty and not value.strip()):
        raise InputError(f"expected text of 1-{max_len} characters, got {value!r}", field=field)
    if any(ord(ch) < 32 for ch in value):
        raise InputError("expected text without control characters", field=field)
    return value


def number(value: object, field: str, *, lo: float | None = None, hi: float | None = None) -> float:
    """A finite real number within [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"expected a number, got {value!r}", field=field)
    f = float(value)
    if not math.isfinite(f):
        raise InputError(f"expected a finite number, got {value!r}", field=field)
    if (lo is not None and f < lo) or (hi is not None and f > hi):
        rng = f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
        raise InputError(f"expected a number in {rng}, got {value!r}", field=field)
    return f


def integer(value: object, field: str, *, lo: int | None = None, hi: int | None = None) -> int:
    """A whole number within [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InputError(f"expected a whole number, got {value!r}", field=field)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise InputError(f"expected a whole number in [{lo}, {hi}], got {value!r}", field=field)
    return value


def lonlat(lon: object, lat: object) -> tuple[float, float]:
    """A WGS84 longitude/latitude pair in degrees."""
    return number(lon, "lon", lo=-180.0, hi=180.0), number(lat, "lat", lo=-90.0, hi=90.0)
