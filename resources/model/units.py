"""Unit types (data, so a force can add its own), tactics, and units on the roster."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from resources.errors import InputError
from resources.model import _check

#: Highest slot index any availability, forbid or pin may name.
MAX_SLOT = 100_000
_SLOT_RANGE = re.compile(r"([0-9]{1,9})(?:\s*-\s*([0-9]{1,9}))?")


class Mode(StrEnum):
    """How a unit moves: sets its speed and where it can work."""

    VEHICLE = "vehicle"
    FOOT = "foot"
    BOAT = "boat"
    HORSE = "horse"


class Tactic(StrEnum):
    """What a unit does at a posting."""

    FOOT_PATROL = "foot_patrol"
    VEHICLE_PATROL = "vehicle_patrol"
    VCP_ANPR = "vcp_anpr"
    STATIC_POINT = "static_point"
    RIVER_PATROL = "river_patrol"
    MOUNTED_PATROL = "mounted_patrol"
    DOG_SWEEP = "dog_sweep"
    RESERVE = "reserve"


@dataclass(frozen=True)
class TacticRule:
    """What a tactic needs: modes that may perform it and capabilities the unit must hold."""

    tactic: Tactic
    label: str
    modes: frozenset[Mode]
    needs: frozenset[str] = frozenset()
    needs_armed_cover: bool = False


#: What each tactic needs. A VCP also needs an armed unit at the same site in the slot.
TACTIC_RULES: dict[Tactic, TacticRule] = {
    r.tactic: r
    for r in (
        TacticRule(Tactic.FOOT_PATROL, "Foot patrol", frozenset({Mode.FOOT})),
        TacticRule(Tactic.VEHICLE_PATROL, "Vehicle patrol", frozenset({Mode.VEHICLE})),
        TacticRule(
            Tactic.VCP_ANPR, "Vehicle check point with ANPR", frozenset({Mode.VEHICLE}),
            frozenset({"anpr"}), needs_armed_cover=True,
        ),
        TacticRule(
            Tactic.STATIC_POINT, "Static high-visibility point",
            frozenset({Mode.FOOT, Mode.VEHICLE, Mode.HORSE}),
        ),
        TacticRule(
            Tactic.RIVER_PATROL, "River patrol", frozenset({Mode.BOAT}), frozenset({"river"})
        ),
        TacticRule(Tactic.MOUNTED_PATROL, "Mounted patrol", frozenset({Mode.HORSE})),
        TacticRule(
            Tactic.DOG_SWEEP, "Dog sweep", frozenset({Mode.FOOT, Mode.VEHICLE}), frozenset({"dog"})
        ),
        TacticRule(
            Tactic.RESERVE, "Reserve / standby", frozenset(Mode)
        ),
    )
}


class UnitStatus(StrEnum):
    """Whether a unit may be drawn on. Committed units are never assigned."""

    AVAILABLE = "available"
    COMMITTED = "committed"


@dataclass(frozen=True)
class UnitType:
    """A kind of unit: crew, arms, mode, speed, capabilities and tactics."""

    code: str
    name: str
    officers: int
    armed_officers: int
    mode: Mode
    speed_kmh: float
    capabilities: frozenset[str] = frozenset()
    tactics: frozenset[Tactic] = frozenset()
    officers_min: int | None = None
    officers_max: int | None = None
    reserve_only: bool = False

    def __post_init__(self) -> None:
        try:
            _check.ident(self.code, "code")
            _check.text(self.name, "name")
            _check.integer(self.officers, "officers", lo=1, hi=100)
            _check.integer(self.armed_officers, "armed_officers", lo=0, hi=self.officers)
            _check.number(self.speed_kmh, "speed_kmh", lo=0.5, hi=200.0)
            if not isinstance(self.mode, Mode):
                object.__setattr__(self, "mode", Mode(self.mode))
            lo = self.officers if self.officers_min is None else self.officers_min
            hi = self.officers if self.officers_max is None else self.officers_max
            _check.integer(lo, "officers_min", lo=1, hi=self.officers)
            _check.integer(hi, "officers_max", lo=self.officers, hi=100)
            object.__setattr__(self, "officers_min", lo)
            object.__setattr__(self, "officers_max", hi)
            tactics = frozenset(Tactic(t) for t in self.tactics)
            object.__setattr__(self, "tactics", tactics)
            object.__setattr__(self, "capabilities", frozenset(self.capabilities))
            for cap in self.capabilities:
                _check.ident(cap, "capabilities")
            for t in tactics:
                rule = TACTIC_RULES[t]
                if self.mode not in rule.modes:
                    raise InputError(
                        f"tactic '{t}' cannot be done by a {self.mode} unit", field="tactics"
                    )
                missing = rule.needs - self.capabilities
                if missing:
                    raise InputError(
                        f"tactic '{t}' needs capability {sorted(missing)}", field="tactics"
                    )
            if self.reserve_only and tactics - {Tactic.RESERVE}:
                raise InputError(
                    "a reserve-only type may only have tactic 'reserve'", field="tactics"
                )
        except InputError as err:
            raise err.within(location=f"unit type '{_check.label(self.code)}'") from None
        except ValueError as err:
            raise InputError(_check.clip(str(err), 120),
                             location=f"unit type '{_check.label(self.code)}'") from None

    @property
    def armed(self) -> bool:
        """True when the type carries armed officers."""
        return self.armed_officers > 0

    def armed_for(self, crew: int) -> int:
        """Armed officers in a unit of this type with ``crew`` officers.

        A fully armed type (armed_officers == officers) is fully armed at any crew size;
        otherwise the type's armed officers, never more than the crew.
        """
        if self.armed_officers == self.officers:
            return crew
        return min(self.armed_officers, crew)


@dataclass(frozen=True)
class Unit:
    """One deployable unit on the roster.

    ``available_slots`` is None when the unit is on duty in every slot.
    ``officers`` is the crew of this unit (within its type's range).
    """

    callsign: str
    type_code: str
    base_lon: float
    base_lat: float
    borough: str
    officers: int
    status: UnitStatus = UnitStatus.AVAILABLE
    committed_to: str = ""
    available_slots: frozenset[int] | None = None

    def __post_init__(self) -> None:
        try:
            _check.ident(self.callsign, "callsign")
            _check.ident(self.type_code, "type")
            _check.lonlat(self.base_lon, self.base_lat)
            _check.text(self.borough, "borough")
            _check.integer(self.officers, "officers", lo=1, hi=100)
            object.__setattr__(self, "status", UnitStatus(self.status))
            _check.text(self.committed_to, "committed_to", empty=True)
            if self.status is UnitStatus.COMMITTED and not self.committed_to.strip():
                raise InputError(
                    "a committed unit must name the operation it is committed to",
                    field="committed_to",
                )
            if self.available_slots is not None:
                slots = frozenset(self.available_slots)
                for s in slots:
                    _check.integer(s, "available_slots", lo=0, hi=MAX_SLOT)
                object.__setattr__(self, "available_slots", slots)
        except InputError as err:
            raise err.within(location=f"unit '{_check.label(self.callsign)}'") from None
        except ValueError as err:
            raise InputError(_check.clip(str(err), 120),
                             location=f"unit '{_check.label(self.callsign)}'") from None

    def on_duty(self, slot: int) -> bool:
        """True when the unit is available (not committed) and rostered in ``slot``."""
        if self.status is not UnitStatus.AVAILABLE:
            return False
        return self.available_slots is None or slot in self.available_slots


def format_slots(slots: frozenset[int] | None) -> str:
    """Render availability as 'all' or compact ranges like '0-5,8,10-11'."""
    if slots is None:
        return "all"
    if not slots:
        return "none"
    ordered = sorted(slots)
    runs: list[str] = []
    start = 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or ordered[i] != ordered[i - 1] + 1:
            lo, hi = ordered[start], ordered[i - 1]
            runs.append(str(lo) if lo == hi else f"{lo}-{hi}")
            start = i
    return ",".join(runs)


def parse_slots(value: str, field: str = "available_slots") -> frozenset[int] | None:
    """Parse 'all', 'none' or ranges like '0-5,8' (plain ASCII digits) into slot indices."""
    v = value.strip().lower()
    if v in ("", "all"):
        return None
    if v == "none":
        return frozenset()
    out: set[int] = set()
    for part in v.split(","):
        m = _SLOT_RANGE.fullmatch(part.strip())
        if m is None:
            raise InputError(
                f"expected 'all', 'none' or slot ranges like '0-5,8', got {_check.shown(value)}",
                field=field,
            )
        lo = int(m.group(1))
        hi = lo if m.group(2) is None else int(m.group(2))
        if hi < lo or hi > MAX_SLOT:
            raise InputError(
                f"expected ascending slot ranges within 0-{MAX_SLOT}, got "
                f"{_check.shown(part.strip())}", field=field,
            )
        out.update(range(lo, hi + 1))
    return frozenset(out)
