"""Plan > Randomised daily plans: ask for the run, make it in a worker thread (day k of N, each
day's line as it is saved, Cancel keeps the days made), then show the last day and a summary.

The work itself is ``solver.daily_runs.run_days``, the same as `plan --days N --save`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import operations as ops
from desktop.actions import command_action
from desktop.solve_worker import SolveController
from resources.errors import InputError
from resources.model import Plan, Scenario

if TYPE_CHECKING:
    from desktop.main_window import MainWindow
    from solver.daily_runs import DaysRequest

TITLE = "Randomised daily plans"
SHORTCUT = "Ctrl+Shift+R"
EXPLANATION = (
    "Each day's sites and unit types are drawn at random from the optimal coverage "
    "probabilities of the scenario's security games; the day's plan is then solved under every "
    "hard rule and saved to the plan history as soon as it is made. The same seed and days give "
    "the same draws: record the seed. Cancel stops after the current day's best plan and keeps "
    "the days already made.")
BALANCE_TIP = (
    "On: each day is steered toward what the run's earlier days (stored ones included) fell "
    "short of, so a long campaign tracks the probabilities closely; someone who watched every "
    "past day could exploit that. Off: every day is drawn on its own (the default).")


class DaysDialog(QDialog):
    """The run's settings: days, first day, seed (a fresh one shown), seconds a day, draws."""

    def __init__(self, parent: QWidget | None = None,
                 last: tuple[int, int, bool] | None = None) -> None:
        super().__init__(parent)
        from solver.daily_runs import MAX_DAYS, MAX_SEED

        self.setWindowTitle(TITLE)
        self.days = QSpinBox()
        self.days.setRange(1, MAX_DAYS)
        self.days.setValue(7)
        self.first_day = QSpinBox()
        self.first_day.setRange(0, 1_000_000)
        self.first_day.setToolTip("Number of the first day (continue a run with its seed)")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(fresh_seed())
        self.seed.setToolTip("Seeds the draws of every day; record it to replay the run")
        new_seed = QPushButton("New seed")
        new_seed.clicked.connect(lambda: self.seed.setValue(fresh_seed()))
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.5, 3600.0)
        self.seconds.setDecimals(1)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(10.0)
        self.seconds.setToolTip("Solver time limit of each day")
        self.balanced = QCheckBox("Balance draws over days")
        self.balanced.setToolTip(BALANCE_TIP)
        self.deterministic = QCheckBox("Reproducible solves (one worker, deterministic limit)")
        self.last = last
        self.continue_button = QPushButton(
            "Continue the last run" if last is None
            else f"Continue the last run (seed {last[0]}, from day {last[1]})")
        self.continue_button.setEnabled(last is not None)
        self.continue_button.clicked.connect(self.continue_last)
        self.error = QLabel("")
        self.error.setObjectName("days_error")
        self.error.setWordWrap(True)
        about = QLabel(EXPLANATION)
        about.setWordWrap(True)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(new_seed)
        form = QFormLayout()
        form.addRow("Days", self.days)
        form.addRow("First day", self.first_day)
        form.addRow("Seed", seed_row)
        form.addRow("Seconds per day", self.seconds)
        form.addRow("", self.balanced)
        form.addRow("", self.deterministic)
        form.addRow("", self.continue_button)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def continue_last(self) -> None:
        """Fill in the seed, next day and draw mode of the scenario's last stored run."""
        if self.last is not None:
            seed, day, balanced = self.last
            self.seed.setValue(seed)
            self.first_day.setValue(day)
            self.balanced.setChecked(balanced)

    def request(self) -> DaysRequest:
        """The run asked for; InputError (one line, naming the field) when it is not valid."""
        from solver.daily_runs import DaysRequest

        for box in (self.days, self.first_day, self.seed, self.seconds):
            box.interpretText()
        return DaysRequest(self.days.value(), self.seed.value(), self.first_day.value(),
                           float(self.seconds.value()), self.deterministic.isChecked(),
                           self.balanced.isChecked())

    def accept(self) -> None:
        """Close only on a valid request; otherwise say what is wrong."""
        try:
            self.request()
        except InputError as err:
            self.error.setText(str(err))
            return
        super().accept()


