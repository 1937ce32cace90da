"""Tiny hand-made scenarios for rule tests (two or three units, a few sites)."""

from __future__ import annotations

from resources.model import (
    Calendar,
    CoverageCell,
    Scenario,
    Site,
    SiteKind,
    StandbyPoint,
    Unit,
)
from resources.model.catalogue import STANDARD_UNIT_TYPES
from resources.model.sites import Sector


def site(site_id: str, lon: float = -0.1276, lat: float = 51.5072, **kw: object) -> Site:
    """A crowded-place site in Westminster unless told otherwise."""
    args: dict[str, object] = {
        "name": site_id.title(), "kind": SiteKind.CROWDED_PLACE, "sector": Sector.RETAIL,
        "lon": lon, "lat": lat, "borough": "Westminster", "risk": 5.0,
    }
    args.update(kw)
    return Site(site_id, **args)  # type: ignore[arg-type]


def unit(callsign: str, type_code: str, lon: float = -0.13, lat: float = 51.51,
         **kw: object) -> Unit:
    """A unit of a standard type, crew from the type unless told otherwise."""
    types = {t.code: t for t in STANDARD_UNIT_TYPES}
    args: dict[str, object] = {
        "borough": "Westminster", "officers": types[type_code].officers,
    }
    args.update(kw)
    return Unit(callsign, type_code, lon, lat, **args)  # type: ignore[arg-type]


def tiny_scenario(units: tuple[Unit, ...] = (), sites: tuple[Site, ...] = (),
                  slots_per_day: int = 2, **kw: object) -> Scenario:
    """A scenario with the standard types, one standby point and a handful of cells."""
    cal = Calendar(slot_minutes=1440 // slots_per_day)
    defaults: dict[str, object] = {
        "standby_points": (StandbyPoint("SB-CENTRAL", "Central standby", -0.12, 51.50,
                                        "Westminster"),),
        "cells": tuple(
            CoverageCell(f"C{i}", -0.14 + 0.01 * i, 51.505, "Westminster", 1.0) for i in range(3)
        ),
        "calendar": cal,
    }
    defaults.update(kw)
    return Scenario("tiny", STANDARD_UNIT_TYPES, units, sites, **defaults)  # type: ignore[arg-type]
