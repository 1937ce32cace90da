"""Candidate postings (pruning): which sites and reserve places each unit may be given.

Every unit's candidate places form a *patch*: sites and standby points (and its base, when
near enough) that are all within the change-over time of one another, both ways, at the unit's
speed under the scenario's travel model.  Any sequence of postings inside a patch meets the
change-over rule, so the slots decouple and a plan can be solved slot by slot without losing
optimality (docs/solver.md, "Decomposition").  A patch is seeded at the site within
``home_range_minutes`` of the base with the highest peak risk per candidate unit already on duty
there (so units spread over the sites), then grown with the next best sites that fit, up to
``sites_per_unit``; a site left with fewer than ``units_per_site`` candidate units on duty in
some slot takes the nearest able units whose patch it fits.  Reserve-only teams (the
CTSFO) get every standby point within ``home_range_minutes`` instead: they are placed by a
first phase of their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from resources.kpis import is_ctsfo
from resources.model import Mode, Tactic, UnitType
from resources.travel import FloatArray, base_id
from solver import rules

if TYPE_CHECKING:
    from solver.problem import Option, Problem, UnitInfo


@dataclass
class _TypeTables:
    """Travel tables of one unit type: places (sites then standby points) and unit bases."""

    ut: UnitType
    infos: list[UnitInfo]
    places: list[str]
    per_site: dict[str, list[Option]]
    pp: FloatArray
    bp: FloatArray
    pb: FloatArray
    chosen: dict[int, list[int]] = field(default_factory=dict)
    with_base: dict[int, bool] = field(default_factory=dict)

    def fits(self, row: int, j: int, limit: float) -> bool:
        """True when place ``j`` is within ``limit`` both ways of every place of the patch."""
        if self.with_base.get(row, True) and (self.bp[row, j] > limit or self.pb[j, row] > limit):
            return False
        return all(self.pp[i, j] <= limit and self.pp[j, i] <= limit
                   for i in self.chosen.get(row, []))


class _Cover:
    """Candidate units per site and slot, counted over the slots each unit is on duty."""

    def __init__(self, p: Problem) -> None:
        self.index = {s.site_id: n for n, s in enumerate(p.sc.sites)}
        self.count = np.zeros((len(p.sc.sites), p.n_slots), dtype=np.int64)
        self.units: dict[str, set[int]] = defaultdict(set)

    def add(self, site_id: str, info: UnitInfo) -> None:
        if info.idx not in self.units[site_id]:
            self.units[site_id].add(info.idx)
            self.count[self.index[site_id], sorted(info.slots)] += 1


def _valid_site_options(p: Problem, ut: UnitType) -> dict[str, list[Option]]:
    from solver.problem import Option

    out: dict[str, list[Option]] = defaultdict(list)
    for s in p.sc.sites:
        for tac in sorted(ut.tactics):
            if tac is Tactic.RESERVE:
                continue
            opt = Option(s.site_id, s.site_id, None, tac)
            if all(r.check(p, ut, opt) is None for r in rules.OPTION_RULES):
                out[s.site_id].append(opt)
    return out


def _tables(p: Problem, infos: list[UnitInfo]) -> _TypeTables:
    ut = infos[0].utype
    per_site = _valid_site_options(p, ut)
    standby = [] if ut.mode is Mode.BOAT else [sp.point_id for sp in p.sc.standby_points]
    places = list(per_site) + standby
    bases = [base_id(i.callsign) for i in infos]
    empty = np.zeros((len(bases), 0))
    return _TypeTables(
        ut, infos, places, per_site,
        pp=p.travel.matrix(places, places, ut) if places else np.zeros((0, 0)),
        bp=p.travel.matrix(bases, places, ut) if places else empty,
        pb=p.travel.matrix(places, bases, ut) if places else empty.T,
    )


def _add_site(tab: _TypeTables, row: int, j: int, cover: _Cover) -> None:
    info = tab.infos[row]
    tab.chosen.setdefault(row, []).append(j)
    info.options.extend(tab.per_site[tab.places[j]])
    cover.add(tab.places[j], info)


def _patch(p: Problem, tab: _TypeTables, row: int, cover: _Cover, limit: float) -> None:
    """Seed the unit's patch at the most valuable, least covered site it can reach, then grow
    it with the next best sites that keep every pair of its places within the change-over."""
    info = tab.infos[row]
    home = p.opts.home_range_minutes + 1e-9
    ok = [j for j in range(len(tab.per_site)) if tab.bp[row, j] <= home]
    if not ok:
        return
    slots = np.array(sorted(info.slots), dtype=np.int64)
    rows = np.array([cover.index[tab.places[j]] for j in ok], dtype=np.int64)
    have = cover.count[np.ix_(rows, slots)].mean(axis=1)
    risk = np.array([p.peak_risk[tab.places[j]] for j in ok], dtype=np.float64)
    dist = tab.bp[row, ok]
    order = [ok[k] for k in np.lexsort((np.array(ok), dist, -risk / (1.0 + have)))]
    if tab.chosen.get(row):  # seeded by a drawn requirement: grow from there
        _grow(p, tab, row, cover, limit, order)
        return
    seed = order[0]
    tab.with_base[row] = tab.bp[row, seed] <= limit and tab.pb[seed, row] <= limit
    _add_site(tab, row, seed, cover)
    _grow(p, tab, row, cover, limit, order[1:])


def _grow(p: Problem, tab: _TypeTables, row: int, cover: _Cover, limit: float,
          order: list[int]) -> None:
    """Add the sites of ``order`` that fit the unit's patch, up to ``sites_per_unit``."""
    for j in order:
        if len(tab.chosen[row]) >= p.opts.sites_per_unit:
            break
        if j not in tab.chosen[row] and tab.fits(row, j, limit):
            _add_site(tab, row, j, cover)


