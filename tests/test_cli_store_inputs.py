"""Hostile command-line input to the store's verbs: one-line errors (exit 2), nothing changed,
no database created by a verb that only reads, no foreign schema restored, no partial files."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from resources.errors import InputError
from resources.model import Scenario
from resources.store import Store, StoreError, backup
from tests.conftest import hand_plan, small_scenario
from tests.test_audit_commands import _parser, run

Capture = pytest.CaptureFixture[str]


def _store(path: Path) -> Path:
    """A store holding the small scenario and one plan."""
    with Store.open(path) as store:
        scenario = small_scenario()
        assert isinstance(scenario, Scenario)
        store.save_scenario(scenario)
        store.save_plan(hand_plan(scenario))  # type: ignore[arg-type]
    return path


def _snapshot(path: Path) -> str:
    """The whole logical content of a database (schema and rows)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _one_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


def _argparse_error(capsys: Capture, *argv: str) -> str:
    """Parse only: an argparse type error exits 2 before any handler runs."""
    with pytest.raises(SystemExit) as done:
        _parser().parse_args(["--db", "unused.db", *argv])
    assert done.value.code == 2
    return capsys.readouterr().err


# -- 1. audit verify --anchor ---------------------------------------------------------------

SHAPE = "expected 'SEQ:HASH'"
NUMBER = "expected an entry number from 1"


@pytest.mark.parametrize(("anchor", "needle"), [
    ("garbage", SHAPE), ("1:zzzz", SHAPE), ("1:", SHAPE), (":abc", SHAPE), ("1.5:abc", SHAPE),
    ("99999999999999999999999:abc", SHAPE), ("", SHAPE), ("  ", SHAPE), ("a" * 15, SHAPE),
    ("-1:" + "a" * 64, SHAPE), ("1:" + "a" * 65, SHAPE),
    ("99999999999999999999999:" + "a" * 64, SHAPE),
    ("0:" + "0" * 64, NUMBER), ("0:" + "0" * 16, NUMBER), ("9" * 19 + ":" + "a" * 64, NUMBER),
])
def test_a_malformed_anchor_is_bad_input_not_tampering(tmp_path: Path, capsys: Capture,
                                                      anchor: str, needle: str) -> None:
    db = _store(tmp_path / "h.db")
    before = _snapshot(db)
    code, out, err = run(db, capsys, "audit", "verify", f"--anchor={anchor}")
    _one_error(code, err, "--anchor", needle)
    assert out == "" and "TAMPERED" not in err
    assert _snapshot(db) == before
    with Store.open(db) as store, pytest.raises(InputError, match=needle):
        store.verify_audit(anchor=anchor)


def test_a_well_formed_anchor_still_verifies(tmp_path: Path, capsys: Capture) -> None:
    db = _store(tmp_path / "h.db")
    _, head, _ = run(db, capsys, "audit", "head")
    seq, _, digest = head.strip().partition(":")
    for anchor in (head.strip(), digest[:16], f" {seq}:{digest.upper()} "):
        code, out, _ = run(db, capsys, "audit", "verify", "--anchor", anchor)
        assert code == 0 and out.startswith("audit trail intact"), anchor
    code, out, _ = run(db, capsys, "audit", "verify", "--anchor", f"{int(seq) + 5}:{digest}")
    assert code == 1 and "the trail was truncated" in out


# -- 2. db restore of a backup carrying foreign schema objects ------------------------------

def _hostile_copy(good: Path, dest: Path, *statements: str) -> Path:
    dest.write_bytes(good.read_bytes())
    conn = sqlite3.connect(dest, isolation_level=None)
    for sql in statements:
        conn.execute(sql)
    conn.close()
    return dest


PWN = ("CREATE TABLE pwn(x)",
       "CREATE TRIGGER t1 AFTER INSERT ON plans BEGIN INSERT INTO pwn VALUES (1); END")


