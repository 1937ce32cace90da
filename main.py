"""Hercules entry point: `python main.py [--db PATH] [VERB ...]`; no verb opens the console."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from resources import __version__
from resources.errors import InputError

PROG = "hercules"
_DEEPEST = "_hercules_parser_prog"  # namespace slot: prog of the innermost parser that ran


class CommandLineParser(argparse.ArgumentParser):
    """An argument parser whose every error is one line on stderr and exit code 2.

    The line reads ``error: VERB MESSAGE (see 'hercules VERB --help')``; sub-parsers made by
    ``add_subparsers`` are of this class too, so every verb and action answers the same way.
    """

    def error(self, message: str) -> NoReturn:
        """Print the one-line error of this parser's verb and exit 2."""
        self.fail(self.prog, message)

    def fail(self, prog: str, message: str) -> NoReturn:
        """Print ``error: VERB MESSAGE (see ...)`` for the parser named ``prog``; exit 2."""
        verb = prog.removeprefix(PROG).strip()
        text = " ".join(message.split())
        if verb:
            line = f"error: {verb} {text} (see '{PROG} {verb} --help')"
        else:
            line = f"error: {text} (see '{PROG} --help')"
        self.exit(2, line + "\n")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Exit; after --help or --version, a failed write to stdout is an error too."""
        if status == 0:
            try:
                sys.stdout.flush()
            except StdoutError as err:
                report_stdout_error(err)
                status = 2
        super().exit(status, message)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None,
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse as argparse does, noting the innermost verb's parser for later errors."""
        parsed, extras = super().parse_known_args(args, namespace)
        if not hasattr(parsed, _DEEPEST):
            setattr(parsed, _DEEPEST, self.prog)
        return parsed, extras

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None,
    ) -> argparse.Namespace:
        """Parse the command line; leftover arguments are an error of the verb they follow."""
        parsed, extras = self.parse_known_args(args, namespace)
        prog = str(vars(parsed).pop(_DEEPEST, self.prog))
        if extras:
            self.fail(prog, f"unrecognized arguments: {' '.join(extras)}")
        return parsed


class StdoutError(Exception):
    """Writing to standard output failed for a reason other than a closed pipe."""


class GuardedStdout:
    """Standard output whose failed writes raise :class:`StdoutError` (a broken pipe as is)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` to the real standard output."""
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as err:
            raise StdoutError(err.strerror or str(err)) from None

    def writelines(self, lines: Sequence[str]) -> None:
        """Write each of ``lines``."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Flush the real standard output."""
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as err:
            raise StdoutError(err.strerror or str(err)) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _default_db() -> Path:
    from resources.store import default_db_path

    return Path(default_db_path())


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser: global options and every layer's verbs."""
    from desktop import cli as desktop_cli
    from resources import commands as resource_commands
    from solver import commands as solver_commands
    from solver import posture_cli, randomise_cli

    parser = CommandLineParser(
        prog=PROG,
        description="Hercules: deployment planning for visible counter-terrorism patrols. "
        "With no verb, opens the console.",
    )
    parser.add_argument(
        "--db", type=Path, default=None,
        help="SQLite store to use (default: $HERCULES_DB or the per-user data path)",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub: Any = parser.add_subparsers(dest="verb", metavar="VERB")
    resource_commands.register(sub)
    solver_commands.register(sub)
    posture_cli.register(sub)
    randomise_cli.register(sub)
    desktop_cli.register(sub)
    return parser


def _discard_stdout() -> None:
    """Point the real stdout's descriptor at the null device: what is still buffered for it
    is dropped quietly at exit instead of failing again."""
    stream = sys.stdout.stream if isinstance(sys.stdout, GuardedStdout) else sys.stdout
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError):
        pass  # no real descriptor (e.g. captured output): nothing will be flushed at exit


def report_stdout_error(err: StdoutError) -> None:
    """Say in one line that standard output failed; drop whatever is still buffered for it."""
    print(f"error: cannot write to standard output: {err}", file=sys.stderr)
    _discard_stdout()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command-line verb (or the console) and return the exit code."""
    real = sys.stdout
    sys.stdout = GuardedStdout(real)
    try:
        args = build_parser().parse_args(argv)
        args.db = args.db if args.db is not None else _default_db()
        if args.verb is None:
            from desktop.app import run_gui

            return run_gui(args.db)
        code: int = args.func(args)
        sys.stdout.flush()
        return code
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except StdoutError as err:
        report_stdout_error(err)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _discard_stdout()
        return 0
    finally:
        sys.stdout = real


if __name__ == "__main__":
    sys.exit(main())
