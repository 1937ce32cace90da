"""Console benchmarks (offscreen): cold start to a usable window, and slot switch + map redraw.

Run: .venv/bin/python benchmarks/gui_bench.py [--runs 5]
Prints a markdown table of medians. Cold start runs in a fresh subprocess each time (new
interpreter, empty store and settings), from process launch to a shown window with the embedded
London drawn. The slot switch is measured on the generated London week (>= 1,500 units,
>= 400 sites, >= 2,000 cells, 84 slots) with a plan that posts every on-duty unit.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_CHILD = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtCore import QSettings
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, {settings!r})
from desktop.app import build_window, make_app
app = make_app()
window = build_window(Path({db!r}))
window.show()
app.processEvents()
window.map.plot.grab()
assert window.state.scenario is not None and window.state.scenario.name == "london", \\
    window.last_error
print("READY", len(window.state.scenario.units), flush=True)
window.close()
"""


def cold_start(runs: int) -> list[float]:
    """Seconds from launching a fresh interpreter to a usable window showing London."""
    out: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            code = _CHILD.format(root=str(ROOT), settings=tmp, db=str(Path(tmp) / "db.sqlite"))
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            line = proc.stdout.readline()
            elapsed = time.perf_counter() - t0
            proc.communicate(timeout=120)
            if not line.startswith("READY"):
                raise SystemExit(f"cold start failed: {proc.stderr}")
            out.append(elapsed)
    return out


def posting_plan(scenario: object, seed: int = 1) -> object:
    """A plan-shaped load for drawing: every on-duty unit posted at a site it may work at."""
    from resources.model import Assignment, Plan, PlanSlot, Scenario, SolverInfo, Tactic

    assert isinstance(scenario, Scenario)
    rng = random.Random(seed)
    by_mode: dict[object, list[str]] = {}
    for s in scenario.sites:
        for m in s.allowed_modes:
            if not s.required_capability or s.required_capability == "river":
                by_mode.setdefault(m, []).append(s.site_id)
    standby = [p.point_id for p in scenario.standby_points]
    out: list[Assignment] = []
    for u in scenario.units:
        ut = scenario.unit_type(u)
        choices = by_mode.get(ut.mode, [])
        tactic = next(iter(sorted(ut.tactics - {Tactic.RESERVE})), Tactic.RESERVE)
        for slot in range(scenario.calendar.slot_count):
            if not u.on_duty(slot):
                continue
            armed = ut.armed_for(u.officers)
            if ut.reserve_only or not choices:
                out.append(Assignment(u.callsign, slot, None, Tactic.RESERVE, u.officers, armed,
                                      standby_id=rng.choice(standby) if standby else None))
            else:
                out.append(Assignment(u.callsign, slot, rng.choice(choices), tactic, u.officers,
                                      armed))
    slots = tuple(PlanSlot(s.index, s.start.isoformat(), s.end.isoformat())
                  for s in scenario.calendar.slots())
    return Plan(scenario.name, scenario.threat_level.value, "8%", slots, tuple(out),
                solver=SolverInfo("benchmark", "FEASIBLE"))


def slot_switch(runs: int) -> dict[str, object]:
    """Milliseconds per slot switch (every view updated) and per switch + map repaint."""
    from PySide6.QtCore import QSettings

    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        from desktop.app import build_window, make_app
        from resources.london import build_london_week

        app = make_app()
        week = build_london_week(seed=1)
        plan = posting_plan(week)
        window = build_window(Path(tmp) / "db.sqlite", open_last=False)
        window.resize(1600, 1000)
        window.show()
        window.state.open_scenario(week, 0)
        window.state.set_plan(plan)
        app.processEvents()
        n = week.calendar.slot_count
        first: list[float] = []
        cached: list[float] = []
        map_only: list[float] = []
        grab: list[float] = []
        for r in range(runs):
            # every view updates and repaints (processEvents runs the paint events offscreen)
            for s in range(n):
                t0 = time.perf_counter()
                window.state.set_slot((s + 1) % n)
                app.processEvents()
                (first if r == 0 else cached).append(1000 * (time.perf_counter() - t0))
            # the map alone: new slot's layers, then its repaint
            for s in range(n):
                t0 = time.perf_counter()
                window.map.show_slot((s + 2) % n)
                app.processEvents()
                map_only.append(1000 * (time.perf_counter() - t0))
            for _ in range(0, n, 4):
                t0 = time.perf_counter()
                window.map.plot.grab()
                grab.append(1000 * (time.perf_counter() - t0))
        window.close()
        return {
            "units": len(week.units), "sites": len(week.sites), "cells": len(week.cells),
            "slots": n, "postings": len(plan.assignments),  # type: ignore[attr-defined]
            "first": statistics.median(first), "cached": statistics.median(cached or first),
            "map": statistics.median(map_only), "grab": statistics.median(grab),
        }


