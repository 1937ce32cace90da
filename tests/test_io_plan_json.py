"""Plan JSON: plan_from_dict inverts Plan.to_dict and validates what it reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from resources.errors import InputError
from resources.io import plan_from_dict, read_plan, write_plan
from resources.model import Assignment, Plan, PlanSlot, SlotKpi, SolverInfo, Tactic, Unmet


def sample_plan(**kw: Any) -> Plan:
    """A two-slot plan with a pinned posting, a reserve posting, KPIs and an unmet target."""
    args: dict[str, Any] = {
        "scenario": "tiny", "threat_level": "SEVERE", "armed_share_cap": "2/25",
        "slots": (PlanSlot(0, "2026-01-05T00:00:00", "2026-01-05T12:00:00"),
                  PlanSlot(1, "2026-01-05T12:00:00", "2026-01-06T00:00:00")),
        "assignments": (
            Assignment("ARV1", 0, "S1", Tactic.STATIC_POINT, 3, 3, pinned=True),
            Assignment("NHT1", 0, None, Tactic.RESERVE, 4, 0, standby_id="SB-CENTRAL"),
            Assignment("NHT1", 1, "S2", Tactic.FOOT_PATROL, 4, 0),
        ),
        "kpis": (SlotKpi(0, 7, 3, 3 / 7, 0.5, 0.25, 1.0, 1), SlotKpi(1, 4, 0, 0.0, 0.3, 0.0)),
        "unmet": (Unmet(0, "S2", "Site S2 is not covered in slot 0"),
                  Unmet(None, "armed reach", "Armed reach below target", kind="kpi")),
        "solver": SolverInfo("cp-sat", "OPTIMAL", 12.5, 12.5, 0.0, 42, 1.25,
                             {"num_workers": 1, "nested": {"a": [1, 2]}},
                             {"ortools": "9.15"}),
        "created_at": "2026-01-04T18:00:00+00:00", "plan_id": "P-20260104-0001", "day": 0,
        "extra": {"note": "demo", "weights": [1, 2]},
    }
    args.update(kw)
    return Plan(**args)


def _json(plan: Plan) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(plan.to_dict()))
    return out


def test_round_trip() -> None:
    p = sample_plan()
    assert plan_from_dict(_json(p)) == p


def test_round_trip_of_an_unsaved_plan_with_defaults() -> None:
    p = Plan("tiny", "LOW", "2/25", (PlanSlot(0, "a", "b"),), ())
    assert plan_from_dict(_json(p)) == p


def test_file_round_trip(tmp_path: Path) -> None:
    p = sample_plan()
    write_plan(tmp_path / "plan.json", p)
    assert read_plan(tmp_path / "plan.json") == p
    assert read_plan(tmp_path / "plan.json").content_hash() == p.content_hash()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(format="hercules-plan/0"),
         "plan.json: field 'format': expected 'hercules-plan/1'"),
        (lambda d: d["assignments"][0].update(tactic="ambush"),
         "plan.json: assignments[0]: field 'tactic': expected one of"),
        (lambda d: d["assignments"][0].update(armed_officers=4),
         "plan.json: assignments[0]: field 'armed_officers': expected a whole number in [0, 3]"),
        (lambda d: d["assignments"][1].update(slot=7),
         "plan.json: assignments[1]: field 'slot': expected one of the plan's slot indices"),
        (lambda d: d["assignments"][2].update(slot=0),
         "plan.json: field 'assignments': unit 'NHT1' is assigned twice in slot 0"),
        (lambda d: d["kpis"]["per_slot"][0].update(armed_share=1.5),
         "plan.json: kpis.per_slot[0]: field 'armed_share': expected a number in [0.0, 1.0]"),
        (lambda d: d["slots"][1].update(index=0),
         "plan.json: field 'slots': expected distinct slot indices"),
        (lambda d: d["solver"].update(seed="x"),
         "plan.json: solver: field 'seed': expected a whole number"),
        (lambda d: d["solver"]["versions"].update(ortools=9),
         "plan.json: solver.versions: field 'ortools': expected text"),
        (lambda d: d.update(id=""), "plan.json: field 'id': expected text or null"),
        (lambda d: d.pop("scenario"), "plan.json: field 'scenario': missing required field"),
        (lambda d: d.update(surprise=1), "plan.json: field 'surprise': unknown field"),
    ],
)
def test_validation_errors(mutate: Any, expected: str) -> None:
    doc = _json(sample_plan())
    mutate(doc)
    with pytest.raises(InputError) as info:
        plan_from_dict(doc, "plan.json")
    assert str(info.value).startswith(expected)