@pytest.mark.parametrize(("statements", "named"), [
    (PWN, "unexpected table 'pwn'"),
    (("CREATE TRIGGER wipe AFTER INSERT ON plans BEGIN DELETE FROM scenarios; END",),
     "unexpected trigger 'wipe'"),
    (("CREATE VIEW v AS SELECT 1",), "unexpected view 'v'"),
    (("CREATE INDEX plans_seed ON plans (seed)",), "unexpected index 'plans_seed'"),
    (("DROP INDEX plans_scenario_created",
      "CREATE INDEX plans_scenario_created ON plans (seed)"),
     "the index 'plans_scenario_created' differs"),
])
def test_restore_refuses_a_backup_with_foreign_schema(tmp_path: Path, capsys: Capture,
                                                      statements: tuple[str, ...],
                                                      named: str) -> None:
    db = _store(tmp_path / "live" / "h.db")
    good = tmp_path / "good.db"
    assert run(db, capsys, "db", "backup", "--out", str(good))[0] == 0
    bad = _hostile_copy(good, tmp_path / "bad.db", *statements)
    before, files = _snapshot(db), _files(tmp_path / "live")
    code, _, err = run(db, capsys, "db", "restore", str(bad))
    _one_error(code, err, str(bad), "the backup cannot be used: schema:", named)
    assert _snapshot(db) == before and _files(tmp_path / "live") == files
    # the live store itself, so changed, is reported by `db check`
    _hostile_copy(good, db, *statements)
    code, out, _ = run(db, capsys, "db", "check")
    assert code == 1 and f"problem: schema: {named}" in out


def test_restore_latest_skips_a_backup_with_foreign_schema(tmp_path: Path,
                                                           capsys: Capture) -> None:
    db = _store(tmp_path / "h.db")
    assert run(db, capsys, "db", "backup")[0] == 0
    (good,) = (tmp_path / "backups").iterdir()
    newest = _hostile_copy(good, good.with_name("h-20991231-235959.db"), *PWN)
    code, out, _ = run(db, capsys, "db", "restore", "--latest")
    assert code == 0
    assert f"skipped backup {newest.name}: the backup cannot be used: schema: unexpected " \
           "table 'pwn'" in out
    assert f"from {good}" in out
    with Store.open(db) as store:
        assert "pwn" not in store.db.table_names()
    good.unlink()
    for p in (tmp_path / "backups").glob("*before-restore*"):
        p.unlink()
    before = _snapshot(db)
    code, _, err = run(db, capsys, "db", "restore", "--latest")
    _one_error(code, err, "no usable backup", "unexpected table 'pwn'")
    assert _snapshot(db) == before


# -- 3. verbs that only read never create a database ----------------------------------------

def _sites_file(tmp_path: Path, capsys: Capture) -> Path:
    """A valid sites file (exported from the built-in london without any database)."""
    out = tmp_path / "files" / "sites.csv"
    out.parent.mkdir(exist_ok=True)
    assert run(tmp_path / "nowhere" / "x.db", capsys, "sites", "export", str(out))[0] == 0
    return out


def test_read_only_verbs_on_a_missing_database_create_nothing(tmp_path: Path,
                                                              capsys: Capture) -> None:
    db = tmp_path / "data" / "h.db"
    files = tmp_path / "files"
    files.mkdir()
    bad_csv = files / "bad.csv"
    bad_csv.write_text("id,name\n=cmd,x\n")
    notdb = files / "notdb.db"
    notdb.write_text("hello")
    geo = files / "areas.geojson"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    refused = [
        ("scenario", "show", "nope"), ("scenario", "export", "nope"),
        ("sites", "export", str(files / "s.csv"), "--scenario", "nope"),
        ("units", "export", str(files / "u.csv"), "--scenario", "nope"),
        ("sites", "import", str(bad_csv)), ("units", "import", str(bad_csv)),
        ("areas", "import", str(geo), "--name-field", "NAME", "--scenario", "nope"),
        ("db", "import", str(notdb)), ("scenario", "import", str(files / "missing.json")),
        ("audit", "verify"), ("audit", "head"), ("audit", "show"), ("db", "backup"),
    ]
    for argv in refused:
        code, _, err = run(db, capsys, *argv)
        _one_error(code, err)
        assert not db.parent.exists(), argv
    code, out, _ = run(db, capsys, "scenario", "list")
    assert code == 0 and "london" in out and "built-in, never saved" in out
    code, out, _ = run(db, capsys, "scenario", "show", "london")
    assert code == 0 and out.startswith("Scenario 'london' (built-in, never saved)")
    code, out, _ = run(db, capsys, "units", "export", str(files / "u.json"))
    assert code == 0 and (files / "u.json").is_file()
    assert not db.parent.exists()


