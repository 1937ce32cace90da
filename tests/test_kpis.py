"""The travel model and the per-slot KPI definitions (resources/travel.py, resources/kpis.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from resources.kpis import (
    KpiCalculator,
    coverage_need,
    plan_kpis,
    required_presence,
    taskable_sites,
)
from resources.model import (
    Area,
    Assignment,
    CoverageCell,
    DeployedRule,
    Tactic,
    ThreatLevel,
    TravelModel,
)
from resources.model.geo import geodesic_km
from resources.travel import EARTH_RADIUS_KM, TravelTimes, haversine_km, minutes_for_km, reach_km
from tests.factories import site, tiny_scenario, unit

LON, LAT = -0.1276, 51.5072
KM_LON = 1 / (EARTH_RADIUS_KM * math.radians(1.0) * math.cos(math.radians(LAT)))  # deg per km
T = Tactic


def east(km: float) -> float:
    """Longitude ``km`` east of the reference point."""
    return LON + km * KM_LON


# ------------------------------------------------------------------------------- travel
def test_haversine_agrees_with_geodesic_within_half_a_percent() -> None:
    lons = np.array([LON, -0.45, 0.15])
    lats = np.array([LAT, 51.47, 51.60])
    km = haversine_km(lons, lats, lons, lats)
    for i in range(3):
        for j in range(3):
            exact = geodesic_km(lons[i], lats[i], lons[j], lats[j])
            assert km[i, j] == pytest.approx(exact, rel=5e-3, abs=1e-9)


def test_minutes_are_distance_times_circuity_over_speed() -> None:
    assert float(minutes_for_km(10.0, 40.0, 1.35)) == pytest.approx(20.25)
    assert reach_km(20.25, 40.0, 1.35) == pytest.approx(10.0)


def test_travel_times_use_each_types_speed_and_overrides() -> None:
    sc = tiny_scenario(units=(unit("ARV1", "ARV"), unit("AFP1", "AFP")),
                       sites=(site("A"), site("B", lon=east(5.0), lat=LAT)),
                       travel=TravelModel(speed_override_kmh={"AFP": 6.0}))
    tt = TravelTimes(sc)
    arv, afp = sc.types_by_code["ARV"], sc.types_by_code["AFP"]
    km = float(haversine_km([LON], [LAT], [east(5.0)], [LAT])[0, 0])
    assert km == pytest.approx(5.0, rel=1e-3)
    assert tt.minutes("A", "B", arv) == pytest.approx(km * 1.35 / 40 * 60)
    assert tt.minutes("A", "B", afp) == pytest.approx(km * 1.35 / 6 * 60)
    assert tt.minutes("A", "A", arv) == 0.0


def test_imported_matrix_replaces_the_distance_model_for_vehicles_only() -> None:
    sc = tiny_scenario(units=(unit("ARV1", "ARV"), unit("AFP1", "AFP")),
                       sites=(site("A"), site("B", lon=east(5.0), lat=LAT)),
                       travel=TravelModel(matrix={("A", "B"): 7.0}))
    tt = TravelTimes(sc)
    arv, afp = sc.types_by_code["ARV"], sc.types_by_code["AFP"]
    assert tt.minutes("A", "B", arv) == 7.0
    assert tt.matrix(["A", "B"], ["B", "A"], arv)[0, 0] == 7.0
    assert tt.minutes("B", "A", arv) == pytest.approx(5.0 * 1.35 / 40 * 60, rel=1e-2)
    assert tt.minutes("A", "B", afp) == pytest.approx(5.0 * 1.35 / 5 * 60, rel=1e-2)


# ------------------------------------------------------------------------------- targets
def test_required_presence_scales_with_posture_and_profile_and_is_capped() -> None:
    busy = site("busy", risk=4.0, min_presence=2, max_presence=3, profile="flat")
    night = site("night", risk=4.0, min_presence=2, profile="daytime")
    high = site("high", risk=9.0, min_presence=0, profile="daytime")
    sc = tiny_scenario(sites=(busy, night, high))
    severe = sc.with_changes(threat_level=ThreatLevel.SEVERE)  # presence_factor 1.25
    assert required_presence(sc, busy, 12.0) == 2
    assert required_presence(severe, busy, 12.0) == 3  # ceil(2 x 1.25), capped at 3
    assert required_presence(sc, night, 3.0) == 1  # ceil(2 x 0.1)
    assert required_presence(sc, high, 3.0) == 1  # risk 9 >= min_risk_covered 6
    assert coverage_need(sc, site("low", risk=1.0), 12.0) == 1


def test_sites_in_non_taskable_areas_are_not_targets() -> None:
    ring = ((-0.1, 51.5), (-0.08, 51.5), (-0.08, 51.52), (-0.1, 51.52), (-0.1, 51.5))
    city = Area("City of London", ((ring,),), taskable=False)
    sc = tiny_scenario(sites=(site("A"), site("C", borough="City of London")), areas=(city,))
    assert [s.site_id for s in taskable_sites(sc)] == ["A"]


# ---------------------------------------------------------------------------------- KPIs
def _posting(callsign: str, site_id: str | None, tactic: Tactic, officers: int, armed: int,
             standby: str | None = None) -> Assignment:
    return Assignment(callsign, 0, site_id, tactic, officers, armed, standby_id=standby)


def test_armed_share_counts_deployed_officers_by_the_deployed_rule() -> None:
    sc = tiny_scenario(units=(unit("ARV1", "ARV"), unit("TSG1", "TSG")), sites=(site("A"),))
    posts = [_posting("ARV1", None, T.RESERVE, 3, 3, "SB-CENTRAL"),
             _posting("TSG1", "A", T.STATIC_POINT, 8, 0)]
    k = plan_kpis(sc, posts)[0]
    assert (k.officers, k.armed_officers) == (11, 3)
    assert k.armed_share == pytest.approx(3 / 11)
    k2 = plan_kpis(sc.with_changes(deployed_rule=DeployedRule.SITES_ONLY), posts)[0]
    assert (k2.officers, k2.armed_officers, k2.armed_share) == (8, 0, 0.0)


def test_risk_coverage_weights_sites_by_risk_and_minimum_presence() -> None:
    a = site("A", risk=8.0, min_presence=2, profile="flat")
    b = site("B", risk=2.0, profile="flat", lon=east(1.0), lat=LAT)
    sc = tiny_scenario(units=(unit("TSG1", "TSG"),), sites=(a, b))
    k = plan_kpis(sc, [_posting("TSG1", "A", T.STATIC_POINT, 8, 0)])[0]
    assert k.risk_coverage == pytest.approx((8.0 * 1 / 2 + 0.0) / 10.0)
    assert k.sites_covered == 1


def test_armed_reach_is_demand_weighted_and_uses_the_units_speed() -> None:
    cells = (CoverageCell("near", east(1.0), LAT, "Westminster", 1.0),
             CoverageCell("far", east(10.0), LAT, "Westminster", 3.0))
    sc = tiny_scenario(units=(unit("ARV1", "ARV"), unit("AFP1", "AFP"), unit("CT1", "CTSFO")),
                       sites=(site("A", lon=LON, lat=LAT),), cells=cells)
    calc = KpiCalculator(sc)
    arv = _posting("ARV1", "A", T.VEHICLE_PATROL, 3, 3)
    afp = _posting("AFP1", "A", T.FOOT_PATROL, 2, 2)
    ct = _posting("CT1", None, T.RESERVE, 8, 8, "SB-CENTRAL")
    # 8 min at 40 km/h with circuity 1.35 is 3.95 km: the near cell only.
    assert calc.slot_kpi([arv], 0).armed_reach == pytest.approx(0.25)
    # on foot, 8 min is 0.49 km: nothing.
    assert calc.slot_kpi([afp], 0).armed_reach == 0.0
    # the CTSFO team has its own measure and does not count for armed reach.
    k = calc.slot_kpi([ct], 0)
    assert k.armed_reach == 0.0 and k.ctsfo_reach == pytest.approx(1.0)
