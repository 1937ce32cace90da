"""Typed access to untrusted JSON objects; every error names the source, JSON path and field."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any, TypeVar

from resources.errors import InputError
from resources.model._check import clip, shown

E = TypeVar("E", bound=Enum)
T = TypeVar("T")


class _Missing:
    """Marker for 'no default given'."""


MISSING: Any = _Missing()


class LocatedError(InputError):
    """An InputError that already names its source and JSON path."""


def describe(value: object) -> str:
    """A short description of a JSON value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return shown(value)


class Obj:
    """A JSON object at ``path`` inside ``source``; typed getters raise precise InputErrors."""

    def __init__(self, data: object, path: str = "", source: str | None = None) -> None:
        self.path = path
        self.source = source
        if not isinstance(data, dict):
            raise self.error(f"expected an object, got {describe(data)}")
        self.data: dict[str, Any] = data

    def error(self, message: str, key: str | None = None) -> InputError:
        """An InputError located at this object (and field ``key``)."""
        field = None if key is None else clip(key, 60)
        return LocatedError(message, source=self.source, location=self.path or None, field=field)

    def wrap(self, err: InputError) -> InputError:
        """Place an error raised by a domain constructor at this object."""
        if isinstance(err, LocatedError):
            return err
        moved = err.within(source=self.source, location=self.path or None)
        return LocatedError(moved.detail, source=moved.source, location=moved.location,
                            field=moved.field)

    def child(self, key: str) -> str:
        """The JSON path of a member."""
        return f"{self.path}.{key}" if self.path else key

    def only(self, allowed: set[str] | frozenset[str]) -> Obj:
        """Reject keys outside ``allowed`` (catches misspelt field names)."""
        for key in self.data:
            if key not in allowed:
                raise self.error(
                    f"unknown field; expected one of {', '.join(sorted(allowed))}", key
                )
        return self

    def has(self, key: str) -> bool:
        """True when ``key`` is present and not null."""
        return self.data.get(key) is not None

    def raw(self, key: str, default: Any = MISSING) -> Any:
        """The value at ``key``; missing or null gives ``default`` (or an error without one)."""
        value = self.data.get(key)
        if value is None:
            if default is MISSING:
                raise self.error("missing required field", key)
            return default
        return value

    def text(self, key: str, default: Any = MISSING, *, max_len: int = 200,
             empty: bool = False) -> str:
        """A string without control characters, at most ``max_len`` long."""
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return str(value)
        if not isinstance(value, str):
            raise self.error(f"expected text, got {describe(value)}", key)
        if len(value) > max_len or (not empty and not value.strip()):
            raise self.error(f"expected text of 1-{max_len} characters, got {describe(value)}",
                             key)
        if any(ord(ch) < 32 for ch in value):
            raise self.error("expected text without control characters", key)
        return value

    def opt_text(self, key: str, *, max_len: int = 200) -> str | None:
        """A string, or None when missing, null or empty."""
        if not self.has(key) or self.data[key] == "":
            return None
        return self.text(key, max_len=max_len)

    def number(self, key: str, default: Any = MISSING, *, lo: float | None = None,
               hi: float | None = None) -> float:
        """A finite number within [lo, hi], as a float."""
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"expected a number, got {describe(value)}", key)
        try:
            f = float(value)
        except OverflowError:
            f = math.inf
        if not math.isfinite(f):
            raise self.error(f"expected a finite number, got {describe(value)}", key)
        if (lo is not None and f < lo) or (hi is not None and f > hi):
            raise self.error(f"expected a number in [{lo}, {hi}], got {describe(value)}", key)
        return f

    def opt_number(self, key: str) -> float | None:
        """A finite number, or None when missing or null."""
        return self.number(key) if self.has(key) else None

    def integer(self, key: str, default: Any = MISSING, *, lo: int | None = None,
                hi: int | None = None) -> int:
        """A whole number within [lo, hi] (an integral float like 3.0 is accepted)."""
        value = self.raw(key, default)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"expected a whole number, got {describe(value)}", key)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            rng = f"[{'-' if lo is None else lo}, {'-' if hi is None else hi}]"
            raise self.error(f"expected a whole number in {rng}, got {describe(value)}", key)
        return value

    def boolean(self, key: str, default: Any = MISSING) -> bool:
        """true or false."""
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.error(f"expected true or false, got {describe(value)}", key)
        return value

    def choice(self, key: str, enum: type[E], default: Any = MISSING) -> E:
        """One of an enumeration's values."""
        value = self.raw(key, default)
        if isinstance(value, enum):
            return value
        try:
            return enum(value)
        except ValueError:
            names = ", ".join(str(m.value) for m in enum)
            raise self.error(f"expected one of {names}, got {describe(value)}", key) from None

    def obj(self, key: str, default: Any = MISSING) -> Obj:
        """A nested object."""
        return Obj(self.raw(key, default), self.child(key), self.source)

    def array(self, key: str, default: Any = MISSING, *, max_len: int = 1_000_000) -> list[Any]:
        """A list."""
        value = self.raw(key, default)
        if not isinstance(value, list):
            raise self.error(f"expected a list, got {describe(value)}", key)
        if len(value) > max_len:
            raise self.error(f"expected at most {max_len} items, got {len(value)}", key)
        return value

    def objects(self, key: str, default: Any = MISSING) -> Iterator[Obj]:
        """The objects of a list, each located as ``key[i]``."""
        for i, item in enumerate(self.array(key, default)):
            yield Obj(item, f"{self.child(key)}[{i}]", self.source)

    def strings(self, key: str, default: Any = MISSING) -> list[str]:
        """A list of non-empty strings."""
        out: list[str] = []
        for i, item in enumerate(self.array(key, default)):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"expected text at position {i}, got {describe(item)}", key)
            out.append(item)
        return out

    def build(self, make: Callable[[], T]) -> T:
        """Run a domain constructor, placing any InputError it raises at this object."""
        try:
            return make()
        except LocatedError:
            raise
        except InputError as err:
            raise self.wrap(err) from None


def unique(objs: list[tuple[str, Obj]], what: str, key: str) -> None:
    """Raise at the second of two objects sharing an identifier, naming the first."""
    first: dict[str, Obj] = {}
    for ident, o in objs:
        if ident in first:
            raise o.error(f"duplicate {what} '{ident}' (first at {first[ident].path})", key)
        first[ident] = o
