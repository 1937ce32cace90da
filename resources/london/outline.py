"""Greater London's approximate outer boundary, the City of London, and the Thames as a divide."""

from __future__ import annotations

from functools import lru_cache

import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from resources.london.thames import UPSTREAM, LonLat, thames_course

#: Longitudes are scaled by cos(51.5 deg) so that the plane is locally square for Voronoi work.
LON_SCALE = 0.6225

# Clockwise from Enfield's northern tip, round the east and south, to Seething Wells on the
# Thames; the river is London's edge from there up to Hampton, then north round the west.
_NORTH_EAST_SOUTH: tuple[LonLat, ...] = (
    (-0.1050, 51.6915), (-0.0650, 51.6840), (-0.0170, 51.6780), (-0.0140, 51.6450),
    (0.0100, 51.6470), (0.0230, 51.6350), (0.0450, 51.6200), (0.0650, 51.6120),
    (0.0900, 51.6150), (0.1300, 51.6100), (0.1650, 51.6250), (0.2100, 51.6310),
    (0.2500, 51.6230), (0.2650, 51.6150), (0.2700, 51.5900), (0.2950, 51.5650),
    (0.3340, 51.5420), (0.3150, 51.5300), (0.2700, 51.5180), (0.2400, 51.5050),
    (0.2250, 51.4900), (0.2200, 51.4700), (0.2000, 51.4550), (0.1900, 51.4400),
    (0.1650, 51.4300), (0.1550, 51.4050), (0.1550, 51.3900), (0.1500, 51.3650),
    (0.1250, 51.3400), (0.0850, 51.3100), (0.0600, 51.2900), (0.0300, 51.2880),
    (0.0000, 51.3150), (-0.0300, 51.3300), (-0.0500, 51.3200), (-0.0800, 51.3150),
    (-0.1100, 51.2980), (-0.1350, 51.2930), (-0.1600, 51.3250), (-0.2050, 51.3380),
    (-0.2300, 51.3500), (-0.2450, 51.3720), (-0.2650, 51.3720), (-0.2850, 51.3600),
    (-0.3000, 51.3400), (-0.3100, 51.3300), (-0.3300, 51.3450), (-0.3250, 51.3750),
    (-0.3180, 51.3880),
)
_WEST_NORTH: tuple[LonLat, ...] = (
    (-0.4000, 51.4200), (-0.4250, 51.4350), (-0.4500, 51.4450), (-0.4700, 51.4520),
    (-0.4900, 51.4600), (-0.5100, 51.4700), (-0.5000, 51.4900), (-0.4950, 51.5100),
    (-0.4950, 51.5300), (-0.4950, 51.5550), (-0.4900, 51.5800), (-0.5000, 51.6000),
    (-0.5050, 51.6150), (-0.4900, 51.6300), (-0.4600, 51.6200), (-0.4250, 51.6150),
    (-0.3900, 51.6200), (-0.3700, 51.6250), (-0.3300, 51.6350), (-0.2950, 51.6400),
    (-0.2700, 51.6450), (-0.2550, 51.6480), (-0.2300, 51.6650), (-0.2000, 51.6700),
    (-0.1700, 51.6800), (-0.1350, 51.6850),
)
#: Index of Seething Wells on the Thames course (where the outline leaves the river).
_SEETHING_WELLS = 4

#: The City of London (the Square Mile); its southern edge is cut to the Thames.
CITY_RING: tuple[LonLat, ...] = (
    (-0.1130, 51.5080), (-0.1127, 51.5120), (-0.1110, 51.5140), (-0.1113, 51.5180),
    (-0.1040, 51.5192), (-0.0985, 51.5213), (-0.0930, 51.5232), (-0.0860, 51.5218),
    (-0.0800, 51.5210), (-0.0770, 51.5195), (-0.0757, 51.5150), (-0.0745, 51.5125),
    (-0.0768, 51.5098), (-0.0775, 51.5060),
)


def outline_ring() -> tuple[LonLat, ...]:
    """Greater London's approximate boundary as a closed lon/lat ring."""
    river = tuple(reversed(thames_course()[: _SEETHING_WELLS + 1]))
    ring = _NORTH_EAST_SOUTH + river + tuple(reversed(UPSTREAM)) + _WEST_NORTH
    return (*ring, ring[0])


def scaled(points: tuple[LonLat, ...]) -> list[tuple[float, float]]:
    """Lon/lat points in the locally square plane used for geometry."""
    return [(lon * LON_SCALE, lat) for lon, lat in points]


def unscale(geom: BaseGeometry) -> BaseGeometry:
    """A geometry from the locally square plane back to lon/lat."""
    return shapely.transform(geom, lambda xy: xy / (LON_SCALE, 1.0))


@lru_cache(maxsize=1)
def outline() -> Polygon:
    """Greater London in the locally square plane."""
    return Polygon(scaled(outline_ring()))


@lru_cache(maxsize=1)
def halves() -> tuple[BaseGeometry, BaseGeometry]:
    """London north and south of the Thames, in the locally square plane."""
    west, east = (-0.70, 51.41), (0.70, 51.475)
    north_side = Polygon(scaled(
        (west, *UPSTREAM, *thames_course(), (0.2400, 51.4750), east, (0.70, 51.80),
         (-0.70, 51.80))
    ))
    whole = outline()
    return whole.intersection(north_side), whole.difference(north_side)


@lru_cache(maxsize=1)
def city() -> BaseGeometry:
    """The City of London in the locally square plane, cut to the north bank."""
    return Polygon(scaled(CITY_RING)).intersection(halves()[0])