def test_an_existing_scenario_is_refused_before_a_database_is_created(
        tmp_path: Path, capsys: Capture) -> None:
    db = tmp_path / "data" / "h.db"
    doc = tmp_path / "london.json"
    assert run(db, capsys, "scenario", "export", "london", "--out", str(doc))[0] == 0
    code, _, err = run(db, capsys, "scenario", "import", str(doc))
    _one_error(code, err, "'london' already exists")
    assert not db.parent.exists()
    code, out, _ = run(db, capsys, "scenario", "import", str(doc), "--name", "copy")
    assert code == 0 and db.is_file() and "imported scenario 'copy'" in out


def test_writers_create_the_database_once_the_input_is_valid(tmp_path: Path,
                                                             capsys: Capture) -> None:
    sites = _sites_file(tmp_path, capsys)
    db = tmp_path / "data" / "h.db"
    code, out, _ = run(db, capsys, "sites", "import", str(sites))
    assert code == 0 and "imported 304 sites" in out and db.is_file()
    with Store.open(db) as store:
        assert store.scenario_version("london") == 1


@pytest.mark.parametrize("argv", [
    ("audit", "verify"), ("audit", "head"), ("audit", "show"), ("db", "backup"),
])
def test_an_empty_file_is_not_initialised(tmp_path: Path, capsys: Capture,
                                          argv: tuple[str, ...]) -> None:
    db = tmp_path / "h.db"
    db.touch()
    code, _, err = run(db, capsys, *argv)
    _one_error(code, err, str(db), "it is empty")
    assert db.stat().st_size == 0 and _files(tmp_path) == ["h.db"]


def test_an_empty_file_reads_as_nothing_stored(tmp_path: Path, capsys: Capture) -> None:
    db = tmp_path / "h.db"
    db.touch()
    code, out, _ = run(db, capsys, "scenario", "list")
    assert code == 0 and "london" in out
    assert db.stat().st_size == 0 and _files(tmp_path) == ["h.db"]


# -- 4. a foreign SQLite file is refused before anything is written -------------------------

@pytest.mark.parametrize("argv", [
    ("scenario", "list"), ("scenario", "show", "london"), ("audit", "verify"),
    ("audit", "head"), ("audit", "show"), ("db", "backup"),
    ("scenario", "import", "london.json", "--name", "x"),
])
def test_a_foreign_sqlite_file_is_left_byte_for_byte(tmp_path: Path, capsys: Capture,
                                                     argv: tuple[str, ...]) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    if "london.json" in argv:
        doc = tmp_path / "london.json"
        assert run(tmp_path / "none.db", capsys, "scenario", "export", "london", "--out",
                   str(doc))[0] == 0
        argv = tuple(str(doc) if a == "london.json" else a for a in argv)
    data = other.read_bytes()
    code, _, err = run(other, capsys, *argv)
    _one_error(code, err, str(other), "not a Hercules database", "nothing was changed")
    assert other.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {"other.db", *(["london.json"] if "import" in argv else [])})


# -- 5. an output file that cannot be written -----------------------------------------------

@pytest.mark.parametrize("argv", [
    ("scenario", "export", "london", "--out", "OUT.json"), ("sites", "export", "OUT.csv"),
    ("units", "export", "OUT.json"), ("units", "export", "OUT.csv"),
])
def test_an_unwritable_output_is_one_line_and_leaves_no_file(
        tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch,
        argv: tuple[str, ...]) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("resources.io.safe_json.os.replace", refuse)
    target = next(a for a in argv if a.startswith("OUT"))
    path = out_dir / target
    argv = tuple(str(path) if a == target else a for a in argv)
    code, out, err = run(tmp_path / "none.db", capsys, *argv)
    _one_error(code, err, str(path), "cannot write the file (Permission denied)")
    assert out == "" and _files(out_dir) == []


@pytest.mark.parametrize("path", ["/sys/hercules-x.json", "/proc/hercules-x.json",
                                  "/proc/self/hercules-x.csv"])
def test_system_folders_are_refused_in_one_line(tmp_path: Path, capsys: Capture,
                                                path: str) -> None:
    if not Path(path).parent.is_dir():
        pytest.skip("no such system folder here")
    noun = "units" if path.endswith(".csv") else "scenario"
    argv = (("units", "export", path) if noun == "units"
            else ("scenario", "export", "london", "--out", path))
    code, _, err = run(tmp_path / "none.db", capsys, *argv)
    _one_error(code, err, path, "cannot write the file")
    assert not Path(path).exists()


