"""The soft targets, each a builder returning named penalty terms (never touching the objective).

Weights are in points (docs/solver.md, "Soft targets"); the model multiplies them by SCALE.
The security targets are scaled by the posture's weight; the CTSFO reach term is weighted above
the sum of every other term of its slot, so it is met whenever the roster allows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from resources.kpis import counts_for_armed_reach, is_ctsfo
from solver.terms import PenaltyTerm, new_term, points

if TYPE_CHECKING:
    from solver.model import ModelContext


def _term(ctx: ModelContext, kind: str, slot: int | None, subject: str, name: str,
          coef: int, ub: int = 1) -> PenaltyTerm:
    return new_term(ctx.m, kind, slot, subject, name, coef, ub)


def _sum(vars_: list[cp_model.IntVar]) -> cp_model.LinearExpr:
    return cp_model.LinearExpr.sum(vars_)


def site_terms(ctx: ModelContext) -> list[PenaltyTerm]:
    """Risk-weighted coverage and posture minimum presence, per site and slot."""
    p, w = ctx.p, ctx.p.opts.weights
    pw = p.posture.weight
    out: list[PenaltyTerm] = []
    for t in ctx.slots:
        h, label = p.hours[t], p.labels[t]
        for s in p.target_sites:
            ks = ctx.site_slot.get((s.site_id, t))
            if not ks:
                continue
            need, req = p.need(s, t), p.required(s, t)
            cov = points(w.coverage * pw * s.risk_at(h) / need)
            pres = points(w.presence * pw * s.risk) if req >= 1 else 0
            if cov + pres == 0:
                continue
            first = _term(ctx, "coverage", t, s.site_id, f"short[{s.name}|{label}]", cov, need)
            ctx.m.add(first.var + _sum([ctx.x[k] for k in ks]) >= need)
            if cov:
                out.append(first)
            if pres:
                out.append(first.also("presence", pres))
    return out


def armed_top_terms(ctx: ModelContext) -> list[PenaltyTerm]:
    """An armed unit at each of the posture's highest-risk sites, per slot."""
    p, w = ctx.p, ctx.p.opts.weights
    out: list[PenaltyTerm] = []
    for t in ctx.slots:
        h = p.hours[t]
        for s in p.armed_top_sites(t):
            armed = [ctx.x[k] for k in ctx.site_slot.get((s.site_id, t), []) if ctx.armed(k)]
            coef = points(w.armed_top * p.posture.weight * s.risk_at(h))
            if not armed or not coef:
                continue
            term = _term(ctx, "armed_top", t, s.site_id,
                         f"no_armed[{s.name}|{p.labels[t]}]", coef)
            ctx.m.add(term.var + _sum(armed) >= 1)
            out.append(term)
    return out


def _reach_terms(ctx: ModelContext, kind: str, minutes: float,
                 coef_of: Callable[[int, int], int], armed_reach: bool) -> list[PenaltyTerm]:
    """Maximal covering: a cell is covered when some chosen posting lies within reach of it."""
    p = ctx.p
    out: list[PenaltyTerm] = []
    for t in ctx.slots:
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for k in ctx.slot_posts[t]:
            ut = ctx.info(k).utype
            ok = counts_for_armed_reach(ut) and ctx.armed(k) > 0 if armed_reach else is_ctsfo(ut)
            if ok:
                groups[(ctx.opt(k).place, ut.code)].append(k)
        cell_lits: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (place, code), ks in sorted(groups.items()):
            cells = p.reach_table(p.sc.types_by_code[code], minutes).get(place)
            if cells is None or len(cells) == 0:
                continue
            if len(ks) == 1:
                lit = ctx.x[ks[0]]
            else:
                lit = ctx.m.new_bool_var(f"{kind}_at[{place}|{code}|{p.labels[t]}]")
                ctx.m.add(lit <= _sum([ctx.x[k] for k in ks]))
            for c in cells.tolist():
                cell_lits[c].append(lit)
        # Cells reached by exactly the same postings share one penalty variable.
        same: dict[tuple[int, ...], list[int]] = defaultdict(list)
        by_key: dict[tuple[int, ...], list[cp_model.IntVar]] = {}
        for c, lits in sorted(cell_lits.items()):
            key = tuple(sorted(v.index for v in lits))
            same[key].append(c)
            by_key[key] = lits
        for key, group in same.items():
            coef = sum(coef_of(t, c) for c in group)
            if not coef:
                continue
            first = p.sc.cells[group[0]].cell_id
            subject = first if len(group) == 1 else f"{first} and {len(group) - 1} more"
            term = _term(ctx, kind, t, subject, f"{kind}_miss[{subject}|{p.labels[t]}]", coef)
            ctx.m.add(term.var + _sum(by_key[key]) >= 1)
            out.append(term)
    return out


