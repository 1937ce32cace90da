"""A scenario: everything a plan is made from, including the planner's pins and forbids."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import cached_property

from resources.errors import InputError
from resources.model import _check
from resources.model.calendar import Calendar
from resources.model.geo import Area, CoverageCell, StandbyPoint
from resources.model.pin_rules import pin_problem
from resources.model.sites import Site
from resources.model.threat import DEFAULT_POSTURES, Posture, ThreatLevel
from resources.model.units import TACTIC_RULES, Mode, Tactic, Unit, UnitType, format_slots

#: Smallest non-zero armed share cap (0.1%).
MIN_CAP = Fraction(1, 1000)
#: Largest denominator of the cap's exact fraction: with at most 100 officers per unit and
#: 100,000 units, 'den x armed <= num x deployed' stays far inside 64-bit integers.
MAX_CAP_DENOMINATOR = 10_000
_CAP_TEXT = re.compile(
    r"(?P<num>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?)\s*(?P<pct>%)?"
    r"|(?P<p>[+-]?[0-9]+)\s*/\s*(?P<q>[0-9]+)"
)
_CAP_BOUND = (f"0, or a share from {float(MIN_CAP * 100):g}% to 100% whose exact fraction has a "
              f"denominator of at most {MAX_CAP_DENOMINATOR:,}")


@dataclass(frozen=True)
class ArmedShareCap:
    """Armed officers may be at most ``share`` of deployed officers, held as an exact fraction.

    For 8% (2/25): 25 x armed <= 2 x deployed, i.e. 23 x armed <= 2 x unarmed.
    The share is 0 or between 0.1% and 100% with a denominator of at most 10,000, so the
    integer form stays small for any realistic roster.
    """

    share: Fraction = Fraction(2, 25)

    def __post_init__(self) -> None:
        if not isinstance(self.share, Fraction):
            raise InputError(f"expected an exact fraction, got {_check.shown(self.share)}",
                             field="armed_share_cap")
        s = self.share
        if s != 0 and not (MIN_CAP <= s <= 1 and s.denominator <= MAX_CAP_DENOMINATOR):
            raise InputError(f"expected {_CAP_BOUND}, got {_check.shown(str(s))}",
                             field="armed_share_cap")

    @classmethod
    def parse(cls, value: object) -> ArmedShareCap:
        """Parse '8%', '0.08', '2/25' or a number into an exact cap (plain ASCII digits)."""
        share = _parse_share(value)
        if share is None:
            raise InputError(
                f"expected a share like '8%', '0.08' or '2/25', got {_check.shown(value)}",
                field="armed_share_cap",
            )
        try:
            return cls(share)
        except InputError:
            raise InputError(f"expected {_CAP_BOUND}, got {_check.shown(value)}",
                             field="armed_share_cap") from None

    def allows(self, armed: int, deployed: int) -> bool:
        """True when ``armed`` of ``deployed`` officers is within the cap (exact)."""
        return self.share.denominator * armed <= self.share.numerator * deployed

    @property
    def percent(self) -> str:
        """The cap as a percentage string, e.g. '8%'."""
        pct = self.share * 100
        return f"{pct.numerator}%" if pct.denominator == 1 else f"{float(pct):g}%"

    @property
    def integer_form(self) -> str:
        """The cap as an integer inequality over armed and unarmed officers."""
        p, q = self.share.numerator, self.share.denominator
        return f"{q - p} x armed <= {p} x unarmed"


def _parse_share(value: object) -> Fraction | None:
    """The exact share a cap value denotes, or None when it is not a share at all."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    if not isinstance(value, str) or len(value) > _check.SHOWN:
        return None
    m = _CAP_TEXT.fullmatch(value.strip())
    if m is None:
        return None
    if m.group("num") is not None:
        share = Fraction(m.group("num"))
        return share / 100 if m.group("pct") else share
    q = int(m.group("q"))
    return Fraction(int(m.group("p")), q) if q else None


class DeployedRule(StrEnum):
    """Which postings count as deployed for the armed share."""

    ALL_POSTED = "all_posted"
    SITES_ONLY = "sites_only"


@dataclass(frozen=True)
class TravelModel:
    """Travel time: geodesic distance x circuity / mode speed, or an imported matrix.

    ``matrix`` maps (from id, to id) to minutes, ids being site ids, standby point ids or
    'base:CALLSIGN'; pairs not in it fall back to the distance model.
    ``changeover_minutes`` is the time a unit has to move between consecutive postings.
    """

    circuity: float = 1.35
    changeover_minutes: float = 30.0
    speed_override_kmh: Mapping[str, float] = field(default_factory=dict)
    matrix: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            _check.number(self.circuity, "circuity", lo=1.0, hi=5.0)
            _check.number(self.changeover_minutes, "changeover_minutes", lo=0.0, hi=1440.0)
            for k, v in self.speed_override_kmh.items():
                _check.number(v, f"speed_override_kmh.{k}", lo=0.5, hi=200.0)
            for k2, v in self.matrix.items():
                _check.number(v, f"matrix {k2}", lo=0.0, hi=10_000.0)
        except InputError as err:
            raise err.within(location="travel model") from None


