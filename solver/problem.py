"""The solver's snapshot of a scenario: on-duty units, their candidate postings, reach tables.

Which postings are candidates is decided in solver/candidates.py (pruning); pins and warm-start
postings are added here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from resources.kpis import (
    counts_for_armed_reach,
    coverage_need,
    required_presence,
    slot_hours,
    taskable_sites,
)
from resources.model import (
    DeployedRule,
    Mode,
    Pin,
    Plan,
    Scenario,
    Site,
    Tactic,
    Unit,
    UnitType,
)
from resources.travel import FloatArray, TravelTimes, base_id
from solver import candidates, rules
from solver.options import SolveOptions

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Option:
    """A posting a unit may take in a slot: a site with a tactic, or a reserve place."""

    place: str
    site_id: str | None
    standby_id: str | None
    tactic: Tactic

    @property
    def is_reserve(self) -> bool:
        """True for reserve postings (no site)."""
        return self.site_id is None


@dataclass
class UnitInfo:
    """An available unit with its candidate options and the slots it may be posted in."""

    idx: int
    unit: Unit
    utype: UnitType
    armed: int
    options: list[Option] = field(default_factory=list)
    slots: frozenset[int] = frozenset()
    pinned_options: dict[int, int] = field(default_factory=dict)
    restricted: dict[int, set[int]] = field(default_factory=dict)
    _index: dict[Option, int] = field(default_factory=dict, repr=False)

    @property
    def callsign(self) -> str:
        """The unit's callsign."""
        return self.unit.callsign

    @property
    def officers(self) -> int:
        """The unit's crew."""
        return self.unit.officers

    def option_index(self, opt: Option) -> int:
        """Index of ``opt`` in this unit's options, appending it when new (while building)."""
        try:
            return self.options.index(opt)
        except ValueError:
            self.options.append(opt)
            return len(self.options) - 1

    def find(self, opt: Option | None) -> int | None:
        """Index of ``opt`` among the (final) options, or None."""
        if opt is None:
            return None
        if len(self._index) != len(self.options):
            self._index = {}
            for k, o in enumerate(self.options):
                self._index.setdefault(o, k)
        return self._index.get(opt)


def option_of_pin(pin: Pin) -> Option:
    """The posting a pin asks for (a reserve pin without a standby point: the unit's base)."""
    place = pin.site_id or pin.standby_id or base_id(pin.callsign)
    return Option(place, pin.site_id, pin.standby_id, pin.tactic)


