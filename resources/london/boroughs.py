"""Approximate borough polygons: a Voronoi tessellation of real places, clipped to London.

Each borough owns a few hand-placed seed points (its centre first, then towns that give it its
shape) plus the location of every embedded site in it. The Voronoi cells of the seeds are built
separately north and south of the Thames, so the river is a borough boundary, clipped to the
Greater London outline; a borough is the union of its seeds' cells. The City of London is an
explicit polygon cut out of its neighbours.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import shapely
from shapely import STRtree
from shapely.geometry import MultiPoint, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from resources.london.names import BOROUGHS, CITY
from resources.london.outline import city, halves, scaled, unscale
from resources.london.sites import SITE_ROWS
from resources.london.thames import LonLat
from resources.model.geo import Area, PolygonRings

#: Where each borough's label goes: a central point inside the borough.
BOROUGH_CENTRES: dict[str, LonLat] = {
    "Barking and Dagenham": (0.1300, 51.5450), "Barnet": (-0.2180, 51.6150),
    "Bexley": (0.1480, 51.4580), "Brent": (-0.2650, 51.5600), "Bromley": (0.0450, 51.3720),
    "Camden": (-0.1600, 51.5450), "Croydon": (-0.0800, 51.3650), "Ealing": (-0.3300, 51.5200),
    "Enfield": (-0.0850, 51.6500), "Greenwich": (0.0500, 51.4700),
    "Hackney": (-0.0600, 51.5500), "Hammersmith and Fulham": (-0.2200, 51.4950),
    "Haringey": (-0.1050, 51.5880), "Harrow": (-0.3350, 51.5950),
    "Havering": (0.2300, 51.5600), "Hillingdon": (-0.4400, 51.5350),
    "Hounslow": (-0.3700, 51.4600), "Islington": (-0.1100, 51.5450),
    "Kensington and Chelsea": (-0.1900, 51.5000), "Kingston upon Thames": (-0.2900, 51.3850),
    "Lambeth": (-0.1150, 51.4600), "Lewisham": (-0.0200, 51.4450),
    "Merton": (-0.1900, 51.4100), "Newham": (0.0300, 51.5300), "Redbridge": (0.0700, 51.5850),
    "Richmond upon Thames": (-0.3350, 51.4450), "Southwark": (-0.0750, 51.4700),
    "Sutton": (-0.1750, 51.3600), "Tower Hamlets": (-0.0350, 51.5150),
    "Waltham Forest": (-0.0150, 51.5900), "Wandsworth": (-0.1900, 51.4500),
    "Westminster": (-0.1500, 51.5150), CITY: (-0.0920, 51.5150),
}

#: Towns that give each borough its shape (after its centre).
_SHAPE_SEEDS: dict[str, tuple[LonLat, ...]] = {
    "KG": ((0.0850, 51.5380), (0.1350, 51.5700), (0.1550, 51.5200)),
    "SX": ((-0.2700, 51.6100), (-0.2000, 51.6500), (-0.2300, 51.5850), (-0.1600, 51.6150),
           (-0.1650, 51.5900)),
    "RY": ((0.1500, 51.4900), (0.1050, 51.4250), (0.1800, 51.4500)),
    "QK": ((-0.2800, 51.5850), (-0.2050, 51.5400), (-0.2480, 51.5360)),
    "PY": ((0.0150, 51.4050), (0.1000, 51.3800), (0.0400, 51.3150), (-0.0250, 51.4080),
           (0.0700, 51.4150)),
    "EK": ((-0.1250, 51.5200), (-0.1750, 51.5550), (-0.1910, 51.5470)),
    "ZD": ((-0.1000, 51.3750), (-0.1300, 51.3200), (-0.0180, 51.3410), (-0.0750, 51.3990)),
    "XD": ((-0.3000, 51.5130), (-0.3750, 51.5100), (-0.2700, 51.5080), (-0.3550, 51.5280),
           (-0.3700, 51.5450)),
    "YE": ((-0.0600, 51.6200), (-0.1300, 51.6300), (-0.0300, 51.6700)),
    "RG": ((-0.0050, 51.4800), (0.0700, 51.4900), (0.0500, 51.4500), (0.0850, 51.4850)),
    "GD": ((-0.0560, 51.5470), (-0.0750, 51.5620), (-0.0820, 51.5270)),
    "FH": ((-0.2230, 51.4930), (-0.2000, 51.4750), (-0.2300, 51.5130), (-0.2300, 51.5220)),
    "YR": ((-0.0700, 51.5950), (-0.1100, 51.5960), (-0.1500, 51.5780), (-0.1430, 51.5900)),
    "QA": ((-0.3350, 51.5800), (-0.3100, 51.6150), (-0.3800, 51.5930), (-0.3350, 51.6150)),
    "KD": ((0.1830, 51.5770), (0.2200, 51.5600), (0.1900, 51.5150), (0.2350, 51.6050),
           (0.2550, 51.5550)),
    "XH": ((-0.4800, 51.5450), (-0.4200, 51.5750), (-0.4200, 51.5050), (-0.4600, 51.4700),
           (-0.4750, 51.6050)),
    "TX": ((-0.3650, 51.4700), (-0.4150, 51.4450), (-0.2600, 51.4900), (-0.3000, 51.4900)),
    "NI": ((-0.1050, 51.5320), (-0.1200, 51.5550), (-0.1350, 51.5650), (-0.1050, 51.5230)),
    "BS": ((-0.1950, 51.5000), (-0.1700, 51.4870), (-0.2100, 51.5200)),
    "VK": ((-0.3000, 51.4100), (-0.3000, 51.3900), (-0.3000, 51.3550), (-0.2600, 51.4000)),
    "LX": ((-0.1150, 51.4620), (-0.1130, 51.5020), (-0.1300, 51.4250), (-0.1150, 51.4850),
           (-0.1000, 51.4300)),
    "PL": ((-0.0130, 51.4620), (-0.0280, 51.4780), (-0.0500, 51.4300), (0.0200, 51.4300)),
    "VW": ((-0.2050, 51.4200), (-0.1650, 51.4020), (-0.1950, 51.4000), (-0.2300, 51.4050)),
    "KF": ((-0.0030, 51.5420), (0.0530, 51.5390), (0.0300, 51.5100), (0.0700, 51.5150)),
    "JI": ((0.0700, 51.5590), (0.0250, 51.6050), (0.0850, 51.5900), (0.1000, 51.6050)),
    "TW": ((-0.3300, 51.4480), (-0.3650, 51.4200), (-0.3350, 51.4270), (-0.3580, 51.4520),
           (-0.3000, 51.4600), (-0.2900, 51.4800), (-0.2450, 51.4680), (-0.3050, 51.4400),
           (-0.2750, 51.4450)),
    "MD": ((-0.0700, 51.4730), (-0.0650, 51.4950), (-0.0800, 51.4450), (-0.0500, 51.5000),
           (-0.0950, 51.5020)),
    "ZT": ((-0.1950, 51.3620), (-0.1650, 51.3680), (-0.1500, 51.3600), (-0.2150, 51.3600),
           (-0.2000, 51.3450)),
    "HT": ((-0.0600, 51.5180), (-0.0200, 51.5030), (-0.0250, 51.5300), (-0.0150, 51.5100),
           (-0.0150, 51.4900)),
    "JC": ((-0.0200, 51.5850), (-0.0100, 51.5600), (0.0000, 51.6300)),
    "WW": ((-0.1900, 51.4570), (-0.1600, 51.4750), (-0.2200, 51.4600), (-0.1700, 51.4300),
           (-0.2400, 51.4500)),
    "CW": ((-0.1350, 51.4990), (-0.1550, 51.5200), (-0.1850, 51.5250), (-0.1700, 51.5350),
           (-0.2050, 51.5300)),
}


def borough_seeds() -> dict[str, tuple[LonLat, ...]]:
    """Seed points per borough name: centre, shape towns, then its embedded sites."""
    out: dict[str, list[LonLat]] = {}
    for code, name in BOROUGHS.items():
        if code == "CL":
            continue
        out[name] = [BOROUGH_CENTRES[name], *_SHAPE_SEEDS[code]]
    for row in SITE_ROWS:
        if row[5] != "CL":
            out[BOROUGHS[row[5]]].append((row[3], row[4]))
    return {name: tuple(pts) for name, pts in out.items()}


def _polygons_only(geom: BaseGeometry) -> MultiPolygon:
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and g.area > 1e-10]
    return MultiPolygon(parts)


def borough_shapes() -> Mapping[str, MultiPolygon]:
    """Borough (and City) polygons in lon/lat, keyed by name, in a fixed order (read-only)."""
    return MappingProxyType(_borough_shapes())


@lru_cache(maxsize=1)
def _borough_shapes() -> dict[str, MultiPolygon]:
    seeds = borough_seeds()
    owners: list[str] = []
    points: list[tuple[float, float]] = []
    seen: set[tuple[float, float]] = set()
    for name in sorted(seeds):
        for pt in scaled(seeds[name]):
            if pt not in seen:
                seen.add(pt)
                owners.append(name)
                points.append(pt)
    cells: dict[str, list[BaseGeometry]] = {name: [] for name in seeds}
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    for half in halves():
        inside = shapely.contains_xy(half, xs, ys)
        idx = [i for i, ok in enumerate(inside) if ok]
        diagram = shapely.get_parts(shapely.voronoi_polygons(
            MultiPoint([points[i] for i in idx]), extend_to=half
        ))
        pts = shapely.points([points[i] for i in idx])
        which, cell = STRtree(diagram).query(pts, predicate="within")
        for k, c in zip(which, cell, strict=True):
            cells[owners[idx[k]]].append(diagram[c].intersection(half))
    the_city = city()
    merged = {
        name: _polygons_only(shapely.union_all(parts).difference(the_city))
        for name, parts in cells.items()
    }
    _give_away_fragments(merged)
    shapes = {name: _polygons_only(unscale(geom)) for name, geom in merged.items()}
    shapes[CITY] = _polygons_only(unscale(the_city))
    return dict(sorted(shapes.items()))


def _give_away_fragments(shapes: dict[str, MultiPolygon]) -> None:
    """Hand each small detached piece of a borough to the neighbour it shares most edge with."""
    for name in sorted(shapes):
        parts = list(shapes[name].geoms)
        big = max(g.area for g in parts)
        keep = [g for g in parts if g.area >= 0.05 * big]
        for frag in (g for g in parts if g.area < 0.05 * big):
            edge = frag.boundary
            best = max(
                (n for n in shapes if n != name),
                key=lambda n: (edge.intersection(shapes[n].boundary).length, n),
            )
            shapes[best] = _polygons_only(shapely.union_all([shapes[best], frag]))
        shapes[name] = MultiPolygon(keep)


def _rings(shape: MultiPolygon) -> tuple[PolygonRings, ...]:
    out: list[PolygonRings] = []
    for poly in shape.geoms:
        rings = [poly.exterior, *poly.interiors]
        out.append(tuple(
            tuple((float(x), float(y)) for x, y in ring.coords)
            for ring in rings
        ))
    return tuple(out)


@lru_cache(maxsize=1)
def london_areas() -> tuple[Area, ...]:
    """The 32 boroughs and the City of London (not taskable) as Areas, sorted by name."""
    return tuple(
        Area(name, _rings(shape), taskable=name != CITY)
        for name, shape in borough_shapes().items()
    )