@dataclass(frozen=True)
class Pin:
    """A planner's manual placement: the unit is at ``site_id`` (None: reserve) in ``slot``."""

    callsign: str
    slot: int
    site_id: str | None
    tactic: Tactic
    standby_id: str | None = None
    rationale: str = ""


@dataclass(frozen=True)
class Forbid:
    """A planner's ban: the unit must not be posted at the site in the given slots (None: all)."""

    callsign: str
    site_id: str
    slots: frozenset[int] | None = None
    rationale: str = ""


@dataclass(frozen=True)
class Scenario:
    """Everything a plan is made from. Validated as a whole at construction."""

    name: str
    unit_types: tuple[UnitType, ...]
    units: tuple[Unit, ...]
    sites: tuple[Site, ...]
    areas: tuple[Area, ...] = ()
    standby_points: tuple[StandbyPoint, ...] = ()
    cells: tuple[CoverageCell, ...] = ()
    calendar: Calendar = field(default_factory=Calendar)
    threat_level: ThreatLevel = ThreatLevel.SUBSTANTIAL
    armed_share_cap: ArmedShareCap = field(default_factory=ArmedShareCap)
    deployed_rule: DeployedRule = DeployedRule.ALL_POSTED
    postures: Mapping[ThreatLevel, Posture] = field(default_factory=lambda: dict(DEFAULT_POSTURES))
    travel: TravelModel = field(default_factory=TravelModel)
    pins: tuple[Pin, ...] = ()
    forbids: tuple[Forbid, ...] = ()
    description: str = ""
    cell_size_m: float = 2000.0

    def __post_init__(self) -> None:
        try:
            self._validate()
        except InputError as err:
            raise err.within(location=f"scenario '{_check.label(self.name)}'") from None

    def _validate(self) -> None:
        _check.ident(self.name, "name")
        _check.text(self.description, "description", max_len=2000, empty=True)
        _check.number(self.cell_size_m, "cell_size_m", lo=100.0, hi=20_000.0)
        _unique([t.code for t in self.unit_types], "unit type code")
        _unique([u.callsign for u in self.units], "callsign")
        _unique([s.site_id for s in self.sites], "site id")
        _unique([a.name for a in self.areas], "area name")
        _unique([p.point_id for p in self.standby_points], "standby point id")
        _unique([c.cell_id for c in self.cells], "cell id")
        missing = [lvl for lvl in ThreatLevel if lvl not in self.postures]
        if missing:
            raise InputError(f"expected a posture for {missing[0]}", field="postures")
        types = self.types_by_code
        for u in self.units:
            ut = types.get(u.type_code)
            if ut is None:
                raise InputError(
                    f"unknown unit type '{u.type_code}'", location=f"unit '{u.callsign}'",
                    field="type",
                )
            assert ut.officers_min is not None and ut.officers_max is not None
            if not ut.officers_min <= u.officers <= ut.officers_max:
                raise InputError(
                    f"expected {ut.officers_min}-{ut.officers_max} officers for a {ut.code}, "
                    f"got {u.officers}", location=f"unit '{u.callsign}'", field="officers",
                )
        self._check_slots()
        self._check_travel()
        for i, pin in enumerate(self.pins):
            self._check_pin(pin, f"pin {i + 1}")
        for i, fb in enumerate(self.forbids):
            if fb.callsign not in self.units_by_callsign:
                raise InputError(f"unknown unit '{fb.callsign}'", location=f"forbid {i + 1}",
                                 field="unit")
            if fb.site_id not in self.sites_by_id:
                raise InputError(f"unknown site '{fb.site_id}'", location=f"forbid {i + 1}",
                                 field="site")
        seen: set[tuple[str, int]] = set()
        for i, pin in enumerate(self.pins):
            key = (pin.callsign, pin.slot)
            if key in seen:
                raise InputError(
                    f"unit '{pin.callsign}' is pinned twice in slot {pin.slot}",
                    location=f"pin {i + 1}",
                )
            seen.add(key)

    def _check_slots(self) -> None:
        """Availability and forbid slots must lie within the calendar."""
        count = self.calendar.slot_count
        cal = self.calendar
        expect = (f"expected slots within 0-{count - 1} (the calendar has {count} "
                  f"slot{'s' if count > 1 else ''} of {cal.slot_minutes} min over {cal.days} "
                  f"day{'s' if cal.days > 1 else ''})")
        for u in self.units:
            if u.available_slots and max(u.available_slots) >= count:
                raise InputError(f"{expect}, got {_check.shown(format_slots(u.available_slots))}",
                                 location=f"unit '{u.callsign}'", field="available_slots")
        for i, fb in enumerate(self.forbids):
            if fb.slots and max(fb.slots) >= count:
                raise InputError(f"{expect}, got {_check.shown(format_slots(fb.slots))}",
                                 location=f"forbid {i + 1}", field="slots")

    def _check_travel(self) -> None:
        """Speed overrides name known unit types; matrix entries name known places."""
        for code in self.travel.speed_override_kmh:
            if code not in self.types_by_code:
                raise InputError(
                    f"unknown unit type {_check.shown(code)}; expected one of "
                    f"{', '.join(sorted(self.types_by_code))}",
                    location="travel model", field="speed_override_kmh",
                )
        places = {*self.sites_by_id, *self.standby_by_id,
                  *(f"base:{u.callsign}" for u in self.units)}
        for k, pair in enumerate(self.travel.matrix):
            for end in pair:
                if end not in places:
                    raise InputError(
                        f"entry {k + 1} (from {_check.shown(pair[0])} to {_check.shown(pair[1])}) "
                        f"names unknown place {_check.shown(end)}; expected a site id, a standby "
                        "point id or 'base:' and a unit's callsign",
                        location="travel model", field="matrix",
                    )

    def check_pins(self) -> None:
        """Refuse a pin no plan could keep (wrong tactic, off duty or committed, forbidden)."""
        # Not run at construction, so the solver can still be handed such a pin and explain
        # it; the scenario file importer calls it.
        try:
            for i, pin in enumerate(self.pins):
                problem = pin_problem(self, pin)
                if problem is not None:
                    raise InputError(problem[1], location=f"pin {i + 1}", field=problem[0])
        except InputError as err:
            raise err.within(location=f"scenario '{_check.label(self.name)}'") from None

    def _check_pin(self, pin: Pin, where: str) -> None:
        unit = self.units_by_callsign.get(pin.callsign)
        if unit is None:
            raise InputError(f"unknown unit '{pin.callsign}'", location=where, field="unit")
        if not 0 <= pin.slot < self.calendar.slot_count:
            raise InputError(
                f"expected a slot in 0-{self.calendar.slot_count - 1}, got "
                f"{_check.shown(pin.slot)}",
                location=where, field="slot",
            )
        if pin.site_id is not None and pin.site_id not in self.sites_by_id:
            raise InputError(f"unknown site '{pin.site_id}'", location=where, field="site")
        if pin.standby_id is not None and pin.standby_id not in self.standby_by_id:
            raise InputError(f"unknown standby point '{pin.standby_id}'", location=where,
                             field="standby")
        if (pin.site_id is None) != (pin.tactic is Tactic.RESERVE):
            raise InputError("a reserve pin has no site and a site pin is not 'reserve'",
                             location=where, field="tactic")

    @cached_property
    def types_by_code(self) -> dict[str, UnitType]:
        """Unit types keyed by code."""
        return {t.code: t for t in self.unit_types}

    @cached_property
    def units_by_callsign(self) -> dict[str, Unit]:
        """Units keyed by callsign."""
        return {u.callsign: u for u in self.units}

    @cached_property
    def sites_by_id(self) -> dict[str, Site]:
        """Sites keyed by id."""
        return {s.site_id: s for s in self.sites}

    @cached_property
    def standby_by_id(self) -> dict[str, StandbyPoint]:
        """Standby points keyed by id."""
        return {p.point_id: p for p in self.standby_points}

    @property
    def posture(self) -> Posture:
        """The posture of the scenario's threat level."""
        return self.postures[self.threat_level]

    def unit_type(self, unit: Unit) -> UnitType:
        """The type of a unit on this scenario's roster."""
        return self.types_by_code[unit.type_code]

    def can_perform(self, unit: Unit, site: Site, tactic: Tactic) -> bool:
        """Capability rule: the unit's type may do ``tactic`` at ``site`` (ignores armed cover)."""
        ut = self.unit_type(unit)
        if ut.reserve_only or tactic is Tactic.RESERVE or tactic not in ut.tactics:
            return False
        if ut.mode not in site.allowed_modes:
            return False
        if site.required_capability and site.required_capability not in ut.capabilities:
            return False
        rule = TACTIC_RULES[tactic]
        return ut.mode in rule.modes and rule.needs <= ut.capabilities

    def speed_kmh(self, unit_type: UnitType) -> float:
        """Travel speed of a type, after any scenario override."""
        return float(self.travel.speed_override_kmh.get(unit_type.code, unit_type.speed_kmh))

    def with_changes(self, **changes: object) -> Scenario:
        """A validated copy with some fields replaced."""
        from dataclasses import replace

        return replace(self, **changes)  # type: ignore[arg-type]


def _unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise InputError(f"duplicate {what} '{v}'", field=what)
        seen.add(v)


__all__ = [
    "ArmedShareCap", "DeployedRule", "Forbid", "Mode", "Pin", "Scenario", "TravelModel",
]
