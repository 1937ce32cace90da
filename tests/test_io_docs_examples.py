"""The examples in docs/formats.md are valid input for the importers they illustrate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from resources.io import (
    areas_from_geojson,
    plan_from_dict,
    read_sites,
    read_units,
    scenario_from_dict,
)
from resources.model.catalogue import STANDARD_UNIT_TYPES

DOC = Path(__file__).resolve().parents[1] / "docs" / "formats.md"


def _blocks(lang: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.DOTALL)


def _json_block(marker: str) -> object:
    (block,) = [b for b in _blocks("json") if marker in b]
    return json.loads(block)


def test_scenario_example() -> None:
    s = scenario_from_dict(_json_block("hercules-scenario/1"), "formats.md")
    assert s.name == "westminster-demo" and len(s.units) == 2 and len(s.pins) == 1
    assert s.units_by_callsign["NHT-07"].available_slots == frozenset(range(4, 10))


def test_geojson_example() -> None:
    (area,) = areas_from_geojson(_json_block("FeatureCollection"), "BOROUGH")
    assert area.name == "Westminster" and area.taskable


def test_plan_example() -> None:
    plan = plan_from_dict(_json_block("hercules-plan/1"))
    assert plan.plan_id == "P-20260105-0001" and len(plan.assignments) == 1


@pytest.mark.parametrize("header", ["id,", "callsign,"])
def test_csv_examples(tmp_path: Path, header: str) -> None:
    (block,) = [b for b in _blocks("csv") if b.startswith(header)]
    path = tmp_path / "example.csv"
    path.write_text(block, encoding="utf-8")
    if header == "id,":
        assert [s.site_id for s in read_sites(path)] == ["TRAF", "KGX"]
    else:
        units = read_units(path, {t.code: t for t in STANDARD_UNIT_TYPES})
        assert [u.callsign for u in units] == ["ARV-01", "TSG-12", "NHT-07"]
