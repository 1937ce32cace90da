"""`scenario list|show|export|import`: scenarios in the store, as JSON files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from resources.commands_summary import scenario_summary
from resources.errors import InputError
from resources.io.scenario_json import read_scenario, scenario_to_dict, write_scenario
from resources.store import BUILTIN_NAMES, Store
from resources.store.files import writing_file


def register_scenario(subparsers: Any) -> None:
    """Add the `scenario` command and its sub-commands."""
    p = subparsers.add_parser(
        "scenario", help="list, show, export and import scenarios",
        description="Scenarios in the store. The built-in 'london' is always available; "
                    "once saved, the stored version wins.",
    )
    sub = p.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")
    lst = sub.add_parser("list", help="list stored and built-in scenarios",
                         description="List stored and built-in scenarios.")
    lst.set_defaults(func=cmd_list)
    show = sub.add_parser("show", help="summarise a scenario",
                          description="Summarise a scenario: posture, cap, calendar, units "
                                      "per type, armed share if all on duty, sites, areas.")
    show.add_argument("name", metavar="NAME", help="scenario name")
    show.set_defaults(func=cmd_show)
    exp = sub.add_parser("export", help="write a scenario as JSON",
                         description="Write a scenario as a 'hercules-scenario/1' JSON "
                                     "document (see docs/formats.md).")
    exp.add_argument("name", metavar="NAME", help="scenario name")
    exp.add_argument("--out", type=Path, metavar="FILE",
                     help="output file (default: standard output)")
    exp.add_argument("--format", choices=["json"], default="json", help="output format")
    exp.set_defaults(func=cmd_export)
    imp = sub.add_parser("import", help="validate and store a scenario JSON file",
                         description="Validate a scenario JSON file completely, then store "
                                     "it in one transaction. Bad input changes nothing.")
    imp.add_argument("file", type=Path, metavar="FILE", help="scenario JSON file")
    imp.add_argument("--name", metavar="NEW", help="store under this name instead")
    imp.add_argument("--replace", action="store_true",
                     help="replace an existing scenario of the same name")
    imp.set_defaults(func=cmd_import)


def cmd_list(args: argparse.Namespace) -> int:
    """Print the scenario list (the built-ins only when no database exists yet)."""
    with Store.open_reading(args.db) as store:
        infos = store.list_scenarios()
    print(f"{'name':<24} {'units':>5} {'sites':>5} {'areas':>5} {'threat':<11} {'ver':>4}  saved")
    for i in infos:
        saved = i.updated_at or "built-in, never saved"
        if i.builtin and i.stored:
            saved += " (overrides built-in)"
        print(f"{i.name:<24} {i.units:>5} {i.sites:>5} {i.areas:>5} {i.threat_level:<11} "
              f"{i.version:>4}  {saved}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print a scenario summary."""
    with Store.open_reading(args.db) as store:
        scenario, version = store.load_versioned(args.name)
    header = f"stored, version {version}" if version else "built-in, never saved"
    print(scenario_summary(scenario, header))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a scenario as JSON to a file or standard output."""
    with Store.open_reading(args.db) as store:
        scenario = store.load_scenario(args.name)
    if args.out is None:
        json.dump(scenario_to_dict(scenario), sys.stdout, indent=1, ensure_ascii=False,
                  allow_nan=False)
        sys.stdout.write("\n")
        return 0
    with writing_file(args.out):
        write_scenario(args.out, scenario)
    print(f"wrote scenario '{scenario.name}' to {args.out}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Validate a scenario file and store it (refusing to overwrite without --replace).

    Everything is checked before the database is opened for writing (or created).
    """
    path: Path = args.file
    if args.name is not None and not args.name.strip():
        raise InputError("expected a scenario name, got an empty text", source="--name")
    scenario = read_scenario(path)
    if args.name is not None:
        try:
            scenario = scenario.with_changes(name=args.name)
        except InputError as err:
            raise err.within(source="--name") from None
    with Store.open_reading(args.db) as store:
        current = store.scenario_version(scenario.name)
    exists = current > 0 or scenario.name in BUILTIN_NAMES
    if exists and not args.replace:
        raise InputError(
            f"scenario '{scenario.name}' already exists; use --replace to overwrite it "
            "or --name to store it under another name", source=path.name,
        )
    with Store.open(args.db) as store:
        version = store.save_scenario(scenario, expected_version=current)
    print(f"imported scenario '{scenario.name}' from {path.name}: {len(scenario.units)} units, "
          f"{len(scenario.sites)} sites, {len(scenario.areas)} areas (version {version})")
    return 0
