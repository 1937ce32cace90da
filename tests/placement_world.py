"""A tiny world for placement, export and compare tests: eight units, four sites, two slots."""

from __future__ import annotations

from resources.model import (
    Assignment,
    Forbid,
    Plan,
    PlanSlot,
    Scenario,
    SiteKind,
    SolverInfo,
    Tactic,
)
from resources.model.sites import Sector
from tests.factories import site, tiny_scenario, unit

T = Tactic


def world(**changes: object) -> Scenario:
    """Sites A, B (close together, A holds one unit), FAR (25 km west), river R; 9 units."""
    sites = (
        site("A", name="Alpha Square", max_presence=1, notes="=HYPERLINK(\"x\")"),
        site("B", name="Bravo Street", lon=-0.1256, lat=51.5080, max_presence=8),
        site("FAR", name="Far Green", lon=-0.48, lat=51.47, borough="Hillingdon"),
        site("R", name="River Reach", kind=SiteKind.RIVER_STRETCH, sector=Sector.TRANSPORT,
             required_capability="river", lon=-0.12, lat=51.505),
    )
    units = (
        unit("AFP1", "AFP"),
        unit("TSG1", "TSG"), unit("TSG2", "TSG"), unit("NHT1", "NHT"), unit("NHT2", "NHT"),
        unit("ANPR1", "ANPR"), unit("DOG1", "DOG-GP"),
        unit("LATE1", "NHT", available_slots=frozenset({1})),
        unit("MAR1", "MARINE"),
    )
    sc = tiny_scenario(units, sites)
    return sc.with_changes(**changes) if changes else sc


def world_plan(sc: Scenario, *, with_dog: bool = True, name: str | None = None) -> Plan:
    """Slot 0: 23 unarmed officers (22 without DOG1) at A/B; slot 1: 23, NHT1 at FAR."""
    posts = [
        Assignment("TSG1", 0, "A", T.VEHICLE_PATROL, 8, 0),
        Assignment("TSG2", 0, "B", T.VEHICLE_PATROL, 8, 0),
        Assignment("NHT2", 0, "B", T.FOOT_PATROL, 4, 0),
        Assignment("ANPR1", 0, "B", T.VEHICLE_PATROL, 2, 0),
        Assignment("NHT1", 1, "FAR", T.FOOT_PATROL, 4, 0),
        Assignment("TSG1", 1, "B", T.STATIC_POINT, 8, 0),
        Assignment("TSG2", 1, "B", T.VEHICLE_PATROL, 8, 0),
        Assignment("ANPR1", 1, "B", T.VEHICLE_PATROL, 2, 0),
        Assignment("DOG1", 1, "B", T.VEHICLE_PATROL, 1, 0),
    ]
    if with_dog:
        posts.append(Assignment("DOG1", 0, "B", T.VEHICLE_PATROL, 1, 0))
    slots = tuple(PlanSlot(s.index, s.start.isoformat(), s.end.isoformat())
                  for s in sc.calendar.slots())
    return Plan(name or sc.name, sc.threat_level.value, sc.armed_share_cap.percent, slots,
                tuple(posts), solver=SolverInfo("hand", "FEASIBLE"), plan_id="p-world")


def forbid_world() -> Scenario:
    """The world with AFP1 forbidden at B."""
    return world(forbids=(Forbid("AFP1", "B", None, "known to the crowd"),))
