"""Unit types, units and sites as JSON records, shared by the scenario, CSV and JSON formats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resources.errors import InputError
from resources.io.fields import Obj, describe
from resources.model import Mode, Sector, Site, SiteKind, Tactic, Unit, UnitStatus, UnitType
from resources.model.sites import RISK_PROFILES
from resources.model.units import MAX_SLOT, format_slots, parse_slots

JSON = dict[str, Any]

UNIT_TYPE_FIELDS = frozenset({
    "code", "name", "officers", "armed_officers", "mode", "speed_kmh", "capabilities",
    "tactics", "officers_min", "officers_max", "reserve_only",
})
#: Columns of a unit record, in the documented order.
UNIT_FIELDS = (
    "callsign", "type", "base_lon", "base_lat", "borough", "officers", "status",
    "committed_to", "available_slots",
)
#: Columns of a site record, in the documented order.
SITE_FIELDS = (
    "id", "name", "kind", "sector", "lon", "lat", "borough", "risk", "profile",
    "required_capability", "min_presence", "max_presence", "modes", "notes",
)


def unit_type_to_dict(t: UnitType) -> JSON:
    """A unit type as a JSON record."""
    return {
        "code": t.code, "name": t.name, "officers": t.officers,
        "armed_officers": t.armed_officers, "mode": t.mode.value, "speed_kmh": t.speed_kmh,
        "capabilities": sorted(t.capabilities), "tactics": sorted(x.value for x in t.tactics),
        "officers_min": t.officers_min, "officers_max": t.officers_max,
        "reserve_only": t.reserve_only,
    }


def unit_type_from(o: Obj) -> UnitType:
    """Parse and validate a unit type record."""
    o.only(UNIT_TYPE_FIELDS)
    officers = o.integer("officers", lo=1, hi=100)
    tactics = [_enum_item(o, "tactics", v, Tactic) for v in o.strings("tactics", [])]
    return o.build(lambda: UnitType(
        o.text("code"), o.text("name"), officers,
        o.integer("armed_officers", 0, lo=0, hi=officers), o.choice("mode", Mode),
        o.number("speed_kmh", lo=0.5, hi=200.0), frozenset(o.strings("capabilities", [])),
        frozenset(tactics), o.integer("officers_min", officers, lo=1, hi=officers),
        o.integer("officers_max", officers, lo=officers, hi=100),
        o.boolean("reserve_only", False),
    ))


def unit_to_dict(u: Unit) -> JSON:
    """A unit as a JSON record (availability as 'all' or ranges like '0-5,8')."""
    return {
        "callsign": u.callsign, "type": u.type_code, "base_lon": u.base_lon,
        "base_lat": u.base_lat, "borough": u.borough, "officers": u.officers,
        "status": u.status.value, "committed_to": u.committed_to,
        "available_slots": format_slots(u.available_slots),
    }


def slots_from(o: Obj, key: str) -> frozenset[int] | None:
    """Slots as 'all'/'none'/'0-5,8', a list of slot numbers, or null (all)."""
    value = o.raw(key, None)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return parse_slots(value, key)
        except InputError as err:
            raise o.error(err.detail, key) from None
    if isinstance(value, list):
        out: set[int] = set()
        for v in value:
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_SLOT:
                raise o.error(f"expected slot numbers 0-{MAX_SLOT}, got {describe(v)}", key)
            out.add(v)
        return frozenset(out)
    raise o.error(f"expected 'all' or slot ranges like '0-5,8', got {describe(value)}", key)


def unit_from(o: Obj, types: Mapping[str, UnitType]) -> Unit:
    """Parse and validate a unit record against the known unit types."""
    o.only(frozenset(UNIT_FIELDS))
    code = o.text("type", max_len=80)
    ut = types.get(code)
    if ut is None:
        raise o.error(
            f"unknown unit type {describe(code)}; expected one of "
            f"{', '.join(sorted(types)) or 'none (no unit types are defined)'}", "type"
        )
    assert ut.officers_min is not None and ut.officers_max is not None
    officers = o.integer("officers", ut.officers, lo=ut.officers_min, hi=ut.officers_max)
    return o.build(lambda: Unit(
        o.text("callsign", max_len=80), code,
        o.number("base_lon", lo=-180.0, hi=180.0), o.number("base_lat", lo=-90.0, hi=90.0),
        o.text("borough"), officers, o.choice("status", UnitStatus, UnitStatus.AVAILABLE),
        o.text("committed_to", "", empty=True), slots_from(o, "available_slots"),
    ))


def site_to_dict(s: Site) -> JSON:
    """A site as a JSON record."""
    return {
        "id": s.site_id, "name": s.name, "kind": s.kind.value, "sector": s.sector.value,
        "lon": s.lon, "lat": s.lat, "borough": s.borough, "risk": s.risk,
        "profile": s.profile, "required_capability": s.required_capability,
        "min_presence": s.min_presence, "max_presence": s.max_presence,
        "modes": sorted(m.value for m in s.allowed_modes), "notes": s.notes,
    }


def site_from(o: Obj) -> Site:
    """Parse and validate a site record (missing modes: the default for its kind)."""
    o.only(frozenset(SITE_FIELDS))
    profile = o.text("profile", "daytime", max_len=40)
    if profile not in RISK_PROFILES:
        raise o.error(f"expected one of {', '.join(RISK_PROFILES)}, got {describe(profile)}",
                      "profile")
    modes: frozenset[Mode] | None = None
    if o.has("modes"):
        modes = frozenset(_enum_item(o, "modes", v, Mode) for v in o.strings("modes"))
    max_presence = o.integer("max_presence", 4, lo=1, hi=200)
    return o.build(lambda: Site(
        o.text("id", max_len=80), o.text("name"), o.choice("kind", SiteKind),
        o.choice("sector", Sector), o.number("lon", lo=-180.0, hi=180.0),
        o.number("lat", lo=-90.0, hi=90.0), o.text("borough"),
        o.number("risk", lo=0.0, hi=100.0), profile, o.opt_text("required_capability"),
        o.integer("min_presence", 0, lo=0, hi=max_presence), max_presence, modes,
        o.text("notes", "", max_len=1000, empty=True),
    ))


def _enum_item(o: Obj, key: str, value: str, enum: type[Any]) -> Any:
    try:
        return enum(value)
    except ValueError:
        names = ", ".join(str(m.value) for m in enum)
        raise o.error(f"expected items from {names}, got {describe(value)}", key) from None
