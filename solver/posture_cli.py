"""``posture GAME.json``: print the optimal patrol coverage of a security game as JSON.

The file holds ``{"resources": R, "targets": [{"defender_covered": .., "defender_uncovered":
.., "attacker_covered": .., "attacker_uncovered": ..}, ...]}`` (other keys in a target,
e.g. ``"name"``, are ignored).  The answer is one JSON object on stdout; a bad file gives
one line ``error: FILE: ...`` on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from solver.stackelberg import FIELDS, GameError, Target, optimal_coverage

__all__ = ["main", "register", "run_posture"]

HELP = "compute the optimal (strong Stackelberg) patrol coverage of a security game"

DESCRIPTION = """\
Compute the defender's optimal coverage of the targets in GAME.json: each of the
`resources` identical units covers one target; the attacker sees the coverage
probabilities and attacks the target best for it (ties broken in the defender's favour).

GAME.json: {"resources": 2, "targets": [{"defender_covered": 5, "defender_uncovered": -10,
"attacker_covered": 0, "attacker_uncovered": 10}, ...]}

Payoffs must be finite numbers with defender_covered >= defender_uncovered and
attacker_covered <= attacker_uncovered; resources a finite number >= 0.

Output (one JSON object): coverage (per target), defender_value, attacker_value,
attack_set (targets the attacker is indifferent between), attacked_target.
Exit codes: 0 success, 2 bad input (one line "error: FILE: ..." on stderr)."""

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


class _InputError(Exception):
    """A problem with the game file; the message is one line."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``posture`` sub-command to an argparse sub-parser collection."""
    parser = subparsers.add_parser(
        "posture", help=HELP, description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("game", metavar="GAME.json", help="the game file (JSON)")
    parser.set_defaults(func=run_posture)


def run_posture(args: argparse.Namespace) -> int:
    """Solve the game in ``args.game``; print the result (exit 0) or an error (exit 2)."""
    path = str(args.game)
    try:
        targets, resources = load_game(Path(path))
        result = optimal_coverage(targets, resources)
    except (_InputError, GameError) as err:
        message = " ".join(str(err).split())
        print(f"error: {path}: {message}", file=sys.stderr)
        return 2
    print(json.dumps({
        "coverage": list(result.coverage),
        "defender_value": result.defender_value,
        "attacker_value": result.attacker_value,
        "attack_set": list(result.attack_set),
        "attacked_target": result.attacked_target,
    }))
    return 0


def _reject_constant(name: str) -> Any:
    raise _InputError(f"{name} is not allowed")


def _constant_line(text: str) -> int:
    for match in _TOKEN.finditer(text):
        if match.group(1):
            return text.count("\n", 0, match.start()) + 1
    return 0  # pragma: no cover - json only calls parse_constant for such a token


def load_game(path: Path) -> tuple[list[Target], float]:
    """Read and check a game file; raise ``_InputError`` with a one-line message."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise _InputError(f"cannot read file: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise _InputError(f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise _InputError(
            f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}"
        ) from None
    except _InputError as err:
        raise _InputError(
            f"invalid JSON at line {_constant_line(text)}: {err} (numbers must be finite)"
        ) from None
    except RecursionError:
        raise _InputError("invalid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise _InputError(f"expected a JSON object at top level, got {_kind(data)}")
    for key in ("resources", "targets"):
        if key not in data:
            raise _InputError(f"missing field '{key}'")
    resources = _number(data["resources"], "field 'resources'")
    items = data["targets"]
    if not isinstance(items, list):
        raise _InputError(f"field 'targets' must be a list, got {_kind(items)}")
    targets = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _InputError(f"target {i}: expected an object, got {_kind(item)}")
        values = []
        for field in FIELDS:
            if field not in item:
                raise _InputError(f"target {i}: missing field '{field}'")
            values.append(_number(item[field], f"target {i}: field '{field}'"))
        targets.append(Target(*values))
    return targets, resources


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _InputError(f"{where} must be a number, got {_kind(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _InputError(f"{where} must be a finite number")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point: ``python -m solver.posture_cli posture GAME.json``."""
    parser = argparse.ArgumentParser(prog="hercules")
    subparsers = parser.add_subparsers(dest="command", required=True)
    register(subparsers)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