def fresh_seed() -> int:
    """A new random seed for a run (shown, so that it can be recorded)."""
    return secrets.randbelow(2**31 - 1)


class DailyProgress(QDialog):
    """Day k of N, each finished day's line, and Cancel (which keeps the days made)."""

    cancel_requested = Signal()

    def __init__(self, request: DaysRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.total, self.first_day = request.days, request.first_day
        self.running = True
        self.label = QLabel("Solving the scenario's security games for the draws...")
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, request.days)
        self.bar.setValue(0)
        self.bar.setFormat("%v of %m days")
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.cancel_button = QPushButton("Cancel (keep the days made)")
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.log, 1)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(900, 320)

    def day_done(self, line: str, done: int) -> None:
        """A day is saved: log its line and move on to the next."""
        self.bar.setValue(done)
        self.log.appendPlainText(line)
        if done < self.total and self.cancel_button.isEnabled():
            self.label.setText(f"Day {done + 1} of {self.total} (day {self.first_day + done} of "
                               "the run): drawing and solving under every hard rule...")

    def reject(self) -> None:
        """Cancel (button, Esc or close) asks the run to stop; the dialog stays until it has."""
        if not self.running:
            super().reject()
            return
        if self.cancel_button.isEnabled():
            self.cancel_button.setEnabled(False)
            self.label.setText("Stopping after the current day's best plan...")
            self.cancel_requested.emit()

    def finish(self) -> None:
        """The run is over: close."""
        self.running = False
        super().reject()


