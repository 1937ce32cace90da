"""The hard rules, one named function each.

Posting rules decide which postings exist at all (a unit off duty, an incapable tactic, a site
in an area the force does not task, a forbidden site: no variable is created).  Constraint rules
link postings in the CP-SAT model.  The registries are module attributes, looked up at use, so a
test can drop one rule and watch its fixture break.  The independent check is resources/verify.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from resources.kpis import non_taskable_boroughs
from resources.model import TACTIC_RULES, Mode, SiteKind, Tactic, UnitType

if TYPE_CHECKING:
    from solver.model import ModelContext
    from solver.problem import Option, Problem, UnitInfo


@dataclass(frozen=True)
class UnitSlotRule:
    """May this unit be posted at all in this slot? ``check`` returns a reason when not."""

    name: str
    check: Callable[[Problem, UnitInfo, int], str | None]


@dataclass(frozen=True)
class OptionRule:
    """May a unit of this type take this posting? ``check`` returns a reason when not."""

    name: str
    check: Callable[[Problem, UnitType, Option], str | None]


@dataclass(frozen=True)
class PostingRule:
    """May this unit take this posting in this slot? ``check`` returns a reason when not."""

    name: str
    check: Callable[[Problem, UnitInfo, Option, int], str | None]


@dataclass(frozen=True)
class ConstraintRule:
    """A hard rule added to the model over the postings of a window."""

    name: str
    build: Callable[[ModelContext], None]


def _on_duty(p: Problem, info: UnitInfo, slot: int) -> str | None:
    u = info.unit
    if u.on_duty(slot):
        return None
    if u.committed_to:
        return f"{u.callsign} is committed to {u.committed_to}"
    return f"{u.callsign} is not on duty in {p.labels[slot]}"


def _capable(p: Problem, ut: UnitType, opt: Option) -> str | None:
    if opt.site_id is None:
        if Tactic.RESERVE not in ut.tactics:
            return f"a {ut.code} cannot hold a reserve posting"
        return None
    site = p.sc.sites_by_id[opt.site_id]
    if ut.reserve_only:
        return f"a {ut.code} may only hold reserve postings"
    if ut.mode is Mode.BOAT and site.kind is not SiteKind.RIVER_STRETCH:
        return f"boats work only on river stretches, and {site.name} is not one"
    if site.kind is SiteKind.RIVER_STRETCH and ut.mode is not Mode.BOAT:
        return f"river stretch {site.name} can be covered only from a boat"
    rep = p.representative.get(ut.code)
    if rep is None or not p.sc.can_perform(rep, site, opt.tactic):
        return f"a {ut.code} cannot do {TACTIC_RULES[opt.tactic].label.lower()} at {site.name}"
    return None


def _taskable(p: Problem, ut: UnitType, opt: Option) -> str | None:
    if opt.site_id is None:
        return None
    site = p.sc.sites_by_id[opt.site_id]
    if site.borough in non_taskable_boroughs(p.sc):
        return f"{site.name} is in {site.borough}, which this force does not task"
    return None


def _not_forbidden(p: Problem, info: UnitInfo, opt: Option, slot: int) -> str | None:
    rules = p.forbidden.get(info.callsign)
    if not rules or opt.site_id is None or opt.site_id not in rules:
        return None
    slots = rules[opt.site_id]
    if slots is None or slot in slots:
        return f"{info.callsign} is forbidden at {p.sc.sites_by_id[opt.site_id].name}"
    return None


def _one_posting(ctx: ModelContext) -> None:
    for ks in ctx.unit_slot.values():
        if len(ks) > 1:
            ctx.m.add_at_most_one([ctx.x[k] for k in ks])


def _pins(ctx: ModelContext) -> None:
    for k in ctx.pinned:
        post = ctx.posts[k]
        info = ctx.p.units[post.unit]
        opt = info.options[post.option]
        lit = ctx.guard(f"pin: {info.callsign} at {opt.site_id or opt.standby_id or 'base'} "
                        f"({opt.tactic}) in {ctx.p.labels[post.slot]}", ("pin", k))
        ct = ctx.m.add(ctx.x[k] == 1)
        if lit is not None:
            ct.only_enforce_if(lit)


def _vcp_armed_cover(ctx: ModelContext) -> None:
    for (sid, t), ks in ctx.site_slot.items():
        armed = [ctx.x[k] for k in ks if ctx.armed(k) > 0]
        for k in ks:
            if ctx.opt(k).tactic is Tactic.VCP_ANPR and ctx.armed(k) == 0:
                name = ctx.p.sc.sites_by_id[sid].name
                lit = ctx.guard(f"VCP needs armed cover: {ctx.info(k).callsign} at {name} in "
                                f"{ctx.p.labels[t]}", ("vcp", k))
                ct = ctx.m.add(ctx.x[k] <= sum(armed)) if armed else ctx.m.add(ctx.x[k] == 0)
                if lit is not None:
                    ct.only_enforce_if(lit)


def _armed_share(ctx: ModelContext) -> None:
    cap = ctx.p.sc.armed_share_cap.share
    num, den = cap.numerator, cap.denominator
    for t in ctx.slots:
        terms = []
        for k in ctx.slot_posts[t]:
            if ctx.deployed(k):
                coef = den * ctx.armed(k) - num * ctx.info(k).officers
                if coef:
                    terms.append((coef, ctx.x[k]))
        if not any(c > 0 for c, _ in terms) and ctx.cap_slack.get(t, 0) >= 0:
            continue
        lit = ctx.guard(f"armed share cap {ctx.p.sc.armed_share_cap.percent} in "
                        f"{ctx.p.labels[t]}", ("cap", t))
        ct = ctx.m.add(cp_model.LinearExpr.weighted_sum([v for _, v in terms],
                                                         [c for c, _ in terms])
                       <= ctx.cap_slack.get(t, 0))
        if lit is not None:
            ct.only_enforce_if(lit)


def _site_max_presence(ctx: ModelContext) -> None:
    for (sid, t), ks in ctx.site_slot.items():
        site = ctx.p.sc.sites_by_id[sid]
        units = {ctx.posts[k].unit for k in ks}
        if len(units) <= site.max_presence:
            continue
        lit = ctx.guard(f"at most {site.max_presence} units at {site.name} in "
                        f"{ctx.p.labels[t]}", ("max", sid, t))
        ct = ctx.m.add(sum(ctx.x[k] for k in ks) <= site.max_presence)
        if lit is not None:
            ct.only_enforce_if(lit)


def _changeover(ctx: ModelContext) -> None:
    """Place-level: a unit at place L in slot t is at no place too far from L in slot t+1."""
    limit = ctx.p.sc.travel.changeover_minutes + 1e-9
    for t in ctx.slots[:-1]:
        for info in ctx.p.units:
            now = ctx.unit_slot.get((info.idx, t))
            nxt = ctx.unit_slot.get((info.idx, t + 1))
            if not now or not nxt:
                continue
            mins = ctx.p.unit_minutes(info)
            here = _by_place(ctx, info, now)
            there = _by_place(ctx, info, nxt)
            lit = None
            for i, ks in here.items():
                far = [k2 for j, k2s in there.items() if mins[i, j] > limit for k2 in k2s]
                if not far:
                    continue
                if lit is None:
                    lit = ctx.guard(f"change-over for {info.callsign} from "
                                    f"{ctx.p.labels[t]} to {ctx.p.labels[t + 1]}",
                                    ("travel", info.idx, t))
                ct = ctx.m.add(cp_model.LinearExpr.sum([ctx.x[k] for k in ks + far]) <= 1)
                if lit is not None:
                    ct.only_enforce_if(lit)


def _by_place(ctx: ModelContext, info: UnitInfo, ks: list[int]) -> dict[int, list[int]]:
    """Postings grouped by place, keyed by the first option index at that place."""
    first: dict[str, int] = {}
    out: dict[int, list[int]] = defaultdict(list)
    for k in ks:
        k_opt = ctx.posts[k].option
        key = first.setdefault(info.options[k_opt].place, k_opt)
        out[key].append(k)
    return out


UNIT_SLOT_RULES: tuple[UnitSlotRule, ...] = (UnitSlotRule("availability", _on_duty),)
OPTION_RULES: tuple[OptionRule, ...] = (
    OptionRule("capability", _capable), OptionRule("taskable_area", _taskable),
)
POSTING_RULES: tuple[PostingRule, ...] = (PostingRule("forbid", _not_forbidden),)
CONSTRAINT_RULES: tuple[ConstraintRule, ...] = (
    ConstraintRule("one_posting", _one_posting),
    ConstraintRule("pins", _pins),
    ConstraintRule("vcp_armed_cover", _vcp_armed_cover),
    ConstraintRule("armed_share", _armed_share),
    ConstraintRule("site_max_presence", _site_max_presence),
    ConstraintRule("changeover", _changeover),
)


def reasons_against(p: Problem, info: UnitInfo, opt: Option, slot: int, *,
                    exempt: frozenset[str] = frozenset()) -> list[str]:
    """Every posting-level rule that rules out ``opt`` for ``info`` in ``slot`` (plain English)."""
    out: list[str] = []
    for r in UNIT_SLOT_RULES:
        if r.name not in exempt and (why := r.check(p, info, slot)) is not None:
            out.append(why)
    for o in OPTION_RULES:
        if o.name not in exempt and (why := o.check(p, info.utype, opt)) is not None:
            out.append(why)
    for q in POSTING_RULES:
        if q.name not in exempt and (why := q.check(p, info, opt, slot)) is not None:
            out.append(why)
    return out
