"""Sites and units as CSV/JSON: round trips, formula neutralisation, row-precise errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resources.errors import InputError
from resources.io import read_sites, read_units, write_sites, write_units
from resources.io.tabular import neutralise, unneutralise
from resources.model import Mode, UnitStatus
from resources.model.catalogue import STANDARD_UNIT_TYPES
from tests.factories import site, unit

TYPES = {t.code: t for t in STANDARD_UNIT_TYPES}
SITES = (
    site("S1", lon=-0.4521, lat=51.47, notes="=cmd|' /C calc'!A0", name="+Plaza"),
    site("S2", lon=0.0125, kind="transport_hub", sector="transport", min_presence=1,
         max_presence=6, modes=frozenset({Mode.FOOT}), required_capability="dog",
         profile="commuter", borough="-Camden", name="@King's Cross"),
    site("R1", kind="river_stretch", sector="visitor_attractions", required_capability="river"),
)
UNITS = (
    unit("ARV 1", "ARV", lon=-0.3, lat=51.45),
    unit("NHT1", "NHT", officers=6, available_slots=frozenset({0, 1, 2, 5, 8, 9})),
    unit("TSG1", "TSG", status=UnitStatus.COMMITTED, committed_to="=Gangs op", officers=7),
)
SITE_HEADER = "id,name,kind,sector,lon,lat,borough,risk\n"
UNIT_HEADER = "callsign,type,base_lon,base_lat,borough,officers\n"


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_sites_round_trip(tmp_path: Path, ext: str) -> None:
    p = tmp_path / f"sites.{ext}"
    write_sites(p, SITES)
    assert read_sites(p) == SITES


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_units_round_trip(tmp_path: Path, ext: str) -> None:
    p = tmp_path / f"units.{ext}"
    write_units(p, UNITS)
    assert read_units(p, TYPES) == UNITS


def test_csv_export_neutralises_formulas_but_keeps_numbers(tmp_path: Path) -> None:
    p = tmp_path / "sites.csv"
    write_sites(p, SITES)
    with p.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["name"] == "'+Plaza"
    assert rows[0]["notes"].startswith("'=cmd")
    assert rows[0]["lon"] == "-0.4521"
    assert rows[1]["borough"] == "'-Camden"
    assert rows[1]["name"] == "'@King's Cross"
    assert rows[1]["modes"] == "foot"
    assert rows[2]["required_capability"] == "river"


def test_unit_export_writes_documented_columns(tmp_path: Path) -> None:
    p = tmp_path / "units.csv"
    write_units(p, UNITS)
    with p.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["callsign", "type", "base_lon", "base_lat", "borough", "officers",
                             "status", "committed_to", "available_slots"]
    assert rows[0]["available_slots"] == "all"
    assert rows[1]["available_slots"] == "0-2,5,8-9"
    assert rows[2]["committed_to"] == "'=Gangs op"
    assert rows[0]["base_lon"] == "-0.3"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab1 "), max_size=8))
def test_neutralise_is_undone_exactly_and_never_leaves_a_formula(text: str) -> None:
    out = neutralise(text)
    assert unneutralise(out) == text
    assert not out or out[0] not in "=+-@\t\r"


def _csv(tmp_path: Path, text: str, name: str = "sites.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _sites_error(p: Path) -> str:
    with pytest.raises(InputError) as info:
        read_sites(p)
    return str(info.value)


def _units_error(p: Path) -> str:
    with pytest.raises(InputError) as info:
        read_units(p, TYPES)
    return str(info.value)


def test_minimal_csv_uses_defaults_and_a_bom_is_fine(tmp_path: Path) -> None:
    p = _csv(tmp_path, "\ufeff" + SITE_HEADER + "A,Alpha,iconic,retail,-0.1,51.5,Westminster,5\n")
    (s,) = read_sites(p)
    assert (s.site_id, s.lon, s.profile, s.min_presence, s.max_presence) == (
        "A", -0.1, "daytime", 0, 4)
    assert s.allowed_modes == frozenset({Mode.FOOT, Mode.VEHICLE, Mode.HORSE})


def test_bad_row_names_file_line_and_column(tmp_path: Path) -> None:
    rows = "".join(f"S{i},Site {i},iconic,retail,-0.1,51.5,Westminster,5\n" for i in range(5))
    bad = "S9,Site 9,iconic,retail,-0.1,north,Westminster,5\n"
    p = _csv(tmp_path, SITE_HEADER + rows + bad)
    assert _sites_error(p) == "sites.csv: line 7: field 'lat': expected a number, got 'north'"


def test_line_numbers_count_blank_lines_and_quoted_cells(tmp_path: Path) -> None:
    text = (SITE_HEADER + 'A,"Alpha, the ""first""",iconic,retail,-0.1,51.5,Westminster,5\n\n'
            "B,Bee,iconic,retail,-0.1,51.5,Westminster,500\n")
    assert _sites_error(_csv(tmp_path, text)) == (
        "sites.csv: line 4: field 'risk': expected a number in [0.0, 100.0], got 500.0"
    )


