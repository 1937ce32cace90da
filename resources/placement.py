"""Live placement checks: would putting a unit at a site (or reserve) in a slot break a rule?

A :class:`PlacementChecker` indexes one scenario + plan once (per-slot officer tallies, units per
site and slot, each unit's postings, pins and forbids) so that every check is a handful of
dictionary look-ups and at most two travel-time evaluations. The rules are the hard rules of
:mod:`resources.verify`, applied to the plan as it would be after the placement: the unit's
current posting in that slot (if any) is replaced by the proposed one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from resources.kpis import counts_as_deployed, non_taskable_boroughs, posting_place
from resources.model import (
    Assignment,
    Forbid,
    Pin,
    Plan,
    Scenario,
    SiteKind,
    Tactic,
    Unit,
)
from resources.model.units import TACTIC_RULES, Mode
from resources.travel import TravelTimes

_TOL = 1e-6


@dataclass(frozen=True)
class Proposal:
    """A placement the planner is considering: ``site_id`` None means a reserve posting."""

    callsign: str
    slot: int
    site_id: str | None
    tactic: Tactic
    standby_id: str | None = None

    @classmethod
    def from_pin(cls, pin: Pin) -> Proposal:
        """The proposal a pin makes."""
        return cls(pin.callsign, pin.slot, pin.site_id, pin.tactic, pin.standby_id)

    def to_pin(self, rationale: str = "") -> Pin:
        """The pin this proposal becomes when dropped."""
        return Pin(self.callsign, self.slot, self.site_id, self.tactic, self.standby_id,
                   rationale)


@dataclass(frozen=True)
class Breach:
    """One rule a placement would break; ``hard`` ones refuse the placement."""

    rule: str
    message: str
    hard: bool = True

    def __str__(self) -> str:
        return self.message


def default_tactic(scenario: Scenario, unit: Unit, site_id: str | None) -> Tactic:
    """The tactic a drop uses: reserve without a site, else the first tactic the type can do."""
    if site_id is None:
        return Tactic.RESERVE
    site = scenario.sites_by_id.get(site_id)
    ut = scenario.unit_type(unit)
    if site is not None:
        for tactic in TACTIC_RULES:
            if tactic in ut.tactics and scenario.can_perform(unit, site, tactic):
                return tactic
    ordered = [t for t in TACTIC_RULES if t in ut.tactics and t is not Tactic.RESERVE]
    return ordered[0] if ordered else Tactic.RESERVE


class PlacementChecker:
    """Checks proposed placements against one scenario and plan (index built once)."""

    def __init__(self, scenario: Scenario, plan: Plan | None,
                 travel: TravelTimes | None = None) -> None:
        self.scenario = scenario
        self.travel = travel or TravelTimes(scenario)
        self.labels = {s.index: s.label for s in scenario.calendar.slots()}
        self.posting: dict[tuple[str, int], Assignment] = {}
        self.officers: dict[int, int] = defaultdict(int)
        self.armed: dict[int, int] = defaultdict(int)
        self.at_site: dict[tuple[str, int], list[Assignment]] = defaultdict(list)
        rule = scenario.deployed_rule
        for a in plan.assignments if plan is not None else ():
            if a.callsign not in scenario.units_by_callsign or (a.callsign, a.slot) in self.posting:
                continue
            self.posting[(a.callsign, a.slot)] = a
            if counts_as_deployed(rule, a):
                self.officers[a.slot] += a.officers
                self.armed[a.slot] += a.armed_officers
            if a.site_id is not None:
                self.at_site[(a.site_id, a.slot)].append(a)
        self.pins = {(p.callsign, p.slot): p for p in scenario.pins}
        self.forbids: dict[tuple[str, str], list[Forbid]] = defaultdict(list)
        for fb in scenario.forbids:
            self.forbids[(fb.callsign, fb.site_id)].append(fb)
        self.off_limits = non_taskable_boroughs(scenario)

    def when(self, slot: int) -> str:
        """The slot's label, e.g. '06:00-08:00'."""
        return self.labels.get(slot, f"slot {slot}")

    def assignment(self, p: Proposal, pinned: bool = True) -> Assignment:
        """The posting a proposal would make (crew and armed officers from the roster)."""
        unit = self.scenario.units_by_callsign[p.callsign]
        ut = self.scenario.unit_type(unit)
        return Assignment(p.callsign, p.slot, p.site_id, p.tactic, unit.officers,
                          ut.armed_for(unit.officers), pinned=pinned, standby_id=p.standby_id)

    def check(self, p: Proposal) -> list[Breach]:
        """Every rule the placement would break, hard ones first; empty when it is allowed."""
        sc = self.scenario
        unit = sc.units_by_callsign.get(p.callsign)
        if unit is None:
            return [Breach("unknown_unit", f"{p.callsign} is not on the roster")]
        if p.slot not in self.labels:
            return [Breach("slot", f"slot {p.slot} is outside the plan's horizon")]
        if p.site_id is not None and p.site_id not in sc.sites_by_id:
            return [Breach("unknown_site", f"site '{p.site_id}' is not in the scenario")]
        if p.standby_id is not None and p.standby_id not in sc.standby_by_id:
            return [Breach("unknown_standby", f"standby point '{p.standby_id}' is unknown")]
        new = self.assignment(p)
        out: list[Breach] = []
        self._availability(unit, p, out)
        self._capability(unit, p, out)
        self._double_booking(p, out)
        self._site_rules(new, out)
        self._cover_left_behind(new, out)
        self._armed_share(new, out)
        self._reach(unit, new, out)
        out.sort(key=lambda b: not b.hard)
        return out

    def hard_breaches(self, p: Proposal) -> list[Breach]:
        """Only the breaches that refuse the placement."""
        return [b for b in self.check(p) if b.hard]

    # -- the rules ----------------------------------------------------------------------------
    def _availability(self, unit: Unit, p: Proposal, out: list[Breach]) -> None:
        if not unit.on_duty(p.slot):
            why = (f"committed to {unit.committed_to}" if unit.committed_to
                   else "not rostered on duty then")
            out.append(Breach("availability", f"{self.when(p.slot)}: {p.callsign} is {why}"))

    def _capability(self, unit: Unit, p: Proposal, out: list[Breach]) -> None:
        sc = self.scenario
        ut = sc.unit_type(unit)
        if p.site_id is None:
            if p.tactic is not Tactic.RESERVE or Tactic.RESERVE not in ut.tactics:
                out.append(Breach("capability",
                                  f"a {ut.code} cannot hold a reserve posting ('{p.tactic}')"))
            return
        site = sc.sites_by_id[p.site_id]
        if p.standby_id is not None:
            out.append(Breach("capability", f"{p.callsign} cannot be at {site.name} and at "
                                            f"standby point {p.standby_id} at once"))
        if ut.reserve_only:
            out.append(Breach("capability",
                              f"{p.callsign} ({ut.code}) may only hold reserve postings"))
        elif ut.mode is Mode.BOAT and site.kind is not SiteKind.RIVER_STRETCH:
            out.append(Breach("capability",
                              f"boat {p.callsign} cannot work at {site.name}, not a river "
                              "stretch"))
        elif site.kind is SiteKind.RIVER_STRETCH and ut.mode is not Mode.BOAT:
            out.append(Breach("capability",
                              f"{site.name} is a river stretch: only a boat can cover it"))
        elif not sc.can_perform(unit, site, p.tactic):
            out.append(Breach("capability",
                              f"a {ut.code} cannot do '{p.tactic}' at {site.name}"))

    def _double_booking(self, p: Proposal, out: list[Breach]) -> None:
        pin = self.pins.get((p.callsign, p.slot))
        if pin is None or Proposal.from_pin(pin) == p:
            return
        where = (self.scenario.sites_by_id[pin.site_id].name if pin.site_id
                 else pin.standby_id or "reserve at base")
        out.append(Breach("double_booking",
                          f"{self.when(p.slot)}: {p.callsign} is already pinned to {where}; "
                          f"unpin it first"))

    def _others_at(self, site_id: str, slot: int, callsign: str) -> list[Assignment]:
        return [a for a in self.at_site.get((site_id, slot), ()) if a.callsign != callsign]

    def _site_rules(self, new: Assignment, out: list[Breach]) -> None:
        if new.site_id is None:
            return
        site = self.scenario.sites_by_id[new.site_id]
        others = self._others_at(new.site_id, new.slot, new.callsign)
        w = self.when(new.slot)
        if len(others) + 1 > site.max_presence:
            out.append(Breach("max_presence",
                              f"{w}: {site.name} already has {len(others)} units, "
                              f"maximum {site.max_presence}"))
        for fb in self.forbids.get((new.callsign, new.site_id), ()):
            if fb.slots is None or new.slot in fb.slots:
                why = f" ({fb.rationale})" if fb.rationale else ""
                out.append(Breach("forbid", f"{new.callsign} is forbidden at {site.name}{why}"))
                break
        if new.tactic is Tactic.VCP_ANPR and new.armed_officers == 0 and not any(
            a.armed_officers > 0 for a in others
        ):
            out.append(Breach("vcp_armed_cover",
                              f"{w}: a VCP at {site.name} needs an armed unit at the site"))
        if site.borough in self.off_limits:
            out.append(Breach("taskable_area",
                              f"{site.name} is in {site.borough}, an area not tasked by this "
                              f"force (allowed only as a pin)", hard=False))

    def _cover_left_behind(self, new: Assignment, out: list[Breach]) -> None:
        """An armed unit leaving a site must not leave a VCP there without armed cover."""
        old = self.posting.get((new.callsign, new.slot))
        if old is None or old.site_id is None or old.armed_officers == 0 \
                or (old.site_id == new.site_id and new.armed_officers > 0):
            return
        others = self._others_at(old.site_id, old.slot, old.callsign)
        if any(a.armed_officers > 0 for a in others):
            return
        for a in others:
            if a.tactic is Tactic.VCP_ANPR and a.armed_officers == 0:
                site = self.scenario.sites_by_id[old.site_id]
                out.append(Breach("vcp_armed_cover",
                                  f"{self.when(new.slot)}: moving {new.callsign} would leave "
                                  f"the VCP by {a.callsign} at {site.name} without armed "
                                  "cover"))
                return

    def _armed_share(self, new: Assignment, out: list[Breach]) -> None:
        sc = self.scenario
        t = new.slot
        officers0, armed0 = officers, armed = self.officers[t], self.armed[t]
        old = self.posting.get((new.callsign, t))
        if old is not None and counts_as_deployed(sc.deployed_rule, old):
            officers -= old.officers
            armed -= old.armed_officers
        if counts_as_deployed(sc.deployed_rule, new):
            officers += new.officers
            armed += new.armed_officers
        cap = sc.armed_share_cap
        # A slot already over the cap is not blamed on a move that does not raise the share.
        worse = cap.allows(armed0, officers0) or armed * officers0 > armed0 * officers
        if armed > 0 and not cap.allows(armed, officers) and worse:
            out.append(Breach("armed_share",
                              f"{self.when(t)}: {armed} armed of {officers} deployed officers "
                              f"({100.0 * armed / officers:.1f}%) would be over the "
                              f"{cap.percent} cap ({cap.integer_form})"))

    def _reach(self, unit: Unit, new: Assignment, out: list[Breach]) -> None:
        sc = self.scenario
        ut = sc.unit_type(unit)
        limit = sc.travel.changeover_minutes
        here = posting_place(new)
        for other_slot, before in ((new.slot - 1, True), (new.slot + 1, False)):
            other = self.posting.get((new.callsign, other_slot))
            if other is None:
                continue
            there = posting_place(other)
            a, b = (there, here) if before else (here, there)
            mins = self.travel.minutes(a, b, ut)
            if mins > limit + _TOL:
                t0, t1 = (other_slot, new.slot) if before else (new.slot, other_slot)
                out.append(Breach("reach",
                                  f"{new.callsign} needs {mins:.0f} min from {self._name(a)} to "
                                  f"{self._name(b)} ({self.when(t0)} to {self.when(t1)}); "
                                  f"change-over allows {limit:.0f} min"))

    def _name(self, place: str) -> str:
        site = self.scenario.sites_by_id.get(place)
        if site is not None:
            return site.name
        point = self.scenario.standby_by_id.get(place)
        if point is not None:
            return point.name
        return "base" if place.startswith("base:") else place


