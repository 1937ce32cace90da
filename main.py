"""Hercules entry point: `python main.py [--db PATH] [VERB ...]`; no verb opens the console."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from resources import __version__
from resources.errors import InputError


def _default_db() -> Path:
    from resources.store import default_db_path

    return Path(default_db_path())


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser: global options and every layer's verbs."""
    from desktop import cli as desktop_cli
    from resources import commands as resource_commands
    from solver import commands as solver_commands
    from solver import posture_cli, randomise_cli

    parser = argparse.ArgumentParser(
        prog="hercules",
        description="Hercules: deployment planning for visible counter-terrorism patrols. "
        "With no verb, opens the console.",
    )
    parser.add_argument(
        "--db", type=Path, default=None,
        help="SQLite store to use (default: $HERCULES_DB or the per-user data path)",
    )
    parser.add_argument("--version", action="version", version=f"hercules {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    resource_commands.register(sub)
    solver_commands.register(sub)
    posture_cli.register(sub)
    randomise_cli.register(sub)
    desktop_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command-line verb (or the console) and return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.db = args.db if args.db is not None else _default_db()
        if args.verb is None:
            from desktop.app import run_gui

            return run_gui(args.db)
        code: int = args.func(args)
        return code
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
