"""The embedded London week: sizes, rota, generated local sites, grid and determinism."""

from __future__ import annotations

from collections import Counter

import pytest
from shapely.geometry import Point

from resources.london import build_london, build_london_week
from resources.london.names import BOROUGHS, CITY
from resources.london.roster import armed_share_by_slot
from resources.model import Scenario, UnitStatus
from resources.model.catalogue import STANDARD_UNIT_TYPES
from resources.model.geo import haversine_km


@pytest.fixture(scope="module")
def week() -> Scenario:
    return build_london_week()


def _runs(slots: frozenset[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for t in sorted(slots):
        if runs and runs[-1][-1] == t - 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs


def test_week_sizes(week: Scenario) -> None:
    assert week.name == "london-week"
    assert week.calendar.days == 7 and week.calendar.slots_per_day == 12
    assert week.calendar.slot_count == 84
    assert len(week.units) >= 1500
    assert len(week.sites) >= 400
    assert len(week.cells) >= 2000
    assert len(week.areas) == 33
    assert {u.type_code for u in week.units} == {t.code for t in STANDARD_UNIT_TYPES}


def test_week_is_deterministic_and_seeded(week: Scenario) -> None:
    assert build_london_week() == week
    other = build_london_week(seed=8)
    assert other.units != week.units
    assert other.sites != week.sites


def test_units_work_five_shifts_in_the_week(week: Scenario) -> None:
    assert len({u.callsign for u in week.units}) == len(week.units)
    for u in week.units:
        assert u.available_slots is not None
        assert min(u.available_slots) >= 0 and max(u.available_slots) < 84
        if u.type_code == "CTSFO":
            assert len(u.available_slots) == 5 * 12
            continue
        runs = _runs(u.available_slots)
        assert len(runs) == 5, u.callsign
        assert all(3 <= len(r) <= 5 for r in runs), u.callsign
        days_off = {t // 12 for t in range(84)} - {r[0] // 12 for r in runs}
        assert len(days_off) <= 3, u.callsign


def test_every_slot_is_staffed_and_over_the_cap(week: Scenario) -> None:
    for t in range(84):
        assert sum(u.on_duty(t) for u in week.units) >= 250, t
    shares = armed_share_by_slot(week)
    assert all(0.08 < s < 0.16 for s in shares), shares
    committed = sum(u.status is UnitStatus.COMMITTED for u in week.units)
    assert 0.05 <= committed / len(week.units) <= 0.08


def test_week_contains_every_real_site() -> None:
    day = build_london()
    week_ids = {s.site_id for s in build_london_week().sites}
    assert {s.site_id for s in day.sites} <= week_ids


def test_generated_local_sites_are_plausibly_placed(week: Scenario) -> None:
    generated = [s for s in week.sites if "generated" in s.notes]
    assert len(generated) >= 100
    assert all(" local " in s.name for s in generated)
    per_borough = Counter(s.borough for s in generated)
    assert set(per_borough) == {name for code, name in BOROUGHS.items() if code != "CL"}
    shapes = {a.name: a.shape() for a in week.areas}
    for s in generated:
        assert shapes[s.borough].contains(Point(s.lon, s.lat)), s.name
        assert 2 <= s.risk <= 4 and s.min_presence == 0
        nearest = min(haversine_km(s.lon, s.lat, o.lon, o.lat) for o in week.sites if o is not s)
        assert nearest >= 0.4, s.name


def test_week_cells_lie_in_taskable_boroughs(week: Scenario) -> None:
    assert week.cell_size_m == 800.0
    shapes = {a.name: a.shape() for a in week.areas}
    assert all(c.borough != CITY for c in week.cells)
    for c in week.cells[::7]:
        assert shapes[c.borough].contains(Point(c.lon, c.lat)), c.cell_id