def screenshot(path: Path, time_limit_s: float, slot: int) -> None:
    """Solve the embedded London at SEVERE in the console and save a grab of the window."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        from desktop.app import build_window, make_app

        app = make_app()
        window = build_window(Path(tmp) / "db.sqlite")
        window.setGeometry(0, 0, 1920, 1080)
        window.show()
        window.threat.setCurrentText("SEVERE")
        window.solve_panel.time_limit.setValue(int(time_limit_s))
        loop = QEventLoop()
        window.controller.finished.connect(lambda *_: QTimer.singleShot(0, loop.quit))
        window.controller.failed.connect(lambda *_: QTimer.singleShot(0, loop.quit))
        window.commands.plan()
        loop.exec()
        if window.state.plan is None:
            raise SystemExit(f"no plan: {window.last_error}")
        window.docks["solve"].raise_()
        window.state.set_slot(slot)
        for u in window.state.plan.unmet:  # highlight the first unmet site of the slot shown
            target = window.resolve_subject(u.subject)
            if u.slot == slot and target is not None and target.kind == "site":
                window.state.select(target)
                break
        for _ in range(5):
            app.processEvents()
        if app.platformName() == "offscreen":
            window.grab().save(str(path))
        else:  # a real display (e.g. Xvfb): grab what the screen shows
            window.screen().grabWindow(0).save(str(path))
        print(f"saved {path}: plan {window.state.plan.plan_id}, "
              f"{len(window.state.plan.assignments)} postings")
        window.close()


def main() -> int:
    """Run both benchmarks and print the markdown table (or take the README screenshot)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (default 5)")
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="instead: solve London and save a screenshot to this PNG")
    parser.add_argument("--time-limit", type=float, default=20.0,
                        help="solver time limit for --screenshot (seconds, default 20)")
    parser.add_argument("--slot", type=int, default=9,
                        help="slot shown in the screenshot (default 9: 18:00-20:00)")
    args = parser.parse_args()
    if args.screenshot is not None:
        screenshot(args.screenshot, args.time_limit, args.slot)
        return 0
    cold = cold_start(args.runs)
    sw = slot_switch(max(2, args.runs))
    size = (f"{sw['units']} units, {sw['sites']} sites, {sw['cells']} cells, {sw['slots']} "
            f"slots, {sw['postings']} postings")
    print("| measure | target | median |")
    print("| --- | --- | --- |")
    print(f"| cold start to usable window, embedded London ({args.runs} runs) | <= 2 s | "
          f"{statistics.median(cold):.2f} s |")
    print(f"| slot switch + map redraw ({size}) | <= 33 ms | {sw['map']:.1f} ms |")
    print(f"| slot switch, every view updated and repainted, first visit of each slot | "
          f"<= 33 ms | {sw['first']:.1f} ms |")
    print(f"| slot switch, every view updated and repainted, revisit | <= 33 ms | "
          f"{sw['cached']:.1f} ms |")
    print(f"| full re-render of the map into an image (grab), for reference | - | "
          f"{sw['grab']:.1f} ms |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{os.cpu_count()} CPUs, 1-minute load average {load:.1f} at the end.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
