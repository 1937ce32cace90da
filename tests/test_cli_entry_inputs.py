"""Hostile input at the command-line entry: every refusal is one line `error: ...`, exit 2.

Argument errors of every parser, a failing standard output, plan files that differ from the
stored plan of their id or do not fit their scenario, unwritable outputs, bad protective
markings and game files that break the JSON file rules.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import main
from resources.errors import InputError
from resources.io.plan_json import write_plan
from resources.model import Plan, PlanSlot, SlotKpi, Tactic
from resources.store import Store
from tests.conftest import hand_plan, small_scenario

ROOT = Path(__file__).resolve().parents[1]


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run main.main as `python main.py` would; (exit code, stdout, stderr)."""
    try:
        code = main.main(list(argv))
    except SystemExit as done:
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store(plan_store: tuple[Path, str]) -> tuple[Path, str]:
    return plan_store


def stored(db: Path, plan_id: str) -> tuple[Plan, str]:
    with Store.open(db) as s:
        return s.load_plan(plan_id), s.audit_head()


# 1. argument errors --------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "verb", "needle"), [
    (["plan", "--scenario", "x", "--time-limit", "nan"], "plan", "--time-limit"),
    (["plan", "--scenario", "x", "--time-limit", "0"], "plan", "--time-limit"),
    (["plan", "--scenario", "x", "--time-limit", "-5"], "plan", "--time-limit"),
    (["plan", "--scenario", "x", "--seed", "-1"], "plan", "--seed"),
    (["plan", "--scenario", "x", "--threat", "EXTREME"], "plan", "--threat"),
    (["plan", "--scenario", "x", "--days", "-1"], "plan", "--days"),
    (["plan"], "plan", "required: --scenario"),
    (["predictability", "--scenario", "x", "--last", "0"], "predictability", "--last"),
    (["db", "backup", "--keep", "many"], "db backup", "--keep"),
    (["db", "backup", "--nope"], "db backup", "unrecognized arguments: --nope"),
    (["scenario", "show", "a", "b"], "scenario show", "unrecognized arguments: b"),
    (["scenario"], "scenario", "ACTION"),
    (["export", "P-1", "--format", "xlsx", "--out", "x.csv"], "export", "--format"),
])
def test_argument_errors_are_one_line_naming_the_verb(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], verb: str,
        needle: str) -> None:
    db = tmp_path / "h.db"
    code, out, err = cli(capsys, "--db", str(db), *argv)
    line = one_line(err)
    assert code == 2 and out == ""
    assert line.startswith(f"error: {verb} ") and needle in line
    assert line.endswith(f"(see 'hercules {verb} --help')")
    assert not db.exists()


@pytest.mark.parametrize("argv", [["frobnicate"], ["--bogus"], ["--db"]])
def test_root_argument_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           argv: list[str]) -> None:
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert one_line(err).endswith("(see 'hercules --help')")


def test_help_still_prints_usage_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["db", "backup", "--help"]):
        code, out, err = cli(capsys, *argv)
        assert code == 0 and err == "" and out.startswith("usage: hercules")


# 2. standard output failing -----------------------------------------------------------------

class BrokenStdout(io.StringIO):
    """A standard output whose every write fails with ``exc``."""

    def __init__(self, exc: OSError) -> None:
        super().__init__()
        self.exc = exc

    def write(self, text: str) -> int:
        raise self.exc


GAME = {"resources": 1, "targets": [{"defender_covered": 5, "defender_uncovered": -10,
                                     "attacker_covered": 0, "attacker_uncovered": 10}]}