def test_a_cell_spanning_lines_is_reported_at_the_row_start(tmp_path: Path) -> None:
    text = (SITE_HEADER + "A,Alpha,iconic,retail,-0.1,51.5,Westminster,5\n"
            'B,"Two\nlines",iconic,retail,-0.1,51.5,Westminster,5\n')
    assert _sites_error(_csv(tmp_path, text)) == (
        "sites.csv: line 3: field 'name': expected text without control characters"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "sites.csv: the file is empty; expected a header row"),
        ("id,name,kind,sector,lon,lat,borough\n",
         "sites.csv: line 1: missing column(s) risk"),
        (SITE_HEADER.strip() + ",colour\n", "sites.csv: line 1: unknown column 'colour'"),
        ("id,id,name,kind,sector,lon,lat,borough,risk\n", "sites.csv: line 1: duplicate column"),
        (SITE_HEADER + "A,Alpha,iconic,retail,-0.1,51.5\n",
         "sites.csv: line 2: expected 8 cells, got 6"),
        (SITE_HEADER + "A,Alpha,iconic,retail,-190.5,51.5,Westminster,5\n",
         "sites.csv: line 2: field 'lon': expected a number in [-180.0, 180.0], got -190.5"),
        (SITE_HEADER + "A,Alpha,iconic,retail,nan,51.5,Westminster,5\n",
         "sites.csv: line 2: field 'lon': expected a finite number"),
        (SITE_HEADER + "A,Alpha,castle,retail,0,51.5,Westminster,5\n",
         "sites.csv: line 2: field 'kind': expected one of"),
        (SITE_HEADER + "A,Alpha,iconic,retail,0,51.5,,5\n",
         "sites.csv: line 2: field 'borough': missing required field"),
        (SITE_HEADER + "A,Alpha,iconic,retail,0,51.5,W,5\nA,Again,iconic,retail,0,51.5,W,5\n",
         "sites.csv: line 3: field 'id': duplicate site id 'A' (first at line 2)"),
        (SITE_HEADER + 'A,"Alpha,iconic,retail,0,51.5,W,5\n',
         "sites.csv: line 2: broken CSV"),
    ],
)
def test_site_csv_errors(tmp_path: Path, text: str, expected: str) -> None:
    msg = _sites_error(_csv(tmp_path, text))
    assert msg.startswith(expected)
    assert "\n" not in msg


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("X1,HOVERCRAFT,-0.1,51.5,Westminster,2",
         "units.csv: line 3: field 'type': unknown unit type 'HOVERCRAFT'; expected one of"),
        ("ARV1,ARV,-0.1,51.5,Westminster,3",
         "units.csv: line 3: field 'callsign': duplicate callsign 'ARV1' (first at line 2)"),
        ("X1,NHT,-0.1,91,Westminster,4",
         "units.csv: line 3: field 'base_lat': expected a number in [-90.0, 90.0], got 91"),
        ("X1,NHT,-0.1,51.5,Westminster,9",
         "units.csv: line 3: field 'officers': expected a whole number in [2, 6], got 9"),
        ("X1,NHT,-0.1,51.5,Westminster,2.5",
         "units.csv: line 3: field 'officers': expected a whole number, got '2.5'"),
        ("X 1!,NHT,-0.1,51.5,Westminster,4",
         "units.csv: line 3, unit 'X 1!': field 'callsign': expected an identifier"),
    ],
)
def test_unit_csv_errors(tmp_path: Path, row: str, expected: str) -> None:
    text = UNIT_HEADER + "ARV1,ARV,-0.1,51.5,Westminster,3\n" + row + "\n"
    msg = _units_error(_csv(tmp_path, text, "units.csv"))
    assert msg.startswith(expected)


def test_unit_status_and_slots_columns(tmp_path: Path) -> None:
    text = ("callsign,type,base_lon,base_lat,borough,status,committed_to,available_slots\n"
            "T1,TSG,-0.1,51.5,Lambeth,committed,Op X,\n"
            "N1,NHT,-0.1,51.5,Lambeth,,,0-3;7\n")
    msg = _units_error(_csv(tmp_path, text, "units.csv"))
    assert msg.startswith("units.csv: line 3: field 'available_slots': expected 'all', 'none'")
    good = text.replace("0-3;7", '"0-3,7"')
    t1, n1 = read_units(_csv(tmp_path, good, "units.csv"), TYPES)
    assert t1.status is UnitStatus.COMMITTED and t1.committed_to == "Op X"
    assert t1.officers == 8 and t1.available_slots is None
    assert n1.available_slots == frozenset({0, 1, 2, 3, 7})


def test_json_sites_document_and_bare_list(tmp_path: Path) -> None:
    p = tmp_path / "sites.json"
    p.write_text('[{"id": "A", "name": "Alpha", "kind": "iconic", "sector": "retail", '
                 '"lon": -0.1, "lat": 51.5, "borough": "W", "risk": 5}]')
    assert read_sites(p)[0].site_id == "A"
    p.write_text('{"format": "hercules-sites/1", "sites": [{"id": "A"}]}')
    assert _sites_error(p) == "sites.json: sites[0]: field 'name': missing required field"
    p.write_text('{"format": "hercules-units/1", "sites": []}')
    assert _sites_error(p).startswith("sites.json: field 'format': expected 'hercules-sites/1'")


def test_unknown_extension(tmp_path: Path) -> None:
    assert _sites_error(_csv(tmp_path, "x", "sites.xlsx")) == (
        "sites.xlsx: expected a .csv or .json file, got '.xlsx'"
    )


_TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=("Cs",)),
    min_size=1, max_size=30,
).filter(lambda t: bool(t.strip()))


@settings(max_examples=60, deadline=None)
@given(name=_TEXT, borough=_TEXT, notes=st.one_of(st.just(""), _TEXT),
       lon=st.floats(-180, 180), lat=st.floats(-90, 90))
def test_any_text_and_coordinates_survive_a_csv_round_trip(
        tmp_path_factory: pytest.TempPathFactory, name: str, borough: str, notes: str,
        lon: float, lat: float) -> None:
    p = tmp_path_factory.mktemp("rt") / "sites.csv"
    sites = (site("A", lon=lon, lat=lat, name=name, borough=borough, notes=notes),)
    write_sites(p, sites)
    assert read_sites(p) == sites
