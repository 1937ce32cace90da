"""The plan JSON document ("hercules-plan/1"): validated import, the inverse of Plan.to_dict."""

from __future__ import annotations

from pathlib import Path

from resources.io import safe_json
from resources.io.fields import Obj, describe
from resources.model import Assignment, Plan, PlanSlot, SlotKpi, SolverInfo, Tactic, Unmet

FORMAT = "hercules-plan/1"

_TOP = frozenset({
    "format", "id", "scenario", "threat_level", "armed_share_cap", "created_at", "day",
    "slots", "assignments", "kpis", "unmet", "solver", "extra",
})


def plan_from_dict(doc: object, source: str = "plan") -> Plan:
    """Validate a plan document (as written by Plan.to_dict) and build the Plan."""
    top = Obj(doc, "", source).only(_TOP)
    fmt = top.raw("format")
    if fmt != FORMAT:
        raise top.error(f"expected '{FORMAT}', got {describe(fmt)}", "format")
    slots = tuple(_slot_from(o) for o in top.objects("slots"))
    indices = [p.index for p in slots]
    if len(set(indices)) != len(indices):
        raise top.error("expected distinct slot indices", "slots")
    known = set(indices)
    assignments = tuple(_assignment_from(o, known) for o in top.objects("assignments"))
    seen: dict[tuple[str, int], str] = {}
    for i, a in enumerate(assignments):
        key = (a.callsign, a.slot)
        if key in seen:
            raise top.error(
                f"unit '{a.callsign}' is assigned twice in slot {a.slot} "
                f"({seen[key]} and assignments[{i}])", "assignments",
            )
        seen[key] = f"assignments[{i}]"
    kpis = top.obj("kpis", {}).only({"per_slot"})
    plan_id = top.raw("id", None)
    if plan_id is not None and (not isinstance(plan_id, str) or not plan_id.strip()):
        raise top.error(f"expected text or null, got {describe(plan_id)}", "id")
    return Plan(
        scenario=top.text("scenario", max_len=80),
        threat_level=top.text("threat_level", max_len=20),
        armed_share_cap=top.text("armed_share_cap", max_len=40),
        slots=slots,
        assignments=assignments,
        kpis=tuple(_kpi_from(o) for o in kpis.objects("per_slot", [])),
        unmet=tuple(_unmet_from(o) for o in top.objects("unmet", [])),
        solver=_solver_from(top.obj("solver", {"backend": "none", "status": "UNKNOWN"})),
        created_at=top.text("created_at", "", max_len=40, empty=True),
        plan_id=plan_id,
        day=top.integer("day", 0, lo=0, hi=10_000),
        extra=dict(top.obj("extra", {}).data),
    )


def read_plan(path: Path) -> Plan:
    """Read and validate a plan JSON file."""
    return plan_from_dict(safe_json.read_json(path), path.name)


def write_plan(path: Path, plan: Plan) -> None:
    """Write a plan JSON file atomically."""
    safe_json.write_json(path, plan.to_dict())


def _slot_from(o: Obj) -> PlanSlot:
    o.only({"index", "start", "end"})
    return PlanSlot(o.integer("index", lo=0, hi=100_000), o.text("start", max_len=40),
                    o.text("end", max_len=40))


def _assignment_from(o: Obj, slots: set[int]) -> Assignment:
    o.only({"unit", "slot", "site", "tactic", "officers", "armed_officers", "pinned", "standby"})
    slot = o.integer("slot", lo=0, hi=100_000)
    if slot not in slots:
        raise o.error(f"expected one of the plan's slot indices, got {slot}", "slot")
    officers = o.integer("officers", lo=0, hi=100)
    return Assignment(
        callsign=o.text("unit", max_len=80), slot=slot, site_id=o.opt_text("site", max_len=80),
        tactic=o.choice("tactic", Tactic), officers=officers,
        armed_officers=o.integer("armed_officers", lo=0, hi=officers),
        pinned=o.boolean("pinned", False), standby_id=o.opt_text("standby", max_len=80),
    )


def _kpi_from(o: Obj) -> SlotKpi:
    o.only({"slot", "officers", "armed_officers", "armed_share", "risk_coverage",
            "armed_reach", "ctsfo_reach", "sites_covered"})
    officers = o.integer("officers", lo=0, hi=10_000_000)
    return SlotKpi(
        slot=o.integer("slot", lo=0, hi=100_000), officers=officers,
        armed_officers=o.integer("armed_officers", lo=0, hi=officers),
        armed_share=o.number("armed_share", lo=0.0, hi=1.0),
        risk_coverage=o.number("risk_coverage", lo=0.0, hi=1.0),
        armed_reach=o.number("armed_reach", lo=0.0, hi=1.0),
        ctsfo_reach=o.number("ctsfo_reach", 1.0, lo=0.0, hi=1.0),
        sites_covered=o.integer("sites_covered", 0, lo=0, hi=10_000_000),
    )


def _unmet_from(o: Obj) -> Unmet:
    o.only({"slot", "subject", "message", "kind"})
    slot = o.integer("slot", lo=0, hi=100_000) if o.has("slot") else None
    return Unmet(slot, o.text("subject", max_len=200), o.text("message", max_len=2000),
                 o.text("kind", "target", max_len=40))


def _solver_from(o: Obj) -> SolverInfo:
    o.only({"backend", "status", "objective", "bound", "gap", "seed", "wall_time_s",
            "parameters", "versions"})
    versions = o.obj("versions", {})
    return SolverInfo(
        backend=o.text("backend", max_len=80), status=o.text("status", max_len=40),
        objective=o.opt_number("objective"), bound=o.opt_number("bound"),
        gap=o.opt_number("gap"), seed=o.integer("seed", 0, lo=-(2**63), hi=2**63 - 1),
        wall_time_s=o.number("wall_time_s", 0.0, lo=0.0),
        parameters=dict(o.obj("parameters", {}).data),
        versions={k: versions.text(k, max_len=200) for k in versions.data},
    )
