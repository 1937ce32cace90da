"""Careful reading of untrusted files: size cap, strict UTF-8, strict JSON, nesting cap."""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.model._check import clip, shown

#: Largest file the importers read.
MAX_BYTES = 50 * 1024 * 1024
#: Deepest nesting of arrays/objects accepted in a JSON document.
MAX_DEPTH = 64

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def read_bytes(path: Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, refusing missing files, directories and files over ``max_bytes``."""
    src = path.name
    if not path.exists():
        raise InputError("file not found", source=str(path))
    if not path.is_file():
        raise InputError("expected a regular file", source=str(path))
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise InputError(f"cannot read file ({err.strerror})", source=str(path)) from None
    if len(data) > max_bytes:
        raise InputError(f"file is larger than {max_bytes // (1024 * 1024)} MB", source=src)
    return data


def decode_utf8(data: bytes, source: str) -> str:
    """Decode strict UTF-8 (a leading byte-order mark is allowed), naming the bad line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("expected UTF-8 text, the file looks like UTF-16", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            f"expected UTF-8 text, found an invalid byte 0x{data[err.start]:02x}",
            source=source, location=f"line {line}",
        ) from None


def read_text(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    """A size-capped UTF-8 text file."""
    return decode_utf8(read_bytes(path, max_bytes=max_bytes), path.name)


#: Longest number token accepted in a JSON document (integers this long are never meant).
MAX_NUMBER_CHARS = 100


class _BadNumber(ValueError):
    """A number token the importers refuse; carries the token to locate it."""

    def __init__(self, token: str, message: str) -> None:
        super().__init__(message)
        self.token = token


def _reject_constant(name: str) -> Any:
    raise _BadNumber(name, f"expected a finite number, got {name}")


def _too_long(token: str) -> _BadNumber:
    return _BadNumber(token, f"expected a number of at most {MAX_NUMBER_CHARS} characters, got "
                             f"{token[:20]}... ({len(token):,} characters)")


def _finite_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _too_long(text)
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(text, f"expected a finite number, got {clip(text)} (out of range)")
    if value == 0.0 and any(ch in "123456789" for ch in text.lower().split("e")[0]):
        raise _BadNumber(text, f"expected a number a float can hold, got {clip(text)} (too "
                               "small: it would read as 0)")
    return value


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _too_long(text)
    return int(text)


def _number_line(text: str, token: str) -> str | None:
    """'line N' of the first number token ``token`` outside strings, when it can be found."""
    stripped = _STRINGS.sub('""', text)
    m = re.search(r"(?<![0-9A-Za-z.+-])" + re.escape(token) + r"(?![0-9A-Za-z.])", stripped)
    return None if m is None else f"line {stripped.count(chr(10), 0, m.start()) + 1}"


def _check_text(doc: Any, source: str) -> None:
    """Reject strings that are not valid Unicode text (lone UTF-16 surrogates from escapes)."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            texts: list[str] = [item]
        elif isinstance(item, dict):
            texts = list(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
            continue
        else:
            continue
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(f"invalid text {text[:40]!r}: a lone UTF-16 surrogate escape "
                                 "(not a character)", source=source) from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {shown(key)} in an object")
        out[key] = value
    return out


def _check_depth(text: str, source: str, max_depth: int) -> None:
    stripped = _STRINGS.sub('""', text)
    depth = 0
    for m in _BRACKETS.finditer(stripped):
        if m.group() in "[{":
            depth += 1
            if depth > max_depth:
                line = stripped.count("\n", 0, m.start()) + 1
                raise InputError(
                    f"expected arrays/objects nested at most {max_depth} deep",
                    source=source, location=f"line {line}",
                )
        else:
            depth -= 1


def parse_json(text: str, source: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse strict JSON (no NaN/Infinity, no duplicate keys), errors with line and column."""
    _check_depth(text, source, max_depth)
    try:
        doc = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float,
            parse_int=_bounded_int, object_pairs_hook=_no_duplicates,
        )
    except json.JSONDecodeError as err:
        raise InputError(
            f"broken JSON: {err.msg}", source=source,
            location=f"line {err.lineno}, column {err.colno}",
        ) from None
    except _BadNumber as err:
        raise InputError(f"invalid JSON: {err}", source=source,
                         location=_number_line(text, err.token)) from None
    except (ValueError, RecursionError) as err:
        raise InputError(f"invalid JSON: {err}", source=source) from None
    _check_text(doc, source)
    return doc


def read_json(path: Path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Read a JSON file safely; every failure is a one-line InputError naming the file."""
    return parse_json(read_text(path, max_bytes=max_bytes), path.name, max_depth=max_depth)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` via a temporary file and rename (all or nothing)."""
    target = path.resolve()
    if target.is_dir():
        raise InputError("expected a file name, got a directory", source=str(path))
    if not target.parent.is_dir():
        raise InputError("the folder does not exist", source=str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, doc: Any) -> None:
    """Write a JSON document (UTF-8, indented, finite numbers only) atomically."""
    write_text_atomic(path, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
