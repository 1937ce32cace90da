"""Hand planning in the console: real drag-and-drop events, live checks, refusals, undo/redo,
lock/forbid with rationale, ranked options, and the re-solve that keeps pins."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication

from desktop.dnd import DragSource, unit_mime
from resources.model import Pin, Tactic


def site_point(window: Any, site_id: str) -> QPoint:
    """Viewport position of a site on the map."""
    geo = window.geo
    i = geo.site_index[site_id]
    scene = window.map.vb.mapViewToScene(QPointF(geo.site_x[i], geo.site_y[i]))
    return window.map.plot.mapFromScene(scene)


def drag_to(widget: Any, pos: QPoint, callsign: str) -> tuple[bool, bool]:
    """Send enter, move and drop events; returns (move accepted, drop accepted)."""
    mime = unit_mime(callsign)
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(widget, move)
    drop = QDropEvent(QPointF(pos), actions, mime, buttons, mods)
    QApplication.sendEvent(widget, drop)
    return move.isAccepted(), drop.isAccepted()


def ready(make_window: Any, qtbot: Any) -> Any:
    window = make_window()
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.map.vb.autoRange()
    return window


def posting(window: Any, callsign: str, slot: int) -> Any:
    return next(a for a in window.state.plan.assignments
                if (a.callsign, a.slot) == (callsign, slot))


def test_drop_on_map_pins_and_undo_redo(make_window: Any, qtbot: Any) -> None:
    window = ready(make_window, qtbot)
    window.state.set_slot(3)
    target = window.map.plot.viewport()
    moved, dropped = drag_to(target, site_point(window, "S5"), "NHT1")
    assert moved and dropped, window.pins.last_message
    sc = window.state.scenario
    assert sc.pins == (Pin("NHT1", 3, "S5", Tactic.FOOT_PATROL),)
    a = posting(window, "NHT1", 3)
    assert (a.site_id, a.pinned) == ("S5", True)
    assert window.state.plan_stale
    assert "Pinned NHT1 in slot 4" in window.pins.last_message
    assert "risk coverage" in window.pins.last_message and "pins fix" in window.pins.last_message
    undo, redo = window.pins.actions["undo"], window.pins.actions["redo"]
    assert undo.shortcut().toString() == "Ctrl+Z" and redo.shortcut().toString() == "Ctrl+Shift+Z"
    undo.trigger()
    assert window.state.scenario.pins == ()
    assert posting(window, "NHT1", 3).site_id == "S1"
    redo.trigger()
    assert window.state.scenario.pins[0].site_id == "S5"
    assert posting(window, "NHT1", 3).site_id == "S5"
    # the edited plan is a new plan: no id until Save stores it beside the one it came from
    stored = window.history.plan_ids()[0]
    assert window.state.plan.plan_id is None
    assert window.commands.save()
    assert window.state.plan.plan_id not in (None, stored)
    assert window.history.plan_ids()[:2] == [window.state.plan.plan_id, stored]


def test_hover_shows_the_broken_rule_and_the_drop_is_refused(make_window: Any,
                                                            qtbot: Any) -> None:
    window = ready(make_window, qtbot)
    window.state.set_slot(0)
    moved, dropped = drag_to(window.map.plot.viewport(), site_point(window, "S5"), "NHT1")
    assert not moved and not dropped
    assert window.pins.last_message.startswith("Refused: NHT1 cannot go there")
    assert "change-over allows 30 min" in window.pins.last_message
    place, breaches = window.pins.last_hover
    assert place == ("S5", 0) and [b.rule for b in breaches] == ["reach"]
    assert window.state.scenario.pins == ()
    assert window.pins.stack.count() == 0


def test_drop_on_a_timeline_cell_checks_capability(make_window: Any, qtbot: Any) -> None:
    window = ready(make_window, qtbot)
    window.docks["timeline"].show()
    view = window.timeline.sites_view
    window.timeline.setCurrentWidget(view)
    river = window.state.scenario.sites.index(window.state.scenario.sites_by_id["S4"])
    rect = view.visualRect(view.model().index(river, 2))
    moved, dropped = drag_to(view.viewport(), rect.center(), "NHT3")
    assert not dropped
    assert "river stretch" in window.pins.last_message
    camden = window.state.scenario.sites.index(window.state.scenario.sites_by_id["S5"])
    rect = view.visualRect(view.model().index(camden, 2))
    moved, dropped = drag_to(view.viewport(), rect.center(), "MAR1")
    assert not dropped and "not a river stretch" in window.pins.last_message
    # DOG1 is idle all day: any nearby site in slot 2 is fine
    rect = view.visualRect(view.model().index(camden, 2))
    moved, dropped = drag_to(view.viewport(), rect.center(), "DOG1")
    assert moved and dropped, window.pins.last_message
    pin = window.state.scenario.pins[0]
    assert (pin.callsign, pin.slot, pin.site_id) == ("DOG1", 2, "S5")


def test_drag_starts_from_the_roster(make_window: Any, qtbot: Any,
                                     monkeypatch: Any) -> None:
    window = ready(make_window, qtbot)
    started: list[str] = []
    monkeypatch.setattr(DragSource, "start", lambda self, cs: started.append(cs))
    window.docks["roster"].raise_()
    view = window.roster.view
    row = next(r for r in range(view.model().rowCount())
               if view.model().index(r, 0).data() == "ARV1")
    pos = view.visualRect(view.model().index(row, 0)).center()
    vp = view.viewport()
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for kind, p, buttons in ((QEvent.Type.MouseButtonPress, pos, left),
                             (QEvent.Type.MouseMove, pos + QPoint(40, 0), left)):
        ev = QMouseEvent(kind, QPointF(p), vp.mapToGlobal(QPointF(p)), left, buttons, none)
        QApplication.sendEvent(vp, ev)
    assert started == ["ARV1"]


def test_lock_forbid_unpin_with_rationale(make_window: Any, qtbot: Any) -> None:
    window = ready(make_window, qtbot)
    pins = window.pins
    assert pins.lock_slot(1, "  VIP   visit ")
    sc = window.state.scenario
    assert len(sc.pins) == len([a for a in window.state.plan.assignments if a.slot == 1])
    assert {p.rationale for p in sc.pins} == {"VIP visit"}
    assert all(a.pinned for a in window.state.plan.assignments if a.slot == 1)
    assert pins.unpin("ARV1", 1)
    assert not any(p.callsign == "ARV1" for p in window.state.scenario.pins)
    assert pins.forbid("ARV1", "S3", "recent complaint")
    fb = window.state.scenario.forbids[-1]
    assert (fb.callsign, fb.site_id, fb.rationale) == ("ARV1", "S3", "recent complaint")
    window.state.set_slot(0)
    _moved, dropped = drag_to(window.map.plot.viewport(), site_point(window, "S3"), "ARV1")
    assert not dropped and "forbidden at Parliament Square (recent complaint)" in \
        pins.last_message
    for _ in range(pins.stack.count()):
        pins.actions["undo"].trigger()
    assert window.state.scenario.pins == () and window.state.scenario.forbids == ()
    assert not pins.unpin("ARV1", 0)  # nothing pinned: refused with a reason
    assert "has no pin in slot 1" in pins.last_message


def test_ranked_options_for_a_unit(make_window: Any, qtbot: Any) -> None:
    window = ready(make_window, qtbot)
    from desktop.state import Selection

    window.state.set_slot(3)
    window.state.select(Selection("unit", "DOG1"))
    options = window.pins.show_options()
    assert options and window.pins.options_list.count() == len(options)
    scores = [o.score for o in options]
    assert scores == sorted(scores, reverse=True)
    assert all(not any(b.hard for b in o.notes) for o in options)
    assert "coverage" in window.pins.options_list.item(0).text()


def test_complete_the_plan_keeps_pins_and_highlights_changes(make_window: Any,
                                                            qtbot: Any) -> None:
    window = ready(make_window, qtbot)
    window.state.set_slot(3)
    _, dropped = drag_to(window.map.plot.viewport(), site_point(window, "S5"), "NHT1")
    assert dropped
    completer = window.pins.completer
    assert completer.start()
    qtbot.waitUntil(lambda: not completer.controller.running, timeout=30_000)
    plan = window.state.plan
    assert "Plan completed" in window.pins.last_message, window.pins.last_message
    assert "1 of 1 pins kept" in window.pins.last_message
    a = posting(window, "NHT1", 3)
    assert (a.site_id, a.tactic, a.pinned) == ("S5", Tactic.FOOT_PATROL, True)
    assert plan.solver.parameters["warm_start"] is True
    assert plan.solver.parameters["min_disruption"] is True
    changed = window.pins.changed
    assert changed == frozenset((c.callsign, c.slot) for c in completer.last_changed)
    assert not window.state.plan_stale


def test_drag_starts_from_a_unit_on_the_map(make_window: Any, qtbot: Any,
                                            monkeypatch: Any) -> None:
    window = ready(make_window, qtbot)
    started: list[str] = []
    monkeypatch.setattr(DragSource, "start", lambda self, cs: started.append(cs))
    window.state.set_slot(0)
    p = window.index.postings(0)
    i = next(k for k in range(len(p.unit))
             if window.state.scenario.units[int(p.unit[k])].callsign == "MAR1")
    scene = window.map.vb.mapViewToScene(QPointF(p.x[i], p.y[i]))
    pos = window.map.plot.mapFromScene(scene)
    vp = window.map.plot.viewport()
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for kind, at in ((QEvent.Type.MouseButtonPress, pos),
                     (QEvent.Type.MouseMove, pos + QPoint(30, 30))):
        ev = QMouseEvent(kind, QPointF(at), vp.mapToGlobal(QPointF(at)), left, left, none)
        QApplication.sendEvent(vp, ev)
    assert started == ["MAR1"]
