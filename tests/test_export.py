"""Plan export: rows, formula injection neutralised in CSV, exact JSON, identity on every row."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from resources.errors import InputError
from resources.export import COLUMNS, csv_text, export_plan, tasking_rows
from resources.model import Assignment, Scenario, Tactic
from tests.placement_world import world, world_plan

# The model refuses control characters in names, so tab/CR are checked on csv_text directly.
HOSTILE = ("=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)")


def hostile_world() -> Scenario:
    sc = world()
    sites = tuple(replace(s, name=HOSTILE[i], borough=HOSTILE[-1 - i])
                  for i, s in enumerate(sc.sites))
    return sc.with_changes(sites=sites)


def test_csv_neutralises_formula_cells(tmp_path: Path) -> None:
    sc = hostile_world()
    plan = world_plan(sc)
    out = tmp_path / "plan.csv"
    n = export_plan(sc, plan, out, "csv", audit_head="abc123")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert n == len(rows) == len(plan.assignments)
    for row in rows:
        for col in ("site_name", "borough"):
            cell = row[col]
            assert not cell or cell[0] not in "=+-@\t\r", (col, cell)
    names = {r["site_name"] for r in rows}
    assert "'=HYPERLINK(\"http://x\")" in names and "'+1+1" in names
    # negative coordinates stay numbers, not neutralised text
    assert all(float(r["lon"]) < 0 for r in rows)
    assert {r["audit_head"] for r in rows} == {"abc123"}
    assert {r["plan_hash"] for r in rows} == {plan.content_hash()}
    assert {r["plan_id"] for r in rows} == {"p-world"}


def test_csv_row_content() -> None:
    sc = world()
    plan = world_plan(sc)
    rows = list(csv.DictReader(io.StringIO(csv_text(tasking_rows(sc, plan)), newline="")))
    assert list(rows[0]) == list(COLUMNS)
    first = next(r for r in rows if r["callsign"] == "TSG1" and r["slot"] == "0")
    assert first["site_id"] == "A" and first["site_name"] == "Alpha Square"
    assert first["unit_type"] == "TSG" and first["tactic"] == "vehicle_patrol"
    assert first["officers"] == "8" and first["armed"] == "false"
    assert first["start"] == "2026-01-05T00:00:00" and first["end"] == "2026-01-05T12:00:00"


def test_json_export_is_exact_and_typed(tmp_path: Path) -> None:
    sc = hostile_world()
    base = world_plan(sc)
    extra = (Assignment("AFP1", 1, None, Tactic.RESERVE, 2, 2, standby_id="SB-CENTRAL"),)
    plan = replace(base, assignments=base.assignments + extra)
    out = tmp_path / "plan.json"
    export_plan(sc, plan, out, "json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == "hercules-tasking/1"
    assert doc["plan_id"] == "p-world" and doc["plan_hash"] == plan.content_hash()
    assert doc["audit_head"] is None
    assert len(doc["rows"]) == len(plan.assignments)
    reserve = next(r for r in doc["rows"] if r["callsign"] == "AFP1")
    assert reserve["site_id"] == "" and reserve["standby_id"] == "SB-CENTRAL"
    assert (reserve["lon"], reserve["lat"]) == (-0.12, 51.5)
    assert reserve["armed"] is True and reserve["armed_officers"] == 2
    assert HOSTILE[0] in {r["site_name"] for r in doc["rows"]}  # JSON keeps exact values


def test_bad_format_and_mismatched_plan_change_nothing(tmp_path: Path) -> None:
    sc = world()
    out = tmp_path / "x.csv"
    with pytest.raises(InputError, match="expected a format of csv, json"):
        export_plan(sc, world_plan(sc), out, "xlsx")
    with pytest.raises(InputError, match="plan is for scenario 'other'"):
        export_plan(sc, world_plan(sc, name="other"), out, "csv")
    assert not out.exists()


def test_tab_and_carriage_return_cells_are_neutralised() -> None:
    sc = world()
    rows = tasking_rows(sc, world_plan(sc))
    rows[0] = {**rows[0], "site_name": "\tcmd", "borough": "\r=1+1"}
    text = csv_text(rows)
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert parsed[0]["site_name"] == "'\tcmd"
    assert parsed[0]["borough"] == "'\r=1+1"
