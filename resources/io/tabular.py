"""Sites and units as CSV or JSON files: validated all-or-nothing import and safe export."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from resources.errors import InputError
from resources.io import safe_json
from resources.io.fields import Obj, describe, unique
from resources.io.records import (
    SITE_FIELDS,
    UNIT_FIELDS,
    site_from,
    site_to_dict,
    unit_from,
    unit_to_dict,
)
from resources.model import Site, Unit, UnitType
from resources.model._check import ASCII_INTEGER, ASCII_NUMBER, clip

T = TypeVar("T")

SITES_FORMAT = "hercules-sites/1"
UNITS_FORMAT = "hercules-units/1"
#: Cells starting with one of these could run as a spreadsheet formula.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")

#: Column kinds; columns not listed are text.
_NUMBER = frozenset({"lon", "lat", "risk", "base_lon", "base_lat"})
_INTEGER = frozenset({"min_presence", "max_presence", "officers"})
_LISTS = frozenset({"modes"})
SITE_REQUIRED = ("id", "name", "kind", "sector", "lon", "lat", "borough", "risk")
UNIT_REQUIRED = ("callsign", "type", "base_lon", "base_lat", "borough")
#: Longest number cell accepted.
_MAX_NUMBER_CHARS = 100
#: Records accepted in one sites or units file.
MAX_ROWS = 100_000


def file_format(path: Path) -> str:
    """'csv' or 'json' from the file extension."""
    ext = path.suffix.lower()
    if ext not in (".csv", ".json"):
        raise InputError(f"expected a .csv or .json file, got '{ext or path.name}'",
                         source=path.name)
    return ext[1:]


def read_sites(path: Path) -> tuple[Site, ...]:
    """Sites from a CSV or JSON file; any bad row rejects the whole file."""
    objs = _read_objs(path, SITE_FIELDS, SITE_REQUIRED, "sites", SITES_FORMAT)
    return _build(objs, site_from, "id", "site id")


def read_units(path: Path, types: Mapping[str, UnitType]) -> tuple[Unit, ...]:
    """Units from a CSV or JSON file, checked against ``types``; any bad row rejects all."""
    objs = _read_objs(path, UNIT_FIELDS, UNIT_REQUIRED, "units", UNITS_FORMAT)
    return _build(objs, lambda o: unit_from(o, types), "callsign", "callsign")


def write_sites(path: Path, sites: Sequence[Site]) -> None:
    """Write sites as CSV or JSON (by extension)."""
    rows = [site_to_dict(s) for s in sites]
    _write(path, rows, SITE_FIELDS, "sites", SITES_FORMAT)


def write_units(path: Path, units: Sequence[Unit]) -> None:
    """Write units as CSV or JSON (by extension)."""
    rows = [unit_to_dict(u) for u in units]
    _write(path, rows, UNIT_FIELDS, "units", UNITS_FORMAT)


def neutralise(cell: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula."""
    return "'" + cell if _FORMULA.match(cell) else cell


