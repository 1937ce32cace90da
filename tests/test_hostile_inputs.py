"""Property-based hostile files for every importer: only InputError, never a crash or a half-import.

Valid documents are mutated at a random place (a value replaced by something hostile, a member
dropped, a list emptied), serialised with NaN/Infinity allowed, and read back; raw bytes and
broken encodings are thrown at the readers too.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resources.errors import InputError
from resources.io import (
    areas_from_geojson,
    parse_json,
    plan_from_dict,
    read_areas,
    read_plan,
    read_scenario,
    read_sites,
    read_units,
    scenario_to_dict,
    write_sites,
    write_units,
)
from resources.io.records import site_to_dict
from resources.model import Area, Plan, Scenario, Site, Unit
from resources.store import Store
from tests.test_audit_commands import run
from tests.test_io_geojson import HOLE, OUTER, collection, feature
from tests.test_io_plan_json import sample_plan
from tests.test_io_scenario_json import rich_scenario
from tests.test_io_tabular import SITES
from tests.test_store_hardening import rows

TYPES = rich_scenario().types_by_code
#: Set HOSTILE_EXAMPLES=N to hunt with N random (not derandomised) examples per test.
_HUNT = os.environ.get("HOSTILE_EXAMPLES")
SETTINGS = settings(max_examples=int(_HUNT or 150), deadline=None, derandomize=_HUNT is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

HOSTILE_TEXT = st.sampled_from([
    "", " ", "\x00", "a\x07b", "\ud800", "x" * 5000, "=cmd|' /C calc'!A0", "'; DROP TABLE plans;--",
    "NaN", "Infinity", "-1e400", "1e400", "🚓", "\u202e", "0x10", "all", "none", "-1", "0-",
    "3-1", "1,,2", "99999999999999999999",
])
HOSTILE_NUMBER = st.one_of(
    st.sampled_from([0, -1, 1, 2**63, -(2**63) - 1, 10**30, 1e308, -1e308, 0.5, 1e-320]),
    st.integers(), st.floats(allow_nan=True, allow_infinity=True),
)
LEAF = st.one_of(st.none(), st.booleans(), HOSTILE_NUMBER, HOSTILE_TEXT, st.text(max_size=20))
HOSTILE = st.recursive(LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=8)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:3]):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to three hostile changes at random places."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 3]))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:
            doc = draw(HOSTILE) if draw(st.integers(0, 9)) == 0 else doc
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        kind = draw(st.sampled_from(["replace", "replace", "drop", "empty", "extra"]))
        last = path[-1]
        if kind == "drop" and isinstance(parent, dict):
            del parent[last]
        elif kind == "drop" and isinstance(parent, list):
            parent.pop(last)
        elif kind == "empty":
            parent[last] = [] if isinstance(parent[last], list) else {}
        elif kind == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(HOSTILE)
        else:
            parent[last] = draw(HOSTILE)
    return doc


def _dump(doc: Any) -> str:
    return json.dumps(doc, allow_nan=True, ensure_ascii=False)


def _safe_write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogatepass"))


def _only_input_errors(read: Callable[[], Any], expected: type) -> None:
    """The reader returns a whole object of the expected type or raises a one-line InputError."""
    try:
        got = read()
    except InputError as err:
        message = str(err)
        assert message and "\n" not in message
        return
    assert isinstance(got, expected), type(got)


def _finite(doc: Any) -> bool:
    """True when every number in a parsed document is finite (nothing hostile got through)."""
    if isinstance(doc, float):
        return math.isfinite(doc)
    if isinstance(doc, dict):
        return all(_finite(v) for v in doc.values())
    if isinstance(doc, list):
        return all(_finite(v) for v in doc)
    return True


SCENARIO_DOC = scenario_to_dict(rich_scenario())
PLAN_DOC = sample_plan().to_dict()
GEO_DOC = collection(feature("A", {"type": "Polygon", "coordinates": [OUTER, HOLE]}),
                     feature("B", {"type": "MultiPolygon", "coordinates": [[OUTER]]}))


@SETTINGS
@given(mutated(SCENARIO_DOC))
def test_hostile_scenario_documents(tmp_path_factory: Any, doc: Any) -> None:
    path = tmp_path_factory.mktemp("s") / "scenario.json"
    _safe_write(path, _dump(doc))
    _only_input_errors(lambda: read_scenario(path), Scenario)


@SETTINGS
@given(mutated(PLAN_DOC))
def test_hostile_plan_documents(tmp_path_factory: Any, doc: Any) -> None:
    path = tmp_path_factory.mktemp("p") / "plan.json"
    _safe_write(path, _dump(doc))
    _only_input_errors(lambda: read_plan(path), Plan)
    try:
        plan = read_plan(path)
    except InputError:
        return
    assert _finite(plan.to_dict())
    json.dumps(plan.to_dict(), allow_nan=False)  # what the store will write


@SETTINGS
@given(mutated(GEO_DOC))
def test_hostile_geojson(tmp_path_factory: Any, doc: Any) -> None:
    path = tmp_path_factory.mktemp("g") / "areas.geojson"
    _safe_write(path, _dump(doc))

    def read() -> tuple[Area, ...]:
        got = read_areas(path, "NAME")
        assert all(isinstance(a, Area) for a in got)
        return got
    _only_input_errors(read, tuple)


def _csv_text(write: Callable[[Path], None]) -> list[list[str]]:
    """The rows of a CSV file as an exporter writes it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "base.csv"
        write(path)
        text = path.read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


