"""Command-line verbs of the console layer: `brief` (PDF briefing pack) and `export` (tasking)."""

from __future__ import annotations

import argparse
import hashlib
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.io.outputs import check_out_file
from resources.model import Plan, Scenario, ThreatLevel

MARKING_HELP = ("protective marking printed at the top and bottom of every page: 1-80 printable "
                "characters (default: %(default)s)")


def register(subparsers: Any) -> None:
    """Add the `brief` and `export` verbs to a sub-parser set."""
    brief = subparsers.add_parser(
        "brief", help="write the PDF briefing pack of a plan",
        description="Write a PDF briefing pack: cover (scenario, period, threat level, KPIs, "
        "map), a tasking table per slot and a tasking sheet per unit; every page carries the "
        "protective marking, the plan id and its content hash.",
    )
    brief.add_argument("plan", metavar="PLAN", help="a plan JSON file or a stored plan's id")
    brief.add_argument("--out", required=True, type=Path, metavar="FILE.pdf",
                       help="the PDF file to write")
    brief.add_argument("--marking", default="OFFICIAL-SENSITIVE", type=marking_argument,
                       metavar="TEXT", help=MARKING_HELP)
    brief.add_argument("--no-map", action="store_true", help="leave the map off the cover")
    brief.set_defaults(func=brief_command)
    export = subparsers.add_parser(
        "export", help="export a plan for command-and-control systems (CSV or JSON)",
        description="Write one row per posting (callsign, type, slot start/end, site, borough, "
        "lon/lat, tactic, officers, armed) with the plan id and content hash; CSV text cells "
        "that a spreadsheet would run as formulas are neutralised.",
    )
    export.add_argument("plan", metavar="PLAN", help="a plan JSON file or a stored plan's id")
    export.add_argument("--format", required=True, choices=("csv", "json"), dest="fmt",
                        help="file format")
    export.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="the file to write")
    export.set_defaults(func=export_command)


def marking_argument(text: str) -> str:
    """``--marking``: 1-80 printable characters, not all spaces (argparse type)."""
    from desktop.briefing import check_marking

    try:
        return check_marking(text)
    except InputError as err:
        raise argparse.ArgumentTypeError(err.detail) from None


def check_file_against_store(text: str, plan: Plan, db: Path) -> Plan:
    """The stored plan a plan file names by id, refused unless the file has its content.

    A file with no id, or an id the store does not hold, is returned as it is."""
    if plan.plan_id is None or not Path(text).is_file() or not db.exists():
        return plan
    from resources.store import Store

    with Store.open(db, create=False) as store:
        try:
            stored = store.plan_info(plan.plan_id).content_hash
        except InputError:
            return plan  # an id the store does not hold: the file is a plan of its own
        digest = plan.content_hash()
        if digest == stored:
            return store.load_plan(plan.plan_id)
        raise InputError(
            f"the file differs from stored plan {plan.plan_id} (content hash {digest[:12]}, "
            f"stored {stored[:12]}); give the id to use the stored plan, or remove the id "
            "from the file", source=text, field="id")


def plan_to_write(db: Path, plan: Plan) -> Plan:
    """The plan a pack or export of the console's ``plan`` should carry.

    The stored plan of its id when ``plan`` is that plan (the console fills in KPIs a stored
    plan lacks); a plan edited since it was loaded loses the id, so it is written as unsaved
    and never credited to the stored plan in the audit trail."""
    if plan.plan_id is None or not db.exists():
        return plan
    from resources.store import Store

    with Store.open(db, create=False) as store:
        try:
            stored = store.plan_info(plan.plan_id).content_hash
        except InputError:
            return plan
        if plan.content_hash() == stored:
            return plan
        original = store.load_plan(plan.plan_id)
    if not original.kpis and replace(plan, kpis=()).content_hash() == stored:
        return original
    return replace(plan, plan_id=None)


def load_plan_and_scenario(text: str, db: Path) -> tuple[Plan, Scenario]:
    """The plan (file or stored id) and its scenario at the plan's threat level, checked.

    A plan file naming a stored plan must be that plan; the plan must fit its scenario."""
    from resources.export import check_plan_fits
    from solver.commands import load_plan_arg, load_scenario

    plan = check_file_against_store(text, load_plan_arg(text, db), db)
    try:
        scenario = load_scenario(plan.scenario, db)
        level = ThreatLevel.parse(plan.threat_level)
        if level is not scenario.threat_level:
            scenario = scenario.with_changes(threat_level=level)
        check_plan_fits(scenario, plan)
    except InputError as err:
        raise err.within(source=text) from None
    return plan, scenario


def audit_head_of(db: Path) -> str | None:
    if not db.exists():
        return None
    from resources.store import Store

    with Store.open(db, create=False) as store:
        head = getattr(store, "audit_head", None)
        return str(head()) if callable(head) else None


def record_output(db: Path, plan: Plan, path: Path, fmt: str) -> None:
    """Add the export to the audit trail when the plan is stored (and only with its content)."""
    if plan.plan_id is None or not db.exists():
        return
    from resources.store import Store

    with Store.open(db, create=False) as store:
        record = getattr(store, "record_export", None)
        if not callable(record):
            return
        try:
            stored = store.plan_info(plan.plan_id).content_hash
        except InputError:
            return  # a plan file never stored: nothing to record against
        if stored != plan.content_hash():
            raise InputError(f"not recorded in the audit trail: the plan written differs from "
                             f"stored plan {plan.plan_id}", source=str(path), field="id")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        record(plan.plan_id, path, fmt, file_sha256=digest)


def export_command(args: argparse.Namespace) -> int:
    """`export`: write the tasking file."""
    from resources.export import export_plan

    check_out_file(args.out, args.db)
    plan, scenario = load_plan_and_scenario(args.plan, args.db)
    head = audit_head_of(args.db)
    rows = export_plan(scenario, plan, args.out, args.fmt, audit_head=head)
    record_output(args.db, plan, args.out, args.fmt)
    print(f"wrote {rows} postings of plan {plan.plan_id or args.plan} to {args.out} "
          f"({args.fmt}, sha256 of plan {plan.content_hash()[:12]})")
    return 0


def brief_command(args: argparse.Namespace) -> int:
    """`brief`: write the PDF briefing pack (Qt offscreen; no display needed)."""
    check_out_file(args.out, args.db)
    plan, scenario = load_plan_and_scenario(args.plan, args.db)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["hercules-brief"])
    from desktop.briefing import write_briefing

    image = None if args.no_map else map_image(scenario, plan)
    pages = write_briefing(args.out, scenario, plan, map_image=image, marking=args.marking,
                           audit_head=audit_head_of(args.db))
    record_output(args.db, plan, args.out, "pdf")
    print(f"wrote briefing pack of plan {plan.plan_id or args.plan}: {pages} pages to {args.out}")
    del app
    return 0


def map_image(scenario: Scenario, plan: Plan, slot: int = 0) -> Any:
    """The console's map of ``slot`` rendered offscreen as a QImage (needs a QApplication)."""
    from desktop.geometry import MapGeometry
    from desktop.map_view import MapView
    from desktop.operations import thames
    from desktop.plan_index import PlanIndex

    view = MapView()
    view.resize(900, 700)
    geo = MapGeometry(scenario, thames(scenario))
    view.set_scenario(scenario, geo)
    view.set_plan(PlanIndex(scenario, plan, geo))
    view.show_slot(slot)
    image = view.grab().toImage()
    view.deleteLater()
    return image
