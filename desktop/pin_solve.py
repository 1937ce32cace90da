"""'Complete the plan around my placements': a warm-started, minimal-disruption re-solve in a
worker thread; the postings it changes are highlighted on the map."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from desktop.solve_worker import SolveController
from resources.compare import changed_postings
from resources.model import Plan, Scenario

if TYPE_CHECKING:
    from desktop.main_window import MainWindow
    from desktop.pin_editing import PinEditor

#: (scenario, time limit s, progress, cancel token, warm start) -> plan
WarmSolveFn = Callable[[Scenario, float, Callable[[Any], None], Any, Plan | None], Plan]

#: Time limit of a completion re-solve, seconds.
COMPLETE_TIME_LIMIT_S = 10.0


def warm_solve(scenario: Scenario, time_limit_s: float, progress: Callable[[Any], None],
               cancel: Any, warm: Plan | None) -> Plan:
    """The solver, warm-started from ``warm`` with minimal disruption."""
    from solver import SolveOptions, solve

    options = SolveOptions(time_limit_s=float(time_limit_s), min_disruption=True)
    plan: Plan = solve(scenario, options, progress=progress, cancel=cancel, warm_start=warm)
    return plan


def pins_kept(scenario: Scenario, plan: Plan) -> tuple[int, int]:
    """(pins the plan honours, pins in the scenario)."""
    have = {(a.callsign, a.slot): (a.site_id, a.tactic, a.standby_id) for a in plan.assignments}
    kept = sum(1 for p in scenario.pins
               if have.get((p.callsign, p.slot)) == (p.site_id, p.tactic, p.standby_id))
    return kept, len(scenario.pins)


class CompleteSolver(QObject):
    """Runs the completion re-solve and shows its result."""

    def __init__(self, window: MainWindow, editor: PinEditor,
                 fn: WarmSolveFn | None = None) -> None:
        super().__init__(editor)
        self.w, self.editor = window, editor
        self.fn: WarmSolveFn = fn or warm_solve
        self.warm: Plan | None = None
        self.controller = SolveController(self._solve, None, self)
        self.controller.finished.connect(self._finished)
        self.controller.failed.connect(self._failed)
        self.last_changed: tuple[Any, ...] = ()

    def _solve(self, scenario: Scenario, time_limit_s: float, progress: Callable[[Any], None],
               cancel: Any) -> Plan:
        return self.fn(scenario, time_limit_s, progress, cancel, self.warm)

    def start(self) -> bool:
        """Re-solve the open scenario warm-started from the shown plan."""
        st = self.w.state
        if st.scenario is None or self.controller.running or self.w.controller.running:
            return False
        self.warm = st.plan
        self.controller.start(st.scenario, COMPLETE_TIME_LIMIT_S)
        self.editor._say("Completing the plan around your placements...")
        return True

    def _finished(self, plan: Plan, scenario: Scenario | None) -> None:
        if scenario is None:
            return
        self.w.commands.on_solved(plan, scenario)
        shown = self.w.state.plan or plan
        self.last_changed = changed_postings(self.warm, shown) if self.warm is not None else ()
        self.editor.show_changed(frozenset((c.callsign, c.slot) for c in self.last_changed))
        kept, total = pins_kept(scenario, shown)
        self.editor._say(f"Plan completed: {len(self.last_changed)} postings changed "
                         f"(highlighted); {kept} of {total} pins kept")

    def _failed(self, message: str) -> None:
        self.editor._say(f"Complete the plan failed: {message}")

    def shutdown(self) -> None:
        """Stop a running re-solve and wait for its thread."""
        self.controller.shutdown()