def unneutralise(cell: str) -> str:
    """Undo :func:`neutralise` on import."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell


def _build(objs: list[Obj], make: Callable[[Obj], T], key: str, what: str) -> tuple[T, ...]:
    built = tuple(make(o) for o in objs)
    unique([(str(o.data[key]), o) for o in objs], what, key)
    return built


def _read_objs(path: Path, columns: Sequence[str], required: Sequence[str], key: str,
               fmt: str) -> list[Obj]:
    if file_format(path) == "json":
        doc = safe_json.read_json(path)
        if isinstance(doc, dict):
            top = Obj(doc, "", path.name).only({"format", key})
            if top.raw("format") != fmt:
                raise top.error(f"expected '{fmt}', got {describe(top.raw('format'))}", "format")
            top.array(key, max_len=MAX_ROWS)
            return list(top.objects(key))
        if isinstance(doc, list):
            if len(doc) > MAX_ROWS:
                raise InputError(f"expected at most {MAX_ROWS:,} {key}, got {len(doc):,}",
                                 source=path.name)
            return [Obj(item, f"[{i}]", path.name) for i, item in enumerate(doc)]
        raise InputError(f"expected a list of {key} or a '{fmt}' document", source=path.name)
    return _csv_objs(path, columns, required)


def _csv_objs(path: Path, columns: Sequence[str], required: Sequence[str]) -> list[Obj]:
    src = path.name
    text = safe_json.read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InputError("the file is empty; expected a header row", source=src)
        header = [h.strip().lower() for h in header]
        for i, h in enumerate(header):
            if h not in columns:
                raise InputError(f"unknown column '{clip(h)}'; expected columns from "
                                 f"{', '.join(columns)}", source=src, location="line 1")
            if h in header[:i]:
                raise InputError(f"duplicate column '{clip(h)}'", source=src, location="line 1")
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}", source=src,
                             location="line 1")
        out: list[Obj] = []
        start = reader.line_num + 1
        for row in reader:
            if row and any(cell.strip() for cell in row):
                if len(out) >= MAX_ROWS:
                    raise InputError(f"expected at most {MAX_ROWS:,} rows", source=src,
                                     location=f"line {start}")
                out.append(_row_obj(row, header, src, start))
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputError(f"broken CSV: {err}", source=src,
                         location=f"line {reader.line_num}") from None
    return out


def _row_obj(row: list[str], header: list[str], src: str, line: int) -> Obj:
    where = f"line {line}"
    if len(row) != len(header):
        raise InputError(f"expected {len(header)} cells, got {len(row)}", source=src,
                         location=where)
    data: dict[str, Any] = {}
    for col, cell in zip(header, row, strict=True):
        if not cell.strip():
            continue
        data[col] = _cell_value(cell, col, src, where)
    return Obj(data, where, src)


def _cell_value(cell: str, col: str, src: str, where: str) -> Any:
    if col in _NUMBER or col in _INTEGER:
        return _cell_number(cell.strip(), col, src, where)
    if col in _LISTS:
        return [p.strip() for p in cell.split(";") if p.strip()]
    return unneutralise(cell)


def _cell_number(cell: str, col: str, src: str, where: str) -> int | float:
    """A number in plain ASCII decimal notation (no '_', no other scripts' digits, no hex)."""
    whole = col in _INTEGER
    pattern = ASCII_INTEGER if whole else ASCII_NUMBER
    kind = "a whole number" if whole else "a number"
    if len(cell) > _MAX_NUMBER_CHARS:
        raise InputError(f"expected {kind} of at most {_MAX_NUMBER_CHARS} characters, got "
                         f"{describe(cell)}", source=src, location=where, field=col)
    if not pattern.fullmatch(cell):
        raise InputError(_not_plain(cell, kind), source=src, location=where, field=col)
    if whole:
        return int(cell)
    value = float(cell)
    if not math.isfinite(value):
        raise InputError(f"expected a finite number, got {describe(cell)}", source=src,
                         location=where, field=col)
    if value == 0.0 and any(ch in "123456789" for ch in cell.lower().split("e")[0]):
        raise InputError(f"expected a number a float can hold, got {describe(cell)} (too "
                         "small: it would read as 0)", source=src, location=where, field=col)
    return value


def _not_plain(cell: str, kind: str) -> str:
    """Why ``cell`` is refused, with a hint when Python alone would have read it as a number."""
    try:
        value = float(cell)
    except (ValueError, OverflowError):
        return f"expected {kind}, got {describe(cell)}"
    if not math.isfinite(value):
        return f"expected a finite number, got {describe(cell)}"
    if ASCII_NUMBER.fullmatch(cell):
        return f"expected {kind}, got {describe(cell)}"
    return (f"expected {kind} in plain ASCII decimal digits (such as 12 or -0.1, without '_'), "
            f"got {describe(cell)}")


def _write(path: Path, rows: list[dict[str, Any]], columns: Sequence[str], key: str,
           fmt: str) -> None:
    if file_format(path) == "json":
        safe_json.write_json(path, {"format": fmt, key: rows})
        return
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row[c]) for c in columns])
    safe_json.write_text_atomic(path, buf.getvalue())


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return ";".join(neutralise(str(v)) for v in value)
    return neutralise(str(value))