@st.composite
def mutated_rows(draw: st.DrawFn, rows: list[list[str]]) -> str:
    """A CSV text from ``rows`` with hostile cells, ragged rows or a stray quote."""
    grid = [list(r) for r in rows]
    quote = False
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 4]))):
        r = draw(st.integers(0, len(grid) - 1))
        kind = draw(st.sampled_from(["cell", "cell", "cell", "ragged", "quote"]))
        if kind == "ragged":
            grid[r] = grid[r][:draw(st.integers(0, len(grid[r])))]
        elif kind == "quote":
            quote = True
        elif grid[r]:
            c = draw(st.integers(0, len(grid[r]) - 1))
            grid[r][c] = draw(st.one_of(HOSTILE_TEXT, st.text(max_size=12),
                                        HOSTILE_NUMBER.map(str)))
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(grid)
    text = buf.getvalue()
    if quote:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + '"' + text[at:]
    return text


SITE_ROWS = _csv_text(lambda p: write_sites(p, rich_scenario().sites))
UNIT_ROWS = _csv_text(lambda p: write_units(p, rich_scenario().units))


@SETTINGS
@given(mutated_rows(SITE_ROWS))
def test_hostile_sites_csv(tmp_path_factory: Any, text: str) -> None:
    path = tmp_path_factory.mktemp("c") / "sites.csv"
    _safe_write(path, text)

    def read() -> tuple[Site, ...]:
        got = read_sites(path)
        assert all(isinstance(s, Site) for s in got)
        return got
    _only_input_errors(read, tuple)


@SETTINGS
@given(mutated_rows(UNIT_ROWS))
def test_hostile_units_csv(tmp_path_factory: Any, text: str) -> None:
    path = tmp_path_factory.mktemp("u") / "units.csv"
    _safe_write(path, text)

    def read() -> tuple[Unit, ...]:
        got = read_units(path, TYPES)
        assert all(isinstance(u, Unit) for u in got)
        return got
    _only_input_errors(read, tuple)


@SETTINGS
@given(mutated({"format": "hercules-sites/1",
                "sites": json.loads(json.dumps([site_to_dict(s) for s in SITES]))}))
def test_hostile_sites_json(tmp_path_factory: Any, doc: Any) -> None:
    path = tmp_path_factory.mktemp("j") / "sites.json"
    _safe_write(path, _dump(doc))
    _only_input_errors(lambda: read_sites(path), tuple)


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["sites.csv", "units.json", "s.json",
                                                  "a.geojson", "p.json"]))
def test_random_bytes_in_every_reader(tmp_path_factory: Any, data: bytes, name: str) -> None:
    path = tmp_path_factory.mktemp("b") / name
    path.write_bytes(data)
    readers: dict[str, Callable[[], Any]] = {
        "sites.csv": lambda: read_sites(path), "units.json": lambda: read_units(path, TYPES),
        "s.json": lambda: read_scenario(path), "a.geojson": lambda: read_areas(path, "NAME"),
        "p.json": lambda: read_plan(path),
    }
    try:
        readers[name]()
    except InputError as err:
        assert "\n" not in str(err)


@SETTINGS
@given(st.text(max_size=200))
def test_random_text_is_parsed_or_refused(text: str) -> None:
    try:
        doc = parse_json(text, "t.json")
    except InputError:
        return
    assert _finite(doc)
    json.dumps(doc, allow_nan=False).encode("utf-8")


