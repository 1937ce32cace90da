"""The solve worker: progress, cancel keeps the best plan, results on the GUI thread, no freeze."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer

from desktop.solve_worker import SolveController, normalise, running_threads
from resources.model import Scenario
from tests.conftest import FakeSolver


def test_progress_then_plan_on_the_gui_thread(qtbot, scenario: Scenario) -> None:
    solver = FakeSolver()
    ctl = SolveController(solver, solver.token)
    got: list[tuple[object, object, int]] = []
    progress: list[object] = []
    ctl.progressed.connect(progress.append)
    ctl.finished.connect(lambda plan, scen: got.append((plan, scen, threading.get_ident())))
    with qtbot.waitSignal(ctl.finished, timeout=10_000):
        ctl.start(scenario, 5.0)
        assert ctl.running
    assert [p.solutions for p in progress] == [1, 2, 3]
    assert progress[-1].objective < progress[0].objective
    plan, scen, ident = got[0]
    assert scen is scenario and plan.solver.status == "FEASIBLE"
    assert ident == threading.get_ident() != solver.thread_ids[0]
    assert not ctl.running and running_threads() == 0


def test_cancel_keeps_best_plan_and_gui_stays_responsive(qtbot, scenario: Scenario) -> None:
    solver = FakeSolver(hold=True)
    ctl = SolveController(solver, solver.token)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    progress: list[object] = []
    ctl.progressed.connect(progress.append)
    ctl.start(scenario, 60.0)
    # while the solver works, the GUI event loop keeps running timers and delivering progress
    qtbot.waitUntil(lambda: len(ticks) >= 5 and len(progress) >= 5, timeout=10_000)
    assert ctl.running
    with qtbot.waitSignal(ctl.finished, timeout=10_000) as blocker:
        ctl.cancel()
    timer.stop()
    plan, _ = blocker.args
    assert plan.solver.status == "CANCELLED"
    assert plan.solver.objective == pytest.approx(progress[-1].objective)
    assert plan.assignments and solver.tokens[0].event.is_set()
    assert running_threads() == 0


def test_failure_is_reported_as_one_line(qtbot, scenario: Scenario) -> None:
    solver = FakeSolver(fail="no unit can cover site 'S9'")
    ctl = SolveController(solver, solver.token)
    with qtbot.waitSignal(ctl.failed, timeout=10_000) as blocker:
        ctl.start(scenario, 5.0)
    assert "no unit can cover site 'S9'" in blocker.args[0] and "\n" not in blocker.args[0]
    assert not ctl.running


def test_shutdown_stops_a_running_solve(qtbot, scenario: Scenario) -> None:
    solver = FakeSolver(hold=True)
    ctl = SolveController(solver, solver.token)
    late: list[object] = []
    ctl.finished.connect(lambda *a: late.append(a))
    ctl.start(scenario, 60.0)
    assert solver.started.wait(10)
    ctl.shutdown()
    assert not ctl.running and running_threads() == 0
    qtbot.wait(50)
    assert late == []  # a shut-down solve does not deliver a plan afterwards


def test_second_start_while_running_is_refused(qtbot, scenario: Scenario) -> None:
    from resources.errors import InputError

    solver = FakeSolver(hold=True)
    ctl = SolveController(solver, solver.token)
    ctl.start(scenario, 60.0)
    with pytest.raises(InputError, match="already running"):
        ctl.start(scenario, 60.0)
    with qtbot.waitSignal(ctl.finished, timeout=10_000):
        ctl.cancel()


def test_progress_normalisation_tolerates_missing_fields() -> None:
    class Partial:
        elapsed_s = 1.5
        objective = 10
        solutions = None

    p = normalise(Partial())
    assert (p.elapsed_s, p.objective, p.bound, p.gap, p.solutions) == (1.5, 10.0, None, None, 0)


def test_panel_status_names_the_solve_phase(qtbot) -> None:
    from desktop.solve_panel import SolvePanel
    from desktop.solve_worker import ProgressPoint
    from solver import Progress

    panel = SolvePanel(300)
    qtbot.addWidget(panel)
    panel.add_progress(normalise(Progress(12.0, None, None, None, 3, "improving 12/84")))
    assert panel.status.text() == "12.0 s, improving 12/84, 3 solution(s)"
    panel.add_progress(ProgressPoint(13.0, 100.0, 98.0, 0.02, 4))
    assert panel.status.text().startswith("13.0 s, 4 solution(s), objective 100.0")


def test_window_plan_button_runs_worker_and_saves_history(qtbot, make_window) -> None:
    solver = FakeSolver(hold=True)
    window = make_window(solver)
    panel = window.solve_panel
    before = len(window.history.plan_ids())
    qtbot.mouseClick(panel.plan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.points() >= 3, timeout=10_000)
    assert not panel.plan_button.isEnabled() and panel.cancel_button.isEnabled()
    assert not window.actions_["plan"].isEnabled()
    with qtbot.waitSignal(window.controller.finished, timeout=10_000):
        window.actions_["cancel_solve"].trigger()
    assert panel.plan_button.isEnabled()
    _, incumbent = panel.incumbent.getData()
    _, bound = panel.bound.getData()
    assert len(incumbent) == len(bound) == panel.points() >= 3
    assert list(incumbent) == sorted(incumbent, reverse=True) and set(bound) == {50.0}
    plan = window.state.plan
    assert plan is not None and plan.plan_id is not None and plan.kpis
    assert window.history.plan_ids()[0] == plan.plan_id
    assert len(window.history.plan_ids()) == before + 1
    assert solver.thread_ids[0] != threading.get_ident()


def test_edit_during_solve_leaves_result_stale(qtbot, make_window) -> None:
    from resources.model import ThreatLevel

    solver = FakeSolver(hold=True)
    window = make_window(solver)
    window.commands.plan()
    assert solver.started.wait(10)
    window.state.set_threat_level(ThreatLevel.CRITICAL)
    with qtbot.waitSignal(window.controller.finished, timeout=10_000):
        solver.release.set()
    assert window.state.plan is not None and window.state.plan_stale
    assert window.stale_badge.isVisibleTo(window)


def test_chart_keeps_its_time_range_and_says_why_it_is_empty(qtbot) -> None:
    from desktop.solve_panel import SolvePanel
    from desktop.solve_worker import ProgressPoint

    panel = SolvePanel(5)
    qtbot.addWidget(panel)
    panel.resize(460, 400)
    panel.show()
    qtbot.waitExposed(panel)
    panel.solving(True)
    assert panel.placeholder.isVisible()
    assert "appear once every slot has a plan" in panel.placeholder.text()
    for k in range(1, 4):  # slots still being planned: no objective, no bound yet
        panel.add_progress(ProgressPoint(0.9 * k, None, None, None, k, f"improving {k}/12"))
    assert panel.placeholder.isVisible()
    (x0, x1), _ = panel.chart.getViewBox().viewRange()
    assert x0 <= 0.0 and x1 >= 5.0
    # the solver's only scored report (every slot planned), as at the end of a short solve
    panel.add_progress(ProgressPoint(4.0384, 16302.0, 16043.8, 0.016, 12, "improving 12/12"))
    panel.add_progress(ProgressPoint(4.0385, 16302.0, 16043.8, 0.016, 12, "done"))
    panel.solving(False)
    assert not panel.placeholder.isVisible()
    (x0, x1), (y0, y1) = panel.chart.getViewBox().viewRange()
    assert x0 <= 0.0 and x1 >= 5.0  # not 4.0384-4.0385
    assert y0 < 16043.8 and y1 > 16302.0
    for curve in (panel.incumbent, panel.bound):
        assert curve.opts["symbol"] is not None  # a single point still shows
        assert len(curve.scatter.points()) == 2
    # a solve that ran past its limit keeps its last point in view
    panel.solving(True)
    panel.add_progress(ProgressPoint(6.5, 100.0, 90.0, 0.1, 1, "done"))
    assert panel.chart.getViewBox().viewRange()[0][1] >= 6.5


def test_solve_cancelled_before_any_objective_says_so(qtbot) -> None:
    from desktop.solve_panel import SolvePanel
    from desktop.solve_worker import ProgressPoint

    panel = SolvePanel(60)
    qtbot.addWidget(panel)
    panel.show()
    panel.solving(True)
    panel.add_progress(ProgressPoint(1.0, None, None, None, 0, "first plan"))
    panel.solving(False)
    assert panel.placeholder.isVisible() and "No objective reported" in panel.placeholder.text()


def test_chart_legend_is_readable_and_follows_the_theme(qtbot) -> None:
    from desktop.solve_panel import SolvePanel
    from desktop.theme import OKABE_ITO, colours

    panel = SolvePanel(5)
    qtbot.addWidget(panel)
    labels = panel.legend_labels()
    assert [label.text for label in labels] == ["incumbent", "bound"]
    for dark in (True, False, True):
        panel.set_dark(dark)
        fg = colours(dark).foreground.lower()
        for label in labels:
            html = label.item.toHtml().lower()
            assert f"color:{fg}" in html.replace(" ", "")
            assert label.item.font().pointSizeF() >= 10 or "font-size:10pt" in \
                html.replace(" ", "")
    # the legend's samples carry the curves' colours before any data arrives
    assert panel.incumbent.scatter.opts["brush"].color().name().upper() == OKABE_ITO["blue"]