class Problem:
    """Everything the models need, computed once per solve (read-only afterwards)."""

    def __init__(self, scenario: Scenario, options: SolveOptions,
                 warm_start: Plan | None = None) -> None:
        self.sc = scenario
        self.opts = options
        self.travel = TravelTimes(scenario)
        self.posture = scenario.posture
        self.hours = slot_hours(scenario)
        self.labels = tuple(s.label for s in scenario.calendar.slots())
        self.n_slots = len(self.hours)
        self.pins: dict[tuple[str, int], Pin] = {(p.callsign, p.slot): p for p in scenario.pins}
        self.forbidden: dict[str, dict[str, frozenset[int] | None]] = defaultdict(dict)
        for fb in scenario.forbids:
            prev = self.forbidden[fb.callsign].get(fb.site_id, frozenset())
            self.forbidden[fb.callsign][fb.site_id] = (
                None if fb.slots is None or prev is None else prev | fb.slots
            )
        self.warm: dict[tuple[str, int], Option | None] = {}
        if warm_start is not None:
            posted = {(a.callsign, a.slot): a for a in warm_start.assignments}
            for u in scenario.units:
                for t in range(self.n_slots):
                    a = posted.get((u.callsign, t))
                    self.warm[(u.callsign, t)] = None if a is None else Option(
                        a.site_id or a.standby_id or base_id(a.callsign),
                        a.site_id, a.standby_id, a.tactic)
        self.units: list[UnitInfo] = []
        for u in scenario.units:
            ut = scenario.unit_type(u)
            info = UnitInfo(len(self.units), u, ut, ut.armed_for(u.officers))
            info.slots = frozenset(
                t for t in range(self.n_slots)
                if all(r.check(self, info, t) is None for r in rules.UNIT_SLOT_RULES)
            )
            if info.slots:
                self.units.append(info)
        self.by_callsign = {i.callsign: i for i in self.units}
        self.representative: dict[str, Unit] = {}
        for u in scenario.units:
            self.representative.setdefault(u.type_code, u)
        self._unit_minutes: dict[int, FloatArray] = {}
        self._postings: dict[tuple[int, int], list[int]] = {}
        self._top: dict[int, tuple[Site, ...]] = {}
        self._reach: dict[tuple[str, float], dict[str, IntArray]] = {}
        self._build_options()

    # ----------------------------------------------------------------- site data
    @cached_property
    def peak_risk(self) -> dict[str, float]:
        """Each site's highest hourly risk over the horizon."""
        return {s.site_id: max(s.risk_at(h) for h in self.hours) for s in self.sc.sites}

    @cached_property
    def target_sites(self) -> tuple[Site, ...]:
        """Sites the targets are measured on: those in taskable areas."""
        return taskable_sites(self.sc)

    @cached_property
    def avg_slot_risk(self) -> float:
        """Mean over slots of the summed hourly risk of the target sites (at least 1)."""
        per = [sum(s.risk_at(h) for s in self.target_sites) for h in self.hours]
        return max(1.0, sum(per) / max(1, len(per)))

    @cached_property
    def mean_site_risk(self) -> float:
        """Mean static risk of the target sites (at least 0.1): the scale of small terms."""
        sites = self.target_sites
        return max(0.1, sum(s.risk for s in sites) / len(sites)) if sites else 1.0

    @cached_property
    def armed_patrol_modes(self) -> frozenset[Mode]:
        """Modes of the armed, non-reserve-only types on the roster."""
        return frozenset(i.utype.mode for i in self.units if counts_for_armed_reach(i.utype))

    def armed_top_sites(self, slot: int) -> tuple[Site, ...]:
        """The posture's ``armed_top_sites`` highest-risk target sites an armed patrol can work."""
        hit = self._top.get(slot)
        if hit is None:
            h = self.hours[slot]
            ok = [s for s in self.target_sites
                  if s.allowed_modes & self.armed_patrol_modes and s.risk_at(h) > 0]
            ok.sort(key=lambda s: (-s.risk_at(h), s.site_id))
            hit = tuple(ok[: self.posture.armed_top_sites])
            self._top[slot] = hit
        return hit

    def reach_table(self, ut: UnitType, minutes: float) -> dict[str, IntArray]:
        """Cells within ``minutes`` of every place a unit of type ``ut`` may be posted at."""
        key = (ut.code, minutes)
        hit = self._reach.get(key)
        if hit is None:
            places = sorted({o.place for i in self.units if i.utype.code == ut.code
                             for o in i.options})
            hit = dict(zip(places, self.cells_within(ut, places, minutes), strict=True))
            self._reach[key] = hit
        return hit

    def deploys(self, site_id: str | None) -> bool:
        """True when a posting at ``site_id`` (None: reserve) counts as deployed."""
        return self.sc.deployed_rule is DeployedRule.ALL_POSTED or site_id is not None

    def widest_reach(self) -> int:
        """Most cells any single place reaches in the reach tables computed so far."""
        return max((len(c) for table in self._reach.values() for c in table.values()), default=0)

    def required(self, site: Site, slot: int) -> int:
        """Units the posture asks for at ``site`` in ``slot``."""
        return required_presence(self.sc, site, self.hours[slot])

    def need(self, site: Site, slot: int) -> int:
        """Units that make full coverage of ``site`` in ``slot``."""
        return coverage_need(self.sc, site, self.hours[slot])

    # ------------------------------------------------------------------ pruning
    def _build_options(self) -> None:
        candidates.build_options(self)
        self._add_pinned_and_warm_options()

    def _add_pinned_and_warm_options(self) -> None:
        for (cs, t), pin in sorted(self.pins.items()):
            pinned_unit = self.by_callsign.get(cs)
            if pinned_unit is not None:
                opt = option_of_pin(pin)
                regular = self.is_regular(pinned_unit.utype, opt)
                k = pinned_unit.option_index(opt)
                pinned_unit.pinned_options[t] = k
                if not regular:
                    pinned_unit.restricted.setdefault(k, set()).add(t)
        for (cs, t), prev in sorted(self.warm.items(), key=lambda kv: kv[0]):
            info = self.by_callsign.get(cs)
            if info is None or prev is None or t not in info.slots:
                continue
            known = (prev.site_id is None or prev.site_id in self.sc.sites_by_id) and (
                prev.standby_id is None or prev.standby_id in self.sc.standby_by_id)
            if known and self.is_regular(info.utype, prev):
                k = info.option_index(prev)
                info.restricted.pop(k, None)

    # --------------------------------------------------------------- postings
    def postings(self, info: UnitInfo, slot: int) -> list[int]:
        """Indices of the options ``info`` may take in ``slot`` (empty when off duty)."""
        if info.idx < 0:
            return self._compute_postings(info, slot)
        key = (info.idx, slot)
        hit = self._postings.get(key)
        if hit is None:
            hit = self._postings[key] = self._compute_postings(info, slot)
        return hit

    def _compute_postings(self, info: UnitInfo, slot: int) -> list[int]:
        if slot not in info.slots:
            return []
        out: list[int] = []
        for k, opt in enumerate(info.options):
            only = info.restricted.get(k)
            if only is not None and slot not in only:
                continue
            if all(r.check(self, info, opt, slot) is None for r in rules.POSTING_RULES):
                out.append(k)
        pinned = info.pinned_options.get(slot)
        if pinned is not None and pinned not in out:
            out.append(pinned)
        return out

    def is_regular(self, ut: UnitType, opt: Option) -> bool:
        """True when ``opt`` passes every option rule for ``ut`` (reserve places always do)."""
        if opt.site_id is None:
            return Tactic.RESERVE in ut.tactics
        return all(r.check(self, ut, opt) is None for r in rules.OPTION_RULES)

    # ------------------------------------------------------------ travel tables
    def unit_minutes(self, info: UnitInfo) -> FloatArray:
        """Minutes between every pair of ``info``'s option places (matrix over options)."""
        cached = self._unit_minutes.get(info.idx)
        if cached is None or cached.shape[0] != len(info.options):
            places = [o.place for o in info.options]
            cached = self.travel.matrix(places, places, info.utype)
            self._unit_minutes[info.idx] = cached
        return cached

    def cells_within(self, ut: UnitType, places: list[str], minutes: float) -> list[IntArray]:
        """For each place, the indices of coverage cells within ``minutes`` at ``ut``'s speed."""
        if not places or not self.sc.cells:
            return [np.zeros(0, dtype=np.int64) for _ in places]
        mins = self.travel.to_points(places, self.cell_lon, self.cell_lat, ut)
        return [np.flatnonzero(row <= minutes + 1e-9) for row in mins]

    @cached_property
    def cell_lon(self) -> FloatArray:
        """Coverage cell longitudes."""
        return np.array([c.lon for c in self.sc.cells], dtype=np.float64)

    @cached_property
    def cell_lat(self) -> FloatArray:
        """Coverage cell latitudes."""
        return np.array([c.lat for c in self.sc.cells], dtype=np.float64)

    @cached_property
    def demand(self) -> FloatArray:
        """Coverage cell demand weights."""
        return np.array([c.demand for c in self.sc.cells], dtype=np.float64)
