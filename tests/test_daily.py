"""Scenario games, drawable marginals and daily draws on a small hand-made scenario."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from resources.errors import InputError
from resources.model import Area, Forbid, Pin, SiteKind, Tactic, UnitStatus
from resources.model.sites import Sector
from resources.predictability import expected_overlap, frequency_gap, jaccard
from solver.daily import RandomisedPosture, day_seed
from solver.designs import SlotDesign
from solver.marginals import SlotMarginals, slot_marginals
from solver.overrides import override_cost
from solver.payoffs import GameOptions, Pool, SlotGame, slot_games
from solver.stackelberg import GameError, Target, optimal_coverage
from solver.stackelberg_general import ResourceType, optimal_coverage_general
from tests.factories import site, tiny_scenario, unit

CITY = Area("City of London", ((((-0.10, 51.51), (-0.08, 51.51), (-0.08, 51.52),
                                 (-0.10, 51.51)),),), taskable=False)
SITES = (
    site("square", risk=9.0, profile="flat", max_presence=2),
    site("station", -0.125, 51.503, kind=SiteKind.TRANSPORT_HUB, sector=Sector.TRANSPORT,
         risk=8.0, profile="flat"),
    site("market", -0.134, 51.512, risk=5.0),
    site("theatre", -0.128, 51.511, kind=SiteKind.NIGHT_TIME_ECONOMY,
         sector=Sector.NIGHT_TIME_ECONOMY, risk=6.0, profile="evening"),
    site("bridge", -0.121, 51.506, kind=SiteKind.ICONIC, sector=Sector.VISITOR_ATTRACTIONS,
         risk=7.0, profile="flat"),
    site("reach", -0.119, 51.507, kind=SiteKind.RIVER_STRETCH, risk=6.0, profile="flat",
         required_capability="river", max_presence=2),
    site("romford", 0.182, 51.575, borough="Havering", risk=4.0, profile="flat"),
    site("guildhall", -0.092, 51.515, borough="City of London", risk=9.0, profile="flat"),
)
UNITS = (
    unit("TROJAN 1", "ARV"), unit("TROJAN 2", "ARV"), unit("TROJAN 3", "ARV"),
    unit("AFP 1", "AFP"), unit("AFP 2", "AFP"),
    *(unit(f"NHT {i}", "NHT") for i in range(1, 5)),
    unit("NHT 9", "NHT", status=UnitStatus.COMMITTED, committed_to="Operation Sceptre"),
    unit("NHT 8", "NHT", available_slots=frozenset({1})),
    unit("U 1", "TSG"), unit("U 2", "TSG"),
    unit("BOAT 1", "MARINE", lon=-0.117, lat=51.506),
)
SCENARIO = tiny_scenario(units=UNITS, sites=SITES, areas=(CITY,))
DRAWS = 2000


@pytest.fixture(scope="module")
def posture() -> RandomisedPosture:
    return RandomisedPosture.build(SCENARIO)


def _game(slot: int = 0, sc: object = SCENARIO) -> SlotGame:
    return slot_games(sc)[slot]  # type: ignore[arg-type]


def test_payoffs_are_risk_times_crowd_times_posture_weight() -> None:
    game = _game(1)
    weight = SCENARIO.posture.weight
    for sid, target in zip(game.site_ids, game.targets, strict=True):
        impact = SCENARIO.sites_by_id[sid].risk_at(game.hour) * weight
        assert target == Target(0.0, -impact, -0.0, impact)
    assert "guildhall" not in game.site_ids  # the City is not tasked by this force
    plain = slot_games(SCENARIO, GameOptions(posture_weight=False, attacker_penalty=2.0))[1]
    assert plain.targets[0].attacker_uncovered == pytest.approx(9.0)
    assert plain.targets[0].attacker_covered == -2.0


def _pools_of(game: SlotGame, code: str) -> list[Pool]:
    return [p for p in game.pools if p.type_code == code]


def test_capabilities_duty_and_reach_shape_the_pools() -> None:
    game = _game(0)
    river = game.site_ids.index("reach")
    far = game.site_ids.index("romford")
    boats = _pools_of(game, "MARINE")
    assert [p.sites for p in boats] == [(river,)]
    assert all(river not in p.sites for p in game.pools if p.type_code != "MARINE")
    assert all(far not in p.sites for p in _pools_of(game, "NHT"))  # beyond a walk
    assert any(far in p.sites for p in _pools_of(game, "ARV"))  # a car can get there
    in_pools = {cs for p in game.pools for cs in p.callsigns}
    assert {"NHT 9", "NHT 8"}.isdisjoint(in_pools)  # committed, off duty
    assert "NHT 8" in {cs for p in _game(1).pools for cs in p.callsigns}
    assert max(game.capacity) <= 4 and game.capacity[game.site_ids.index("square")] == 2


def test_armed_share_counts_the_ctsfo_and_unarmed_units_posted_anyway() -> None:
    units = (*UNITS, unit("ALPHA", "CTSFO"), *(unit(f"V {i}", "TSG") for i in range(8)))
    sc = SCENARIO.with_changes(units=units)
    game = _game(0, sc)
    armed, unarmed = game.fixed_officers
    assert armed == 8  # the CTSFO team in reserve counts under 'all posted'
    on_duty = [u for u in units if u.on_duty(0) and not sc.unit_type(u).armed]
    assert unarmed == sum(u.officers for u in on_duty)
    assert "ALPHA" not in {cs for p in game.pools for cs in p.callsigns}
    assert slot_marginals(game).budgets.sum() > 0
    few = SCENARIO.with_changes(units=(*UNITS[:5], unit("ALPHA", "CTSFO")))
    with pytest.raises(GameError, match="armed-share cap cannot be met"):
        slot_marginals(_game(0, few))
    assert all(p.armed == 0 and p.unarmed == 0 for p in _pools_of(game, "NHT"))
    assert all(p.armed == 3 for p in _pools_of(game, "ARV"))
    assert game.armed_cap == Fraction(2, 25)


def test_pins_fix_coverage_and_forbids_remove_sites() -> None:
    sc = SCENARIO.with_changes(
        pins=(Pin("TROJAN 1", 0, "square", Tactic.STATIC_POINT),),
        forbids=(Forbid("AFP 1", "market"),))
    game = _game(0, sc)
    square = game.site_ids.index("square")
    assert game.capacity[square] == 1
    assert game.fixed_coverage[square] == pytest.approx(0.9)
    assert game.fixed_officers[0] == 3
    assert "TROJAN 1" not in {cs for p in game.pools for cs in p.callsigns}
    market = game.site_ids.index("market")
    afp1 = next(p for p in game.pools if "AFP 1" in p.callsigns)
    assert market not in afp1.sites


def test_bad_game_options_are_refused() -> None:
    with pytest.raises(InputError, match="reach_minutes"):
        GameOptions(reach_minutes=-1.0)
    with pytest.raises(InputError, match=r"effectiveness\.ARV"):
        GameOptions(effectiveness={"ARV": 1.5})


def _check_marginals(m: SlotMarginals) -> None:
    game = m.game
    assert np.allclose(m.x.sum(axis=1), m.budgets, atol=1e-9)
    assert (m.budgets <= [p.count for p in game.pools]).all()
    assert (m.x.sum(axis=0) <= np.asarray(game.capacity) + 1e-9).all()
    for g, p in enumerate(game.pools):
        assert set(np.flatnonzero(m.x[g] > 1e-12)) <= set(p.sites)
    share = game.armed_cap
    armed = game.fixed_officers[0] + sum(b * p.armed for b, p in zip(m.budgets, game.pools,
                                                                      strict=True))
    unarmed = game.fixed_officers[1] + sum(b * p.unarmed for b, p in zip(m.budgets, game.pools,
                                                                         strict=True))
    assert (1 - share) * armed <= share * unarmed + 1e-9
    assert m.value <= m.optimum + 1e-6


def test_marginals_have_whole_budgets_and_keep_every_rule(posture: RandomisedPosture) -> None:
    for m in posture.marginals:
        _check_marginals(m)
    assert posture.value() == pytest.approx(posture.optimum(), rel=0.01)


def test_one_unit_type_everywhere_matches_the_exact_basic_game() -> None:
    units = tuple(unit(f"NHT {i}", "NHT") for i in range(3))
    sites = tuple(s for s in SITES if s.site_id not in ("reach", "romford", "guildhall"))
    sc = tiny_scenario(units=units, sites=sites)
    game = slot_games(sc, GameOptions(effectiveness={"NHT": 1.0}))[0]
    m = slot_marginals(game)
    exact = optimal_coverage(game.targets, 3)
    assert m.optimum == pytest.approx(exact.defender_value, abs=1e-6)
    assert m.value == pytest.approx(exact.defender_value, abs=1e-6)
    assert m.budgets.tolist() == [3]  # topped up to whole units, value unchanged


def test_draws_keep_budgets_capacity_cap_and_probabilities(posture: RandomisedPosture) -> None:
    rng = np.random.default_rng(2026)
    units = posture.draw_units(rng, DRAWS)
    for d, n in zip(posture.slots, units, strict=True):
        m = d.marginals
        assert (n.sum(axis=2) == m.budgets).all()  # every pool's budget, every draw
        assert (n.sum(axis=1) <= np.asarray(m.game.capacity)).all()
        assert np.abs(n.mean(axis=0) - m.x).max() <= 0.03
    days = [posture.to_day(i, 0, [u[i] for u in units]).targets for i in range(DRAWS)]
    assert frequency_gap(days, posture.target_marginals()) <= 0.03


def test_a_day_depends_only_on_its_seed_and_index(posture: RandomisedPosture) -> None:
    run = [posture.draw(day, 99) for day in range(5)]
    alone = posture.draw(3, 99)
    assert alone == run[3]
    assert alone.seed == day_seed(99, 3) != day_seed(99, 4)
    assert posture.draw(3, 98).seed != alone.seed


def test_yesterday_does_not_hint_at_today(posture: RandomisedPosture) -> None:
    days = [posture.draw(d, 5).targets for d in range(600)]
    realised = np.mean([jaccard(a, b) for a, b in itertools.pairwise(days)])
    assert realised == pytest.approx(expected_overlap(posture.pool_marginals()), abs=0.02)
    # given yesterday's posting at a site, today's chance there is unchanged
    keys = sorted(posture.target_marginals())
    today = np.array([[d.get(k, 0) for k in keys] for d in days[1:]], dtype=float)
    before = np.array([[d.get(k, 0) for k in keys] for d in days[:-1]], dtype=float)
    for j, key in enumerate(keys):
        p = posture.target_marginals()[key]
        if 0.15 < p < 0.85:
            seen = before[:, j] > 0
            assert today[seen, j].mean() == pytest.approx(p, abs=0.12), key


def _coupled_marginals() -> SlotMarginals:
    """Two one-unit pools that could both land on a one-unit site."""
    t = Target(0.0, -5.0, 0.0, 5.0)
    pools = (Pool("A#0", "A", ("a",), (0, 1), 0.0, 1.0), Pool("B#1", "B", ("b",), (0, 1),
                                                                0.0, 1.0))
    game = SlotGame(0, 0.0, ("s0", "s1"), (5.0, 5.0), (t, t), pools,
                    {(g, j): 1.0 for g in range(2) for j in range(2)}, (1, 1), (0.0, 0.0),
                    (0.0, 0.0), Fraction(2, 25))
    x = np.array([[0.5, 0.5], [0.5, 0.5]])
    return SlotMarginals(game, x, np.array([1, 1]), np.array([1.0, 1.0]), -0.0, -0.0, 0)


def test_pools_that_could_overfill_a_site_are_drawn_jointly() -> None:
    m = _coupled_marginals()
    with pytest.raises(ValueError, match="overfill"):
        SlotDesign.fit(m, "cps")
    design = SlotDesign.fit(m)
    assert design.coupled == (0, 1)
    draws = design.draw(np.random.default_rng(1), DRAWS)
    assert (draws.sum(axis=1) <= 1).all() and (draws.sum(axis=2) == 1).all()
    assert np.abs(draws.mean(axis=0) - m.x).max() <= 0.03
    lo, hi = design.entropy_bounds()
    assert lo == 0.0 and hi == pytest.approx(2.0)  # 1 exact bit per pool at most


def test_auto_design_is_exactly_maximum_entropy_when_nothing_couples(
        posture: RandomisedPosture) -> None:
    for d in posture.slots:
        if not d.coupled:
            lo, hi = d.entropy_bounds()
            assert lo == pytest.approx(hi)
            assert lo == pytest.approx(SlotDesign.fit(d.marginals, "cps").entropy_bounds()[0])


def test_systematic_design_has_the_same_means(posture: RandomisedPosture) -> None:
    m = posture.slots[0].marginals
    design = SlotDesign.fit(m, "dependent")
    draws = design.draw(np.random.default_rng(8), DRAWS)
    assert (draws.sum(axis=2) == m.budgets).all()
    assert np.abs(draws.mean(axis=0) - m.x).max() <= 0.03
    with pytest.raises(ValueError, match="design"):
        SlotDesign.fit(m, "coin-flips")
    assert replace(posture, slots=posture.slots[:1]).optimum() == pytest.approx(m.optimum)
    assert Counter(r.type_code for r in posture.draw(0, 1).requirements)


# The general game's extras used above: site capacity, pinned coverage, officers outside it.
EQUAL = [Target(0.0, -10.0, 0.0, 10.0), Target(0.0, -10.0, 0.0, 10.0)]


@pytest.mark.parametrize("backend", ["multi-lp", "milp"])
def test_general_game_capacity_caps_a_target(backend: str) -> None:
    res = optimal_coverage_general(EQUAL, [ResourceType("foot", 1.0, frozenset({0, 1}))],
                                   capacity={0: 0.3}, backend=backend)
    assert res.coverage[0] == pytest.approx(0.3)
    assert res.defender_value == pytest.approx(-7.0)


@pytest.mark.parametrize("backend", ["multi-lp", "milp"])
def test_general_game_fixed_coverage_adds_to_deployment(backend: str) -> None:
    res = optimal_coverage_general(EQUAL, [ResourceType("foot", 0.5, frozenset({0, 1}))],
                                   fixed_coverage={0: 0.5}, backend=backend)
    assert res.coverage == pytest.approx((0.5, 0.5))
    assert res.defender_value == pytest.approx(-5.0)
    assert res.allocation.get(("foot", 0), 0.0) == pytest.approx(0.0, abs=1e-9)


def test_general_game_fixed_officers_count_towards_the_cap() -> None:
    arv = [ResourceType("arv", 1.0, frozenset({0, 1}), weight_armed=1.0)]
    half = Fraction(1, 2)
    free = optimal_coverage_general(EQUAL, arv, armed_cap=half, fixed_officers=(0.0, 1.0))
    assert sum(free.coverage) == pytest.approx(1.0)
    tight = optimal_coverage_general(EQUAL, arv, armed_cap=half, fixed_officers=(0.0, 0.5))
    assert sum(tight.coverage) == pytest.approx(0.5)
    with pytest.raises(GameError, match="armed_cap"):
        optimal_coverage_general(EQUAL, arv, armed_cap=half, fixed_officers=(1.0, 0.0))
    with pytest.raises(GameError, match="fixed_officers"):
        optimal_coverage_general(EQUAL, arv, fixed_officers=(-1.0, 0.0))
    with pytest.raises(GameError, match="capacity"):
        optimal_coverage_general(EQUAL, arv, capacity={5: 1.0})


def test_building_twice_gives_the_same_marginals(posture: RandomisedPosture) -> None:
    again = RandomisedPosture.build(SCENARIO)
    for a, b in zip(posture.marginals, again.marginals, strict=True):
        assert np.array_equal(a.x, b.x) and np.array_equal(a.budgets, b.budgets)


def test_overrides_report_what_they_cost(posture: RandomisedPosture) -> None:
    assert override_cost(posture) is None
    pins = (Pin("TROJAN 1", 0, "station", Tactic.STATIC_POINT),
            Pin("NHT 1", 0, "square", Tactic.STATIC_POINT))
    sc = SCENARIO.with_changes(pins=pins, forbids=(Forbid("AFP 1", "market", frozenset({1})),))
    cost = override_cost(RandomisedPosture.build(sc))
    assert cost is not None and cost.pins == 2 and cost.forbids == 1
    assert [s.slot for s in cost.slots] == [0, 1]
    assert cost.value_loss >= -1e-9  # pins and forbids can only restrict the defender
    doc = cost.to_dict()
    assert doc["pins"] == 2 and len(doc["slots"]) == 2
    everyone = tuple(Pin(u.callsign, 0, "station" if i % 2 else "bridge", Tactic.STATIC_POINT)
                     for i, u in enumerate(u for u in UNITS if u.on_duty(0)
                                           and u.type_code in ("NHT", "TSG")))
    heavy = override_cost(RandomisedPosture.build(SCENARIO.with_changes(pins=everyone)))
    assert heavy is not None and heavy.value_loss > 0.01
    assert any("of the defender value" in w for w in heavy.warnings())
    lost = replace(heavy, slots=(replace(heavy.slots[0], entropy=0.0, entropy_without=4.0),))
    assert lost.entropy_lost_bits == 4.0
    assert any("more predictable: 4.0 bits a day" in w for w in lost.warnings())
