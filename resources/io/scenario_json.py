"""The scenario JSON document ("hercules-scenario/1"): lossless export and validated import."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.io import safe_json
from resources.io.fields import Obj, describe, unique
from resources.io.geometry_json import area_from, area_to_dict
from resources.io.records import (
    site_from,
    site_to_dict,
    slots_from,
    unit_from,
    unit_to_dict,
    unit_type_from,
    unit_type_to_dict,
)
from resources.model import (
    DEFAULT_POSTURES,
    ArmedShareCap,
    Calendar,
    CoverageCell,
    DeployedRule,
    Forbid,
    Pin,
    Posture,
    ResponseLevel,
    Scenario,
    StandbyPoint,
    Tactic,
    ThreatLevel,
    TravelModel,
)
from resources.model.catalogue import STANDARD_UNIT_TYPES
from resources.model.units import format_slots

FORMAT = "hercules-scenario/1"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
JSON = dict[str, Any]

_TOP = frozenset({
    "format", "name", "description", "threat_level", "armed_share_cap", "deployed_rule",
    "cell_size_m", "calendar", "postures", "travel", "unit_types", "units", "sites", "areas",
    "standby_points", "cells", "pins", "forbids",
})
_POSTURE = ("presence_factor", "min_risk_covered", "armed_reach_minutes",
            "ctsfo_reach_minutes", "weight")


def scenario_to_dict(s: Scenario) -> JSON:
    """The scenario as a JSON-ready document; scenario_from_dict inverts it exactly."""
    return {
        "format": FORMAT,
        "name": s.name,
        "description": s.description,
        "threat_level": s.threat_level.value,
        "armed_share_cap": str(s.armed_share_cap.share),
        "deployed_rule": s.deployed_rule.value,
        "cell_size_m": s.cell_size_m,
        "calendar": {
            "start_date": s.calendar.start_date.isoformat(),
            "slot_minutes": s.calendar.slot_minutes, "days": s.calendar.days,
            "day_start_hour": s.calendar.day_start_hour,
        },
        "postures": {lvl.value: _posture_to_dict(s.postures[lvl]) for lvl in ThreatLevel},
        "travel": {
            "circuity": s.travel.circuity,
            "changeover_minutes": s.travel.changeover_minutes,
            "speed_override_kmh": dict(s.travel.speed_override_kmh),
            "matrix": [{"from": a, "to": b, "minutes": m} for (a, b), m in s.travel.matrix.items()],
        },
        "unit_types": [unit_type_to_dict(t) for t in s.unit_types],
        "units": [unit_to_dict(u) for u in s.units],
        "sites": [site_to_dict(x) for x in s.sites],
        "areas": [area_to_dict(a) for a in s.areas],
        "standby_points": [
            {"id": p.point_id, "name": p.name, "lon": p.lon, "lat": p.lat, "borough": p.borough}
            for p in s.standby_points
        ],
        "cells": [
            {"id": c.cell_id, "lon": c.lon, "lat": c.lat, "borough": c.borough,
             "demand": c.demand}
            for c in s.cells
        ],
        "pins": [
            {"unit": p.callsign, "slot": p.slot, "site": p.site_id, "tactic": p.tactic.value,
             "standby": p.standby_id, "rationale": p.rationale}
            for p in s.pins
        ],
        "forbids": [
            {"unit": f.callsign, "site": f.site_id, "slots": format_slots(f.slots),
             "rationale": f.rationale}
            for f in s.forbids
        ],
    }


def _posture_to_dict(p: Posture) -> JSON:
    out: JSON = {"response": p.response.value}
    out.update({k: getattr(p, k) for k in _POSTURE})
    out["armed_top_sites"] = p.armed_top_sites
    return out


def scenario_from_dict(doc: object, source: str = "scenario") -> Scenario:
    """Validate a scenario document and build the Scenario; errors name the JSON path."""
    top = Obj(doc, "", source).only(_TOP)
    fmt = top.raw("format")
    if fmt != FORMAT:
        raise top.error(f"expected '{FORMAT}', got {describe(fmt)}", "format")
    unit_types = (
        _listed(top, "unit_types", unit_type_from, "code", "unit type code")
        if top.has("unit_types") else STANDARD_UNIT_TYPES
    )
    types = {t.code: t for t in unit_types}
    units = _listed(top, "units", lambda o: unit_from(o, types), "callsign", "callsign")
    sites = _listed(top, "sites", site_from, "id", "site id")
    areas = _listed(top, "areas", area_from, "name", "area name", default=[])
    standby = _listed(top, "standby_points", _standby_from, "id", "standby point id", [])
    cells = _listed(top, "cells", _cell_from, "id", "cell id", default=[])
    cap = top.raw("armed_share_cap", "2/25")
    try:
        armed_cap = ArmedShareCap.parse(cap)
    except InputError as err:
        raise top.error(err.detail, "armed_share_cap") from None
    fields: dict[str, Any] = {
        "areas": areas, "standby_points": standby, "cells": cells,
        "calendar": _calendar_from(top.obj("calendar", {})),
        "threat_level": _threat_level(top, "threat_level", ThreatLevel.SUBSTANTIAL),
        "armed_share_cap": armed_cap,
        "deployed_rule": top.choice("deployed_rule", DeployedRule, DeployedRule.ALL_POSTED),
        "postures": _postures_from(top.obj("postures", {})),
        "travel": _travel_from(top.obj("travel", {})),
        "pins": tuple(_pin_from(o) for o in top.objects("pins", [])),
        "forbids": tuple(_forbid_from(o) for o in top.objects("forbids", [])),
        "description": top.text("description", "", max_len=2000, empty=True),
        "cell_size_m": top.number("cell_size_m", 2000.0, lo=100.0, hi=20_000.0),
    }
    return top.build(lambda: Scenario(top.text("name", max_len=80), unit_types, units, sites,
                                      **fields))


def read_scenario(path: Path) -> Scenario:
    """Read and validate a scenario JSON file, refusing pins a plan could never keep."""
    scenario = scenario_from_dict(safe_json.read_json(path), path.name)
    try:
        scenario.check_pins()
    except InputError as err:
        raise err.within(source=path.name) from None
    return scenario


def write_scenario(path: Path, scenario: Scenario) -> None:
    """Write a scenario JSON file atomically."""
    safe_json.write_json(path, scenario_to_dict(scenario))


def _listed(top: Obj, key: str, make: Any, id_field: str, what: str,
            default: Any = None) -> tuple[Any, ...]:
    objs = list(top.objects(key) if default is None else top.objects(key, default))
    built = tuple(make(o) for o in objs)
    unique([(str(o.data[id_field]), o) for o in objs], what, id_field)
    return built


def _threat_level(o: Obj, key: str, default: ThreatLevel) -> ThreatLevel:
    value = o.raw(key, default.value)
    if not isinstance(value, str):
        raise o.error(f"expected a threat level, got {describe(value)}", key)
    try:
        return ThreatLevel.parse(value)
    except InputError as err:
        raise o.error(err.detail, key) from None


def _calendar_from(o: Obj) -> Calendar:
    o.only({"start_date", "slot_minutes", "days", "day_start_hour"})
    default = Calendar()
    raw = o.text("start_date", default.start_date.isoformat(), max_len=10)
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError
        start = date.fromisoformat(raw)
    except ValueError:
        raise o.error(f"expected an ISO date like 2026-01-05, got {describe(raw)}",
                      "start_date") from None
    return o.build(lambda: Calendar(
        start, o.integer("slot_minutes", default.slot_minutes, lo=15, hi=1440),
        o.integer("days", default.days, lo=1, hi=28),
        o.integer("day_start_hour", default.day_start_hour, lo=0, hi=23),
    ))


def _postures_from(o: Obj) -> dict[ThreatLevel, Posture]:
    out = dict(DEFAULT_POSTURES)
    for key in o.data:
        try:
            level = ThreatLevel(key)
        except ValueError:
            names = ", ".join(t.value for t in ThreatLevel)
            raise o.error(f"expected a threat level ({names})", key) from None
        out[level] = _posture_from(o.obj(key), level)
    return out


def _posture_from(p: Obj, level: ThreatLevel) -> Posture:
    p.only({"response", "armed_top_sites", *_POSTURE})
    base = DEFAULT_POSTURES[level]
    nums = {k: p.number(k, getattr(base, k)) for k in _POSTURE}
    return p.build(lambda: Posture(
        level, p.choice("response", ResponseLevel, base.response),
        armed_top_sites=p.integer("armed_top_sites", base.armed_top_sites, lo=0, hi=1000),
        **nums,
    ))


def _travel_from(o: Obj) -> TravelModel:
    o.only({"circuity", "changeover_minutes", "speed_override_kmh", "matrix"})
    speeds = o.obj("speed_override_kmh", {})
    matrix: dict[tuple[str, str], float] = {}
    for m in o.objects("matrix", []):
        m.only({"from", "to", "minutes"})
        pair = (m.text("from", max_len=100), m.text("to", max_len=100))
        if pair in matrix:
            raise m.error(f"duplicate travel time from '{pair[0]}' to '{pair[1]}'", "to")
        matrix[pair] = m.number("minutes", lo=0.0, hi=10_000.0)
    default = TravelModel()
    return o.build(lambda: TravelModel(
        o.number("circuity", default.circuity, lo=1.0, hi=5.0),
        o.number("changeover_minutes", default.changeover_minutes, lo=0.0, hi=1440.0),
        {k: speeds.number(k, lo=0.5, hi=200.0) for k in speeds.data}, matrix,
    ))


def _standby_from(o: Obj) -> StandbyPoint:
    o.only({"id", "name", "lon", "lat", "borough"})
    return o.build(lambda: StandbyPoint(
        o.text("id", max_len=80), o.text("name"), o.number("lon", lo=-180.0, hi=180.0),
        o.number("lat", lo=-90.0, hi=90.0), o.text("borough"),
    ))


def _cell_from(o: Obj) -> CoverageCell:
    o.only({"id", "lon", "lat", "borough", "demand"})
    return o.build(lambda: CoverageCell(
        o.text("id", max_len=80), o.number("lon", lo=-180.0, hi=180.0),
        o.number("lat", lo=-90.0, hi=90.0), o.text("borough", "", empty=True),
        o.number("demand", lo=0.0, hi=1e6),
    ))


def _pin_from(o: Obj) -> Pin:
    o.only({"unit", "slot", "site", "tactic", "standby", "rationale"})
    return Pin(
        o.text("unit", max_len=80), o.integer("slot", lo=0, hi=100_000),
        o.opt_text("site", max_len=80), o.choice("tactic", Tactic),
        o.opt_text("standby", max_len=80), o.text("rationale", "", max_len=1000, empty=True),
    )


def _forbid_from(o: Obj) -> Forbid:
    o.only({"unit", "site", "slots", "rationale"})
    return Forbid(
        o.text("unit", max_len=80), o.text("site", max_len=80), slots_from(o, "slots"),
        o.text("rationale", "", max_len=1000, empty=True),
    )
