"""The embedded London scenario: real boroughs, sites, police stations and a seeded roster."""

from __future__ import annotations

from functools import lru_cache

from resources.london.boroughs import london_areas
from resources.london.cells import coverage_cells
from resources.london.places import real_sites
from resources.london.roster import generate_roster
from resources.london.standby import standby_points
from resources.model import _check
from resources.model.calendar import Calendar
from resources.model.catalogue import STANDARD_UNIT_TYPES
from resources.model.geo import CoverageCell
from resources.model.scenario import Scenario
from resources.model.threat import ThreatLevel

#: Side of a coverage cell in the one-day London scenario.
CELL_SIZE_M = 2000.0

DESCRIPTION = (
    "Embedded London: the 32 boroughs and the City of London (approximate boundaries), "
    "{sites} real crowded and iconic places including {reaches} Thames reaches, {stations} "
    "police stations as standby points, and a seeded roster of {units} units "
    "(seed {seed}). Figures are public order-of-magnitude figures, not operational data."
)


@lru_cache(maxsize=4)
def london_cells(size_m: float = CELL_SIZE_M) -> tuple[CoverageCell, ...]:
    """Coverage cells over the taskable boroughs with demand from the real sites."""
    return coverage_cells(london_areas(), real_sites(), size_m)


def build_london(*, threat_level: ThreatLevel = ThreatLevel.SUBSTANTIAL, days: int = 1,
                 seed: int = 20260105) -> Scenario:
    """The embedded London scenario ('london'): deterministic for a given seed."""
    seed = _check.integer(seed, "seed")
    threat = ThreatLevel.parse(threat_level)
    calendar = Calendar(days=days)
    sites = real_sites()
    units = generate_roster(seed=seed, days=days)
    stations = standby_points()
    reaches = sum(1 for s in sites if s.required_capability == "river")
    return Scenario(
        "london", STANDARD_UNIT_TYPES, units, sites, london_areas(), stations,
        london_cells(CELL_SIZE_M), calendar, threat_level=threat,
        description=DESCRIPTION.format(sites=len(sites), reaches=reaches,
                                       stations=len(stations), units=len(units), seed=seed),
        cell_size_m=CELL_SIZE_M,
    )
