"""One slot of the greedy construction: its state, the hard-rule test, and the fills.

Each fill scans candidates in a fixed order and never has to look back: posting a unit only
uses up site room and armed share, so a posting refused once stays refused within the fill
(the one exception, a unit that loosens the armed share, puts the refused postings back).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from resources.model import Tactic
from resources.travel import base_id
from solver.options import Requirement
from solver.problem import Problem, UnitInfo

Candidate = tuple[UnitInfo, list[int]]


class Units:
    """What the fills share over all slots: the change-over limit, minutes from bases."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self.limit = p.sc.travel.changeover_minutes + 1e-9
        self._from_base: dict[int, dict[str, float]] = {}

    def from_base(self, info: UnitInfo, place: str) -> float:
        """Minutes from the unit's base to ``place`` (one of its option places)."""
        hit = self._from_base.get(info.idx)
        if hit is None or place not in hit:
            places = sorted({o.place for o in info.options} | {place})
            row = self.p.travel.matrix([base_id(info.callsign)], places, info.utype)[0]
            hit = self._from_base[info.idx] = dict(zip(places, row.tolist(), strict=True))
        return hit[place]


class SlotFill:
    """The postings of one slot while the greedy fills it, and the fills themselves."""

    def __init__(self, tables: Units, t: int, on: list[UnitInfo], prev: dict[int, int]) -> None:
        p = tables.p
        self.p, self.tables, self.t, self.prev = p, tables, t, prev
        self.cap = p.sc.armed_share_cap
        self.posted: dict[int, int] = {}
        self.count: dict[str, int] = defaultdict(int)
        self.held: dict[str, int] = defaultdict(int)
        self.armed_at: set[str] = set()
        self.tactics: set[Tactic] = set()
        self.deployed = 0
        self.armed = 0
        self.ctsfo_cells = np.zeros(len(p.demand), dtype=bool)
        self.armed_cells = np.zeros(len(p.demand), dtype=bool)
        self.ks: dict[int, list[int]] = {i.idx: p.postings(i, t) for i in on}
        self.at_site: dict[str, list[tuple[UnitInfo, list[int]]]] = defaultdict(list)
        for info in on:
            here: dict[str, list[int]] = {}
            for k in self.ks[info.idx]:
                sid = info.options[k].site_id
                if sid is not None:
                    here.setdefault(sid, []).append(k)
            for sid, ks in here.items():
                self.at_site[sid].append((info, ks))
        for sid, rows in self.at_site.items():
            rows.sort(key=lambda row: (tables.from_base(row[0], sid), row[0].idx))

    # ------------------------------------------------------------------ rules
    def allowed(self, info: UnitInfo, k: int) -> bool:
        """True when ``info`` may take its option ``k`` (one of its postings in this slot)."""
        p = self.p
        if info.idx in self.posted:
            return False
        opt = info.options[k]
        if info.armed and p.deploys(opt.site_id) and \
                not self.cap.allows(self.armed + info.armed, self.deployed + info.officers):
            return False
        if opt.site_id is not None:
            site = p.sc.sites_by_id[opt.site_id]
            held = 0 if info.armed else self.held.get(opt.site_id, 0)
            if self.count[opt.site_id] + held >= site.max_presence:
                return False
            covered = info.armed or opt.site_id in self.armed_at
            if opt.tactic is Tactic.VCP_ANPR and not covered:
                return False
        prev = self.prev.get(info.idx)
        nxt = info.pinned_options.get(self.t + 1)
        if prev is None and nxt is None:
            return True
        mins = p.unit_minutes(info)
        limit = self.tables.limit
        return (prev is None or mins[prev, k] <= limit) and (nxt is None or mins[k, nxt] <= limit)

    def post(self, info: UnitInfo, k: int) -> None:
        """Give ``info`` its option ``k``."""
        opt = info.options[k]
        self.posted[info.idx] = k
        if self.p.deploys(opt.site_id):
            self.deployed += info.officers
            self.armed += info.armed
        if opt.site_id is not None:
            self.count[opt.site_id] += 1
            self.tactics.add(opt.tactic)
            if info.armed:
                self.armed_at.add(opt.site_id)

    def share_cost(self, info: UnitInfo, k: int) -> int:
        """Armed-share room (see ``room``) that posting ``info`` at ``k`` uses up."""
        if not self.p.deploys(info.options[k].site_id):
            return 0
        share = self.cap.share
        return share.denominator * info.armed - share.numerator * info.officers

    def room(self) -> int:
        """Armed-share room left: cap numerator x deployed - denominator x armed."""
        share = self.cap.share
        return share.numerator * self.deployed - share.denominator * self.armed

    def site_option(self, info: UnitInfo, ks: list[int]) -> int | None:
        """The first allowed option of ``ks`` (one site's), a tactic not yet used here first."""
        ok = [k for k in ks if self.allowed(info, k)]
        fresh = [k for k in ok if info.options[k].tactic not in self.tactics]
        return (fresh or ok)[0] if ok else None

    def candidates(self, site_id: str, keep: Callable[[UnitInfo], bool]) -> list[Candidate]:
        """Units passing ``keep`` with postings at ``site_id``, nearest base first."""
        return [(info, ks) for info, ks in self.at_site.get(site_id, []) if keep(info)]

    # ------------------------------------------------------------------ fills
    def fill_site(self, cands: list[Candidate], want: int,
                  on_post: Callable[[UnitInfo, int], None] | None = None) -> None:
        """Post up to ``want`` of the candidates (one site's), the nearest allowed first."""
        for info, ks in cands:
            if want <= 0:
                return
            if info.idx in self.posted:
                continue
            k = self.site_option(info, ks)
            if k is not None:
                self.post(info, k)
                want -= 1
                if on_post is not None:
                    on_post(info, k)

    def require(self, reqs: list[Requirement], armed: bool) -> None:
        """Post units of each requirement's pool at its site (``armed`` or unarmed ones only):
        first those using the least armed share, then those with the fewest spare candidates."""
        todo: list[tuple[int, int, str, str, int, int, list[Candidate]]] = []
        for n, r in enumerate(reqs):
            cands = self.candidates(r.site_id, pool_test(r, armed))
            short = r.count - self.pool_posted(r)
            if short > 0 and cands:
                cost = min(self.share_cost(info, ks[0]) for info, ks in cands) if armed else 0
                todo.append((cost, len(cands) - short, r.site_id, r.type_code, n, short, cands))
        todo.sort(key=lambda e: e[:5])
        for *_, short, cands in todo:
            self.fill_site(cands, short, self.mark_armed_reach if armed else None)

    def outstanding(self, reqs: list[Requirement], armed: bool) -> dict[str, int]:
        """Per site, the units still missing from requirements with ``armed`` candidates."""
        out: dict[str, int] = defaultdict(int)
        for r in reqs:
            short = r.count - self.pool_posted(r)
            if short > 0 and self.candidates(r.site_id, pool_test(r, armed)):
                out[r.site_id] += short
        return out

    def pool_posted(self, r: Requirement) -> int:
        """Units of ``r``'s pool posted at its site so far."""
        test = pool_test(r, None)
        return sum(1 for info, ks in self.at_site.get(r.site_id, [])
                   if self.posted.get(info.idx, -1) in ks and test(info))

    def mark_armed_reach(self, info: UnitInfo, k: int) -> None:
        """Record the cells a new armed posting brings within armed reach."""
        self.mark_reach(info, k, armed=True)

    def mark_reach(self, info: UnitInfo, k: int, *, armed: bool) -> None:
        """Record the cells within reach of ``info`` at its option ``k``."""
        p = self.p
        minutes = p.posture.armed_reach_minutes if armed else p.posture.ctsfo_reach_minutes
        cells = p.reach_table(info.utype, minutes).get(info.options[k].place)
        if cells is not None:
            (self.armed_cells if armed else self.ctsfo_cells)[cells] = True

    def cover(self, units: list[UnitInfo], armed: bool) -> None:
        """Post units, one at a time, where they bring the most uncovered demand into reach.

        Lazy greedy: a posting's gain only falls as cells are covered, so the heap holds upper
        bounds and a popped posting whose gain is still exact is the best one (ties: lowest
        unit index, then its first option)."""
        p = self.p
        minutes = p.posture.armed_reach_minutes if armed else p.posture.ctsfo_reach_minutes
        covered = self.armed_cells if armed else self.ctsfo_cells
        demand = p.demand
        heap: list[tuple[float, int, int, int]] = []
        least = math.inf  # the smallest armed-share cost of any candidate (cap-free: -inf)
        cells_of: dict[tuple[int, int], tuple[str, np.ndarray]] = {}
        memo: dict[str, tuple[int, float]] = {}
        version = 0

        def gain_at(key: str, cells: np.ndarray) -> float:
            hit = memo.get(key)
            if hit is None or hit[0] != version:
                hit = memo[key] = (version, float(demand[cells][~covered[cells]].sum()))
            return hit[1]

        for info in units:
            if info.idx in self.posted:
                continue
            table = p.reach_table(info.utype, minutes)
            for pos, k in enumerate(self.ks.get(info.idx, [])):
                place = info.options[k].place
                cells = table.get(place)
                if cells is None or not len(cells):
                    continue
                key = f"{info.utype.code}|{place}"
                cells_of[(info.idx, k)] = (key, cells)
                gain = gain_at(key, cells)
                if gain > 0:
                    heap.append((-gain, info.idx, pos, k))
                    free = not (info.armed and p.deploys(info.options[k].site_id))
                    least = min(least, -math.inf if free else self.share_cost(info, k))
        heapq.heapify(heap)
        blocked: list[tuple[float, int, int, int]] = []
        while heap and least <= self.room():
            neg, u, pos, k = heapq.heappop(heap)
            info = p.units[u]
            if u in self.posted:
                continue
            if not self.allowed(info, k):
                blocked.append((neg, u, pos, k))
                continue
            key, cells = cells_of[(u, k)]
            gain = gain_at(key, cells)
            if gain <= 0:
                continue
            if -gain != neg:
                heapq.heappush(heap, (-gain, u, pos, k))
                continue
            self.post(info, k)
            covered[cells] = True
            version += 1
            if self.share_cost(info, k) < 0:
                for e in blocked:
                    heapq.heappush(heap, e)
                blocked = []

    def reserve(self, units: list[UnitInfo]) -> None:
        """Give every unit still free its first allowed reserve posting."""
        for info in units:
            for k in self.ks.get(info.idx, []):
                if info.options[k].is_reserve and self.allowed(info, k):
                    self.post(info, k)
                    break

    def spill(self, units: list[UnitInfo]) -> None:
        """Post every unit still free at its first allowed site (a tactic new there first):
        a unit left idle adds nothing, posted it makes armed-share room."""
        for info in units:
            if info.idx in self.posted:
                continue
            by_site: dict[str, list[int]] = {}
            for k in self.ks.get(info.idx, []):
                sid = info.options[k].site_id
                if sid is not None:
                    by_site.setdefault(sid, []).append(k)
            for ks in by_site.values():
                best = self.site_option(info, ks)
                if best is not None:
                    self.post(info, best)
                    break


def pool_test(r: Requirement, armed: bool | None) -> Callable[[UnitInfo], bool]:
    """Membership of ``r``'s pool (its callsigns, else its type), armed or unarmed if told."""
    pool = frozenset(r.callsigns)

    def test(info: UnitInfo) -> bool:
        if armed is not None and bool(info.armed) != armed:
            return False
        return info.callsign in pool if pool else info.utype.code == r.type_code
    return test