def describe(breaches: list[Breach]) -> str:
    """One line for a status bar: 'OK' or the breaches joined."""
    if not breaches:
        return "OK: no rule broken"
    return "; ".join(("" if b.hard else "note: ") + b.message for b in breaches)


# -- pure edits of a scenario's pins and forbids ------------------------------------------------
def with_pin(scenario: Scenario, pin: Pin) -> Scenario:
    """The scenario with ``pin`` added (replacing any pin of that unit in that slot)."""
    pins = tuple(p for p in scenario.pins if (p.callsign, p.slot) != (pin.callsign, pin.slot))
    return scenario.with_changes(pins=(*pins, pin))


def without_pin(scenario: Scenario, callsign: str, slot: int) -> Scenario:
    """The scenario without the pin of ``callsign`` in ``slot`` (unchanged when none)."""
    pins = tuple(p for p in scenario.pins if (p.callsign, p.slot) != (callsign, slot))
    return scenario.with_changes(pins=pins)


def with_forbid(scenario: Scenario, forbid: Forbid) -> Scenario:
    """The scenario with ``forbid`` added."""
    return scenario.with_changes(forbids=(*scenario.forbids, forbid))


def lock_pins(plan: Plan, *, slot: int | None = None, callsign: str | None = None,
              rationale: str = "") -> tuple[Pin, ...]:
    """Pins that hold every current posting of a slot or of a unit."""
    out: list[Pin] = []
    for a in plan.assignments:
        if (slot is not None and a.slot != slot) or (callsign is not None
                                                     and a.callsign != callsign):
            continue
        out.append(Pin(a.callsign, a.slot, a.site_id, a.tactic, a.standby_id, rationale))
    return tuple(out)


def apply_to_plan(plan: Plan, checker: PlacementChecker, p: Proposal) -> Plan:
    """The plan with the unit's posting in that slot replaced by the proposal (marked pinned);
    an edited plan is a new, unsaved plan (no id), so it is never taken for the stored one."""
    new = checker.assignment(p)
    kept = tuple(a for a in plan.assignments if (a.callsign, a.slot) != (p.callsign, p.slot))
    return replace(plan, assignments=(*kept, new), plan_id=None, created_at="")


__all__ = [
    "Breach", "PlacementChecker", "Proposal", "apply_to_plan", "default_tactic",
    "describe", "lock_pins", "with_forbid", "with_pin", "without_pin",
]
