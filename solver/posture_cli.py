"""``posture GAME.json``: print the optimal patrol coverage of a security game as JSON.

The file holds ``{"resources": R, "targets": [{"defender_covered": .., "defender_uncovered":
.., "attacker_covered": .., "attacker_uncovered": .., "name": ..}, ...]}`` (``name`` optional).
It is read under the rules of every other JSON file (resources/io/safe_json.py: 50 MB, strict
UTF-8, no duplicate keys, nesting at most 64 deep) and unknown fields are refused.  The answer
is one JSON object on stdout; a bad file gives one line ``error: FILE: ...`` on stderr and exit
code 2.
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

from resources.errors import InputError
from resources.io import safe_json
from solver.stackelberg import FIELDS, GameError, Target, optimal_coverage

__all__ = ["main", "register", "run_posture"]

#: Largest payoff magnitude accepted: the answer is exact to rounding of the largest payoff,
#: so wider ranges would let the smaller payoffs vanish in rounding.
MAX_PAYOFF = 1e9
#: Longest target name accepted.
MAX_NAME = 200
_TOP_FIELDS = ("resources", "targets")
_TARGET_FIELDS = (*FIELDS, "name")

HELP = "compute the optimal (strong Stackelberg) patrol coverage of a security game"

DESCRIPTION = """\
Compute the defender's optimal coverage of the targets in GAME.json: each of the
`resources` identical units covers one target; the attacker sees the coverage
probabilities and attacks the target best for it (ties broken in the defender's favour).

GAME.json: {"resources": 2, "targets": [{"defender_covered": 5, "defender_uncovered": -10,
"attacker_covered": 0, "attacker_uncovered": 10}, ...]}

Payoffs must be numbers from -1e9 to 1e9 with defender_covered >= defender_uncovered
and attacker_covered <= attacker_uncovered; resources a finite number >= 0; a target may
have a "name" (text, up to 200 characters). Any other field is refused, and the file is read
under the rules of every JSON file: at most 50 MB of UTF-8, strict JSON (no NaN/Infinity, no
duplicate keys, nesting at most 64 deep).

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
    return _game_from(_parse(_read_text(path), path.name))


def _read_text(path: Path) -> str:
    """The file's text: a regular file of at most 50 MB of UTF-8 (a byte-order mark is fine)."""
    if not path.is_file():
        reason = "not a regular file" if path.exists() else "no such file"
        raise _InputError(f"cannot read file: {reason}")
    try:
        data = safe_json.read_bytes(path)
    except InputError as err:
        raise _InputError(err.detail) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _InputError(f"not UTF-8 text ({err.reason} at byte {err.start})") from None


def _parse(text: str, name: str) -> Any:
    """The document, read by the shared strict JSON reader (resources/io/safe_json.py).

    When it refuses the text: broken JSON and NaN/Infinity are reported with their line, a
    number too large for a float is left to the field checks (which name the field), and any
    other refusal (duplicate key, deep nesting, bad text) is the shared reader's own."""
    try:
        return safe_json.parse_json(text, name)
    except InputError as err:
        refused = err
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
    if not _has_overflow(data):
        where = f"{refused.location}: " if refused.location else ""
        raise _InputError(where + refused.detail)
    return data


def _has_overflow(doc: object) -> bool:
    """True when the document holds a number too large for a float (read as infinity)."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _game_from(data: object) -> tuple[list[Target], float]:
    if not isinstance(data, dict):
        raise _InputError(f"expected a JSON object at top level, got {_kind(data)}")
    _only(data, _TOP_FIELDS, "")
    for key in _TOP_FIELDS:
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
        _only(item, _TARGET_FIELDS, f"target {i}: ")
        _check_name(item.get("name"), f"target {i}: field 'name'")
        values = []
        for field in FIELDS:
            if field not in item:
                raise _InputError(f"target {i}: missing field '{field}'")
            values.append(_payoff(item[field], f"target {i}: field '{field}'"))
        targets.append(Target(*values))
    return targets, resources


def _only(obj: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in obj:
        if key not in allowed:
            raise _InputError(f"{where}unknown field {key[:40]!r}; expected "
                              f"{', '.join(allowed)}")


def _check_name(value: object, where: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise _InputError(f"{where} must be text, got {_kind(value)}")
    if not 1 <= len(value) <= MAX_NAME or not value.isprintable():
        raise _InputError(f"{where} must be 1-{MAX_NAME} printable characters")


def _payoff(value: object, where: str) -> float:
    number = _number(value, where)
    if abs(number) > MAX_PAYOFF:
        raise _InputError(f"{where} is {number:g}; expected a payoff from {-MAX_PAYOFF:g} to "
                          f"{MAX_PAYOFF:g}")
    return number


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
