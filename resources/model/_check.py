"""Small validators shared by the domain objects; each raises InputError naming the field."""

from __future__ import annotations

import math
import re

from resources.errors import InputError

_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.'()&/-]{0,79}$")
#: Plain ASCII decimal notation: optional sign, digits, optional fraction and exponent.
ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: Plain ASCII whole number: optional sign and digits.
ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")
#: Characters of a bad value echoed in an error message.
SHOWN = 40


def shown(value: object, limit: int = SHOWN) -> str:
    """A bad value for an error message: its repr, cut to ``limit`` characters with '...'."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"a whole number of about {digits:,} digits"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def clip(text: str, limit: int = SHOWN) -> str:
    """``text`` cut to ``limit`` characters with '...' (for names echoed without quotes)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def label(value: object) -> str:
    """A record's name for an error's location, cut to a readable length."""
    return clip(str(value), 80)


def ident(value: object, field: str) -> str:
    """A non-empty identifier of at most 80 printable characters."""
    if not isinstance(value, str) or not _IDENT.match(value):
        raise InputError(
            f"expected an identifier of 1-80 letters, digits or ' _.-()&/', got {shown(value)}",
            field=field,
        )
    return value


def text(value: object, field: str, *, max_len: int = 200, empty: bool = False) -> str:
    """A string of at most ``max_len`` characters without control characters."""
    if not isinstance(value, str) or len(value) > max_len or (not empty and not value.strip()):
        raise InputError(f"expected text of 1-{max_len} characters, got {shown(value)}",
                         field=field)
    if any(ord(ch) < 32 for ch in value):
        raise InputError("expected text without control characters", field=field)
    return value


def number(value: object, field: str, *, lo: float | None = None, hi: float | None = None) -> float:
    """A finite real number within [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"expected a number, got {shown(value)}", field=field)
    try:
        f = float(value)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f):
        raise InputError(f"expected a finite number, got {shown(value)}", field=field)
    if (lo is not None and f < lo) or (hi is not None and f > hi):
        rng = f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]"
        raise InputError(f"expected a number in {rng}, got {shown(value)}", field=field)
    return f


def integer(value: object, field: str, *, lo: int | None = None, hi: int | None = None) -> int:
    """A whole number within [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InputError(f"expected a whole number, got {shown(value)}", field=field)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise InputError(f"expected a whole number in [{lo}, {hi}], got {shown(value)}",
                         field=field)
    return value


def lonlat(lon: object, lat: object) -> tuple[float, float]:
    """A WGS84 longitude/latitude pair in degrees."""
    return number(lon, "lon", lo=-180.0, hi=180.0), number(lat, "lat", lo=-90.0, hi=90.0)
