"""Test set-up. GUI tests (tests/test_gui_*.py) run offscreen, fail on Qt warnings, and never
touch the user's settings or database."""

from __future__ import annotations

import os

# Before any Qt import: no display needed, and pyqtgraph must bind to PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"

from collections.abc import Iterator
from pathlib import Path

import pytest

#: Messages of the offscreen platform plugin about window-system features it lacks.
OFFSCREEN_ONLY = r"^This plugin does not support (propagateSizeHints|raise|grabbing)"


def _is_gui(item: pytest.Item) -> bool:
    return item.path.name.startswith("test_gui_")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every Qt warning (or worse) logged during a GUI test fails that test.

    The one exception is the offscreen platform plugin saying it cannot do something only a
    real window system can (it is a property of the test platform, not of the console).
    """
    for item in items:
        if _is_gui(item):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_ONLY))


@pytest.fixture(autouse=True)
def _gui_isolation(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """GUI tests: settings in a fresh temporary folder, no user DB, no dangling solve thread."""
    if not _is_gui(request.node):
        yield
        return
    from PySide6.QtCore import QSettings, QStandardPaths

    folder = tmp_path_factory.mktemp("qt-settings")
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(folder / "system"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "xdg"))
    monkeypatch.setenv("HERCULES_DB", str(folder / "never-used.sqlite"))
    # No background polling of the store: tests call StoreWatcher.poll() when they mean it.
    monkeypatch.setattr("desktop.store_watch.POLL_MS", 0)
    # A modal box would wait forever offscreen: record its text instead, and fail the test
    # unless it asked for the messages (fixture message_boxes).
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    shown: list[str] = []
    request.node.message_boxes = shown

    def record(parent: object, title: str, text: str, *args: object) -> object:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    def no_input(*args: object, **kwargs: object) -> tuple[str, bool]:
        shown.append(f"unexpected input dialog: {args[1:3]}")
        return "", False

    for name in ("critical", "warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, record)
    monkeypatch.setattr(QInputDialog, "getText", no_input)
    yield
    if shown and not getattr(request.node, "expect_messages", False):
        pytest.fail(f"unexpected message box(es): {shown}")
    import gc

    gc.collect()  # free this test's Qt wrappers while the QApplication is still alive
    from desktop.solve_worker import running_threads

    assert running_threads() == 0, "a solve thread was left running after the test"


@pytest.fixture
def message_boxes(request: pytest.FixtureRequest) -> list[str]:
    """Texts of the message boxes the test provokes (shown ones are recorded, not displayed)."""
    request.node.expect_messages = True
    shown: list[str] = request.node.message_boxes
    return shown


@pytest.fixture
def gui_db(tmp_path: Path) -> Path:
    """A fresh store file for one GUI test."""
    return tmp_path / "hercules-test.sqlite"


# -- a small London-like scenario and a hand-made plan for the GUI tests ---------------------


def _square(x0: float, y0: float, x1: float, y1: float) -> tuple[tuple[float, float], ...]:
    from resources.model.geo import from_bng

    return tuple(from_bng(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)))


def small_scenario(name: str = "small") -> object:
    """Three areas (one not taskable), five sites, 15 units, 48 cells, four 6-hour slots."""
    from resources.model import Area, Calendar, CoverageCell, Scenario, SiteKind, StandbyPoint
    from resources.model.catalogue import STANDARD_UNIT_TYPES
    from resources.model.geo import from_bng
    from resources.model.sites import Sector
    from tests.factories import site, unit

    areas = (
        Area("Westminster", ((_square(526000, 177000, 531000, 181000),),)),
        Area("Camden", ((_square(526000, 181000, 531000, 185000),),)),
        Area("City of London", ((_square(531000, 180000, 534000, 182000),),), taskable=False),
    )

    def at(x: float, y: float) -> dict[str, float]:
        lon, lat = from_bng(x, y)
        return {"lon": lon, "lat": lat}

    sites = (
        site("S1", name="Oxford Circus", **at(528900, 181100), risk=8.0),
        site("S2", name="Kings Cross", kind=SiteKind.TRANSPORT_HUB, sector=Sector.TRANSPORT,
             borough="Camden", min_presence=2, **at(530300, 183200), risk=9.0),
        site("S3", name="Parliament Square", kind=SiteKind.ICONIC,
             sector=Sector.VISITOR_ATTRACTIONS, **at(530100, 179600), risk=10.0),
        site("S4", name="Westminster reach", kind=SiteKind.RIVER_STRETCH,
             sector=Sector.TRANSPORT, required_capability="river", **at(530500, 179800),
             risk=6.0),
        site("S5", name="Camden Market", kind=SiteKind.NIGHT_TIME_ECONOMY,
             sector=Sector.NIGHT_TIME_ECONOMY, borough="Camden", profile="evening",
             **at(528700, 184100), risk=5.0),
    )
    units = (
        unit("ARV1", "ARV", **at(529000, 180000)),
        unit("AFP1", "AFP", **at(529500, 180500)),
        unit("CT1", "CTSFO", **at(530000, 180000)),
        unit("TSG1", "TSG", borough="Camden", **at(528000, 183000)),
        unit("MAR1", "MARINE", **at(531000, 180200)),
        unit("DOG1", "DOG-EX", borough="Camden", **at(528500, 182500)),
        *(unit(f"NHT{i}", "NHT", borough="Camden" if i % 2 else "Westminster",
               **at(527000 + 300 * i, 179000 + 400 * i)) for i in range(1, 10)),
    )
    cells = tuple(
        CoverageCell(f"C{i}-{j}", *from_bng(526500 + 1000 * i, 177500 + 1000 * j),
                     "Camden" if j >= 4 else "Westminster", 1.0 + (i + j) % 3)
        for i in range(6) for j in range(8)
    )
    standby = (StandbyPoint("SB1", "Central standby", *from_bng(529800, 180300), "Westminster"),)
    return Scenario(name, STANDARD_UNIT_TYPES, units, sites, areas=areas, cells=cells,
                    standby_points=standby, calendar=Calendar(slot_minutes=360),
                    cell_size_m=1000.0)


def hand_plan(scenario: object, *, threat_level: str | None = None, variant: int = 0) -> object:
    """A plan by hand: ARV1 moves S1 -> S2 in slot 2; CT1 on reserve; two unmet targets."""
    from resources.model import (
        Assignment,
        Plan,
        PlanSlot,
        Scenario,
        SolverInfo,
        Tactic,
        Unmet,
    )

    assert isinstance(scenario, Scenario)
    t = Tactic
    out: list[Assignment] = []
    for slot in range(scenario.calendar.slot_count):
        arv_site = "S2" if slot == 2 else "S1"
        out += [
            Assignment("ARV1", slot, arv_site, t.VEHICLE_PATROL, 3, 3),
            Assignment("AFP1", slot, "S3", t.FOOT_PATROL, 2, 2),
            Assignment("CT1", slot, None, t.RESERVE, 8, 8, standby_id="SB1"),
            Assignment("MAR1", slot, "S4", t.RIVER_PATROL, 3, 0),
            Assignment("TSG1", slot, "S2", t.VEHICLE_PATROL, 8, 0),
        ]
        for i in range(1, 10):
            target = ("S1", "S2", "S3", "S5")[(i + slot + variant) % 4]
            out.append(Assignment(f"NHT{i}", slot, target, t.FOOT_PATROL, 4, 0))
    slots = tuple(PlanSlot(s.index, s.start.isoformat(), s.end.isoformat())
                  for s in scenario.calendar.slots())
    unmet = (
        Unmet(1, "S2", "Kings Cross needs 2 units in this slot and has 1"),
        Unmet(None, "DOG1", "DOG1 was never posted: no dog sweep target today"),
    )
    return Plan(scenario.name, threat_level or scenario.threat_level.value, "8%", slots,
                tuple(out), unmet=unmet, solver=SolverInfo("hand", "FEASIBLE", seed=7))


@pytest.fixture
def scenario() -> object:
    """The small scenario."""
    return small_scenario()


@pytest.fixture
def stored_db(gui_db: Path) -> Path:
    """A store holding the small scenario (version 1) and one plan for it."""
    from resources.store import Store

    with Store.open(gui_db) as store:
        scenario = small_scenario()
        store.save_scenario(scenario)  # type: ignore[arg-type]
        store.save_plan(hand_plan(scenario))  # type: ignore[arg-type]
    return gui_db


class FakeToken:
    """A cancel token for the fake solver."""

    def __init__(self) -> None:
        import threading

        self.event = threading.Event()

    def cancel(self) -> None:
        """Stop the fake solve."""
        self.event.set()


class FakeSolver:
    """Stands in for the solver: reports progress, then returns the hand plan.

    With ``hold`` it keeps improving until cancelled (or ``release`` is set), like a long solve.
    """

    def __init__(self, hold: bool = False, fail: str | None = None) -> None:
        import threading

        self.hold, self.fail = hold, fail
        self.release = threading.Event()
        self.started = threading.Event()
        self.thread_ids: list[int] = []
        self.tokens: list[FakeToken] = []

    def token(self) -> FakeToken:
        """A fresh token per solve."""
        tok = FakeToken()
        self.tokens.append(tok)
        return tok

    def __call__(self, scenario: object, time_limit_s: float, progress: object,
                 cancel: FakeToken) -> object:
        import threading
        import time
        from dataclasses import replace

        from resources.errors import InputError
        from solver.options import Progress

        self.thread_ids.append(threading.get_ident())
        self.started.set()
        if self.fail:
            raise InputError(self.fail, field="scenario")
        best = 100.0
        n = 0
        while True:
            n += 1
            best -= 10.0 / n
            progress(Progress(0.01 * n, best, 50.0, (best - 50.0) / best, n))  # type: ignore[operator]
            done = n >= 3 and not self.hold
            if done or cancel.event.is_set() or self.release.is_set() or n > 2000:
                break
            time.sleep(0.005)
        plan = hand_plan(scenario)
        status = "CANCELLED" if cancel.event.is_set() else "FEASIBLE"
        return replace(plan, solver=replace(plan.solver, status=status, objective=best))  # type: ignore[type-var]


@pytest.fixture
def fake_solver() -> FakeSolver:
    """A fake solver that finishes after three progress reports."""
    return FakeSolver()


@pytest.fixture
def make_window(qtbot: object, stored_db: Path) -> object:
    """Build a console window over the store holding the small scenario (closed by qtbot)."""

    def build(solver: FakeSolver | None = None, open_name: str | None = "small",
              db: Path | None = None) -> object:
        from desktop.app import build_window
        from desktop.settings import Settings

        solver = solver or FakeSolver()
        window = build_window(db or stored_db, Settings(), solve_fn=solver,
                              token_factory=solver.token, open_last=False)
        # closing at the end of a test is not a planner closing the console: no save prompt
        qtbot.addWidget(window, before_close_func=lambda w: setattr(  # type: ignore[attr-defined]
            w, "confirm_discard", lambda _action: True))
        if open_name:
            assert window.commands.open_scenario_named(open_name)
        return window

    return build


@pytest.fixture
def plan_store(tmp_path: Path) -> tuple[Path, str]:
    """A store holding the small scenario and one hand-made plan: (its path, the plan's id)."""
    from resources.store import Store

    path = tmp_path / "h.sqlite"
    with Store.open(path) as store:
        sc = small_scenario()
        store.save_scenario(sc)  # type: ignore[arg-type]
        plan_id = store.save_plan(hand_plan(sc))  # type: ignore[arg-type]
    return path, plan_id
