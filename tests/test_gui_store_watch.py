"""The console notices other processes' commits: reload when clean, warn when dirty."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from resources.model import UnitStatus
from resources.store import Store


def _save_elsewhere(db: Path, description: str) -> int:
    """Another connection (as another process would) saves a new version of 'small'."""
    with Store.open(db) as store:
        current = store.load_scenario("small")
        return store.save_scenario(replace(current, description=description))


def test_clean_window_reloads_a_scenario_saved_elsewhere(make_window, stored_db: Path) -> None:
    window = make_window()
    assert window.state.scenario_version == 1
    version = _save_elsewhere(stored_db, "edited in another console")
    window.store_watch.poll()
    assert window.state.scenario_version == version == 2
    assert window.state.scenario.description == "edited in another console"
    assert "reloaded" in window.statusBar().currentMessage()


def test_dirty_window_keeps_its_edits_and_warns(make_window, stored_db: Path) -> None:
    window = make_window()
    window.commands.set_unit_status("NHT2", UnitStatus.COMMITTED, "Operation Trident")
    assert window.state.dirty
    _save_elsewhere(stored_db, "edited in another console")
    window.store_watch.poll()
    assert window.state.scenario_version == 1
    assert window.state.scenario.units_by_callsign["NHT2"].status is UnitStatus.COMMITTED
    assert "would be refused" in window.statusBar().currentMessage()


def test_own_save_does_not_reload(make_window) -> None:
    window = make_window()
    window.commands.set_unit_status("NHT2", UnitStatus.COMMITTED, "Operation Trident")
    assert window.commands.save()
    window.store_watch.poll()
    assert window.state.scenario_version == 2
    assert "reloaded" not in window.statusBar().currentMessage()


def test_new_plan_elsewhere_refreshes_history(make_window, stored_db: Path) -> None:
    window = make_window()
    before = window.history.list.count()
    with Store.open(stored_db) as store:
        plan = store.load_plan(store.list_plans("small")[0].plan_id)
        store.save_plan(plan)
    window.store_watch.poll()
    assert window.history.list.count() == before + 1