# -- 6, 7. --keep and --last are checked before anything happens ----------------------------

@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "99999999999999999999999"])
def test_db_backup_keep_is_checked_first(tmp_path: Path, capsys: Capture, value: str) -> None:
    err = _argparse_error(capsys, "db", "backup", "--keep", value)
    assert "argument --keep: expected a whole number of backups from 1 to" in err
    db = _store(tmp_path / "h.db")
    with Store.open(db) as store, pytest.raises(InputError, match="field 'keep'"):
        store.backup(keep=int(value) if value.lstrip("-").isdigit() else 0)
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize("value", ["0", "-1", "x", "99999999999999999999999", "1000001"])
def test_audit_show_last_is_checked_first(tmp_path: Path, capsys: Capture, value: str) -> None:
    err = _argparse_error(capsys, "audit", "show", "--last", value)
    assert "argument --last: expected a whole number of entries from 1 to 1,000,000" in err
    db = _store(tmp_path / "h.db")
    with Store.open(db) as store:
        with pytest.raises(InputError, match="field 'last'"):
            store.audit_entries(last=10**30)
        with pytest.raises(InputError, match="field 'last'"):
            store.audit_entries(last=0)
        assert len(store.audit_entries(last=2)) == 2


# -- 8. db backup folders --------------------------------------------------------------------

def test_db_backup_never_makes_a_missing_out_folder(tmp_path: Path, capsys: Capture) -> None:
    db = _store(tmp_path / "h.db")
    before = _files(tmp_path)
    target = tmp_path / "x" / "missing" / "b.db"
    code, _, err = run(db, capsys, "db", "backup", "--out", str(target))
    _one_error(code, err, str(target), "the folder does not exist")
    with pytest.raises(StoreError, match="the folder does not exist"):
        backup(db, target)
    assert _files(tmp_path) == before


def test_a_failed_backup_leaves_no_backups_folder(tmp_path: Path, capsys: Capture) -> None:
    db = tmp_path / "h.db"
    with Store.open(db) as store:
        base = small_scenario()
        assert isinstance(base, Scenario)
        for i in range(40):
            store.save_scenario(base.with_changes(name=f"s{i}"))
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 12 * page
    for k in (2, 3, 5, 8, 11):
        data[k * page:k * page + 8] = b"\xff" * 8
    db.write_bytes(bytes(data))
    code, _, err = run(db, capsys, "db", "backup")
    _one_error(code, err)
    assert not (tmp_path / "backups").exists()


# -- 9. an import with no rows ---------------------------------------------------------------

@pytest.mark.parametrize("noun", ["sites", "units"])
def test_an_import_with_no_rows_is_refused(tmp_path: Path, capsys: Capture, noun: str) -> None:
    db = _store(tmp_path / "h.db")
    full = tmp_path / f"{noun}.csv"
    assert run(db, capsys, noun, "export", str(full), "--scenario", "small")[0] == 0
    header = full.read_text(encoding="utf-8").splitlines()[0]
    empties = {
        "header.csv": header + "\r\n",
        "list.json": "[]",
        "doc.json": json.dumps({"format": f"hercules-{noun}/1", noun: []}),
    }
    before = _snapshot(db)
    for name, text in empties.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        code, out, err = run(db, capsys, noun, "import", str(path), "--scenario", "small")
        _one_error(code, err, name, f"the file has no {noun}", "nothing was changed")
        assert out == ""
    assert _snapshot(db) == before
    code, out, _ = run(db, capsys, noun, "import", str(full), "--scenario", "small")
    assert code == 0 and out.startswith(f"imported {5 if noun == 'sites' else 15} {noun}")


# -- 10. scenario import --name "" -----------------------------------------------------------

@pytest.mark.parametrize("name", ["", "   "])
def test_scenario_import_refuses_an_empty_name(tmp_path: Path, capsys: Capture,
                                               name: str) -> None:
    db = _store(tmp_path / "h.db")
    doc = tmp_path / "small.json"
    assert run(db, capsys, "scenario", "export", "small", "--out", str(doc))[0] == 0
    before = _snapshot(db)
    code, _, err = run(db, capsys, "scenario", "import", str(doc), "--name", name, "--replace")
    _one_error(code, err, "--name", "expected a scenario name")
    assert _snapshot(db) == before