def _seed_required(p: Problem, tables: dict[str, _TypeTables], cover: _Cover,
                   limit: float) -> None:
    """Give every drawn requirement candidate units able to meet it: first ``count`` units of
    its pool on duty in its slot, not kept for another requirement of that slot, whose patch
    holds the site or can take it (patches already holding it first, then patches it fits,
    then empty ones, nearest first); then as many again where patches allow."""
    home = p.opts.home_range_minutes + 1e-9
    kept: set[tuple[str, int]] = set()
    reqs = sorted(p.opts.required, key=lambda r: (r.slot, r.site_id, r.type_code))
    for extra in (False, True):
        for r in reqs:
            tab = tables.get(r.type_code)
            if tab is None or tab.ut.reserve_only or is_ctsfo(tab.ut) \
                    or r.site_id not in tab.per_site:
                continue
            j = tab.places.index(r.site_id)
            pool = set(r.callsigns)
            ranked = []
            for row, info in enumerate(tab.infos):
                if r.slot not in info.slots or (pool and info.callsign not in pool) \
                        or tab.bp[row, j] > home or (info.callsign, r.slot) in kept:
                    continue
                have = tab.chosen.get(row, [])
                rank = 0 if j in have else 2 if not have else 1 if tab.fits(row, j, limit) else 3
                if rank < 3 and not (extra and rank == 0):
                    spread = max((max(tab.pp[i, j], tab.pp[j, i]) for i in have),
                                 default=float(tab.bp[row, j]))
                    ranked.append((rank, spread, row))
            for _, _, row in sorted(ranked)[:r.count]:
                if not tab.chosen.get(row):
                    tab.with_base[row] = tab.bp[row, j] <= limit and tab.pb[j, row] <= limit
                if j not in tab.chosen.get(row, []):
                    _add_site(tab, row, j, cover)
                if not extra:
                    kept.add((tab.infos[row].callsign, r.slot))


def build_options(p: Problem) -> None:
    """Fill every unit's candidate options (sites with tactics, reserve places)."""
    limit = min(p.sc.travel.changeover_minutes, p.opts.home_range_minutes) + 1e-9
    by_type: dict[str, list[UnitInfo]] = defaultdict(list)
    for info in p.units:
        by_type[info.utype.code].append(info)
    cover = _Cover(p)
    tables: dict[str, _TypeTables] = {code: _tables(p, by_type[code]) for code in sorted(by_type)}
    _seed_required(p, tables, cover, limit)
    for tab in tables.values():
        if tab.ut.reserve_only or is_ctsfo(tab.ut):
            continue
        for row in range(len(tab.infos)):
            _patch(p, tab, row, cover, limit)
    _fill_thin_sites(p, tables, cover, limit)
    for tab in tables.values():
        for row, info in enumerate(tab.infos):
            _add_reserve_options(p, tab, row, info, limit)


def _fill_thin_sites(p: Problem, tables: dict[str, _TypeTables], cover: _Cover,
                     limit: float) -> None:
    """Give every site ``units_per_site`` candidate units on duty in each slot, if it can."""
    want = p.opts.units_per_site
    cap = p.opts.sites_per_unit + 2
    home = p.opts.home_range_minutes + 1e-9
    for s in p.sc.sites:
        row_of = cover.count[cover.index[s.site_id]]
        if row_of.min() >= want:
            continue
        ranked: list[tuple[float, int, _TypeTables, int, int]] = []
        for code in sorted(tables):
            tab = tables[code]
            if s.site_id not in tab.per_site or tab.ut.reserve_only:
                continue
            j = tab.places.index(s.site_id)
            for row, info in enumerate(tab.infos):
                if info.idx not in cover.units[s.site_id] and tab.bp[row, j] <= home:
                    ranked.append((float(tab.bp[row, j]), info.idx, tab, row, j))
        ranked.sort(key=lambda e: (e[0], e[1]))
        for _, _, tab, row, j in ranked:
            thin = {t for t in range(p.n_slots) if row_of[t] < want}
            if not thin:
                break
            info = tab.infos[row]
            if info.slots & thin and len(tab.chosen.get(row, [])) < cap \
                    and tab.fits(row, j, limit):
                _add_site(tab, row, j, cover)


def _add_reserve_options(p: Problem, tab: _TypeTables, row: int, info: UnitInfo,
                         limit: float) -> None:
    from solver.problem import Option

    if Tactic.RESERVE not in tab.ut.tactics:
        return
    ctsfo = tab.ut.reserve_only or is_ctsfo(tab.ut)
    if ctsfo or tab.with_base.get(row, True):
        info.options.append(Option(base_id(info.callsign), None, None, Tactic.RESERVE))
    standby = range(len(tab.per_site), len(tab.places))
    if ctsfo:
        home = p.opts.home_range_minutes + 1e-9
        keep = [j for j in standby if tab.bp[row, j] <= home]
    else:
        keep = []
        for j in sorted(standby, key=lambda j: (tab.bp[row, j], j)):
            if len(keep) >= p.opts.standby_per_unit:
                break
            if tab.fits(row, j, limit):
                keep.append(j)
                tab.chosen.setdefault(row, []).append(j)
    keep.sort(key=lambda j: (tab.bp[row, j], j))
    for j in keep:
        info.options.append(Option(tab.places[j], None, tab.places[j], Tactic.RESERVE))
