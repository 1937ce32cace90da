"""The scenario/areas/sites/units/db commands, and that bad input leaves the store unchanged."""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point

from resources.commands import register
from resources.errors import InputError
from resources.io import scenario_to_dict
from resources.store import Store, builtin_scenario
from tests.test_io_geojson import BOROUGHS, HOLE, OUTER, collection, feature
from tests.test_io_scenario_json import rich_scenario

Run = Callable[..., tuple[int, str, str]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hercules")
    parser.add_argument("--db", type=Path, required=True)
    register(parser.add_subparsers(dest="command", required=True))
    return parser


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store holding the rich fixture scenario ('tiny', with pins and forbids)."""
    path = tmp_path / "store" / "h.db"
    with Store.open(path) as store:
        store.save_scenario(rich_scenario())
    return path


@pytest.fixture
def run(db: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run a command as main.py would: InputError -> one line on stderr, exit 2."""
    def _run(*argv: str) -> tuple[int, str, str]:
        args = _parser().parse_args(["--db", str(db), *argv])
        try:
            code = int(args.func(args))
        except InputError as err:
            print(f"error: {err}", file=__import__("sys").stderr)
            code = 2
        out, errtext = capsys.readouterr()
        return code, out, errtext
    return _run


def snapshot(path: Path) -> tuple[bytes, list[Any], list[str]]:
    """File bytes, every row of every table, and the side files (all connections closed)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        rows: list[Any] = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                     "ORDER BY name").fetchall():
            rows.append((table, conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()))
    finally:
        conn.close()
    side = sorted(p.name for p in path.parent.iterdir())
    return path.read_bytes(), rows, side


def _write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _scenario_doc(**changes: Any) -> dict[str, Any]:
    doc = scenario_to_dict(rich_scenario())
    doc.update(name="imported")
    doc.update(changes)
    return doc


SITE_HEADER = "id,name,kind,sector,lon,lat,borough,risk\n"
GOOD_SITES = "".join(f"S{i},Site {i},iconic,retail,-0.1,51.5,Westminster,5\n" for i in (1, 2))


def _bad_inputs(tmp_path: Path) -> list[tuple[list[str], str]]:
    dup = _scenario_doc()
    dup["units"][1]["callsign"] = "ARV1"
    unknown = _scenario_doc()
    unknown["units"][0]["type"] = "HOVERCRAFT"
    missing = _scenario_doc()
    del missing["sites"][0]["lat"]
    line_geo = collection(feature("A", {"type": "LineString", "coordinates": [[0, 51], [1, 52]]}))
    projected = collection(feature("A", {"type": "Polygon", "coordinates": [
        [[530000, 180000], [531000, 180000], [531000, 181000], [530000, 180000]]]}))
    unclosed = collection(feature("A", {"type": "Polygon", "coordinates": [OUTER[:-1]]}))
    good_geo = collection(feature("A", {"type": "Polygon", "coordinates": [OUTER, HOLE]}))
    bad_row = (SITE_HEADER + GOOD_SITES * 1
               + "S3,Site 3,iconic,retail,-0.1,51.5,Westminster,high\n")
    units_hdr = "callsign,type,base_lon,base_lat,borough\n"
    j = json.dumps
    return [
        (["scenario", "import", _write(tmp_path, "broken.json", '{"format": ')],
         "error: broken.json: line 1, column 12: broken JSON"),
        (["scenario", "import", _write(tmp_path, "dup.json", j(dup))],
         "error: dup.json: units[1]: field 'callsign': duplicate callsign 'ARV1'"),
        (["scenario", "import", _write(tmp_path, "unk.json", j(unknown))],
         "error: unk.json: units[0]: field 'type': unknown unit type 'HOVERCRAFT'"),
        (["scenario", "import", _write(tmp_path, "miss.json", j(missing))],
         "error: miss.json: sites[0]: field 'lat': missing required field"),
        (["scenario", "import", _write(tmp_path, "same.json", j(_scenario_doc(name="tiny")))],
         "error: same.json: scenario 'tiny' already exists; use --replace"),
        (["scenario", "import", _write(tmp_path, "ok.json", j(_scenario_doc())),
          "--name", "bad name!"],
         "error: --name: scenario 'bad name!': field 'name': expected an identifier"),
        (["areas", "import", _write(tmp_path, "line.geojson", j(line_geo)),
          "--name-field", "NAME", "--scenario", "tiny"],
         "error: line.geojson: features[0]: field 'geometry.type': expected a Polygon"),
        (["areas", "import", _write(tmp_path, "proj.geojson", j(projected)),
          "--name-field", "NAME", "--scenario", "tiny"],
         "error: proj.geojson: features[0]: field 'geometry.coordinates': exterior ring: "
         "position 1: expected longitude in [-180, 180]"),
        (["areas", "import", _write(tmp_path, "open.geojson", j(unclosed)),
          "--name-field", "NAME", "--scenario", "tiny"],
         "error: open.geojson: features[0]: field 'geometry.coordinates': exterior ring: "
         "expected a closed ring"),
        (["areas", "import", _write(tmp_path, "good.geojson", j(good_geo)),
          "--name-field", "BOROUGH", "--scenario", "tiny"],
         "error: good.geojson: features[0]: field 'properties.BOROUGH': missing name"),
        (["areas", "import", str(tmp_path / "good.geojson"), "--name-field", "NAME",
          "--scenario", "nowhere"],
         "error: no scenario named 'nowhere'"),
        (["areas", "import", _write(tmp_path, "city.geojson", j(collection(feature(
            "City of London", {"type": "Polygon", "coordinates": [OUTER]})))),
          "--name-field", "NAME", "--scenario", "tiny"],
         "error: city.geojson: expected at least one taskable area"),
        (["sites", "import", _write(tmp_path, "sites.csv", bad_row), "--scenario", "tiny"],
         "error: sites.csv: line 4: field 'risk': expected a number, got 'high'"),
        (["sites", "import", _write(tmp_path, "nopin.csv", SITE_HEADER + GOOD_SITES.replace(
            "S1,", "X1,")), "--scenario", "tiny"],
         "error: nopin.csv: scenario 'tiny', travel model: field 'matrix': entry 1 (from "
         "'base:ARV1' to 'S1') names unknown place 'S1'"),  # S1 is also pinned: either names it
        (["units", "import", _write(tmp_path, "u.csv", units_hdr
                                    + "ARV1,ARV,-0.1,51.5,W\nX,SUBMARINE,-0.1,51.5,W\n"),
          "--scenario", "tiny"],
         "error: u.csv: line 3: field 'type': unknown unit type 'SUBMARINE'"),
        (["units", "import", _write(tmp_path, "u2.csv", units_hdr
                                    + "ARV1,ARV,-0.1,51.5,W\nARV1,ARV,-0.1,51.5,W\n"),
          "--scenario", "tiny"],
         "error: u2.csv: line 3: field 'callsign': duplicate callsign 'ARV1' (first at line 2)"),
        (["units", "import", _write(tmp_path, "u3.csv", units_hdr
                                    + "ARV1,ARV,-0.1,151.5,W\n"), "--scenario", "tiny"],
         "error: u3.csv: line 2: field 'base_lat': expected a number in [-90.0, 90.0]"),
        (["units", "import", _write(tmp_path, "u4.csv", "callsign,type\nA,ARV\n"),
          "--scenario", "tiny"],
         "error: u4.csv: line 1: missing column(s) base_lon, base_lat, borough"),
        (["units", "import", _write(tmp_path, "u.xlsx", "x"), "--scenario", "tiny"],
         "error: u.xlsx: expected a .csv or .json file"),
    ]


def test_bad_input_exits_2_with_one_line_and_changes_nothing(
        tmp_path: Path, db: Path, run: Run) -> None:
    before = snapshot(db)
    cases = _bad_inputs(tmp_path)
    for argv, expected in cases:
        code, out, err = run(*argv)
        assert code == 2, (argv, out, err)
        assert err.startswith(expected), (argv, err)
        assert err.count("\n") == 1
        assert snapshot(db) == before, argv
    assert len(cases) == 19


def test_scenario_list_and_show(run: Run) -> None:
    code, out, _ = run("scenario", "list")
    assert code == 0
    assert any(line.startswith("tiny ") and " 5 " in line for line in out.splitlines())
    if builtin_scenario("london") is not None:
        assert "built-in, never saved" in out
    code, out, _ = run("scenario", "show", "tiny")
    assert code == 0
    assert "Scenario 'tiny' (stored, version 1)" in out
    assert "Threat level: SEVERE (Heightened response)" in out
    assert "Armed share cap: 10% of deployed officers (9 x armed <= 1 x unarmed)" in out
    assert "ARV " in out and "CYCLE" in out
    # available: ARV1 3 armed/3, NHT1 5, CYC1 1, BOAT1 3 -> 3 of 12 officers
    assert "on duty: 3/12 = 25.0% (ABOVE the 10% cap)" in out
    assert "Sites: 3 (crowded place 1, river stretch 1, transport hub 1)" in out
    assert "Areas: 2 (1 taskable)" in out


def test_export_then_import_under_a_new_name(tmp_path: Path, db: Path, run: Run) -> None:
    out_file = tmp_path / "tiny.json"
    assert run("scenario", "export", "tiny", "--out", str(out_file))[0] == 0
    before = snapshot(db)
    code, out, _ = run("scenario", "import", str(out_file), "--name", "copy")
    assert code == 0 and "version 1" in out
    assert snapshot(db) != before  # the snapshot does see a change
    with Store.open(db) as store:
        assert store.load_scenario("copy") == rich_scenario().with_changes(name="copy")
    code, out, _ = run("scenario", "import", str(out_file), "--replace")
    assert code == 0 and "version 2" in out
    code, out, _ = run("scenario", "export", "tiny")
    assert code == 0 and json.loads(out) == scenario_to_dict(rich_scenario())


def test_areas_import_replaces_areas_and_marks_the_city(tmp_path: Path, db: Path,
                                                        run: Run) -> None:
    geo = collection(feature("Westminster", {"type": "Polygon", "coordinates": [OUTER]}),
                     feature("City of London", {"type": "MultiPolygon",  # one part, holed
                                                "coordinates": [[OUTER, HOLE]]}))
    path = _write(tmp_path, "b.geojson", json.dumps(geo))
    code, out, _ = run("areas", "import", path, "--name-field", "NAME", "--scenario", "tiny")
    assert code == 0, out
    assert "imported 2 areas (1 taskable" in out and "(version 2)" in out
    with Store.open(db) as store:
        s = store.load_scenario("tiny")
    assert [(a.name, a.taskable) for a in s.areas] == [("Westminster", True),
                                                       ("City of London", False)]
    assert s.units == rich_scenario().units and s.pins == rich_scenario().pins
    assert "coverage grid rebuilt" in out
    assert s.cells and {c.borough for c in s.cells} == {"Westminster"}
    west = s.areas[0].shape()
    assert all(west.contains(Point(c.lon, c.lat)) for c in s.cells)


def test_areas_import_of_the_real_borough_file(db: Path, run: Run) -> None:
    if not BOROUGHS.is_file():
        pytest.skip("shared test data is not present")
    code, out, _ = run("areas", "import", str(BOROUGHS), "--name-field", "BOROUGH",
                       "--scenario", "tiny")
    assert code == 0
    assert "imported 33 areas (32 taskable, 1,5" in out
    with Store.open(db) as store:
        assert len(store.load_scenario("tiny").areas) == 33


def test_areas_import_into_the_builtin_london(db: Path, run: Run) -> None:
    london = builtin_scenario("london")
    if london is None or not BOROUGHS.is_file():
        pytest.skip("resources.london or the shared test data is not available")
    code, out, _ = run("areas", "import", str(BOROUGHS), "--name-field", "BOROUGH")
    assert code == 0 and "into scenario 'london' (version 1)" in out
    with Store.open(db) as store:
        s, version = store.load_versioned("london")
    assert version == 1 and s.sites == london.sites and s.units == london.units
    names = {a.name for a in s.areas if a.taskable}
    assert len(names) == 32 and "City of London" not in names
    assert s.cells and {c.borough for c in s.cells} <= names
    code, out, _ = run("scenario", "list")
    assert "(overrides built-in)" in out


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_sites_and_units_export_import_round_trip(tmp_path: Path, db: Path, run: Run,
                                                  ext: str) -> None:
    for noun in ("sites", "units"):
        f = tmp_path / f"{noun}.{ext}"
        assert run(noun, "export", str(f), "--scenario", "tiny")[0] == 0
        code, out, _ = run(noun, "import", str(f), "--scenario", "tiny")
        assert code == 0, out
    with Store.open(db) as store:
        s, version = store.load_versioned("tiny")
    assert s == rich_scenario() and version == 3


def test_units_import_replaces_the_roster(tmp_path: Path, db: Path, run: Run) -> None:
    f = tmp_path / "units.csv"
    run("units", "export", str(f), "--scenario", "tiny")
    f.write_text(f.read_text() + "EXTRA1,AFP,-0.12,51.5,Camden,2,available,,0-3\r\n")
    code, out, _ = run("units", "import", str(f), "--scenario", "tiny")
    assert code == 0 and "imported 6 units" in out
    with Store.open(db) as store:
        extra = store.load_scenario("tiny").units_by_callsign["EXTRA1"]
    assert extra.available_slots == frozenset({0, 1, 2, 3}) and extra.borough == "Camden"


def test_units_import_that_breaks_a_pin_warns_and_keeps_the_pin(tmp_path: Path, db: Path,
                                                                 run: Run) -> None:
    f = tmp_path / "units.csv"
    run("units", "export", str(f), "--scenario", "tiny")
    lines = f.read_text().splitlines()
    # ARV1 is pinned in slot 0: roster it on slots 2-3 only
    lines = [ln.rsplit(",", 1)[0] + ",2-3" if ln.startswith("ARV1,") else ln for ln in lines]
    f.write_text("\r\n".join(lines) + "\r\n")
    code, out, _ = run("units", "import", str(f), "--scenario", "tiny")
    assert code == 0 and "imported 5 units" in out
    assert "warning: pin of ARV1 in slot 1 can no longer be kept:" in out
    with Store.open(db) as store:
        assert store.load_scenario("tiny").pins == rich_scenario().pins


def test_db_check_and_backup(tmp_path: Path, db: Path, run: Run) -> None:
    code, out, _ = run("db", "check")
    assert code == 0 and "integrity: ok" in out and "1 stored scenario(s)" in out
    dest = tmp_path / "b.db"
    code, out, _ = run("db", "backup", "--out", str(dest))
    assert code == 0 and dest.is_file()
    code, _, err = run("db", "backup", "--out", str(dest))
    assert code == 2 and "refusing to overwrite" in err
    code, out, _ = run("db", "backup")
    assert code == 0
    assert len(list((db.parent / "backups").glob("h-*.db"))) == 1


def test_db_check_reports_a_missing_database(tmp_path: Path, capsys: Any) -> None:
    args = _parser().parse_args(["--db", str(tmp_path / "none.db"), "db", "check"])
    with pytest.raises(InputError, match="no database at this path"):
        args.func(args)
    assert not (tmp_path / "none.db").exists()


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = _parser()
    for argv in (["scenario"], ["scenario", "list"], ["scenario", "show"],
                 ["scenario", "export"], ["scenario", "import"], ["areas", "import"],
                 ["sites", "import"], ["sites", "export"], ["units", "import"],
                 ["units", "export"], ["db", "check"], ["db", "backup"]):
        with pytest.raises(SystemExit) as info:
            parser.parse_args(["--db", "x", *argv, "--help"])
        assert info.value.code == 0
        assert "usage: hercules" in capsys.readouterr().out
