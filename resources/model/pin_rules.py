"""Pins a plan could never keep: wrong tactic for the unit, off duty, or banned by a forbid.

The same rules the solver and the placement checks apply to any posting, stated once for the
importers so that such a pin is refused with one line instead of failing the plan later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from resources.model import _check
from resources.model.sites import SiteKind
from resources.model.units import TACTIC_RULES, Mode, Tactic, format_slots

if TYPE_CHECKING:
    from resources.model.scenario import Pin, Scenario


def pin_problem(sc: Scenario, pin: Pin) -> tuple[str, str] | None:
    """(field, reason) when no plan could keep ``pin`` (its unit, site and slot known), or None."""
    unit = sc.units_by_callsign[pin.callsign]
    name = _check.shown(pin.callsign)
    if not unit.on_duty(pin.slot):
        if unit.committed_to:
            return "unit", (f"unit {name} is committed to {_check.clip(unit.committed_to)} and "
                            "cannot be pinned")
        return "slot", (f"unit {name} is not on duty in slot {pin.slot} (its available_slots "
                        f"are {_check.shown(format_slots(unit.available_slots))})")
    why = _capability(sc, pin)
    if why is not None:
        return "tactic", why
    for k, fb in enumerate(sc.forbids):
        if fb.callsign == pin.callsign and fb.site_id == pin.site_id and (
                fb.slots is None or pin.slot in fb.slots):
            return "site", (f"unit {name} is pinned at site {_check.shown(pin.site_id)} in slot "
                            f"{pin.slot}, which forbid {k + 1} bans")
    return None


def _capability(sc: Scenario, pin: Pin) -> str | None:
    unit = sc.units_by_callsign[pin.callsign]
    ut = sc.unit_type(unit)
    if pin.site_id is None:
        if Tactic.RESERVE not in ut.tactics:
            return f"a unit of type {ut.code} cannot hold a reserve posting"
        return None
    site = sc.sites_by_id[pin.site_id]
    label = TACTIC_RULES[pin.tactic].label.lower()
    if ut.reserve_only:
        return f"a unit of type {ut.code} may only hold reserve postings"
    if ut.mode is Mode.BOAT and site.kind is not SiteKind.RIVER_STRETCH:
        return (f"boats work only on river stretches, and site {_check.shown(site.site_id)} "
                "is not one")
    if site.kind is SiteKind.RIVER_STRETCH and ut.mode is not Mode.BOAT:
        return f"river stretch {_check.shown(site.site_id)} can be covered only from a boat"
    if not sc.can_perform(unit, site, pin.tactic):
        return f"a unit of type {ut.code} cannot do {label} at site {_check.shown(site.site_id)}"
    return None
