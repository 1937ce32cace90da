"""Runs the deployment solver in a QThread; progress and the result come back as signals."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, QThread, Signal, Slot

from resources.errors import InputError
from resources.model import Plan, Scenario


class Cancellable(Protocol):
    """What the worker needs of a cancel token."""

    def cancel(self) -> None:
        """Ask the solver to stop and return its best plan so far."""


#: solve_fn(scenario, time_limit_s, progress, cancel) -> Plan
SolveFn = Callable[[Scenario, float, Callable[[Any], None], Any], Plan]


@dataclass(frozen=True)
class ProgressPoint:
    """One progress report, normalised from the solver's Progress object."""

    elapsed_s: float
    objective: float | None
    bound: float | None
    gap: float | None
    solutions: int
    phase: str = ""


def normalise(progress: Any) -> ProgressPoint:
    """Read a solver Progress (attributes elapsed_s, objective, bound, gap, solutions, phase)."""

    def num(name: str) -> float | None:
        v = getattr(progress, name, None)
        return float(v) if isinstance(v, (int, float)) else None

    phase = getattr(progress, "phase", "")
    return ProgressPoint(num("elapsed_s") or 0.0, num("objective"), num("bound"), num("gap"),
                         int(getattr(progress, "solutions", 0) or 0),
                         phase if isinstance(phase, str) else "")


def default_solve(scenario: Scenario, time_limit_s: float, progress: Callable[[Any], None],
                  cancel: Any) -> Plan:
    """The deployment solver with the given time limit (imported lazily)."""
    from solver import SolveOptions, solve

    options = SolveOptions(time_limit_s=float(time_limit_s))
    plan: Plan = solve(scenario, options, progress=progress, cancel=cancel)
    return plan


def default_token() -> Any:
    """The solver's cancel token (imported lazily)."""
    from solver import CancelToken

    return CancelToken()


class SolveWorker(QObject):
    """Lives in the worker thread; calls the solve function once and reports."""

    progressed = Signal(object)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, fn: SolveFn, scenario: Scenario, time_limit_s: float, token: Any) -> None:
        super().__init__()
        self.fn, self.scenario, self.time_limit_s, self.token = fn, scenario, time_limit_s, token

    @Slot()
    def run(self) -> None:
        """Solve; emit ``done`` with the plan or ``failed`` with a one-line reason; then quit."""
        try:
            plan = self.fn(self.scenario, self.time_limit_s,
                           lambda p: self.progressed.emit(normalise(p)), self.token)
        except InputError as err:
            self.failed.emit(str(err))
        except Exception as err:  # the console reports any solver failure as a message
            if type(err).__name__ == "SolveCancelled":
                self.failed.emit(f"cancelled before any plan was found: {err}")
            else:
                self.failed.emit(f"the solver failed: {type(err).__name__}: {err}")
        else:
            self.done.emit(plan)
        finally:
            thread = QThread.currentThread()
            if thread is not None:
                thread.quit()


_RUNNING: set[QThread] = set()
_LOCK = threading.Lock()


def running_threads() -> int:
    """Solve threads still running (tests assert none is left dangling)."""
    with _LOCK:
        return sum(1 for t in _RUNNING if t.isRunning())


class SolveController(QObject):
    """Starts one solve at a time and hands its plan to the GUI thread via ``finished``."""

    started = Signal()
    progressed = Signal(object)
    finished = Signal(object, object)  # plan, scenario it was made for
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, fn: SolveFn | None = None, token_factory: Callable[[], Any] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn: SolveFn = fn or default_solve
        self.token_factory = token_factory or default_token
        self._thread: QThread | None = None
        self._worker: SolveWorker | None = None
        self._token: Any = None
        self._scenario: Scenario | None = None

    @property
    def running(self) -> bool:
        """True while a solve is in progress."""
        return self._thread is not None

    def start(self, scenario: Scenario, time_limit_s: float) -> None:
        """Solve ``scenario`` (an immutable snapshot) in a new thread."""
        if self._thread is not None:
            raise InputError("a solve is already running", field="solve")
        self._token = self.token_factory()
        self._scenario = scenario
        thread = QThread()
        thread.setObjectName("hercules-solve")
        worker = SolveWorker(self.fn, scenario, time_limit_s, self._token)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self.progressed)
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        self._thread, self._worker = thread, worker
        with _LOCK:
            _RUNNING.add(thread)
        thread.start()
        self.running_changed.emit(True)
        self.started.emit()

    def cancel(self) -> None:
        """Ask the solver to stop; it still returns its best plan so far."""
        if self._token is not None:
            self._token.cancel()

    @Slot(object)
    def _on_done(self, plan: Plan) -> None:
        if self._worker is None or self.sender() is not self._worker:
            return  # a late result of a solve that was shut down
        scenario = self._scenario
        self._stop_thread()
        self.finished.emit(plan, scenario)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._worker is None or self.sender() is not self._worker:
            return
        self._stop_thread()
        self.failed.emit(message)

    def _stop_thread(self) -> None:
        thread = self._thread
        if thread is None:
            return
        thread.quit()
        thread.wait()
        with _LOCK:
            _RUNNING.discard(thread)
        self._thread, self._worker, self._token, self._scenario = None, None, None, None
        self.running_changed.emit(False)

    def shutdown(self) -> None:
        """Cancel any solve and wait for its thread (on window close and in tests)."""
        if self._thread is None:
            return
        self.cancel()
        self._thread.wait()
        self._stop_thread()
