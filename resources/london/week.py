"""A larger embedded London for one week: a bigger roster, local centres, and a finer grid."""

from __future__ import annotations

import math
import random

from shapely.geometry import MultiPolygon, Point

from resources.london.boroughs import borough_seeds, borough_shapes, london_areas
from resources.london.cells import coverage_cells
from resources.london.names import BOROUGHS, MET_CODES
from resources.london.places import make_site, real_sites
from resources.london.roster import generate_roster
from resources.london.standby import standby_points
from resources.model import _check
from resources.model.calendar import Calendar
from resources.model.catalogue import STANDARD_UNIT_TYPES
from resources.model.geo import haversine_km
from resources.model.scenario import Scenario
from resources.model.sites import Sector, Site, SiteKind
from resources.model.threat import ThreatLevel

#: Side of a coverage cell in the week scenario (gives about 2,400 cells).
WEEK_CELL_SIZE_M = 800.0
#: Generated local sites per borough: (name stem, kind, sector, crowd profile).
LOCAL_KINDS: tuple[tuple[str, SiteKind, Sector, str], ...] = (
    ("local centre", SiteKind.CROWDED_PLACE, Sector.RETAIL, "daytime"),
    ("local station", SiteKind.TRANSPORT_HUB, Sector.TRANSPORT, "commuter"),
    ("local centre", SiteKind.CROWDED_PLACE, Sector.RETAIL, "daytime"),
    ("local station", SiteKind.TRANSPORT_HUB, Sector.TRANSPORT, "commuter"),
    ("local night-time economy", SiteKind.NIGHT_TIME_ECONOMY, Sector.NIGHT_TIME_ECONOMY,
     "night"),
)
_MIN_GAP_KM = 0.4
_SPREAD_M = 1200.0


def local_sites(seed: int, existing: tuple[Site, ...]) -> tuple[Site, ...]:
    """Plausible local high streets, stations and night-time economies in every Met borough.

    Each is placed near a real town or site of its borough with seeded jitter, inside the
    borough and at least 400 m from every other site. Names say they are generated.
    """
    rng = random.Random(seed)
    shapes = borough_shapes()
    seeds = borough_seeds()
    placed: list[tuple[float, float]] = [(s.lon, s.lat) for s in existing]
    out: list[Site] = []
    for code in MET_CODES:
        name = BOROUGHS[code]
        counts: dict[str, int] = {}
        for stem, kind, sector, profile in LOCAL_KINDS:
            counts[stem] = counts.get(stem, 0) + 1
            lon, lat = _place(rng, name, seeds[name], shapes[name], placed)
            placed.append((lon, lat))
            out.append(make_site(f"{name} {stem} {counts[stem]}", kind, sector, lon, lat, name,
                                 float(rng.randint(2, 4)), profile,
                                 notes="generated for the week scenario"))
    return tuple(out)


def _place(rng: random.Random, name: str, anchors: tuple[tuple[float, float], ...],
           shape: MultiPolygon, placed: list[tuple[float, float]]) -> tuple[float, float]:
    for _ in range(500):
        lon0, lat0 = anchors[rng.randrange(len(anchors))]
        dx, dy = rng.gauss(0.0, _SPREAD_M), rng.gauss(0.0, _SPREAD_M)
        lat = round(lat0 + dy / 111_320.0, 5)
        lon = round(lon0 + dx / (111_320.0 * math.cos(math.radians(lat0))), 5)
        if not shape.contains(Point(lon, lat)):
            continue
        if all(haversine_km(lon, lat, a, b) >= _MIN_GAP_KM for a, b in placed):
            return lon, lat
    raise RuntimeError(f"could not place a local site in {name}")


def build_london_week(*, seed: int = 7) -> Scenario:
    """The embedded London for a week ('london-week'): 7 days x 12 slots, deterministic."""
    seed = _check.integer(seed, "seed")
    real = real_sites()
    sites = real + local_sites(seed, real)
    units = generate_roster(seed=seed, days=7, week=True)
    areas = london_areas()
    return Scenario(
        "london-week", STANDARD_UNIT_TYPES, units, sites, areas, standby_points(),
        coverage_cells(areas, sites, WEEK_CELL_SIZE_M), Calendar(days=7),
        threat_level=ThreatLevel.SUBSTANTIAL,
        description=(
            f"Embedded London for one week: {len(units)} units working 5 days in 7, "
            f"{len(real)} real sites and {len(sites) - len(real)} generated local sites, "
            f"{WEEK_CELL_SIZE_M:.0f} m coverage cells (seed {seed})."
        ),
        cell_size_m=WEEK_CELL_SIZE_M,
    )
