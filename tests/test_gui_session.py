"""A full scripted session on the embedded London with the real solver."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from desktop.app import build_window
from desktop.settings import Settings
from resources.model import ThreatLevel
from resources.store import Store


@pytest.mark.slow
def test_open_london_set_severe_plan_inspect_save(qtbot, gui_db: Path) -> None:
    window = build_window(gui_db, Settings(), open_last=False)
    qtbot.addWidget(window)
    window.show()
    assert window.commands.open_scenario_named("london")
    scenario = window.state.scenario
    assert scenario is not None and len(scenario.areas) == 33
    assert window.map.boroughs.getData()[0].size > 0 and window.map.thames.getData()[0].size > 0

    window.threat.setCurrentText("SEVERE")
    assert window.state.scenario.threat_level is ThreatLevel.SEVERE and window.state.dirty

    window.solve_panel.time_limit.setValue(2)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    with qtbot.waitSignal(window.controller.finished, timeout=300_000):
        window.actions_["plan"].trigger()
        assert window.controller.running
        # the GUI thread keeps turning while the solver works in its thread
        qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=60_000)
    timer.stop()
    plan = window.state.plan
    assert plan is not None and plan.threat_level == "SEVERE" and not window.state.plan_stale
    assert plan.plan_id is not None and window.history.plan_ids()[0] == plan.plan_id
    assert len(plan.kpis) == 12
    assert all(k.armed_share <= 0.08 + 1e-9 for k in plan.kpis)

    # inspect a slot: the map shows exactly the units posted in it
    window.state.set_slot(4)
    drawn = sum(len(item.data) for item in window.map.units.values())
    posted = {a.callsign for a in plan.assignments if a.slot == 4}
    assert drawn == len(posted)
    board = window.dashboard
    here = sum(1 for u in plan.unmet if u.slot in (4, None))
    assert board.unmet.count() == here
    assert board.unmet_title.text() == f"Unmet: {here} in this slot, {len(plan.unmet)} in all"
    board.this_slot.setChecked(False)
    assert board.unmet.count() == len(plan.unmet)
    assert all(c.value() == 4 for c in window.dashboard.cursors)

    assert window.commands.save()
    with Store.open(gui_db) as store:
        assert store.scenario_version("london") == 1
        assert store.load_scenario("london").threat_level is ThreatLevel.SEVERE
        assert [p.plan_id for p in store.list_plans("london")] == [plan.plan_id]
