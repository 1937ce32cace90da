"""Ranked options for one unit in one slot: the best postings and what each would change.

Every site (and a reserve posting) the unit could take without breaking a hard rule is scored by
the change it makes to the slot's risk coverage and armed reach (resources.kpis), with the armed
share after the move and the change in the slot's site-choice entropy (resources.predictability;
lower entropy means a more predictable pattern).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from resources.kpis import KpiCalculator
from resources.model import Plan, Scenario, Tactic
from resources.placement import Breach, PlacementChecker, Proposal, default_tactic
from resources.predictability import plan_targets, site_entropy


@dataclass(frozen=True)
class Option:
    """One candidate posting and its effect on the slot."""

    site_id: str | None
    tactic: Tactic
    coverage_delta: float
    reach_delta: float
    armed_share: float
    entropy_delta_bits: float
    notes: tuple[Breach, ...] = ()

    @property
    def score(self) -> float:
        """Coverage plus armed reach gained (both 0-1 shares)."""
        return self.coverage_delta + self.reach_delta

    def describe(self, scenario: Scenario) -> str:
        """One line: place, tactic and the changes it makes."""
        site = scenario.sites_by_id.get(self.site_id) if self.site_id else None
        where = site.name if site else "reserve"
        return (f"{where} ({self.tactic}): coverage {100 * self.coverage_delta:+.1f} pts, "
                f"armed reach {100 * self.reach_delta:+.1f} pts, armed share "
                f"{100 * self.armed_share:.1f}%, unpredictability "
                f"{self.entropy_delta_bits:+.2f} bits")


def rank_options(scenario: Scenario, plan: Plan, callsign: str, slot: int, *,
                 checker: PlacementChecker | None = None,
                 calculator: KpiCalculator | None = None, limit: int = 10) -> list[Option]:
    """The best ``limit`` postings for a unit in a slot, best first (only allowed ones)."""
    checker = checker or PlacementChecker(scenario, plan)
    calc = calculator or KpiCalculator(scenario, checker.travel)
    unit = scenario.units_by_callsign.get(callsign)
    if unit is None:
        return []
    ut = scenario.unit_type(unit)
    others = [a for a in plan.assignments if a.slot == slot and a.callsign != callsign]
    mine = [a for a in plan.assignments if a.slot == slot and a.callsign == callsign]
    base = calc.slot_kpi(others + mine, slot)
    targets = Counter({k: n for k, n in plan_targets(scenario, plan).items() if k[0] == slot})
    h0 = site_entropy(targets, slot)[0]
    current = mine[0] if mine else None
    out: list[Option] = []
    candidates: list[str | None] = [s.site_id for s in scenario.sites]
    candidates.append(None)
    for site_id in candidates:
        tactic = default_tactic(scenario, unit, site_id)
        proposal = Proposal(callsign, slot, site_id, tactic)
        breaches = checker.check(proposal)
        if any(b.hard for b in breaches):
            continue
        new = checker.assignment(proposal, pinned=False)
        kpi = calc.slot_kpi([*others, new], slot)
        moved = Counter(targets)
        if current is not None and current.site_id is not None:
            moved[(slot, current.site_id, ut.code)] -= 1
        if site_id is not None:
            moved[(slot, site_id, ut.code)] += 1
        h1 = site_entropy(+moved, slot)[0]
        out.append(Option(site_id, tactic, kpi.risk_coverage - base.risk_coverage,
                          kpi.armed_reach - base.armed_reach, kpi.armed_share, h1 - h0,
                          tuple(breaches)))
    out.sort(key=lambda o: (-o.score, o.site_id or ""))
    return out[:limit]


__all__ = ["Option", "rank_options"]