@pytest.mark.parametrize("argv", [
    ["scenario", "list"], ["scenario", "show", "small"], ["scenario", "export", "small"],
    ["audit", "show"], ["audit", "head"], ["posture", "GAME"], ["--help"], ["plan", "--help"],
])
def test_a_full_stdout_is_one_line_and_exit_2(
        store: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    game = tmp_path / "game.json"
    game.write_text(json.dumps(GAME), encoding="utf-8")
    argv = [str(game) if a == "GAME" else a for a in argv]
    monkeypatch.setattr(sys, "stdout", BrokenStdout(OSError(errno.ENOSPC, "No space left")))
    code, _, err = cli(capsys, "--db", str(store[0]), *argv)
    assert code == 2
    assert one_line(err) == "error: cannot write to standard output: No space left"


def test_a_closed_pipe_stays_a_quiet_exit_0(store: tuple[Path, str],
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", BrokenStdout(BrokenPipeError(errno.EPIPE, "pipe")))
    assert cli(capsys, "--db", str(store[0]), "scenario", "list") == (0, "", "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("unbuffered", [True, False])
def test_dev_full_as_stdout_in_a_real_process(store: tuple[Path, str], unbuffered: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "main.py", "--db", str(store[0]), "scenario",
                              "export", "small"], cwd=ROOT, stdout=full, stderr=subprocess.PIPE,
                             text=True, env=env, timeout=120)
    assert res.returncode == 2
    assert one_line(res.stderr).startswith("error: cannot write to standard output: ")


# 3. plan files against the store and the scenario ------------------------------------------

@pytest.mark.parametrize("verb", ["export", "brief"])
def test_a_plan_file_differing_from_its_stored_plan_is_refused(
        store: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        qapp: Any, verb: str) -> None:
    db, plan_id = store
    plan, head = stored(db, plan_id)
    plan_file = tmp_path / "plan.json"
    write_plan(plan_file, replace(plan, assignments=()))
    out = tmp_path / "out.file"
    extra = ["--format", "csv"] if verb == "export" else ["--no-map"]
    code, _, err = cli(capsys, "--db", str(db), verb, str(plan_file), "--out", str(out), *extra)
    line = one_line(err)
    assert code == 2 and f"differs from stored plan {plan_id}" in line and "'id'" in line
    assert not out.exists()
    assert stored(db, plan_id)[1] == head  # nothing recorded


def test_an_unchanged_plan_file_is_recorded_with_the_hash_exported(
        store: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, plan_id = store
    plan, _ = stored(db, plan_id)
    plan_file = tmp_path / "plan.json"
    write_plan(plan_file, plan)
    out = tmp_path / "t.json"
    code, _, _ = cli(capsys, "--db", str(db), "export", str(plan_file), "--format", "json",
                     "--out", str(out))
    assert code == 0
    with Store.open(db) as s:
        entry = s.audit_entries(last=1)[0]
    detail = json.loads(entry.detail)
    assert entry.action == "plan.export" and entry.object == f"plan:{plan_id}"
    assert detail["content_hash"] == plan.content_hash()
    assert json.loads(out.read_text(encoding="utf-8"))["plan_hash"] == plan.content_hash()
    assert detail["file_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_recording_an_export_refuses_content_other_than_the_stored_plan(
        store: tuple[Path, str], tmp_path: Path) -> None:
    from desktop.cli import record_output

    db, plan_id = store
    plan, head = stored(db, plan_id)
    written = tmp_path / "x.csv"
    written.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=f"differs from stored plan {plan_id}"):
        record_output(db, replace(plan, assignments=plan.assignments[1:]), written, "csv")
    assert stored(db, plan_id)[1] == head


def test_the_console_writes_the_stored_plan_or_an_unsaved_one(store: tuple[Path, str]) -> None:
    from desktop.cli import plan_to_write
    from resources.kpis import plan_kpis

    db, plan_id = store
    plan, _ = stored(db, plan_id)
    assert not plan.kpis  # the console fills them in for display: still the stored plan
    scenario: Any = small_scenario()
    shown = replace(plan, kpis=tuple(plan_kpis(scenario, plan.assignments)))
    assert plan_to_write(db, shown).content_hash() == plan.content_hash()
    edited = replace(shown, assignments=shown.assignments[1:])
    written = plan_to_write(db, edited)
    assert written.plan_id is None and written.assignments == edited.assignments


def _misfits(plan: Plan) -> dict[str, tuple[Plan, str]]:
    first = plan.assignments[0]  # ARV1 at S1, vehicle patrol, slot 0

    def posting(**changes: Any) -> Plan:
        return replace(plan, assignments=(replace(first, **changes), *plan.assignments[1:]))

    bad_slot = PlanSlot(0, "2026-13-45T99:00:00", plan.slots[0].end)
    return {
        "unit": (posting(callsign="NOPE"), "unit 'NOPE' is not on the roster"),
        "site": (posting(site_id="NOPE"), "site 'NOPE' is not in scenario"),
        "standby": (posting(site_id=None, tactic=Tactic.RESERVE, standby_id="NOPE"),
                    "standby point 'NOPE'"),
        "tactic": (posting(tactic=Tactic.RIVER_PATROL), "cannot do 'river_patrol' at 'S1'"),
        "cap": (replace(plan, armed_share_cap="abc"), "field 'armed_share_cap'"),
        "kpis": (replace(plan, kpis=(SlotKpi(0, 40, 13, 0.3, 0.5, 0.5),)), "field 'kpis'"),
        "slots": (replace(plan, slots=(bad_slot, *plan.slots[1:])), "field 'slots'"),
    }


@pytest.mark.parametrize("verb", ["export", "brief"])
@pytest.mark.parametrize("case", ["unit", "site", "standby", "tactic", "cap", "kpis", "slots"])
def test_a_plan_file_that_does_not_fit_its_scenario_is_refused(
        store: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        qapp: Any, verb: str, case: str) -> None:
    db, _ = store
    plan, needle = _misfits(hand_plan(small_scenario()))[case]  # type: ignore[arg-type]
    plan_file = tmp_path / "plan.json"
    write_plan(plan_file, plan)
    out = tmp_path / "out.file"
    extra = ["--format", "csv"] if verb == "export" else ["--no-map"]
    code, _, err = cli(capsys, "--db", str(db), verb, str(plan_file), "--out", str(out), *extra)
    line = one_line(err)
    assert code == 2 and needle in line and str(plan_file) in line
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("h.sqlite")] == [
        "plan.json"]


# 4. unwritable outputs -----------------------------------------------------------------------

@pytest.mark.parametrize("verb", ["export", "brief"])
@pytest.mark.parametrize("case", ["folder", "missing", "database", "device"])
def test_an_output_that_cannot_be_written_is_refused_before_any_work(
        store: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        verb: str, case: str) -> None:
    db, _ = store
    out = {"folder": tmp_path, "missing": tmp_path / "nope" / "x.out", "database": db,
           "device": Path(os.devnull)}[case]
    extra = ["--format", "csv"] if verb == "export" else ["--no-map"]
    before = db.read_bytes()
    # the plan id does not exist: the refusal names --out, so it came before the plan was read
    code, _, err = cli(capsys, "--db", str(db), verb, "P-none", "--out", str(out), *extra)
    line = one_line(err)
    assert code == 2 and "field '--out'" in line and "P-none" not in line
    assert db.read_bytes() == before and Path(os.devnull).is_char_device()
    assert not (tmp_path / "nope").exists()


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs /sys")
def test_an_output_folder_that_refuses_files_is_named(
        store: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        Path("/sys/hercules-probe").touch()
    except OSError:
        pass
    else:  # pragma: no cover - a /sys that takes files cannot show the refusal
        Path("/sys/hercules-probe").unlink()
        pytest.skip("/sys accepts files here")
    code, _, err = cli(capsys, "--db", str(store[0]), "export", store[1], "--format", "csv",
                       "--out", "/sys/e.csv")
    assert code == 2 and "field '--out'" in one_line(err) and "/sys/e.csv" in err


def test_a_write_that_fails_midway_leaves_no_file(
        store: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    db, plan_id = store
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, err = cli(capsys, "--db", str(db), "export", plan_id, "--format", "json", "--out",
                       str(out_dir / "t.json"))
    assert code == 2 and "No space left on device" in one_line(err)
    assert list(out_dir.iterdir()) == []


def test_a_briefing_pack_cut_short_leaves_no_file(store: tuple[Path, str],
                                                   tmp_path: Path) -> None:
    db, plan_id = store
    argv = [sys.executable, "main.py", "--db", str(db), "brief", plan_id, "--no-map", "--out"]
    full = subprocess.run([*argv, str(tmp_path / "full.pdf")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert full.returncode == 0, full.stderr
    size = (tmp_path / "full.pdf").stat().st_size
    assert size > 45_000  # room below it for the store's own files (32 KB shared memory)
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def small_files() -> None:  # Qt reports no write errors: the pack must be checked
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size - 8_000, resource.RLIM_INFINITY))

    res = subprocess.run([*argv, str(out_dir / "b.pdf")], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, preexec_fn=small_files)
    assert res.returncode == 2 and "b.pdf" in one_line(res.stderr)
    assert list(out_dir.iterdir()) == []


# 5. protective marking -----------------------------------------------------------------------

@pytest.mark.parametrize("marking", ["", "   ", "A\x1b[31mB", "TOP\nSECRET", "x" * 81,
                                     "x" * 5000])
def test_a_bad_marking_is_refused(store: tuple[Path, str], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str], marking: str) -> None:
    out = tmp_path / "b.pdf"
    code, _, err = cli(capsys, "--db", str(store[0]), "brief", store[1], "--out", str(out),
                       "--marking", marking)
    line = one_line(err)
    assert code == 2 and line.startswith("error: brief argument --marking: expected ")
    assert not out.exists()


def test_marking_rule_in_help_and_in_the_writer(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.briefing import check_marking

    assert check_marking("x" * 80) == "x" * 80
    assert check_marking("OFFICIELLE – SENSIBLE") == "OFFICIELLE – SENSIBLE"
    with pytest.raises(InputError, match="field 'marking'"):
        check_marking("")
    code, out, _ = cli(capsys, "brief", "--help")
    assert code == 0 and "1-80 printable" in " ".join(out.split())


# 6. posture game files -----------------------------------------------------------------------

_TARGET = ('{"defender_covered": 5, "defender_uncovered": -10, "attacker_covered": 0, '
           '"attacker_uncovered": 10')


@pytest.mark.parametrize(("text", "needle"), [
    ('{"resources": 1, "resources": 2, "targets": [' + _TARGET + '}]}', "duplicate key"),
    ('{"resources": 1, "targets": [' + _TARGET + '}], "foo": 1}', "unknown field 'foo'"),
    ('{"resources": 1, "targets": [' + _TARGET + ', "weight": 2}]}',
     "target 0: unknown field 'weight'"),
    ('{"resources": 1, "targets": [' + _TARGET + ', "name": 7}]}', "field 'name' must be text"),
    ('{"resources": 1, "targets": [' + _TARGET + '}], "x": ' + "[" * 900 + "]" * 900 + "}",
     "nested at most 64 deep"),
    ('{"resources": 1, "targets": [' + _TARGET.replace("5", "1e+300") + '}]}',
     "target 0: field 'defender_covered' is 1e+300; expected a payoff from -1e+09 to 1e+09"),
    ('{"resources": 1, "targets": [' + _TARGET.replace("-10", "-2e9") + '}]}',
     "field 'defender_uncovered'"),
])
def test_posture_applies_the_json_file_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             text: str, needle: str) -> None:
    game = tmp_path / "game.json"
    game.write_text(text, encoding="utf-8")
    code, out, err = cli(capsys, "posture", str(game))
    line = one_line(err)
    assert code == 2 and out == "" and needle in line and line.startswith(f"error: {game}: ")


def test_posture_refuses_a_file_over_50_mb(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    game = tmp_path / "game.json"
    with game.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(GAME)[:-1])
        fh.write(" " * (50 * 1024 * 1024))
        fh.write("}")
    code, _, err = cli(capsys, "posture", str(game))
    assert code == 2 and "larger than 50 MB" in one_line(err)


def test_posture_reads_a_bom_a_name_and_payoffs_at_the_bound(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    game = tmp_path / "game.json"
    big = {"name": "Oxford Circus", "defender_covered": 1e9, "defender_uncovered": -1e9,
           "attacker_covered": -1e9, "attacker_uncovered": 1e9}
    doc = {"resources": 1, "targets": [big, *GAME["targets"]]}  # type: ignore[misc]
    game.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc).encode("utf-8"))
    code, out, err = cli(capsys, "posture", str(game))
    assert code == 0 and err == ""
    answer = json.loads(out)
    assert sum(answer["coverage"]) == pytest.approx(1.0)
    assert answer["attack_set"] == [0, 1]
