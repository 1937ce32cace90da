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
from resources.model import ArmedShareCap, Assignment, Plan, Scenario, Tactic

FORMAT = "hercules-tasking/1"
FORMATS = ("csv", "json")

#: Export columns, in order.
COLUMNS: tuple[str, ...] = (
    "plan_id", "plan_hash", "callsign", "unit_type", "slot", "start", "end", "site_id",
    "site_name", "borough", "lon", "lat", "tactic", "officers", "armed_officers", "armed",
    "pinned", "standby_id",
)
_NUMERIC = frozenset({"slot", "lon", "lat", "officers", "armed_officers"})


def check_plan_fits(scenario: Scenario, plan: Plan) -> None:
    """Refuse a plan that does not fit ``scenario`` (one-line InputError naming the field).

    Checked: the scenario name, the armed share cap, the slots against the scenario calendar,
    every posting's unit, slot, site, standby point and tactic, and the KPI slots when the plan
    records KPIs. Exports and briefing packs run this before writing anything.
    """
    if plan.scenario != scenario.name:
        raise InputError(f"plan is for scenario '{plan.scenario}', not '{scenario.name}'",
                         field="scenario")
    ArmedShareCap.parse(plan.armed_share_cap)
    calendar = {s.index: (s.start.isoformat(), s.end.isoformat())
                for s in scenario.calendar.slots()}
    have = {p.index: (p.start, p.end) for p in plan.slots}
    if have != calendar:
        raise InputError(f"expected the {len(calendar)} slots of the calendar of scenario "
                         f"'{scenario.name}', {_slot_difference(have, calendar)}", field="slots")
    for i, a in enumerate(plan.assignments):
        problem = (f"{a.callsign} is posted in slot {a.slot}, which is not in the calendar"
                   if a.slot not in calendar else _posting_problem(scenario, a))
        if problem:
            raise InputError(problem, location=f"assignments[{i}]", field="assignments")
    recorded = sorted(k.slot for k in plan.kpis)
    if recorded and recorded != sorted(calendar):
        raise InputError(f"expected one KPI record per slot 0-{len(calendar) - 1}, got "
                         f"{len(recorded)} records for slots {_span(recorded)}", field="kpis")


def _span(indices: list[int]) -> str:
    return f"{indices[0]}-{indices[-1]}" if len(indices) > 1 else str(indices[0])


def _slot_difference(have: dict[int, tuple[str, str]],
                     want: dict[int, tuple[str, str]]) -> str:
    if set(have) != set(want):
        return f"got {len(have)} slots" + (f" ({_span(sorted(have))})" if have else "")
    index = next(i for i in sorted(want) if have[i] != want[i])
    return (f"got slot {index} from {have[index][0]} to {have[index][1]} where the calendar has "
            f"{want[index][0]} to {want[index][1]}")


def _posting_problem(scenario: Scenario, a: Assignment) -> str | None:
    """Why one posting does not fit the scenario, or None when it does."""
    unit = scenario.units_by_callsign.get(a.callsign)
    if unit is None:
        return f"unit '{a.callsign}' is not on the roster of scenario '{scenario.name}'"
    if a.standby_id is not None and a.standby_id not in scenario.standby_by_id:
        return f"standby point '{a.standby_id}' is not in scenario '{scenario.name}'"
    if a.site_id is None:
        if a.tactic is not Tactic.RESERVE:
            return (f"{a.callsign} has a reserve posting with tactic '{a.tactic.value}'; "
                    f"expected '{Tactic.RESERVE.value}'")
        return None
    site = scenario.sites_by_id.get(a.site_id)
    if site is None:
        return f"site '{a.site_id}' is not in scenario '{scenario.name}'"
    if a.standby_id is not None:
        return f"{a.callsign} is at site '{a.site_id}' and standby point '{a.standby_id}' at once"
    if not scenario.can_perform(unit, site, a.tactic):
        return (f"{a.callsign} (type {unit.type_code}) cannot do '{a.tactic.value}' at "
                f"'{a.site_id}' in slot {a.slot}")
    return None


def tasking_rows(scenario: Scenario, plan: Plan) -> list[dict[str, Any]]:
    """One record per posting, in slot then callsign order (place from site, standby or base)."""
    check_plan_fits(scenario, plan)
    slots = {p.index: p for p in plan.slots}
    digest = plan.content_hash()
    rows: list[dict[str, Any]] = []
    for a in sorted(plan.assignments, key=lambda a: (a.slot, a.callsign)):
        unit = scenario.units_by_callsign[a.callsign]
        site = scenario.sites_by_id[a.site_id] if a.site_id is not None else None
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
    doc = export_document(scenario, plan, audit_head)
    try:
        if fmt == "json":
            safe_json.write_json(path, doc)
        else:
            safe_json.write_text_atomic(path, csv_text(doc["rows"], audit_head))
    except OSError as err:
        raise InputError(f"cannot write the file: {err.strerror or err}",
                         source=str(path)) from None
    return len(doc["rows"])


__all__ = ["COLUMNS", "FORMAT", "FORMATS", "check_plan_fits", "csv_text", "export_document",
           "export_plan", "tasking_rows"]
