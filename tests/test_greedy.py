"""The greedy first plan: drawn requirements placed first, every hard rule still exact."""

from __future__ import annotations

from resources.model import CoverageCell, Pin, Plan, Scenario, Tactic
from resources.verify import verify_plan
from solver.greedy import greedy_plan
from solver.greedy_fill import SlotFill, Units
from solver.options import Requirement, SolveOptions
from solver.problem import Problem, UnitInfo
from tests.factories import site, tiny_scenario, unit

T = Tactic
TSGS = tuple(unit(f"TSG{n}", "TSG") for n in range(5))  # 40 unarmed officers


def at(plan: Plan, slot: int, site_id: str) -> set[str]:
    """Callsigns posted at ``site_id`` in ``slot``."""
    return {a.callsign for a in plan.assignments if a.slot == slot and a.site_id == site_id}


def planned(sc: Scenario, *reqs: Requirement) -> Plan:
    """The greedy plan of ``sc`` with ``reqs``, checked by the independent verifier."""
    plan = greedy_plan(sc, SolveOptions(required=reqs))
    assert verify_plan(sc, plan) == []
    return plan


def test_a_drawn_unit_goes_where_the_draw_says_not_where_risk_alone_would_send_it() -> None:
    sc = tiny_scenario(units=(unit("NHT1", "NHT"),),
                       sites=(site("high", risk=9.0), site("low", lon=-0.1206, risk=2.0)))
    assert at(planned(sc), 0, "high") == {"NHT1"}  # without the draw: the riskier site
    plan = planned(sc, Requirement(0, "low", "NHT", 1))
    assert at(plan, 0, "low") == {"NHT1"} and at(plan, 0, "high") == set()
    assert at(plan, 1, "high") == {"NHT1"}  # the other slot is not drawn


def test_drawn_armed_units_stay_within_the_armed_share_and_the_rest_are_left_short() -> None:
    sc = tiny_scenario(units=(unit("ARV1", "ARV"), unit("ARV2", "ARV"), *TSGS),
                       sites=(site("top", risk=9.0), site("drawn", lon=-0.1226, risk=1.0)))
    plan = planned(sc, Requirement(0, "drawn", "ARV", 2, ("ARV1", "ARV2")))
    # 46 officers with both armed crews deployed: 6 armed is over 8%, 3 of 43 is not
    assert len(at(plan, 0, "drawn") & {"ARV1", "ARV2"}) == 1
    k = plan.kpis[0]
    assert k.armed_officers == 3 and k.officers == 43
    assert sc.armed_share_cap.allows(k.armed_officers, k.officers)


def test_room_for_a_drawn_armed_unit_is_kept_from_the_unarmed_fill() -> None:
    small = site("small", lon=-0.1296, risk=9.0, min_presence=1, max_presence=1)
    sc = tiny_scenario(units=(unit("NHT1", "NHT"), unit("ARV1", "ARV", lon=-0.16), *TSGS),
                       sites=(small, site("other", lon=-0.1226, risk=1.0)))
    plain = at(planned(sc), 0, "small")
    assert len(plain) == 1 and "ARV1" not in plain  # without the draw: an unarmed unit
    plan = planned(sc, Requirement(0, "small", "ARV", 1, ("ARV1",)))
    assert at(plan, 0, "small") == {"ARV1"}


def test_a_drawn_unit_that_cannot_make_the_change_over_is_replaced_from_its_pool() -> None:
    # far and near are about 45 minutes apart on foot: more than the 30-minute change-over
    far, near = site("far", lon=-0.15, risk=9.0), site("near", lon=-0.11, risk=1.0)
    sc = tiny_scenario(units=(unit("NHT1", "NHT"), unit("NHT2", "NHT")), sites=(far, near),
                       pins=(Pin("NHT1", 0, "far", T.FOOT_PATROL),))
    plan = planned(sc, Requirement(1, "near", "NHT", 1, ("NHT1", "NHT2")))
    assert at(plan, 0, "far") >= {"NHT1"}
    assert at(plan, 1, "near") == {"NHT2"}


def test_a_requirement_no_unit_can_meet_is_left_short_and_the_plan_is_whole() -> None:
    sc = tiny_scenario(units=(unit("NHT1", "NHT"),), sites=(site("a"),))
    river = site("river", kind="river_stretch", required_capability="river", risk=3.0)
    sc = tiny_scenario(units=sc.units, sites=(*sc.sites, river))
    plan = planned(sc, Requirement(0, "river", "NHT", 1))
    assert at(plan, 0, "river") == set() and at(plan, 0, "a") == {"NHT1"}


def _naive_cover(s: SlotFill, units: list[UnitInfo]) -> None:
    """Reference for SlotFill.cover: rescan every posting after each pick (ties as documented)."""
    p = s.p
    table_of = {i.idx: p.reach_table(i.utype, p.posture.armed_reach_minutes) for i in units}
    while True:
        best: tuple[tuple[float, int, int], UnitInfo, int] | None = None
        for info in units:
            for pos, k in enumerate(s.ks[info.idx]):
                cells = table_of[info.idx].get(info.options[k].place)
                if cells is None or not len(cells) or not s.allowed(info, k):
                    continue
                gain = float(p.demand[cells][~s.armed_cells[cells]].sum())
                if gain > 0 and (best is None or (-gain, info.idx, pos) < best[0]):
                    best = ((-gain, info.idx, pos), info, k)
        if best is None:
            return
        s.post(best[1], best[2])
        s.mark_armed_reach(best[1], best[2])


def test_the_lazy_reach_cover_picks_exactly_what_a_full_rescan_picks() -> None:
    cells = tuple(CoverageCell(f"C{i}", -0.25 + 0.02 * (i % 12), 51.45 + 0.02 * (i // 12),
                               "Westminster", 1.0 + (7 * i) % 5) for i in range(72))
    arvs = tuple(unit(f"ARV{n}", "ARV", lon=-0.24 + 0.04 * n, lat=51.47 + 0.02 * (n % 3))
                 for n in range(6))
    sites = tuple(site(f"s{n}", lon=-0.23 + 0.03 * n, lat=51.46 + 0.015 * (n % 4))
                  for n in range(8))
    tsgs = tuple(unit(f"TSG{n}", "TSG") for n in range(15))  # room for 3 armed crews of 3
    sc = tiny_scenario(units=arvs + tsgs, sites=sites, cells=cells)
    p = Problem(sc, SolveOptions())
    on = [i for i in p.units if 0 in i.slots]
    armed = [i for i in on if i.armed]
    picks = []
    for cover in (lambda s: s.cover(armed, armed=True), lambda s: _naive_cover(s, armed)):
        s = SlotFill(Units(p), 0, on, {})
        s.reserve([i for i in on if not i.armed])
        cover(s)
        picks.append(s.posted)
    assert picks[0] == picks[1]
    assert sum(1 for i in armed if i.idx in picks[0]) == 3  # the armed share stops the rest
