"""Security games from a scenario: one game per slot, built from risk, crowds, assets and rules.

Per slot (docs/randomisation.md, "Payoffs"): a taskable site's impact is ``risk_at(slot hour)``
times the posture weight; the attacker gains the impact at an uncovered site and the defender
loses it; a foiled attack costs the attacker ``attacker_penalty`` and earns the defender
``defender_bonus``.  Units on duty are pooled by type and by the sites they can reach from
their base; a unit's chance of foiling an attack is the effectiveness of its type at the site.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from resources.errors import InputError
from resources.kpis import slot_hours, taskable_sites
from resources.model import DeployedRule, Scenario, Site, SiteKind, Tactic, Unit, UnitType
from resources.travel import TravelTimes, base_id
from solver.stackelberg import Target

__all__ = ["GameOptions", "Pool", "SlotGame", "asset_effectiveness", "slot_games"]

_SEARCH_KINDS = frozenset({SiteKind.TRANSPORT_HUB, SiteKind.EVENT, SiteKind.ICONIC})


def asset_effectiveness(unit_type: UnitType, site: Site) -> float:
    """Chance that one unit of ``unit_type`` at ``site`` foils an attack there (0-1).

    By capability, first match wins: river 0.8; armed 0.9; explosives search 0.8 at hubs,
    events and iconic sites, else 0.6; public order 0.7; dog 0.6; mounted 0.6; ANPR 0.5;
    anything else 0.5.
    """
    caps = unit_type.capabilities
    if "river" in caps:
        return 0.8
    if unit_type.armed:
        return 0.9
    if "explosives_search" in caps:
        return 0.8 if site.kind in _SEARCH_KINDS else 0.6
    if "public_order" in caps:
        return 0.7
    if "dog" in caps or "mounted" in caps:
        return 0.6
    return 0.5


@dataclass(frozen=True)
class GameOptions:
    """How a scenario becomes games.

    ``reach_minutes``: a unit may be drawn only for sites within this travel time of its
    base (default: the deployment solver's default home range, 60 minutes).
    ``effectiveness``: per unit type code, replaces :func:`asset_effectiveness`.
    """

    attacker_penalty: float = 0.0
    defender_bonus: float = 0.0
    reach_minutes: float = 60.0
    posture_weight: bool = True
    effectiveness: Mapping[str, float] = field(default_factory=dict)
    backend: str = "multi-lp"

    def __post_init__(self) -> None:
        checks = [("attacker_penalty", self.attacker_penalty, 100.0),
                  ("defender_bonus", self.defender_bonus, 100.0),
                  ("reach_minutes", self.reach_minutes, 1440.0)]
        checks += [(f"effectiveness.{k}", v, 1.0) for k, v in self.effectiveness.items()]
        for name, value, hi in checks:
            ok = not isinstance(value, bool) and isinstance(value, (int, float))
            if not ok or not math.isfinite(float(value)) or not 0.0 <= float(value) <= hi:
                raise InputError(f"expected a number in [0, {hi:g}], got {value!r}",
                                 location="game options", field=name)


@dataclass(frozen=True)
class Pool:
    """Interchangeable units in one slot: same type, same reachable sites.

    ``armed``/``unarmed`` are the officers one posting adds to the armed-share count at a site
    (conservative over the pool: most armed, fewest unarmed).
    """

    name: str
    type_code: str
    callsigns: tuple[str, ...]
    sites: tuple[int, ...]
    armed: float
    unarmed: float

    @property
    def count(self) -> int:
        """Units in the pool."""
        return len(self.callsigns)


@dataclass(frozen=True)
class SlotGame:
    """The security game of one slot: sites (targets), pools (resources) and fixed deployment.

    ``effectiveness[(pool, target)]``; ``capacity[target]`` units still allowed at the site;
    ``fixed_coverage`` from pinned units; ``fixed_officers`` (armed, unarmed) that count towards
    the cap whatever the draw (pins, the CTSFO team, unarmed units posted anyway).
    """

    slot: int
    hour: float
    site_ids: tuple[str, ...]
    impact: tuple[float, ...]
    targets: tuple[Target, ...]
    pools: tuple[Pool, ...]
    effectiveness: Mapping[tuple[int, int], float]
    capacity: tuple[int, ...]
    fixed_coverage: tuple[float, ...]
    fixed_officers: tuple[float, float]
    armed_cap: Fraction


class _Builder:
    """Shared lookups for the games of one scenario."""

    def __init__(self, sc: Scenario, options: GameOptions) -> None:
        self.sc, self.opts = sc, options
        self.sites = taskable_sites(sc)
        self.travel = TravelTimes(sc)
        self.reach = float(options.reach_minutes)
        self.pins = {(p.callsign, p.slot): p for p in sc.pins}
        self.forbids: dict[str, list[tuple[str, frozenset[int] | None]]] = defaultdict(list)
        for fb in sc.forbids:
            self.forbids[fb.callsign].append((fb.site_id, fb.slots))
        self._able: dict[str, list[int]] = {}
        self._near: dict[str, frozenset[int]] = {}

    def eff(self, ut: UnitType, site: Site) -> float:
        over = self.opts.effectiveness.get(ut.code)
        return float(over) if over is not None else asset_effectiveness(ut, site)

    def able(self, unit: Unit) -> list[int]:
        """Indices (into self.sites) where the unit's type can do some site tactic."""
        code = unit.type_code
        if code not in self._able:
            tactics = self.sc.unit_type(unit).tactics - {Tactic.RESERVE}
            self._able[code] = [i for i, s in enumerate(self.sites)
                                if any(self.sc.can_perform(unit, s, t) for t in tactics)]
        return self._able[code]

    def near(self, unit: Unit) -> frozenset[int]:
        """Able sites within reach of the unit's base."""
        if unit.callsign not in self._near:
            able = self.able(unit)
            if not able:
                self._near[unit.callsign] = frozenset()
            else:
                ids = [self.sites[i].site_id for i in able]
                mins = self.travel.matrix([base_id(unit.callsign)], ids, self.sc.unit_type(unit))
                self._near[unit.callsign] = frozenset(
                    i for i, m in zip(able, mins[0], strict=True) if m <= self.reach + 1e-9)
        return self._near[unit.callsign]

    def allowed(self, unit: Unit, slot: int) -> frozenset[int]:
        banned = {sid for sid, slots in self.forbids.get(unit.callsign, [])
                  if slots is None or slot in slots}
        near = self.near(unit)
        if not banned:
            return near
        return frozenset(i for i in near if self.sites[i].site_id not in banned)

    def game(self, slot: int, hour: float) -> SlotGame:
        sc, opts = self.sc, self.opts
        weight = sc.posture.weight if opts.posture_weight else 1.0
        keep = [i for i, s in enumerate(self.sites) if s.risk_at(hour) * weight > 0]
        index = {i: j for j, i in enumerate(keep)}
        impact = tuple(self.sites[i].risk_at(hour) * weight for i in keep)
        targets = tuple(Target(opts.defender_bonus, -v, -opts.attacker_penalty, v)
                        for v in impact)
        capacity = [self.sites[i].max_presence for i in keep]
        fixed_cov = [0.0] * len(keep)
        armed = unarmed = 0.0
        all_posted = sc.deployed_rule is DeployedRule.ALL_POSTED
        members: dict[tuple[str, frozenset[int]], list[Unit]] = defaultdict(list)
        for u in sc.units:
            if not u.on_duty(slot):
                continue
            ut = sc.unit_type(u)
            a, crew = ut.armed_for(u.officers), u.officers
            pin = self.pins.get((u.callsign, slot))
            if pin is not None:
                if pin.site_id is not None or all_posted:
                    armed, unarmed = armed + a, unarmed + crew - a
                j = index.get(self._site_index(pin.site_id), -1)
                if j >= 0:
                    capacity[j] = max(0, capacity[j] - 1)
                    fixed_cov[j] += self.eff(ut, self.sites[keep[j]])
                continue
            if all_posted and ut.reserve_only and ut.armed:
                armed += a
            elif all_posted and not ut.armed and Tactic.RESERVE in ut.tactics:
                unarmed += crew
            if ut.reserve_only:
                continue
            sites = frozenset(index[i] for i in self.allowed(u, slot) if i in index)
            if sites:
                members[(u.type_code, sites)].append(u)
        pools: list[Pool] = []
        eff: dict[tuple[int, int], float] = {}
        for (code, sites), units in sorted(members.items(),
                                           key=lambda kv: (kv[0][0], sorted(kv[0][1]))):
            ut = sc.types_by_code[code]
            counted = not all_posted or ut.armed or Tactic.RESERVE not in ut.tactics
            arm = max(ut.armed_for(u.officers) for u in units) if counted else 0
            una = min(u.officers - ut.armed_for(u.officers) for u in units) if counted else 0
            g = len(pools)
            pools.append(Pool(f"{code}#{g}", code, tuple(u.callsign for u in units),
                              tuple(sorted(sites)), float(arm), float(una)))
            for j in sites:
                eff[g, j] = self.eff(ut, self.sites[keep[j]])
        return SlotGame(slot, hour, tuple(self.sites[i].site_id for i in keep), impact, targets,
                        tuple(pools), eff, tuple(capacity), tuple(fixed_cov),
                        (armed, unarmed), sc.armed_share_cap.share)

    def _site_index(self, site_id: str | None) -> int:
        if site_id is None:
            return -1
        for i, s in enumerate(self.sites):
            if s.site_id == site_id:
                return i
        return -1


def slot_games(scenario: Scenario, options: GameOptions | None = None) -> tuple[SlotGame, ...]:
    """The security game of every slot of the scenario's horizon (see module docstring)."""
    builder = _Builder(scenario, options or GameOptions())
    return tuple(builder.game(t, h) for t, h in enumerate(slot_hours(scenario)))
