"""`audit verify | show | head`: the tamper-evident record of every change."""

from __future__ import annotations

import argparse
import json
from typing import Any

from resources.store import AuditEntry, Store
from resources.store.audit import MAX_LAST, check_last
from resources.store.audit_verify import parse_anchor


def register_audit(subparsers: Any) -> None:
    """Add the `audit` command and its sub-commands."""
    p = subparsers.add_parser("audit", help="verify or list the audit trail",
                              description="Every change to scenarios and plans (and every "
                                          "import, export, backup and restore) is recorded "
                                          "in a hash-chained, append-only audit trail.")
    sub = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    ver = sub.add_parser("verify", help="detect edited, deleted or reordered entries",
                         description="Check the append-only guards, every entry's hash and "
                                     "link, the sequence, and that the stored scenarios and "
                                     "plans match their last entries. Exit 0 when intact, 1 "
                                     "when tampering is found (the entries are named).")
    ver.add_argument("--anchor", metavar="SEQ:HASH",
                     help="a head printed earlier as SEQ:HASH (`audit head`) or a bare hash "
                          "of 16 or more hex digits (briefing packs, exports); it must still "
                          "be in the trail")
    ver.set_defaults(func=cmd_audit_verify)
    show = sub.add_parser("show", help="list audit entries",
                          description="List audit entries, oldest first.")
    show.add_argument("--last", type=_last, metavar="N",
                      help=f"only the newest N entries (1 to {MAX_LAST:,})")
    show.add_argument("--object", metavar="X",
                      help="only one object: a scenario name, a plan id, or 'scenario:NAME'")
    show.add_argument("--json", action="store_true", help="one JSON object per line")
    show.set_defaults(func=cmd_audit_show)
    head = sub.add_parser("head", help="print the chain head (to keep outside the database)",
                          description="Print the newest entry's number and hash. A copy kept "
                                      "outside the database can later be checked with "
                                      "`audit verify --anchor`.")
    head.set_defaults(func=cmd_audit_head)


def _last(text: str) -> int:
    """--last N: a whole number from 1 to MAX_LAST."""
    try:
        return check_last(int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of entries from 1 to {MAX_LAST:,}, got {text!r}") from None


def _open(args: argparse.Namespace) -> Store:
    return Store.open(args.db, create=False, allow_read_only=True)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Verify the trail; exit 1 on any sign of tampering (a malformed --anchor is bad input)."""
    if args.anchor is not None:
        parse_anchor(args.anchor, source="--anchor")
    with _open(args) as store:
        report = store.verify_audit(anchor=args.anchor)
    if report.ok:
        print(f"audit trail intact: {report.entries} entries, head "
              f"{report.head_seq}:{report.head}")
        return 0
    first = report.first_bad_seq
    where = f"; first affected entry: {first}" if first is not None else ""
    print(f"AUDIT TRAIL TAMPERED: {len(report.problems) + report.more} problem(s){where}")
    for problem in report.problems:
        print(f"  {problem}")
    if report.more:
        print(f"  ... and {report.more} more")
    return 1


def _entries(store: Store, args: argparse.Namespace) -> list[AuditEntry]:
    if args.object is None:
        return store.audit_entries(last=args.last)
    names = [args.object] if ":" in args.object else [
        f"scenario:{args.object}", f"plan:{args.object}", args.object]
    found = sorted({e.seq: e for n in names for e in store.audit_entries(obj=n)}.values(),
                   key=lambda e: e.seq)
    return found[-args.last:] if args.last else found


def cmd_audit_show(args: argparse.Namespace) -> int:
    """Print audit entries."""
    with _open(args) as store:
        found = _entries(store, args)
    for e in found:
        if args.json:
            doc = {**e.hashed_fields(), "detail": e.details(), "hash": e.hash}
            print(json.dumps(doc, ensure_ascii=False, sort_keys=True))
        else:
            print(e.summary())
            print(f"        {e.detail if len(e.detail) <= 200 else e.detail[:197] + '...'}")
    if not found and not args.json:
        print("no audit entries" + (f" for '{args.object}'" if args.object else ""))
    return 0


def cmd_audit_head(args: argparse.Namespace) -> int:
    """Print the chain head as SEQ:HASH."""
    with _open(args) as store:
        print(store.change_token())
    return 0
