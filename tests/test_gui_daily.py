"""Plan > Randomised daily plans: the dialog, the run in a worker, the store, cancel, errors."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog

from desktop.daily_dialog import SHORTCUT, DaysDialog
from resources.errors import InputError
from resources.model import Plan, Scenario
from resources.predictability import randomisation_of
from resources.store import Store
from solver import daily_plans
from solver.daily import DayDraw, day_seed
from solver.daily_runs import MAX_DAYS, MAX_SEED, DaysRequest, last_run
from solver.options import CancelToken, SolveOptions
from tests.conftest import small_scenario

#: The small scenario without its CTSFO team: its games can be played (with the team, the
#: team's 8 armed officers alone break the 8% cap against its 48 unarmed ones).
DAILY = "small-daily"


@pytest.fixture
def daily_db(stored_db: Path) -> Path:
    """The GUI test store with a scenario whose daily draws can be made."""
    base = small_scenario()
    assert isinstance(base, Scenario)
    scenario = base.with_changes(
        name=DAILY, units=tuple(u for u in base.units if u.type_code != "CTSFO"))
    with Store.open(stored_db) as store:
        store.save_scenario(scenario)
    return stored_db


def _plans(db: Path, name: str) -> list[str]:
    with Store.open(db) as store:
        return [i.plan_id for i in store.list_plans(name, limit=1000)]


def _fast(days: int, seed: int = 11, first_day: int = 0, balanced: bool = False) -> DaysRequest:
    """A quick, reproducible run of the small scenario."""
    return DaysRequest(days, seed, first_day, 1.0, deterministic=True, balanced=balanced)


def test_dialog_offers_a_fresh_seed_and_validates_input(qtbot) -> None:
    dialog = DaysDialog()
    qtbot.addWidget(dialog)
    other = DaysDialog()
    qtbot.addWidget(other)
    assert 0 <= dialog.seed.value() <= MAX_SEED
    assert dialog.seed.value() != other.seed.value()  # a fresh random seed each time
    assert dialog.seconds.value() == 10.0 and not dialog.balanced.isChecked()
    assert not dialog.continue_button.isEnabled()
    request = dialog.request()
    assert (request.days, request.first_day, request.seed, request.mode) == (
        7, 0, dialog.seed.value(), "independent")
    # what cannot be a number of days in range is refused while typing
    for text, expected in (("400", 40), ("0", 40), ("abc", 40), ("366", 366)):
        dialog.days.lineEdit().selectAll()
        qtbot.keyClicks(dialog.days.lineEdit(), text)
        dialog.days.interpretText()
        assert dialog.days.value() == expected
    dialog.days.setValue(MAX_DAYS + 1)
    assert dialog.days.value() == MAX_DAYS
    dialog.days.setValue(3)
    dialog.first_day.setValue(4)
    dialog.seed.setValue(12345)
    dialog.seconds.setValue(0.1)  # below the least: 0.5 s
    dialog.balanced.setChecked(True)
    dialog.deterministic.setChecked(True)
    assert dialog.request() == DaysRequest(3, 12345, 4, 0.5, True, True)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.error.text() == ""


def test_an_invalid_request_is_refused_in_one_line(qtbot, monkeypatch) -> None:
    for bad, field in (({"days": 0}, "days"), ({"days": MAX_DAYS + 1}, "days"),
                       ({"seed": -1}, "seed"), ({"first_day": -2}, "first day"),
                       ({"time_limit_s": float("nan")}, "seconds per day")):
        with pytest.raises(InputError, match=f"field '{field}'") as info:
            DaysRequest(**{"days": 1, "seed": 0, **bad})
        assert "\n" not in str(info.value)
    dialog = DaysDialog()
    qtbot.addWidget(dialog)

    def refuse() -> DaysRequest:
        raise InputError("expected 1 to 366 days, got 0", field="days")

    monkeypatch.setattr(dialog, "request", refuse)
    rejected: list[int] = []
    dialog.finished.connect(rejected.append)
    dialog.accept()
    assert rejected == [] and "field 'days'" in dialog.error.text()


def test_a_two_day_run_saves_both_days_and_shows_the_last(
        qtbot, make_window, daily_db: Path, message_boxes, monkeypatch) -> None:
    window = make_window(open_name=DAILY)
    action = window.actions_["daily_plans"]
    keys = [a.shortcut().toString() for a in window.findChildren(QAction)
            if not a.shortcut().isEmpty()]
    assert action.shortcut() == QKeySequence(SHORTCUT) and keys.count(action.shortcut()
                                                                      .toString()) == 1
    assert any(action in a.menu().actions() for a in window.menuBar().actions()
               if a.menu() is not None and "Plan" in a.text())
    before = _plans(daily_db, DAILY)

    def fill(dialog: DaysDialog) -> int:
        dialog.days.setValue(2)
        dialog.seed.setValue(11)
        dialog.seconds.setValue(1.0)
        dialog.deterministic.setChecked(True)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(DaysDialog, "exec", fill)
    daily = window.daily
    with qtbot.waitSignal(daily.controller.finished, timeout=60_000):
        action.trigger()
        assert daily.progress is not None and daily.progress.isVisible()
        assert not action.isEnabled() and not window.actions_["plan"].isEnabled()
    assert action.isEnabled() and daily.progress is None
    new = [i for i in _plans(daily_db, DAILY) if i not in before]
    assert len(new) == 2 and [i for _, i in daily.saved] == new[::-1]
    with Store.open(daily_db) as store:
        stored = [store.load_plan(i) for i in new[::-1]]
    assert [p.day for p in stored] == [0, 1]
    assert [randomisation_of(p)["seed"] for p in stored] == [day_seed(11, 0), day_seed(11, 1)]
    assert all(randomisation_of(p)["balance"]["mode"] == "independent" for p in stored)
    plan = window.state.plan
    assert plan is not None and plan.plan_id == new[0] and plan.day == 1 and plan.kpis
    assert not window.state.plan_stale
    assert window.history.plan_ids()[:2] == new
    assert window.dashboard.predictability is not None
    assert "overlap with last 7 plan(s)" in window.dashboard.overlap_label.text()
    assert len(daily.last_log) == 2 and all(ln.startswith("day ") and "saved as" in ln
                                            for ln in daily.last_log)
    assert message_boxes == [daily.last_summary]
    summary = daily.last_summary
    assert "2 daily plans (seed 11): kept" in summary and "independent days" in summary
    assert "first day 2, seed 11" in summary
    # the next run can continue this one
    assert last_run(daily_db, DAILY) == (11, 2, False)
    dialog = DaysDialog(window, last_run(daily_db, DAILY))
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    assert (dialog.seed.value(), dialog.first_day.value()) == (11, 2)


def test_a_balanced_run_continues_from_the_stored_days(
        qtbot, make_window, daily_db: Path, message_boxes) -> None:
    window = make_window(open_name=DAILY)
    daily = window.daily
    with qtbot.waitSignal(daily.controller.finished, timeout=60_000):
        assert daily.start(_fast(1, balanced=True))
    with qtbot.waitSignal(daily.controller.finished, timeout=60_000):
        assert daily.start(_fast(1, first_day=1, balanced=True))
    rec = randomisation_of(daily.saved[-1][0])
    assert rec["day"] == 1 and rec["balance"]["history_days"] == 1
    assert "after 1 earlier days of the run" in daily.last_summary
    assert window.state.plan is not None and window.state.plan.day == 1
    assert len(message_boxes) == 2


def test_cancel_keeps_the_days_made_and_stops(qtbot, make_window, daily_db: Path,
                                              message_boxes, monkeypatch) -> None:
    window = make_window(open_name=DAILY)
    reached = threading.Event()
    _held_until_cancelled(monkeypatch, reached, "day 1")
    daily = window.daily
    before = _plans(daily_db, DAILY)
    assert daily.start(_fast(5))
    qtbot.waitUntil(lambda: reached.is_set() and len(daily.saved) == 1, timeout=30_000)
    assert "Day 2 of 5" in daily.progress.label.text()
    with qtbot.waitSignal(daily.controller.finished, timeout=30_000):
        qtbot.mouseClick(daily.progress.cancel_button, Qt.MouseButton.LeftButton)
        assert "Stopping" in daily.progress.label.text()
    new = [i for i in _plans(daily_db, DAILY) if i not in before]
    assert len(new) == 2  # day 0 and the cancelled day 1 (its best plan); days 2-4 not made
    with Store.open(daily_db) as store:
        assert sorted(store.load_plan(i).day for i in new) == [0, 1]
    assert window.state.plan is not None and window.state.plan.day == 1
    assert "2 daily plans" in daily.last_summary
    assert "Cancelled: days 2 to 4 were not made" in daily.last_summary
    assert message_boxes == [daily.last_summary]


def test_games_the_scenario_cannot_play_give_one_line_and_write_nothing(
        qtbot, make_window, stored_db: Path, message_boxes) -> None:
    window = make_window()  # the small scenario: its CTSFO team alone breaks the cap
    shown = window.state.plan
    before = _plans(stored_db, "small")
    daily = window.daily
    with qtbot.waitSignal(daily.controller.failed, timeout=60_000):
        assert daily.start(_fast(2))
    assert _plans(stored_db, "small") == before and daily.saved == []
    assert len(message_boxes) == 1 and "\n" not in message_boxes[0]
    assert message_boxes[0].startswith("scenario 'small': the daily draws cannot be made")
    assert "armed-share cap" in message_boxes[0]
    assert window.state.plan is shown and "Traceback" not in window.last_error


@pytest.mark.parametrize("failure", ["infeasible", "store"])
def test_an_error_on_a_day_keeps_the_earlier_days_and_writes_nothing_for_it(
        qtbot, make_window, daily_db: Path, message_boxes, monkeypatch, failure: str) -> None:
    from resources.store.errors import StoreError
    from solver import InfeasiblePlan

    window = make_window(open_name=DAILY)
    if failure == "infeasible":
        real = daily_plans.solve

        def solve(scenario: Scenario, options: SolveOptions, *args: Any, **kw: Any) -> Plan:
            if options.seed == day_seed(11, 1):
                raise InfeasiblePlan(["unit 'ARV1' is pinned in two places in slot 2"])
            return real(scenario, options, *args, **kw)

        monkeypatch.setattr(daily_plans, "solve", solve)
        expected = "no plan: the hard rules cannot all hold"
    else:
        real_save = Store.save_plan

        def save_plan(store: Store, plan: Plan, **kw: Any) -> str:
            if plan.day == 1:
                raise StoreError("the database is busy: another program holds its lock")
            return real_save(store, plan, **kw)

        monkeypatch.setattr(Store, "save_plan", save_plan)
        expected = "the database is busy"
    before = _plans(daily_db, DAILY)
    daily = window.daily
    with qtbot.waitSignal(daily.controller.failed, timeout=60_000):
        assert daily.start(_fast(3))
    new = [i for i in _plans(daily_db, DAILY) if i not in before]
    assert len(new) == 1 and [i for _, i in daily.saved] == new
    with Store.open(daily_db) as store:
        assert store.load_plan(new[0]).day == 0
    assert len(message_boxes) == 1 and "\n" not in message_boxes[0]
    assert expected in message_boxes[0] and "days 0 to 0, are saved" in message_boxes[0]
    assert window.state.plan is not None and window.state.plan.plan_id == new[0]
    assert daily.progress is None and window.actions_["daily_plans"].isEnabled()


def test_nothing_to_run_without_a_scenario_or_while_solving(qtbot, make_window) -> None:
    from tests.conftest import FakeSolver

    empty = make_window(open_name=None)
    assert not empty.daily.start(_fast(1))
    assert "open a scenario first" in empty.statusBar().currentMessage()
    solver = FakeSolver(hold=True)
    window = make_window(solver)
    window.commands.plan()
    assert solver.started.wait(10)
    assert not window.daily.start(_fast(1)) and not window.daily.controller.running
    assert "a solve is running" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.controller.finished, timeout=10_000):
        window.commands.cancel_solve()


def _held_until_cancelled(monkeypatch: pytest.MonkeyPatch, reached: threading.Event,
                          where: str) -> None:
    """Hold the run (as long games or a long solve would) at ``where`` until it is cancelled."""

    def wait(cancel: CancelToken) -> None:
        reached.set()
        give_up = time.monotonic() + 30
        while not cancel.cancelled and time.monotonic() < give_up:
            time.sleep(0.01)

    if where == "games":
        real_days = daily_plans.solve_days

        def solve_days(*args: Any, cancel: CancelToken, **kw: Any) -> list[Plan]:
            wait(cancel)
            return real_days(*args, cancel=cancel, **kw)

        monkeypatch.setattr("solver.daily_runs.solve_days", solve_days)
    else:
        real = daily_plans.daily_plan

        def held(scenario: Scenario, run: Any, draw: DayDraw, options: SolveOptions,
                 run_seed: int, cancel: CancelToken) -> Plan:
            if draw.day == 1:
                wait(cancel)
            return real(scenario, run, draw, options, run_seed, cancel)

        monkeypatch.setattr(daily_plans, "daily_plan", held)


def test_cancel_before_the_first_day_saves_nothing_quietly(
        qtbot, make_window, daily_db: Path, monkeypatch) -> None:
    reached = threading.Event()
    _held_until_cancelled(monkeypatch, reached, "games")
    window = make_window(open_name=DAILY)
    shown, before = window.state.plan, _plans(daily_db, DAILY)
    daily = window.daily
    assert daily.start(_fast(3))
    qtbot.waitUntil(reached.is_set, timeout=30_000)
    with qtbot.waitSignal(daily.controller.failed, timeout=30_000):
        daily.progress.reject()  # Esc or the window's close button: the same as Cancel
    assert _plans(daily_db, DAILY) == before and daily.saved == []
    assert window.state.plan is shown and daily.progress is None
    assert "nothing was saved" in window.statusBar().currentMessage()


def test_closing_the_window_stops_the_run_and_keeps_its_days(
        qtbot, make_window, daily_db: Path, monkeypatch) -> None:
    reached = threading.Event()
    _held_until_cancelled(monkeypatch, reached, "day 1")
    window = make_window(open_name=DAILY)
    before = _plans(daily_db, DAILY)
    assert window.daily.start(_fast(4))
    qtbot.waitUntil(reached.is_set, timeout=30_000)
    window.close()
    assert not window.daily.controller.running and window.daily.progress is None
    with Store.open(daily_db) as store:
        days = sorted(store.load_plan(i).day for i in _plans(daily_db, DAILY)
                      if i not in before)
    assert days == [0, 1]
