"""What the console asks of the core: store reads and writes, London, KPIs (no Qt here)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.model import Plan, Scenario, SlotKpi, ThreatLevel


def list_scenarios(db: Path) -> list[Any]:
    """ScenarioInfo records of the store (built-in London included)."""
    from resources.store import Store

    with Store.open(db) as store:
        return list(store.list_scenarios())


def load_scenario(db: Path, name: str) -> tuple[Scenario, int]:
    """A scenario and its stored version (0: never saved)."""
    from resources.store import Store

    with Store.open(db) as store:
        return store.load_versioned(name)


def save_scenario(db: Path, scenario: Scenario, version: int | None) -> int:
    """Save with optimistic locking on ``version``; returns the new version."""
    from resources.store import Store

    with Store.open(db) as store:
        return store.save_scenario(scenario, expected_version=version)


def scenario_exists(db: Path, name: str) -> bool:
    """True when a scenario of that name is stored or built in."""
    return any(i.name == name for i in list_scenarios(db))


def save_plan(db: Path, plan: Plan) -> Plan:
    """Store a plan in the history; returns it with its new id and creation time."""
    from resources.store import Store

    with Store.open(db) as store:
        plan_id = store.save_plan(plan)
        return store.load_plan(plan_id)


def load_plan(db: Path, plan_id: str) -> Plan:
    """A stored plan by id."""
    from resources.store import Store

    with Store.open(db) as store:
        return store.load_plan(plan_id)


def list_plans(db: Path, scenario: str, limit: int = 100) -> list[Any]:
    """PlanInfo records of a scenario, newest first."""
    from resources.store import Store

    with Store.open(db) as store:
        return list(store.list_plans(scenario, limit=limit))


def new_from_london(name: str, threat_level: ThreatLevel, seed: int = 1) -> Scenario:
    """A fresh scenario built from the embedded London under a new name."""
    try:
        from resources.london import build_london
    except ImportError:
        raise InputError("the embedded London scenario is not installed", field="scenario") \
            from None
    london = build_london(threat_level=threat_level, seed=seed)
    return london.with_changes(name=name) if name != london.name else london


def duplicate(scenario: Scenario, name: str) -> Scenario:
    """The same scenario under another (validated) name."""
    if name == scenario.name:
        raise InputError(f"expected a new name, got the same name '{name}'", field="name")
    return scenario.with_changes(name=name)


def thames(scenario: Scenario) -> tuple[tuple[float, float], ...]:
    """The Thames polyline (lon, lat) for the map; empty when the scenario has no London areas."""
    if not any(a.name == "Westminster" for a in scenario.areas):
        return ()
    try:
        from resources.london import thames_course
    except ImportError:
        return ()
    return tuple((float(lon), float(lat)) for lon, lat in thames_course())


def plan_kpis(scenario: Scenario, plan: Plan) -> tuple[SlotKpi, ...]:
    """The plan's per-slot KPIs, computed from its assignments when it carries none."""
    if plan.kpis:
        return plan.kpis
    from resources.kpis import plan_kpis as compute

    return compute(scenario, plan.assignments)


def with_kpis(scenario: Scenario, plan: Plan) -> Plan:
    """The plan with its KPIs filled in (unchanged when it has them)."""
    return plan if plan.kpis else replace(plan, kpis=plan_kpis(scenario, plan))


def predictability(db: Path, scenario: Scenario, plan: Plan,
                   k: int = 7) -> tuple[list[tuple[float, float]], float | None] | None:
    """Per-slot site-choice entropy (Shannon, min) and the overlap with the scenario's last
    ``k`` stored plans before this one; None when the measures are not installed."""
    try:
        from resources import predictability as pr
    except ImportError:
        return None
    today = pr.plan_targets(scenario, plan)
    entropy = [pr.site_entropy(today, t) for t in range(scenario.calendar.slot_count)]
    from resources.store import Store

    with Store.open(db) as store:
        infos = [i for i in store.list_plans(scenario.name, limit=k + 1)
                 if i.plan_id != plan.plan_id][:k]
        history = [pr.plan_targets(scenario, store.load_plan(i.plan_id))
                   for i in reversed(infos)]
    return entropy, pr.recent_overlap(today, history, k)
