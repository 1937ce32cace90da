"""Importers and exporters: scenario and plan JSON, sites/units CSV and JSON, GeoJSON areas."""

from resources.io.geojson import areas_from_geojson, read_areas
from resources.io.plan_json import plan_from_dict, read_plan, write_plan
from resources.io.safe_json import parse_json, read_json
from resources.io.scenario_json import (
    read_scenario,
    scenario_from_dict,
    scenario_to_dict,
    write_scenario,
)
from resources.io.tabular import read_sites, read_units, write_sites, write_units

__all__ = [
    "areas_from_geojson", "parse_json", "plan_from_dict", "read_areas", "read_json",
    "read_plan", "read_scenario", "read_sites", "read_units", "scenario_from_dict",
    "scenario_to_dict", "write_plan", "write_scenario", "write_sites", "write_units",
]
