"""`db check | backup | restore | import`: the database's health, copies and foreign files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from resources.errors import InputError
from resources.store import Store, check, restore
from resources.store.backup import DEFAULT_KEEP, MAX_KEEP, check_keep, list_backups
from resources.store.foreign import read_foreign_db
from resources.store.restore import newest_usable_backup


def register_db(subparsers: Any) -> None:
    """Add the `db` command and its sub-commands."""
    db = subparsers.add_parser("db", help="check, back up, restore or import databases",
                               description="The per-user SQLite database: integrity checks, "
                                           "verified backups, restore, and importing another "
                                           "team's database file.")
    sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    chk = sub.add_parser("check", help="check the database's integrity and audit trail",
                         description="Run SQLite's integrity check, verify the schema and the "
                                     "audit trail. Exit 0 when healthy, 1 when problems are "
                                     "found. Never creates or changes a database.")
    chk.add_argument("--quick", action="store_true", help="faster quick_check")
    chk.set_defaults(func=cmd_db_check)
    bak = sub.add_parser("backup", help="copy the database safely while in use",
                         description="Copy the database with SQLite's online backup and "
                                     "verify the copy. Never overwrites an existing file. "
                                     "Backups in the default folder are rotated.")
    bak.add_argument("--out", type=Path, metavar="FILE",
                     help="backup file (default: backups/hercules-DATE-TIME.db next to it)")
    bak.add_argument("--keep", type=_keep, default=DEFAULT_KEEP, metavar="N",
                     help=f"plain backups kept in the default folder, 1 to {MAX_KEEP} "
                          f"(default {DEFAULT_KEEP})")
    bak.set_defaults(func=cmd_db_backup)
    res = sub.add_parser("restore", help="replace the database with a verified backup",
                         description="Check a backup (integrity; exactly Hercules' own tables, "
                                     "indexes and triggers; audit trail), keep a copy "
                                     "of the current database in backups/, then put the "
                                     "backup in place and record the restore in its audit "
                                     "trail. Changes made after the backup stay only in "
                                     "that copy.")
    which = res.add_mutually_exclusive_group(required=True)
    which.add_argument("file", type=Path, nargs="?", metavar="FILE", help="backup file")
    which.add_argument("--latest", action="store_true",
                       help="the newest backup in backups/ that passes its checks (newer "
                            "ones that fail, e.g. with tables or triggers Hercules never "
                            "makes, are skipped and named)")
    res.set_defaults(func=cmd_db_restore)
    lst = sub.add_parser("backups", help="list the backups next to the database",
                         description="List the backups in backups/ next to the database, "
                                     "newest first.")
    lst.set_defaults(func=cmd_db_backups)
    imp = sub.add_parser("import", help="copy scenarios and plans from another .db file",
                         description="Open another Hercules database read-only and "
                                     "defensively (its triggers, views and extensions never "
                                     "run; its schema is not adopted), validate every "
                                     "scenario and plan, then copy them in one transaction. "
                                     "Plans get new ids. Bad input changes nothing.")
    imp.add_argument("file", type=Path, metavar="FILE", help="the other database (.db)")
    imp.add_argument("--replace", action="store_true",
                     help="replace scenarios of the same name")
    imp.add_argument("--no-plans", action="store_true", help="copy the scenarios only")
    imp.set_defaults(func=cmd_db_import)


def _keep(text: str) -> int:
    """--keep N: a whole number of backups from 1 to MAX_KEEP."""
    try:
        return check_keep(int(text))
    except ValueError:  # InputError is one too
        raise argparse.ArgumentTypeError(
            f"expected a whole number of backups from 1 to {MAX_KEEP}, got {text!r}") from None


def cmd_db_check(args: argparse.Namespace) -> int:
    """Check the database; exit 1 when problems are found."""
    result = check(args.db, quick=args.quick)
    print(f"database: {result.path}")
    print(f"schema version {result.schema_version}; {result.scenarios} stored scenario(s), "
          f"{result.plans} plan(s)")
    if result.audit is not None and result.audit.ok:
        print(f"audit trail: ok, {result.audit.entries} entries, head "
              f"{result.audit.head_seq}:{result.audit.head}")
    if result.ok:
        print("integrity: ok")
        return 0
    for problem in result.problems[:20]:
        print(f"problem: {problem}")
    if len(result.problems) > 20:
        print(f"... and {len(result.problems) - 20} more")
    backups = list_backups(args.db)
    if backups:
        print(f"newest backup: {backups[0]} (restore with `db restore --latest`)")
    return 1


def cmd_db_backup(args: argparse.Namespace) -> int:
    """Back up the database to a new file (rotating the default folder)."""
    with Store.open(args.db, create=False, allow_read_only=True) as store:
        done = store.backup(args.out, keep=args.keep)
    print(f"backup written and verified: {done}")
    if args.out is None:
        print(f"backups folder keeps the newest {args.keep} plain backups")
    return 0


def cmd_db_backups(args: argparse.Namespace) -> int:
    """List the backups of the database."""
    found = list_backups(args.db)
    if not found:
        print(f"no backups next to {args.db}")
        return 0
    for p in found:
        print(f"{p}  {p.stat().st_size / 1024:,.0f} KiB")
    return 0


def cmd_db_restore(args: argparse.Namespace) -> int:
    """Restore the database from a backup (keeping a copy of the current one)."""
    if args.latest:
        source, skipped = newest_usable_backup(args.db)
        for reason in skipped:
            print(f"skipped backup {reason}")
    else:
        source = args.file
    if not source.is_file():
        raise InputError("no such backup file", source=str(source))
    result = restore(args.db, source)
    print(f"restored {args.db} from {result.restored_from}: {result.scenarios} stored "
          f"scenario(s), {result.plans} plan(s)")
    if result.safety_copy is not None:
        print(f"the replaced database was kept as {result.safety_copy}")
    print(f"audit head: {result.head}")
    return 0


def cmd_db_import(args: argparse.Namespace) -> int:
    """Copy the scenarios and plans of another Hercules database into this one.

    The other file is read and validated completely before this database is opened for
    writing (or created).
    """
    if args.file.resolve() == args.db.expanduser().resolve():
        raise InputError("cannot import a database into itself", source=str(args.file))
    content = read_foreign_db(args.file)
    with Store.open(args.db) as store:
        summary = store.import_content(content, replace=args.replace,
                                       with_plans=not args.no_plans)
    names = ", ".join(f"{n} (version {v})" for n, v in summary.scenarios) or "none"
    print(f"imported from {summary.source}: {len(summary.scenarios)} scenario(s): {names}; "
          f"{len(summary.plans)} plan(s)")
    for old, new in summary.plans[:20]:
        print(f"  plan {old} -> {new}")
    return 0
