"""Side-by-side comparison of two plans: KPI differences per slot and the postings that changed."""

from __future__ import annotations

from dataclasses import dataclass

from resources.kpis import posting_place
from resources.model import Assignment, Plan, SlotKpi

#: The KPIs compared, with their labels; shares are shown in percentage points.
KPI_FIELDS: tuple[tuple[str, str], ...] = (
    ("officers", "Officers"), ("armed_officers", "Armed officers"),
    ("armed_share", "Armed share"), ("risk_coverage", "Risk coverage"),
    ("armed_reach", "Armed reach"), ("ctsfo_reach", "CTSFO reach"),
    ("sites_covered", "Sites covered"),
)
SHARES = frozenset({"armed_share", "risk_coverage", "armed_reach", "ctsfo_reach"})


@dataclass(frozen=True)
class SlotDelta:
    """One slot's KPIs in the two plans (None where a plan has no KPIs for the slot)."""

    slot: int
    before: SlotKpi | None
    after: SlotKpi | None

    def value(self, name: str, which: str) -> float | None:
        """A KPI of the 'before' or 'after' plan."""
        k = self.before if which == "before" else self.after
        return None if k is None else float(getattr(k, name))

    def delta(self, name: str) -> float | None:
        """after - before for one KPI (None when either is missing)."""
        a, b = self.value(name, "before"), self.value(name, "after")
        return None if a is None or b is None else b - a


@dataclass(frozen=True)
class PostingChange:
    """A unit whose posting in a slot differs between the plans."""

    callsign: str
    slot: int
    before: Assignment | None
    after: Assignment | None

    @property
    def kind(self) -> str:
        """'added', 'removed', 'moved' (another place) or 'retasked' (same place)."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        if posting_place(self.before) != posting_place(self.after):
            return "moved"
        return "retasked"

    def describe(self) -> str:
        """Plain English: 'slot 2: ARV1 moved from S1 (vehicle_patrol) to S2 (static_point)'."""
        def where(a: Assignment | None) -> str:
            return "-" if a is None else f"{a.site_id or a.standby_id or 'base'} ({a.tactic})"

        return (f"slot {self.slot}: {self.callsign} {self.kind} "
                f"from {where(self.before)} to {where(self.after)}")


@dataclass(frozen=True)
class PlanComparison:
    """Everything that differs between two plans of the same calendar."""

    before: Plan
    after: Plan
    slots: tuple[SlotDelta, ...]
    changes: tuple[PostingChange, ...]

    def changed_keys(self) -> frozenset[tuple[str, int]]:
        """(callsign, slot) of every changed posting."""
        return frozenset((c.callsign, c.slot) for c in self.changes)

    def changed_sites(self, slot: int) -> frozenset[str]:
        """Sites touched by a change in ``slot`` (either plan)."""
        out: set[str] = set()
        for c in self.changes:
            if c.slot == slot:
                out.update(a.site_id for a in (c.before, c.after)
                           if a is not None and a.site_id is not None)
        return frozenset(out)

    def mean_delta(self, name: str) -> float | None:
        """Mean over slots of a KPI's difference (None when no slot has both)."""
        vals = [d for s in self.slots if (d := s.delta(name)) is not None]
        return sum(vals) / len(vals) if vals else None


def _key(a: Assignment) -> tuple[str | None, str | None, str]:
    return a.site_id, a.standby_id, a.tactic.value


def changed_postings(before: Plan, after: Plan) -> tuple[PostingChange, ...]:
    """Postings that differ in place or tactic, in slot then callsign order."""
    a = {(x.callsign, x.slot): x for x in before.assignments}
    b = {(x.callsign, x.slot): x for x in after.assignments}
    out: list[PostingChange] = []
    for key in sorted(set(a) | set(b), key=lambda k: (k[1], k[0])):
        x, y = a.get(key), b.get(key)
        if x is None or y is None or _key(x) != _key(y):
            out.append(PostingChange(key[0], key[1], x, y))
    return tuple(out)


def compare_plans(before: Plan, after: Plan,
                  kpis_before: tuple[SlotKpi, ...] | None = None,
                  kpis_after: tuple[SlotKpi, ...] | None = None) -> PlanComparison:
    """Compare two plans; KPIs default to those the plans record."""
    kb = {k.slot: k for k in (kpis_before if kpis_before is not None else before.kpis)}
    ka = {k.slot: k for k in (kpis_after if kpis_after is not None else after.kpis)}
    slots = sorted({p.index for p in before.slots} | {p.index for p in after.slots})
    deltas = tuple(SlotDelta(t, kb.get(t), ka.get(t)) for t in slots)
    return PlanComparison(before, after, deltas, changed_postings(before, after))


def format_delta(name: str, delta: float | None) -> str:
    """A signed difference: '+2', '-1.5 pts' for shares, '' when unknown."""
    if delta is None:
        return ""
    if name in SHARES:
        return f"{100.0 * delta:+.1f} pts"
    return f"{delta:+.0f}"


def summary_lines(cmp: PlanComparison) -> list[str]:
    """Plain-English summary: mean KPI differences and the count of changed postings."""
    lines = []
    for name, label in KPI_FIELDS:
        d = cmp.mean_delta(name)
        if d is not None:
            lines.append(f"{label}: {format_delta(name, d)} (mean per slot)")
    lines.append(f"{len(cmp.changes)} postings changed")
    return lines


__all__ = ["KPI_FIELDS", "PlanComparison", "PostingChange", "SlotDelta", "changed_postings",
           "compare_plans", "format_delta", "summary_lines"]