def armed_reach_terms(ctx: ModelContext) -> list[PenaltyTerm]:
    """Demand-weighted cells within the posture's armed reach minutes of an armed posting."""
    p, w = ctx.p, ctx.p.opts.weights
    total = float(p.demand.sum())
    if total <= 0:
        return []
    scale = w.armed_reach * p.posture.weight * p.avg_slot_risk / total
    coef = [points(scale * float(d)) for d in p.demand.tolist()]
    return _reach_terms(ctx, "armed_reach", p.posture.armed_reach_minutes,
                        lambda t, c: coef[c], True)


def ctsfo_terms(ctx: ModelContext, others: list[PenaltyTerm]) -> list[PenaltyTerm]:
    """Every cell within the CTSFO reach minutes of a CTSFO team, above all else in the slot."""
    per_slot: dict[int, int] = defaultdict(int)
    for term in others:
        if term.slot is not None:
            per_slot[term.slot] += term.coef * term.ub
    big = {t: per_slot[t] + 1 for t in ctx.slots}
    return _reach_terms(ctx, "ctsfo_reach", ctx.p.posture.ctsfo_reach_minutes,
                        lambda t, c: big[t], False)


def mix_terms(ctx: ModelContext) -> list[PenaltyTerm]:
    """At least one site posting of every tactic and every unit type available in the slot."""
    p, w = ctx.p, ctx.p.opts.weights
    tac_coef = points(w.tactic_mix * p.mean_site_risk)
    type_coef = points(w.asset_mix * p.mean_site_risk)
    out: list[PenaltyTerm] = []
    for t in ctx.slots:
        by_tactic: dict[str, list[int]] = defaultdict(list)
        by_type: dict[str, list[int]] = defaultdict(list)
        for k in ctx.slot_posts[t]:
            o = ctx.opt(k)
            if o.site_id is not None:
                by_tactic[o.tactic.value].append(k)
                by_type[ctx.info(k).utype.code].append(k)
        for kind, groups, coef in (("tactic_mix", by_tactic, tac_coef),
                                   ("asset_mix", by_type, type_coef)):
            if not coef:
                continue
            for key, ks in sorted(groups.items()):
                term = _term(ctx, kind, t, key, f"{kind}_miss[{key}|{p.labels[t]}]", coef)
                ctx.m.add(term.var + _sum([ctx.x[k] for k in ks]) >= 1)
                out.append(term)
    return out


def idle_terms(ctx: ModelContext) -> list[PenaltyTerm]:
    """A small penalty for each on-duty unit left without a posting."""
    p = ctx.p
    coef = points(p.opts.weights.idle * p.mean_site_risk)
    out: list[PenaltyTerm] = []
    if not coef:
        return out
    for (u, t), ks in sorted(ctx.unit_slot.items()):
        cs = p.units[u].callsign
        term = _term(ctx, "idle", t, cs, f"idle[{cs}|{p.labels[t]}]", coef)
        ctx.m.add(term.var + _sum([ctx.x[k] for k in ks]) >= 1)
        out.append(term)
    return out


def required_weight(ctx: ModelContext, terms: list[PenaltyTerm]) -> int:
    """Objective units per missing unit of a drawn requirement: unless set, more than one
    posting can gain at any other target (coverage, presence, armed top, mix, idle, reach)."""
    w = ctx.p.opts.weights
    if w.required is not None:
        return points(w.required)
    site, mix, reach = _largest_gains(ctx, terms)
    return 2 * (site + mix + reach) + 1


