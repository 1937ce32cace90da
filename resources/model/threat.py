"""National threat levels, response levels, and the posture each one sets."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from resources.errors import InputError
from resources.model import _check


class ThreatLevel(StrEnum):
    """JTAC national threat level."""

    LOW = "LOW"
    MODERATE = "MODERATE"
    SUBSTANTIAL = "SUBSTANTIAL"
    SEVERE = "SEVERE"
    CRITICAL = "CRITICAL"

    @classmethod
    def parse(cls, value: str) -> ThreatLevel:
        """Case-insensitive parse with a clear error."""
        try:
            return cls(value.strip().upper())
        except ValueError:
            raise InputError(
                f"expected one of {', '.join(m.value for m in cls)}, got {_check.shown(value)}",
                field="threat_level",
            ) from None


class ResponseLevel(StrEnum):
    """The UK response level that follows from the threat level."""

    NORMAL = "Normal"
    HEIGHTENED = "Heightened"
    EXCEPTIONAL = "Exceptional"


@dataclass(frozen=True)
class Posture:
    """What a threat level asks of the plan.

    ``presence_factor`` scales each site's minimum presence; ``min_risk_covered`` is the
    risk weight at or above which a site should be covered every slot; ``armed_reach_minutes``
    is the time within which an armed unit should reach each cell; ``ctsfo_reach_minutes`` the
    same for the CTSFO reserve; ``armed_top_sites`` how many of the highest-risk sites should
    have an armed unit present in each slot; ``weight`` scales the soft targets.
    """

    level: ThreatLevel
    response: ResponseLevel
    presence_factor: float
    min_risk_covered: float
    armed_reach_minutes: float
    ctsfo_reach_minutes: float
    armed_top_sites: int
    weight: float

    def __post_init__(self) -> None:
        try:
            _check.number(self.presence_factor, "presence_factor", lo=0.0, hi=10.0)
            _check.number(self.min_risk_covered, "min_risk_covered", lo=0.0, hi=100.0)
            _check.number(self.armed_reach_minutes, "armed_reach_minutes", lo=1.0, hi=240.0)
            _check.number(self.ctsfo_reach_minutes, "ctsfo_reach_minutes", lo=1.0, hi=240.0)
            _check.integer(self.armed_top_sites, "armed_top_sites", lo=0, hi=1000)
            _check.number(self.weight, "weight", lo=0.0, hi=100.0)
        except InputError as err:
            raise err.within(location=f"posture {self.level}") from None


#: Default posture per threat level. LOW/MODERATE routine; SUBSTANTIAL/SEVERE heightened;
#: CRITICAL exceptional (maximum, not sustainable).
DEFAULT_POSTURES: dict[ThreatLevel, Posture] = {
    p.level: p
    for p in (
        Posture(ThreatLevel.LOW, ResponseLevel.NORMAL, 0.5, 8.0, 12.0, 30.0, 3, 1.0),
        Posture(ThreatLevel.MODERATE, ResponseLevel.NORMAL, 0.75, 7.0, 10.0, 30.0, 5, 1.0),
        Posture(ThreatLevel.SUBSTANTIAL, ResponseLevel.HEIGHTENED, 1.0, 6.0, 8.0, 25.0, 8, 1.5),
        Posture(ThreatLevel.SEVERE, ResponseLevel.HEIGHTENED, 1.25, 5.0, 8.0, 20.0, 12, 2.0),
        Posture(ThreatLevel.CRITICAL, ResponseLevel.EXCEPTIONAL, 1.5, 4.0, 6.0, 15.0, 20, 3.0),
    )
}
