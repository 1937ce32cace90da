"""Typed, immutable domain objects, validated at construction."""

from resources.model.calendar import Calendar, Slot
from resources.model.geo import Area, CoverageCell, StandbyPoint
from resources.model.plan import Assignment, Plan, PlanSlot, SlotKpi, SolverInfo, Unmet
from resources.model.scenario import (
    ArmedShareCap,
    DeployedRule,
    Forbid,
    Pin,
    Scenario,
    TravelModel,
)
from resources.model.sites import RISK_PROFILES, Sector, Site, SiteKind
from resources.model.threat import DEFAULT_POSTURES, Posture, ResponseLevel, ThreatLevel
from resources.model.units import TACTIC_RULES, Mode, Tactic, TacticRule, Unit, UnitStatus, UnitType

__all__ = [
    "DEFAULT_POSTURES", "RISK_PROFILES", "TACTIC_RULES", "Area", "ArmedShareCap", "Assignment",
    "Calendar", "CoverageCell", "DeployedRule", "Forbid", "Mode", "Pin", "Plan", "PlanSlot",
    "Posture", "ResponseLevel", "Scenario", "Sector", "Site", "SiteKind", "Slot", "SlotKpi",
    "SolverInfo", "StandbyPoint", "Tactic", "TacticRule", "ThreatLevel", "TravelModel", "Unit",
    "UnitStatus", "UnitType", "Unmet",
]
