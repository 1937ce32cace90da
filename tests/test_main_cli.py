"""The composed command line: every verb present with --help; bad input is one line, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import main

VERBS = ["scenario", "areas", "sites", "units", "db", "audit", "plan", "check", "posture",
         "predictability", "brief", "export"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main.main([verb, "--help"])
    assert done.value.code == 0
    assert f"hercules {verb}" in capsys.readouterr().out


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    res = subprocess.run(
        [sys.executable, "main.py", "--db", str(db), "scenario", "show", "no-such"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no-such" in lines[0]
    assert "Traceback" not in res.stderr


def test_version_comes_from_the_package(capsys: pytest.CaptureFixture[str]) -> None:
    from resources import __version__

    with pytest.raises(SystemExit):
        main.main(["--version"])
    assert capsys.readouterr().out.strip() == f"hercules {__version__}"