def required_terms(ctx: ModelContext, terms: list[PenaltyTerm]) -> list[PenaltyTerm]:
    """Drawn requirements of the window: ``count`` units of the pool at the site, per slot."""
    p = ctx.p
    coef = required_weight(ctx, terms)
    out: list[PenaltyTerm] = []
    for r in p.opts.required:
        if r.slot not in ctx.slots:
            continue
        pool = set(r.callsigns)
        ks = [k for k in ctx.site_slot.get((r.site_id, r.slot), [])
              if (ctx.info(k).callsign in pool if pool else ctx.info(k).utype.code == r.type_code)]
        subject = f"{r.site_id}|{r.type_code}"
        term = _term(ctx, "required", r.slot, subject,
                     f"required[{subject}|{p.labels[r.slot]}]", coef, r.count)
        ctx.m.add(term.var + _sum([ctx.x[k] for k in ks]) >= r.count)
        out.append(term)
    return out


def change_weight(ctx: ModelContext, terms: list[PenaltyTerm]) -> int:
    """Objective units per changed posting: more than any one posting can gain elsewhere."""
    w = ctx.p.opts.weights
    if w.change is not None:
        return points(w.change)
    site, mix, reach = _largest_gains(ctx, terms)
    return 2 * (site + mix) + reach + 1


def _largest_gains(ctx: ModelContext, terms: list[PenaltyTerm]) -> tuple[int, int, int]:
    """The most one posting can gain at a site, from the mix terms, and from armed reach."""
    by_kind: dict[str, int] = defaultdict(int)
    for term in terms:
        by_kind[term.kind] = max(by_kind[term.kind], term.coef)
    site = by_kind["coverage"] + by_kind["presence"] + by_kind["armed_top"]
    mix = by_kind["tactic_mix"] + by_kind["asset_mix"] + by_kind["idle"]
    reach = by_kind["armed_reach"] * max(1, ctx.p.widest_reach())
    return site, mix, reach


def change_terms(ctx: ModelContext, terms: list[PenaltyTerm]) -> list[PenaltyTerm]:
    """Minimal disruption: a penalty for every unit-slot posted differently from the warm plan."""
    p = ctx.p
    coef = change_weight(ctx, terms)
    out: list[PenaltyTerm] = []
    for (u, t), ks in sorted(ctx.unit_slot.items()):
        info = p.units[u]
        key = (info.callsign, t)
        if key in p.pins or key not in p.warm:
            continue
        prev = p.warm[key]
        name = f"change[{info.callsign}|{p.labels[t]}]"
        if prev is None:
            term = _term(ctx, "change", t, info.callsign, name, coef)
            ctx.m.add(term.var >= _sum([ctx.x[k] for k in ks]))
        else:
            k_prev = info.find(prev)
            same = [k for k in ks if ctx.posts[k].option == k_prev]
            if not same:
                continue
            term = _term(ctx, "change", t, info.callsign, name, coef)
            ctx.m.add(term.var + ctx.x[same[0]] >= 1)
        out.append(term)
    return out


def build_terms(ctx: ModelContext, *, min_disruption: bool, ctsfo: bool) -> list[PenaltyTerm]:
    """Every penalty term of the window; CTSFO reach (when asked) last, weighted above the rest."""
    terms = site_terms(ctx) + armed_top_terms(ctx) + armed_reach_terms(ctx)
    terms += mix_terms(ctx) + idle_terms(ctx)
    if ctx.p.opts.required:
        terms += required_terms(ctx, terms)
    if min_disruption:
        terms += change_terms(ctx, terms)
    return terms + ctsfo_terms(ctx, terms) if ctsfo else terms


def ctsfo_phase_terms(ctx: ModelContext) -> list[PenaltyTerm]:
    """First phase: least demand beyond CTSFO reach, then fewest team postings.

    A cell weighs its demand relative to the mean (at least 1) times one more than the number
    of possible team postings, so reach always comes before saving a posting."""
    p = ctx.p
    team_posts = [(u, t) for (u, t) in sorted(ctx.unit_slot)]
    mean = float(p.demand.mean()) if len(p.demand) else 1.0
    cell = [(len(team_posts) + 1) * max(1, round(100 * float(d) / mean))
            for d in p.demand.tolist()]
    out = _reach_terms(ctx, "ctsfo_reach", p.posture.ctsfo_reach_minutes,
                       lambda t, c: cell[c], False)
    for u, t in team_posts:
        cs = p.units[u].callsign
        term = _term(ctx, "ctsfo_team", t, cs, f"team_posted[{cs}|{p.labels[t]}]", 1)
        ctx.m.add(term.var >= _sum([ctx.x[k] for k in ctx.unit_slot[(u, t)]]))
        out.append(term)
    return out