class DailyPlans(QObject):
    """Runs randomised daily plans for the open scenario off the GUI thread and shows them."""

    day_saved = Signal(object, str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.controller = SolveController(self._run, None, self)
        self.controller.finished.connect(self._finished)
        self.controller.failed.connect(self._failed)
        self.day_saved.connect(self._on_day_saved)
        self.request: DaysRequest | None = None
        self.scenario: Scenario | None = None
        self.saved: list[tuple[Plan, str]] = []
        self.progress: DailyProgress | None = None
        self.last_summary = ""
        self.last_log: list[str] = []
        self._nothing_made = False
        self._active = False

    # -- starting -------------------------------------------------------------------------
    def ask(self) -> bool:
        """Ask for the run's settings and start it."""
        scenario = self._can_start()
        if scenario is None:
            return False
        dialog = DaysDialog(self.w, self._last_run(scenario.name))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.start(dialog.request())

    def _last_run(self, scenario: str) -> tuple[int, int, bool] | None:
        from solver.daily_runs import last_run

        try:
            return last_run(self.w.db_path, scenario)
        except InputError:
            return None  # an unreadable history: offer no continuation, the run reports it

    def _can_start(self) -> Scenario | None:
        scenario = self.w.state.scenario
        busy = self.controller.running or self.w.controller.running or \
            self.w.pins.completer.controller.running
        if scenario is None:
            self.w.statusBar().showMessage(f"{TITLE}: open a scenario first (Ctrl+O)")
        elif busy:
            self.w.statusBar().showMessage(f"{TITLE}: a solve is running; wait for it or "
                                           "cancel it first")
        return None if busy else scenario

    def start(self, request: DaysRequest) -> bool:
        """Make the run for the open scenario as shown (threat level and edits included)."""
        scenario = self._can_start()
        if scenario is None:
            return False
        self.request, self.scenario = request, scenario
        self.saved, self.last_log, self.last_summary = [], [], ""
        self._nothing_made, self._active = False, True
        self.progress = DailyProgress(request, self.w)
        self.progress.cancel_requested.connect(self.cancel)
        self.progress.show()
        self.w.statusBar().showMessage(f"{TITLE}: {request.days} day(s) from day "
                                       f"{request.first_day}, seed {request.seed}...")
        self.controller.start(scenario, request.time_limit_s)
        return True

    def cancel(self) -> None:
        """Stop after the current day's best plan; the days made are kept."""
        self.controller.cancel()

    # -- the worker thread ----------------------------------------------------------------
    def _run(self, scenario: Scenario, time_limit_s: float, progress: Callable[[Any], None],
             cancel: Any) -> Plan:
        from solver.daily_runs import run_days

        request = self.request
        assert request is not None
        plans = run_days(scenario, request, self.w.db_path, save=True, cancel=cancel,
                         on_saved=lambda plan, plan_id: self.day_saved.emit(plan, plan_id or ""))
        if not plans:
            self._nothing_made = True
            raise InputError("cancelled before the first day was made; nothing was saved",
                             field="days")
        return plans[-1]

    # -- back on the GUI thread -----------------------------------------------------------
    @Slot(object, str)
    def _on_day_saved(self, plan: Plan, plan_id: str) -> None:
        if not self._active:
            return
        from solver.daily_plans import day_line

        self.saved.append((plan, plan_id))
        line = f"{day_line(plan)}  saved as {plan_id}"
        self.last_log.append(line)
        if self.progress is not None:
            self.progress.day_done(line, len(self.saved))
        self.w.commands.refresh_history()

    def _end(self) -> None:
        self._active = False
        if self.progress is not None:
            self.progress.finish()
            self.progress.deleteLater()
            self.progress = None

    def _finished(self, _plan: Plan, _scenario: Scenario | None) -> None:
        self._end()
        if not self.saved:
            return
        self._show_last()
        self.last_summary = self.summary()
        self.w.statusBar().showMessage(self.last_summary.splitlines()[0])
        QMessageBox.information(self.w, TITLE, self.last_summary)

    def _failed(self, message: str) -> None:
        self._end()
        if self._nothing_made:
            self.w.statusBar().showMessage(f"{TITLE}: cancelled before the first day was made; "
                                           "nothing was saved")
            return
        message = " ".join(message.split())
        if self.saved:
            self._show_last()
            days = [p.day for p, _ in self.saved]
            message += (f" (the {len(days)} day(s) made before it, days {days[0]} to "
                        f"{days[-1]}, are saved)")
        self.w.report_error(TITLE, message)

    def _show_last(self) -> None:
        """Show the last saved day in the window (map, timeline, dashboard, history)."""
        plan_id = self.saved[-1][1]
        st = self.w.state
        try:
            plan = ops.load_plan(self.w.db_path, plan_id)
        except InputError as err:
            self.w.report_error(TITLE, str(err))
            return
        if st.scenario is None or st.scenario.name != plan.scenario:
            self.w.commands.open_plan(plan_id)
            return
        edited = st.scenario is not self.scenario
        st.set_plan(ops.with_kpis(st.scenario, plan), stale=True if edited else None)

    def summary(self) -> str:
        """Days made, kept share of the drawn units, draw mode; how to continue the run."""
        from solver.daily_runs import run_summary, run_warnings

        request = self.request
        assert request is not None and self.saved
        plans = [p for p, _ in self.saved]
        first, last = plans[0].day, plans[-1].day
        lines = [f"{run_summary(plans, request.seed)}."]
        if len(plans) < request.days:
            lines.append(f"Cancelled: days {last + 1} to {request.first_day + request.days - 1} "
                         "were not made.")
        lines.append(f"Saved to the plan history: days {first} to {last} ({self.saved[0][1]} "
                     f"to {self.saved[-1][1]}); showing day {last}.")
        lines.append(f"To continue this run: first day {last + 1}, seed {request.seed}"
                     f"{', balanced over days' if request.balanced else ''}.")
        lines += [f"Warning: {w}" for w in run_warnings(plans)]
        return "\n".join(lines)

    def shutdown(self) -> None:
        """Stop a running run (the current day's best plan is still saved) and wait for it."""
        self.controller.shutdown()
        self._end()


def install(window: MainWindow) -> DailyPlans:
    """Add Plan > Randomised daily plans... (Ctrl+Shift+R) to the window."""
    daily = DailyPlans(window)
    plan_action = window.actions_["plan"]
    menu = next(m for a in window.menuBar().actions()
                if isinstance(m := a.menu(), QMenu) and plan_action in m.actions())
    action = command_action(window, "daily_plans", "Randomised &daily plans...", SHORTCUT,
                            daily.ask)
    action.setStatusTip("Draw and solve a plan for each of N days, saved to the plan history")
    menu.insertAction(window.actions_["plan_history"], action)
    window.addAction(action)
    window.actions_["daily_plans"] = action
    for key in ("daily_plans", "plan"):
        daily.controller.running_changed.connect(
            lambda running, a=window.actions_[key]: a.setEnabled(not running))
    return daily
