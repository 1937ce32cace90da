"""The house rules, checked with the suite: layering contract, ruff, mypy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def _tool(name: str) -> str:
    exe = BIN / name
    if not exe.exists():
        pytest.skip(f"{name} is not installed (install the [dev] extra)")
    return str(exe)


def test_layering_contract_holds() -> None:
    """desktop -> solver -> resources; Qt only in desktop, OR-Tools only in solver."""
    res = _run(_tool("lint-imports"), "--no-cache")
    assert res.returncode == 0, res.stdout + res.stderr


def test_ruff_is_clean() -> None:
    res = _run(_tool("ruff"), "check", ".")
    assert res.returncode == 0, res.stdout + res.stderr


def test_mypy_is_clean() -> None:
    """mypy over the project; strict on resources/ and solver/ (pyproject)."""
    res = _run(_tool("mypy"), "resources", "solver", "desktop", "main.py")
    assert res.returncode == 0, res.stdout + res.stderr


def test_layering_check_would_catch_a_leak(tmp_path: Path) -> None:
    """The contract is live: a Qt import planted in resources/ is reported."""
    planted = ROOT / "resources" / "_planted_leak_check.py"
    planted.write_text("import PySide6  # noqa: F401\n")
    try:
        res = _run(_tool("lint-imports"), "--no-cache")
    finally:
        planted.unlink()
    assert res.returncode != 0
    assert "_planted_leak_check" in res.stdout
