"""The embedded sites as domain objects: the real places and the Thames reaches."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from resources.london.names import BOROUGHS, CITY
from resources.london.sites import SITE_ROWS
from resources.london.thames import REACHES, reach_midpoint
from resources.model.sites import Sector, Site, SiteKind
from resources.model.units import Mode

KINDS: dict[str, SiteKind] = {
    "H": SiteKind.TRANSPORT_HUB, "I": SiteKind.ICONIC, "C": SiteKind.CROWDED_PLACE,
    "N": SiteKind.NIGHT_TIME_ECONOMY, "E": SiteKind.EVENT,
}
SECTORS: dict[str, Sector] = {
    "nte": Sector.NIGHT_TIME_ECONOMY, "cin": Sector.CINEMAS_THEATRES,
    "sta": Sector.STADIA_ARENAS, "ret": Sector.RETAIL, "hea": Sector.HEALTH,
    "edu": Sector.EDUCATION, "wor": Sector.PLACES_OF_WORSHIP, "hot": Sector.HOTELS_RESTAURANTS,
    "evt": Sector.MAJOR_EVENTS, "vis": Sector.VISITOR_ATTRACTIONS,
    "com": Sector.COMMERCIAL_CENTRES, "tra": Sector.TRANSPORT,
}
PROFILES: dict[str, str] = {
    "c": "commuter", "d": "daytime", "e": "evening", "n": "night", "v": "event", "f": "flat",
}
#: Risk at or above which a (taskable) site should always have someone present.
HIGH_RISK = 8.0


def slug(name: str) -> str:
    """A site id from a name: lower case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80]


def presence(risk: float, kind: SiteKind, borough: str) -> tuple[int, int]:
    """(min, max) units present per slot: high-risk sites need one; event venues take more."""
    low = 1 if risk >= HIGH_RISK and borough != CITY else 0
    if kind is SiteKind.RIVER_STRETCH:
        return low, 2
    high = 2 + math.ceil(risk / 2) + (2 if kind is SiteKind.EVENT else 0)
    return low, high


def make_site(name: str, kind: SiteKind, sector: Sector, lon: float, lat: float,
              borough: str, risk: float, profile: str, notes: str = "") -> Site:
    """A site with the embedded presence rules; river stretches are boat-only and need 'river'."""
    low, high = presence(risk, kind, borough)
    river = kind is SiteKind.RIVER_STRETCH
    return Site(
        slug(name), name, kind, sector, lon, lat, borough, float(risk), profile,
        required_capability="river" if river else None, min_presence=low, max_presence=high,
        modes=frozenset({Mode.BOAT}) if river else None, notes=notes,
    )


@lru_cache(maxsize=1)
def real_sites() -> tuple[Site, ...]:
    """The real London sites, then the Thames reaches from Hampton Court to Dartford Creek."""
    sites = [
        make_site(name, KINDS[kind], SECTORS[sector], lon, lat, BOROUGHS[code], risk,
                  PROFILES[profile])
        for name, kind, sector, lon, lat, code, risk, profile in SITE_ROWS
    ]
    for name, code, risk, start, end in REACHES:
        lon, lat = reach_midpoint(start, end)
        sites.append(make_site(
            name, SiteKind.RIVER_STRETCH, Sector.TRANSPORT, lon, lat, BOROUGHS[code], risk,
            "daytime", notes=f"Thames from {start} to {end}",
        ))
    return tuple(sites)
