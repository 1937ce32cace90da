"""`areas import`, `sites import|export`, `units import|export`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.io.geojson import read_areas
from resources.io.tabular import read_sites, read_units, write_sites, write_units
from resources.model import Scenario
from resources.model.pin_rules import pin_problem
from resources.store import Store
from resources.store.files import writing_file


def register_data(subparsers: Any) -> None:
    """Add the `areas`, `sites` and `units` commands."""
    areas = subparsers.add_parser("areas", help="import area boundaries (GeoJSON)",
                                  description="Area boundaries of a scenario.")
    asub = areas.add_subparsers(dest="areas_command", required=True, metavar="ACTION")
    imp = asub.add_parser(
        "import", help="replace a scenario's areas from a GeoJSON file",
        description="Replace a scenario's areas with the Polygon/MultiPolygon features of a "
                    "GeoJSON FeatureCollection in WGS84 lon/lat. 'City of London' is marked "
                    "not taskable. Bad input changes nothing.",
    )
    imp.add_argument("file", type=Path, metavar="FILE", help="GeoJSON file")
    imp.add_argument("--name-field", required=True, metavar="FIELD",
                     help="feature property holding the area name (e.g. BOROUGH)")
    imp.add_argument("--scenario", default="london", metavar="NAME",
                     help="scenario to change (default: london)")
    imp.set_defaults(func=cmd_areas_import)
    for noun in ("sites", "units"):
        p = subparsers.add_parser(noun, help=f"import or export {noun} (CSV or JSON)",
                                  description=f"The {noun} of a scenario as CSV or JSON.")
        sub = p.add_subparsers(dest=f"{noun}_command", required=True, metavar="ACTION")
        for action, helptext in (
            ("import", f"replace a scenario's {noun} from a .csv or .json file; a bad row "
                       "rejects the whole file and changes nothing"),
            ("export", f"write a scenario's {noun} to a .csv or .json file"),
        ):
            a = sub.add_parser(action, help=helptext, description=helptext[0].upper()
                               + helptext[1:] + ". Columns: see docs/formats.md.")
            a.add_argument("file", type=Path, metavar="FILE", help=".csv or .json file")
            a.add_argument("--scenario", default="london", metavar="NAME",
                           help="scenario (default: london)")
            a.set_defaults(func=_HANDLERS[(noun, action)])


def regenerate_cells(scenario: Scenario, source: str) -> tuple[Scenario, str]:
    """The scenario with its coverage grid rebuilt over its (new) taskable areas."""
    from resources.london.cells import coverage_cells

    if not any(a.taskable for a in scenario.areas):
        raise InputError("expected at least one taskable area (the coverage grid covers "
                         "taskable areas only)", source=source)
    cells = coverage_cells(scenario.areas, scenario.sites, scenario.cell_size_m)
    if not cells:
        raise InputError(f"the taskable areas are too small for the {scenario.cell_size_m:g} m "
                         "coverage grid (no cell centre falls inside them)", source=source)
    return (_replace(scenario, source, cells=cells),
            f"coverage grid rebuilt: {len(cells)} cells of {scenario.cell_size_m:g} m")


def _save(store: Store, new: Scenario, version: int, source: str) -> int:
    try:
        return store.save_scenario(new, expected_version=version)
    except InputError as err:
        raise err.within(source=source) from None


def _replace(scenario: Scenario, source: str, **changes: object) -> Scenario:
    try:
        return scenario.with_changes(**changes)
    except InputError as err:
        raise err.within(source=source) from None


def cmd_areas_import(args: argparse.Namespace) -> int:
    """Replace a scenario's areas from GeoJSON (all checked before the database is written)."""
    path: Path = args.file
    areas = read_areas(path, args.name_field)
    with Store.open_reading(args.db) as store:
        scenario, version = store.load_versioned(args.scenario)
    changed = _replace(scenario, path.name, areas=areas)
    changed, cells_note = regenerate_cells(changed, path.name)
    with Store.open(args.db) as store:
        saved = _save(store, changed, version, path.name)
    taskable = sum(1 for a in areas if a.taskable)
    km2 = sum(a.geodesic_km2() for a in areas)
    print(f"imported {len(areas)} areas ({taskable} taskable, {km2:,.0f} km²) from {path.name} "
          f"into scenario '{scenario.name}' (version {saved}); {cells_note}")
    names = {a.name.casefold() for a in areas}
    orphans = sorted({s.borough for s in changed.sites if s.borough.casefold() not in names})
    if orphans:
        print(f"note: {len(orphans)} borough name(s) used by sites match no area: "
              f"{', '.join(orphans[:8])}{' ...' if len(orphans) > 8 else ''}")
    return 0


def _import(args: argparse.Namespace, noun: str) -> int:
    """Replace a scenario's sites or units; the file is checked before the database is written.

    A file with no rows is refused: importing it would silently remove every site (or unit).
    """
    path: Path = args.file
    with Store.open_reading(args.db) as store:
        scenario, version = store.load_versioned(args.scenario)
    if noun == "sites":
        items: tuple[object, ...] = read_sites(path)
    else:
        items = read_units(path, scenario.types_by_code)
    if not items:
        raise InputError(f"the file has no {noun}; an import replaces every {noun[:-1]} of "
                         f"scenario '{scenario.name}', so at least one row is expected "
                         "(nothing was changed)", source=path.name)
    changed = _replace(scenario, path.name, **{noun: items})
    with Store.open(args.db) as store:
        saved = _save(store, changed, version, path.name)
    print(f"imported {len(items)} {noun} from {path.name} into scenario '{scenario.name}' "
          f"(version {saved})")
    for line in broken_pins(changed):
        print(f"warning: {line}")
    return 0


def broken_pins(scenario: Scenario) -> list[str]:
    """The pins the scenario can no longer keep (e.g. after a roster import), one line each:
    they are kept, so that the planner decides, and a solve names the conflict."""
    out = []
    for pin in scenario.pins:
        problem = pin_problem(scenario, pin)
        if problem is not None:
            out.append(f"pin of {pin.callsign} in slot {pin.slot + 1} can no longer be kept: "
                       f"{problem[1]}; unpin it in the console or change the roster")
    return out


def _export(args: argparse.Namespace, noun: str) -> int:
    path: Path = args.file
    with Store.open_reading(args.db) as store:
        scenario = store.load_scenario(args.scenario)
    with writing_file(path):
        if noun == "sites":
            write_sites(path, scenario.sites)
        else:
            write_units(path, scenario.units)
    count = len(scenario.sites) if noun == "sites" else len(scenario.units)
    print(f"wrote {count} {noun} of scenario '{scenario.name}' to {path}")
    return 0


def cmd_sites_import(args: argparse.Namespace) -> int:
    """Replace a scenario's sites from CSV/JSON."""
    return _import(args, "sites")


def cmd_sites_export(args: argparse.Namespace) -> int:
    """Write a scenario's sites as CSV/JSON."""
    return _export(args, "sites")


def cmd_units_import(args: argparse.Namespace) -> int:
    """Replace a scenario's units from CSV/JSON."""
    return _import(args, "units")


def cmd_units_export(args: argparse.Namespace) -> int:
    """Write a scenario's units as CSV/JSON."""
    return _export(args, "units")


_HANDLERS = {
    ("sites", "import"): cmd_sites_import, ("sites", "export"): cmd_sites_export,
    ("units", "import"): cmd_units_import, ("units", "export"): cmd_units_export,
}
