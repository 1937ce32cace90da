"""A seeded, realistic roster for the embedded London: unit mix, bases, shifts and commitments.

Counts follow public figures for the force (docs/london.md). Shifts are contiguous windows
(8 hours for armed units and mounted patrols, 10 hours for the rest, 24 hours for the CTSFO
teams), clipped at the edges of the planning horizon; starts are spread by water-filling so that
every type is on duty in roughly the same numbers in every slot, which keeps the armed share of
on-duty officers steady.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from resources.london.boroughs import BOROUGH_CENTRES, borough_seeds
from resources.london.names import BOROUGHS, MET_CODES
from resources.london.standby import (
    CENTRAL_BASES,
    CTSFO_BASES,
    MARINE_BASE,
    STABLES,
    STATIONS,
)
from resources.model.scenario import Scenario
from resources.model.units import Unit, UnitStatus

SLOTS_PER_DAY = 12
_CTSFO_NAMES = ("ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF", "HOTEL")

#: Operations that hold units away from the plan (never drawn on), and how many units of each
#: type (in the one-day roster; the week's roster scales it) they hold.
OPERATIONS: dict[str, tuple[int, tuple[str, ...]]] = {
    "ARV": (8, ("Operation Trident (gun and gang crime)",)),
    "TSG": (6, ("Operation Trident (gun and gang crime)", "Operation Sceptre (knife crime)")),
    "ANPR": (5, ("Operation Trident (gun and gang crime)",
                 "Operation Venice (moped-enabled crime)")),
    "DOG-GP": (4, ("Operation Orochi (county lines)",)),
    "NHT": (14, ("Operation Sceptre (knife crime)", "Operation Orochi (county lines)")),
}
#: How much larger the week's roster is than the day's.
WEEK_SCALE = 2.5


@dataclass(frozen=True)
class TypePlan:
    """How many units of a type to roster, their crews, shift length and allowed shift starts.

    ``starts`` are slot offsets within a day; a start before 0 began the evening before and a
    shift running past the day's end carries on into the next day (clipped at the horizon).
    """

    code: str
    day_count: int
    week_count: int
    crews: tuple[tuple[int, float], ...]
    shift_slots: int
    starts: range


_EIGHT = range(0, 9)
_TEN = range(-2, 10)
#: The unit mix: one day (every unit works) and one week (each unit works 5 days of 7).
PLANS: tuple[TypePlan, ...] = (
    TypePlan("ARV", 70, 180, ((3, 1.0),), 4, _EIGHT),
    TypePlan("AFP", 30, 80, ((2, 1.0),), 4, _EIGHT),
    TypePlan("CTSFO", 3, 5, ((8, 0.4), (7, 0.3), (6, 0.3)), SLOTS_PER_DAY, range(1)),
    TypePlan("DOG-GP", 64, 150, ((1, 1.0),), 5, _TEN),
    TypePlan("DOG-EX", 16, 38, ((1, 1.0),), 5, _TEN),
    TypePlan("TSG", 50, 120, ((8, 0.8), (7, 0.15), (6, 0.05)), 5, _TEN),
    TypePlan("MARINE", 14, 22, ((3, 0.7), (2, 0.3)), 5, _TEN),
    TypePlan("MOUNTED", 24, 55, ((2, 1.0),), 4, range(3, 8)),
    TypePlan("NHT", 300, 760, ((2, 0.05), (3, 0.1), (4, 0.2), (5, 0.25), (6, 0.4)), 5, _TEN),
    TypePlan("ANPR", 40, 100, ((2, 1.0),), 5, _TEN),
)


def _callsigns(code: str, n: int) -> list[str]:
    if code == "ARV":
        return [f"TROJAN {101 + i}" for i in range(n)]
    if code == "AFP":
        return [f"TANGO {11 + i}" for i in range(n)]
    if code == "CTSFO":
        return [f"CT {_CTSFO_NAMES[i]}" for i in range(n)]
    if code == "DOG-GP":
        return [f"DOG {101 + i}" for i in range(n)]
    if code == "DOG-EX":
        return [f"DOG {701 + i}" for i in range(n)]
    if code == "TSG":
        return [f"ROMEO {1 + i // 6}{1 + i % 6}" for i in range(n)]
    if code == "MARINE":
        return [f"THAMES {1 + i}" for i in range(n)]
    if code == "MOUNTED":
        k = len(STABLES)
        return [f"MIKE {1 + i % k}{1 + i // k}" for i in range(n)]
    if code == "ANPR":
        return [f"ANPR {21 + i}" for i in range(n)]
    raise KeyError(code)


def _bases(code: str, n: int) -> list[tuple[float, float, str]]:
    """(lon, lat, borough name) of each unit's base, cycling through the type's bases."""
    stations = {pid: (lon, lat, BOROUGHS[b]) for pid, _, lon, lat, b in STATIONS}
    if code == "MARINE":
        pool = [stations[MARINE_BASE]]
    elif code == "MOUNTED":
        pool = [(lon, lat, BOROUGHS[b]) for _, lon, lat, b in STABLES]
    elif code == "AFP":
        pool = [stations[p] for p in CENTRAL_BASES]
    elif code == "CTSFO":
        pool = [stations[p] for p in CTSFO_BASES]
    else:
        pool = list(stations.values())
        shift = {"DOG-GP": 3, "DOG-EX": 7, "TSG": 11, "ANPR": 5}.get(code, 0)
        pool = pool[shift:] + pool[:shift]
    return [pool[i % len(pool)] for i in range(n)]


def _neighbourhood(n: int) -> list[tuple[str, float, float, str]]:
    """(callsign, lon, lat, borough) for neighbourhood teams spread over every Met borough."""
    seeds = borough_seeds()
    out: list[tuple[str, float, float, str]] = []
    for i in range(n):
        code = MET_CODES[i % len(MET_CODES)]
        name = BOROUGHS[code]
        k = i // len(MET_CODES)
        towns = (BOROUGH_CENTRES[name], *seeds[name][1:4])
        lon, lat = towns[k % len(towns)]
        out.append((f"{code} SNT {k + 1:02d}", lon, lat, name))
    return out


def _options(plan: TypePlan, days: int, rest_days: int) -> np.ndarray:
    """Candidate duty patterns, one row of slot indices per rest-day offset and shift start.

    Rows are padded with the index ``days * SLOTS_PER_DAY`` (a slot past the horizon).
    """
    horizon = days * SLOTS_PER_DAY
    rows: list[list[int]] = []
    for rest in range(7) if rest_days else range(1):
        working = [d for d in range(days) if not rest_days or (d - rest) % 7 >= rest_days]
        for start in plan.starts:
            slots = [
                t for d in working for j in range(plan.shift_slots)
                if 0 <= (t := d * SLOTS_PER_DAY + start + j) < horizon
            ]
            if slots:
                rows.append(slots)
    width = max(len(r) for r in rows)
    return np.array([r + [horizon] * (width - len(r)) for r in rows], dtype=np.int64)


def _duty(plan: TypePlan, crews: Sequence[int], days: int, rest_days: int,
          rng: random.Random) -> list[frozenset[int]]:
    """Water-fill each unit's duty pattern so the type's officers are spread evenly.

    Each unit takes the pattern whose busiest slot is least covered so far (then the least
    covered on average), ties broken at random.
    """
    options = _options(plan, days, rest_days)
    horizon = days * SLOTS_PER_DAY
    valid = options < horizon
    lengths = valid.sum(axis=1)
    cover = np.zeros(horizon + 1)
    duty: list[frozenset[int]] = []
    for crew in crews:
        vals = cover[options]
        costs = np.where(valid, vals, -np.inf).max(axis=1) + vals.sum(axis=1) / lengths / 1e3
        ties = np.flatnonzero(costs <= costs.min() + 1e-9)
        row = options[int(ties[rng.randrange(len(ties))])]
        pick = row[row < horizon]
        cover[pick] += crew
        duty.append(frozenset(int(t) for t in pick))
    return duty


def generate_roster(*, seed: int, days: int = 1, week: bool = False) -> tuple[Unit, ...]:
    """The roster: one-day counts (every unit works every day) or week counts (5 days of 7)."""
    rng = random.Random(seed)
    rest_days = 2 if week else 0
    units: list[Unit] = []
    for plan in PLANS:
        n = plan.week_count if week else plan.day_count
        sizes, weights = zip(*plan.crews, strict=True)
        crews = rng.choices(sizes, weights=weights, k=n)
        duty = _duty(plan, crews, days, rest_days, rng)
        if plan.code == "NHT":
            where = _neighbourhood(n)
        else:
            where = [(cs, lon, lat, b) for cs, (lon, lat, b) in
                     zip(_callsigns(plan.code, n), _bases(plan.code, n), strict=True)]
        for (callsign, lon, lat, borough), crew, slots in zip(where, crews, duty, strict=True):
            units.append(Unit(callsign, plan.code, lon, lat, borough, crew,
                              available_slots=slots))
    return _commit(units, rng, WEEK_SCALE if week else 1.0)


def _commit(units: list[Unit], rng: random.Random, scale: float) -> tuple[Unit, ...]:
    """Commit a fixed number of units of each type to other operations, chosen at random."""
    out = list(units)
    for code, (count, ops) in OPERATIONS.items():
        pool = [i for i, u in enumerate(units) if u.type_code == code]
        for i in sorted(rng.sample(pool, min(len(pool), round(count * scale)))):
            u = units[i]
            out[i] = Unit(u.callsign, u.type_code, u.base_lon, u.base_lat, u.borough,
                          u.officers, UnitStatus.COMMITTED, rng.choice(ops), u.available_slots)
    return tuple(out)


def armed_share_by_slot(scenario: Scenario, *, include_reserve_only: bool = True) -> list[float]:
    """Armed share of on-duty officers in each slot (if every available unit were deployed)."""
    shares: list[float] = []
    for t in range(scenario.calendar.slot_count):
        armed = total = 0
        for u in scenario.units:
            ut = scenario.unit_type(u)
            if not u.on_duty(t) or (ut.reserve_only and not include_reserve_only):
                continue
            armed += ut.armed_for(u.officers)
            total += u.officers
        shares.append(armed / total if total else 0.0)
    return shares