def test_specific_hostile_values_are_refused() -> None:
    """Out-of-range floats, lone surrogates and huge integers: one-line errors."""
    for text, expected in [
        ('{"a": 1e400}', "out of range"), ('{"a": -1e999}', "out of range"),
        ('{"a": NaN}', "finite number"), ('["\\ud800"]', "lone UTF-16 surrogate"),
        ('{"\\udfff": 1}', "lone UTF-16 surrogate"), ("[" + "9" * 5000 + "]", "invalid JSON"),
    ]:
        try:
            parse_json(text, "x.json")
        except InputError as err:
            assert expected in str(err), (text[:30], str(err))
        else:
            raise AssertionError(f"accepted {text[:30]!r}")
    doc = copy.deepcopy(PLAN_DOC)
    doc["solver"]["seed"] = 2**70
    with pytest.raises(InputError, match="field 'seed'"):
        plan_from_dict(doc, "p.json")
    many = collection(*(feature(f"A{i}", {"type": "Polygon", "coordinates": [OUTER]})
                        for i in range(3)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("resources.io.geojson.MAX_FILE_POSITIONS", 2 * len(OUTER))
        with pytest.raises(InputError, match=r"features\[2\].*positions in the whole file"):
            areas_from_geojson(many, "NAME")

CLI = settings(max_examples=int(_HUNT or 40), deadline=None, derandomize=_HUNT is None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                      HealthCheck.function_scoped_fixture])


def _cli_import(tmp: Path, verb: list[str], name: str, text: str,
                capsys: pytest.CaptureFixture[str]) -> tuple[int, str, Path]:
    db = tmp / "h.db"
    if not db.exists():
        with Store.open(db) as store:
            store.save_scenario(rich_scenario())
    path = tmp / name
    _safe_write(path, text)
    before = rows(db)
    code, _, err = run(db, capsys, *verb, str(path), *(["--scenario", "tiny"]
                                                       if verb[0] != "scenario" else []),
                       *(["--name-field", "NAME"] if verb[0] == "areas" else []))
    if code != 0:
        assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
        assert rows(db) == before  # nothing applied
    return code, err, db


@CLI
@given(mutated_rows(SITE_ROWS))
def test_cli_sites_import_is_all_or_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            text: str) -> None:
    code, _, db = _cli_import(tmp_path, ["sites", "import"], "sites.csv", text, capsys)
    if code == 0:
        with Store.open(db) as store:
            assert store.load_scenario("tiny").sites == read_sites(tmp_path / "sites.csv")


@CLI
@given(mutated_rows(UNIT_ROWS))
def test_cli_units_import_is_all_or_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            text: str) -> None:
    code, _, db = _cli_import(tmp_path, ["units", "import"], "units.csv", text, capsys)
    if code == 0:
        with Store.open(db) as store:
            assert store.load_scenario("tiny").units == read_units(tmp_path / "units.csv", TYPES)


@CLI
@given(mutated({**SCENARIO_DOC, "name": "imported"}))
def test_cli_scenario_import_is_all_or_nothing(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               doc: Any) -> None:
    code, _, db = _cli_import(tmp_path, ["scenario", "import", "--replace"], "s.json",
                              _dump(doc), capsys)
    if code == 0:
        with Store.open(db) as store:
            got = read_scenario(tmp_path / "s.json")
            assert store.load_scenario(got.name) == got


@CLI
@given(mutated(GEO_DOC))
def test_cli_areas_import_is_all_or_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            doc: Any) -> None:
    code, _, db = _cli_import(tmp_path, ["areas", "import"], "a.geojson", _dump(doc), capsys)
    if code == 0:
        with Store.open(db) as store:
            names = {a.name for a in store.load_scenario("tiny").areas}
            assert names == {a.name for a in read_areas(tmp_path / "a.geojson", "NAME")}


def test_no_pickle_eval_or_yaml_load_anywhere() -> None:
    """No code path can run code out of data: no pickle/marshal/shelve, eval/exec, yaml.load."""
    import ast

    root = Path(__file__).resolve().parents[1]
    banned_modules = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "yaml"}
    found: list[str] = []
    files = [root / "main.py", *[p for d in ("resources", "solver", "desktop")
                                 for p in (root / d).rglob("*.py")]]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                found += [where for a in node.names if a.name.split(".")[0] in banned_modules]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found += [where] if node.module.split(".")[0] in banned_modules else []
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                found += [where] if node.func.id in {"eval", "exec", "__import__"} else []
    assert found == []
