"""Plan export for command-and-control systems: one row per posting, as CSV or JSON.

Every row carries the plan's id and content hash (and the store's audit head when known) so a
receiving system can tie each tasking back to the exact plan it came from. CSV text cells that a
spreadsheet would run as a formula (starting with = + - @, tab or CR) are neutralised with a
leading apostrophe; the JSON document keeps exact values with typed numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.io import safe_json
from resources.io.tabular import neutralise
from resources.model import Plan, Scenario

FORMAT = "hercules-tasking/1"
FORMATS = ("csv", "json")

#: Export columns, in order.
COLUMNS: tuple[str, ...] = (
    "plan_id", "plan_hash", "callsign", "unit_type", "slot", "start", "end", "site_id",
    "site_name", "borough", "lon", "lat", "tactic", "officers", "armed_officers", "armed",
    "pinned", "standby_id",
)
_NUMERIC = frozenset({"slot", "lon", "lat", "officers", "armed_officers"})


def tasking_rows(scenario: Scenario, plan: Plan) -> list[dict[str, Any]]:
    """One record per posting, in slot then callsign order (place from site, standby or base)."""
    slots = {p.index: p for p in plan.slots}
    digest = plan.content_hash()
    rows: list[dict[str, Any]] = []
    for a in sorted(plan.assignments, key=lambda a: (a.slot, a.callsign)):
        unit = scenario.units_by_callsign.get(a.callsign)
        if unit is None:
            raise InputError(f"unit '{a.callsign}' is not on the roster of scenario "
                             f"'{scenario.name}'", field="assignments")
        site = scenario.sites_by_id.get(a.site_id) if a.site_id is not None else None
        if a.site_id is not None and site is None:
            raise InputError(f"site '{a.site_id}' is not in scenario '{scenario.name}'",
                             field="assignments")
        point = scenario.standby_by_id.get(a.standby_id) if a.standby_id else None
        if site is not None:
            lon, lat, borough = site.lon, site.lat, site.borough
        elif point is not None:
            lon, lat, borough = point.lon, point.lat, point.borough
        else:
            lon, lat, borough = unit.base_lon, unit.base_lat, unit.borough
        slot = slots.get(a.slot)
        rows.append({
            "plan_id": plan.plan_id or "", "plan_hash": digest, "callsign": a.callsign,
            "unit_type": unit.type_code, "slot": a.slot,
            "start": slot.start if slot else "", "end": slot.end if slot else "",
            "site_id": a.site_id or "", "site_name": site.name if site else "",
            "borough": borough, "lon": round(lon, 6), "lat": round(lat, 6),
            "tactic": a.tactic.value, "officers": a.officers,
            "armed_officers": a.armed_officers, "armed": a.armed_officers > 0,
            "pinned": a.pinned, "standby_id": a.standby_id or "",
        })
    return rows


def export_document(scenario: Scenario, plan: Plan,
                    audit_head: str | None = None) -> dict[str, Any]:
    """The JSON export document: plan identity, audit head and the tasking rows."""
    return {
        "format": FORMAT, "plan_id": plan.plan_id, "plan_hash": plan.content_hash(),
        "audit_head": audit_head, "scenario": plan.scenario, "threat_level": plan.threat_level,
        "armed_share_cap": plan.armed_share_cap, "columns": list(COLUMNS),
        "rows": tasking_rows(scenario, plan),
    }


def csv_text(rows: Sequence[dict[str, Any]], audit_head: str | None = None) -> str:
    """CSV (CRLF rows, header first) with formula-like text cells neutralised."""
    columns = (*COLUMNS, "audit_head") if audit_head else COLUMNS
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        full = {**row, "audit_head": audit_head or ""}
        writer.writerow([_cell(c, full[c]) for c in columns])
    return buf.getvalue()


def _cell(column: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if column in _NUMERIC:
        return str(value)
    return neutralise(str(value))


def export_plan(scenario: Scenario, plan: Plan, path: Path, fmt: str,
                audit_head: str | None = None) -> int:
    """Write the export file atomically; returns the number of rows written."""
    if fmt not in FORMATS:
        raise InputError(f"expected a format of {', '.join(FORMATS)}, got {fmt!r}",
                         field="format")
    if plan.scenario != scenario.name:
        raise InputError(f"plan is for scenario '{plan.scenario}', not '{scenario.name}'",
                         field="scenario")
    doc = export_document(scenario, plan, audit_head)
    if fmt == "json":
        safe_json.write_json(path, doc)
    else:
        safe_json.write_text_atomic(path, csv_text(doc["rows"], audit_head))
    return len(doc["rows"])


__all__ = ["COLUMNS", "FORMAT", "FORMATS", "csv_text", "export_document", "export_plan",
           "tasking_rows"]
