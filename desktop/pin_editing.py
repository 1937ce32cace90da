"""Planning by hand in the console: drag-and-drop pins with live rule checks, undo/redo,
lock and forbid, ranked options, and "Complete the plan around my placements".

Installed on the main window by :func:`install`; it owns the undo stack and an Edit menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QInputDialog, QToolTip, QWidget

from desktop.actions import add_menu, command_action
from desktop.dnd import DragSource, DropTarget, Place
from desktop.options_view import ASK_OPTIONS, OptionsPanel, no_options_reason, option_text, signed
from desktop.pin_solve import CompleteSolver
from desktop.undo import forbid_command, lock_command, pin_command, unpin_command
from resources.errors import InputError
from resources.kpis import KpiCalculator
from resources.model import Scenario
from resources.placement import Breach, PlacementChecker, Proposal, default_tactic, describe
from resources.ranking import Option, rank_options

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

_PICK_PX = 14.0


class PinEditor(QObject):
    """The planner's hand edits: owns the undo stack, the drop checks and the options list."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.stack = QUndoStack(self)
        self._checker: PlacementChecker | None = None
        self._calc: tuple[Scenario, KpiCalculator] | None = None
        self.last_hover: tuple[Place, list[Breach]] | None = None
        self.last_message = ""
        self.drop_mark = pg.ScatterPlotItem(pxMode=True, symbol="o", size=34, brush=None)
        self.drop_mark.setZValue(30)
        self.changed_mark = pg.ScatterPlotItem(pxMode=True, symbol="s", size=22, brush=None,
                                               pen=pg.mkPen("#d55e00", width=2))
        self.changed_mark.setZValue(25)
        window.map.plot.addItem(self.drop_mark)
        window.map.plot.addItem(self.changed_mark)
        self.changed: frozenset[tuple[str, int]] = frozenset()
        self.options_panel = OptionsPanel()
        self.options_list = self.options_panel.list
        self.options_list.itemDoubleClicked.connect(self._pin_option)
        self._options: list[Option] = []
        self._options_for: tuple[str, int] | None = None
        self.options_dock = window.add_dock("options", "Options", self.options_panel,
                                            Qt.DockWidgetArea.RightDockWidgetArea, "roster")
        self.completer = CompleteSolver(window, self)
        st = window.state
        st.scenario_opened.connect(self.stack.clear)  # undo never reaches another scenario
        st.scenario_changed.connect(self._invalidate)
        st.plan_changed.connect(self._invalidate)
        st.slot_changed.connect(lambda _s: self._draw_changed())
        self.sources = [
            DragSource(window.roster.view.viewport(), self._roster_unit),
            DragSource(window.timeline.units_view.viewport(), self._timeline_unit),
            DragSource(window.map.plot.viewport(), self._map_unit),
        ]
        self.targets = [
            DropTarget(window.map.plot.viewport(), self._map_place, self),
            DropTarget(window.timeline.sites_view.viewport(), self._timeline_place, self),
        ]
        self.actions: dict[str, QAction] = {}
        self.what_if: Any = None
        self.pack: Any = None
        self._build_menu()

    # -- menu -----------------------------------------------------------------------------
    def _build_menu(self) -> None:
        menu = add_menu(self.w, "&Edit")
        undo = self.stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo = self.stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.actions.update(undo=undo, redo=redo)
        for key, text, shortcut, fn in (
            ("unpin", "Un&pin selected unit in this slot", "Ctrl+U", self.unpin_selected),
            ("lock_slot", "&Lock this slot...", "Ctrl+L", self.lock_slot_ask),
            ("lock_unit", "Lock selected &unit...", "Ctrl+Shift+L", self.lock_unit_ask),
            ("forbid", "&Forbid selected unit at a site...", "Ctrl+Shift+F", self.forbid_ask),
            ("options", "Ranked &options for selected unit", "Ctrl+R", self.show_options),
            ("complete", "&Complete the plan around my placements", "Ctrl+F5",
             self.completer.start),
        ):
            self.actions[key] = command_action(self, key, text, shortcut, fn)
        for key, action in self.actions.items():
            menu.addAction(action)
            self.w.addAction(action)
            if key == "redo":
                menu.addSeparator()

    # -- checks ---------------------------------------------------------------------------
    def _invalidate(self) -> None:
        self._checker = None
        if self._options_for is not None:
            self._options, self._options_for = [], None
            self.options_panel.set_options("The plan or the scenario changed: ask again "
                                           "(Ctrl+R) for fresh options.")

    def checker(self) -> PlacementChecker:
        """The placement checker of the open scenario and plan (built once per change)."""
        sc = self.w.state.scenario
        if sc is None:
            raise InputError("no scenario is open", field="scenario")
        if self._checker is None:
            self._checker = PlacementChecker(sc, self.w.state.plan)
        return self._checker

    def proposal(self, callsign: str, place: Place) -> Proposal:
        """The proposal a drop of ``callsign`` on ``place`` makes (default tactic)."""
        sc = self.w.state.scenario
        unit = sc.units_by_callsign.get(callsign) if sc is not None else None
        if sc is None or unit is None:
            return Proposal(callsign, place[1], place[0], default_tactic_unknown(place[0]))
        return Proposal(callsign, place[1], place[0], default_tactic(sc, unit, place[0]))

    def hover(self, callsign: str, place: Place, at: QPoint, widget: QWidget) -> list[Breach]:
        """Check a placement under the pointer and show the verdict at once."""
        breaches = self.checker().check(self.proposal(callsign, place))
        self.last_hover = (place, breaches)
        hard = any(b.hard for b in breaches)
        msg = (f"Cannot place {callsign}: " if hard else f"Place {callsign}: ") + describe(breaches)
        self._say(msg)
        QToolTip.showText(widget.mapToGlobal(at), msg, widget)
        self._mark(place[0], hard)
        return breaches

    def leave(self) -> None:
        """The drag left a target: clear the highlight."""
        self.drop_mark.setData(x=[], y=[])
        QToolTip.hideText()

    def drop(self, callsign: str, place: Place) -> bool:
        """Pin the unit there, or refuse with the reason."""
        try:
            proposal = self.proposal(callsign, place)
            hard = [b for b in self.checker().check(proposal) if b.hard]
        except InputError as err:
            self._say(f"Refused: {err}")
            return False
        if hard:
            self._say(f"Refused: {callsign} cannot go there: {describe(hard)}")
            return False
        return self.pin(proposal)

    # -- edits ----------------------------------------------------------------------------
    def pin(self, proposal: Proposal, rationale: str = "") -> bool:
        """Pin a placement (undoable) and report what it does to the slot."""
        before = self.w.state.plan
        try:
            self.stack.push(pin_command(self.w.state, proposal, rationale))
        except InputError as err:
            self._say(f"Refused: {err}")
            return False
        self._say(f"Pinned {proposal.callsign} in slot {proposal.slot + 1}. "
                  + self.pin_effect(before, proposal.slot))
        return True

    def pin_effect(self, before: Any, slot: int) -> str:
        """How the pins change the slot's coverage, reach and unpredictability."""
        sc, after = self.w.state.scenario, self.w.state.plan
        if sc is None or after is None or before is None:
            return ""
        from resources.predictability import plan_targets, site_entropy

        calc = self._calculator(sc)
        k0 = calc.slot_kpi([a for a in before.assignments if a.slot == slot], slot)
        k1 = calc.slot_kpi([a for a in after.assignments if a.slot == slot], slot)
        h0 = site_entropy(plan_targets(sc, before), slot)[0]
        h1 = site_entropy(plan_targets(sc, after), slot)[0]
        fixed = sum(1 for a in after.assignments if a.pinned)
        share = fixed / max(1, len(after.assignments))
        return (f"Slot {slot + 1}: risk coverage "
                f"{signed(100 * (k1.risk_coverage - k0.risk_coverage))} pts, armed reach "
                f"{signed(100 * (k1.armed_reach - k0.armed_reach))} pts, unpredictability "
                f"{signed(h1 - h0, 2)} bits; {len(sc.pins)} pins fix "
                f"{100 * share:.0f}% of postings (fixed postings are predictable).")

    def _calculator(self, sc: Scenario) -> KpiCalculator:
        if self._calc is None or self._calc[0] is not sc:
            self._calc = (sc, KpiCalculator(sc, self.checker().travel))
        return self._calc[1]

    def _run(self, make: Any) -> bool:
        try:
            self.stack.push(make())
        except InputError as err:
            self._say(f"Refused: {err}")
            return False
        self._say(self.stack.undoText() + " (Ctrl+Z to undo)")
        return True

    def unpin(self, callsign: str, slot: int) -> bool:
        """Remove a pin (undoable)."""
        return self._run(lambda: unpin_command(self.w.state, callsign, slot))

    def lock_slot(self, slot: int, rationale: str = "") -> bool:
        """Pin every posting of a slot (undoable)."""
        return self._run(lambda: lock_command(self.w.state, slot=slot, rationale=rationale))

    def lock_unit(self, callsign: str, rationale: str = "") -> bool:
        """Pin every posting of a unit (undoable)."""
        return self._run(lambda: lock_command(self.w.state, callsign=callsign,
                                              rationale=rationale))

    def forbid(self, callsign: str, site_id: str, rationale: str = "") -> bool:
        """Forbid a unit at a site in every slot (undoable)."""
        return self._run(lambda: forbid_command(self.w.state, callsign, site_id,
                                                rationale=rationale))

    def _selected_unit(self) -> str | None:
        sel = self.w.state.selection
        if sel is None or sel.kind != "unit":
            self._say("Select a unit first (roster, map or timeline)")
            return None
        return sel.key

    def _rationale(self, title: str) -> str | None:
        text, ok = QInputDialog.getText(self.w, title, "Rationale (optional, kept for audit):")
        return str(text) if ok else None

    def unpin_selected(self) -> None:
        """Unpin the selected unit in the current slot."""
        cs = self._selected_unit()
        if cs is not None:
            self.unpin(cs, self.w.state.slot)

    def lock_slot_ask(self) -> None:
        """Lock the current slot, asking for a rationale."""
        why = self._rationale("Lock slot")
        if why is not None:
            self.lock_slot(self.w.state.slot, why)

    def lock_unit_ask(self) -> None:
        """Lock the selected unit, asking for a rationale."""
        cs = self._selected_unit()
        why = self._rationale("Lock unit") if cs else None
        if cs is not None and why is not None:
            self.lock_unit(cs, why)

    def forbid_ask(self) -> None:
        """Forbid the selected unit at a site chosen from a list, with a rationale."""
        cs, sc = self._selected_unit(), self.w.state.scenario
        if cs is None or sc is None:
            return
        names = [f"{s.name} [{s.site_id}]" for s in sc.sites]
        choice, ok = QInputDialog.getItem(self.w, "Forbid", f"Forbid {cs} at:", names, 0, False)
        why = self._rationale("Forbid") if ok else None
        if why is not None:
            self.forbid(cs, sc.sites[names.index(choice)].site_id, why)

    # -- ranked options -------------------------------------------------------------------
    def show_options(self) -> list[Option]:
        """Rank postings for the selected unit in the current slot (double-click pins one)."""
        self.options_dock.show()
        self.options_dock.raise_()
        self._options, self._options_for = [], None
        cs, sc, plan = self._selected_unit(), self.w.state.scenario, self.w.state.plan
        unit = sc.units_by_callsign.get(cs) if sc is not None and cs is not None else None
        if cs is None or unit is None or sc is None or plan is None:
            self.options_panel.set_options(ASK_OPTIONS if unit is None else
                                           f"{cs}: plan first (F5); options compare "
                                           "postings against a plan.")
            return []
        slot = self.w.state.slot
        when = f"{cs}, slot {slot + 1} ({self.checker().when(slot)})"
        self._options = rank_options(sc, plan, cs, slot, checker=self.checker(),
                                     calculator=self._calculator(sc))
        self._options_for = (cs, slot)
        if not self._options:
            why = no_options_reason(self.checker(), unit, slot)
            self.options_panel.set_options(f"{when}: no options, because {why}.")
            self._say(f"No options for {cs} in slot {slot + 1}: {why}")
            return []
        self.options_panel.set_options(
            f"{when}: the {len(self._options)} best postings, best first. Double-click one "
            f"to pin it.", [option_text(o, sc) for o in self._options])
        self._say(f"{len(self._options)} options for {cs} (double-click to pin one)")
        return self._options

    def _pin_option(self, item: Any) -> None:
        row = self.options_list.row(item)
        if 0 <= row < len(self._options) and self._options_for is not None:
            o, (callsign, slot) = self._options[row], self._options_for
            self.pin(Proposal(callsign, slot, o.site_id, o.tactic))

    # -- drawing and places ---------------------------------------------------------------
    def _say(self, msg: str) -> None:
        self.last_message = msg
        self.w.statusBar().showMessage(msg)

    def _mark(self, site_id: str | None, hard: bool) -> None:
        geo = self.w.geo
        i = geo.site_index.get(site_id) if geo is not None and site_id else None
        if geo is None or i is None:
            self.drop_mark.setData(x=[], y=[])
            return
        colour = "#d55e00" if hard else "#009e73"
        self.drop_mark.setData(x=[geo.site_x[i]], y=[geo.site_y[i]],
                               pen=pg.mkPen(colour, width=3))

    def show_changed(self, changed: frozenset[tuple[str, int]]) -> None:
        """Highlight changed postings (callsign, slot) on the map for the current slot."""
        self.changed = changed
        self._draw_changed()

    def _draw_changed(self) -> None:
        idx, slot = self.w.index, self.w.state.slot
        xs, ys = [], []
        if idx is not None and idx.plan is not None:
            geo = idx.geo
            for a in idx.plan.assignments:
                if a.slot == slot and (a.callsign, a.slot) in self.changed:
                    i = geo.site_index.get(a.site_id) if a.site_id else None
                    if i is not None:
                        xs.append(geo.site_x[i])
                        ys.append(geo.site_y[i])
        self.changed_mark.setData(x=xs, y=ys)

    def _to_map(self, pos: QPoint) -> tuple[float, float, float]:
        vb = self.w.map.vb
        p = vb.mapSceneToView(self.w.map.plot.mapToScene(pos))
        px = vb.viewPixelSize()
        return float(p.x()), float(p.y()), _PICK_PX * max(float(px[0]), float(px[1]))

    def _map_place(self, pos: QPoint) -> Place | None:
        geo = self.w.geo
        if geo is None or not len(geo.site_x):
            return None
        x, y, r = self._to_map(pos)
        d = np.hypot(geo.site_x - x, geo.site_y - y)
        i = int(np.argmin(d))
        if d[i] > r:
            return None
        return self.w.state.scenario.sites[i].site_id if self.w.state.scenario else None, \
            self.w.state.slot

    def _map_unit(self, pos: QPoint) -> str | None:
        idx = self.w.index
        if idx is None or idx.plan is None:
            return None
        p = idx.postings(self.w.state.slot)
        if not len(p.x):
            return None
        x, y, r = self._to_map(pos)
        d = np.hypot(p.x - x, p.y - y)
        i = int(np.argmin(d))
        return idx.scenario.units[int(p.unit[i])].callsign if d[i] <= r else None

    def _timeline_place(self, pos: QPoint) -> Place | None:
        index = self.w.timeline.sites_view.indexAt(pos)
        sc = self.w.state.scenario
        if not index.isValid() or sc is None or index.row() >= len(sc.sites):
            return None
        return sc.sites[index.row()].site_id, index.column()

    def _timeline_unit(self, pos: QPoint) -> str | None:
        index = self.w.timeline.units_view.indexAt(pos)
        sc = self.w.state.scenario
        if not index.isValid() or sc is None or index.row() >= len(sc.units):
            return None
        return sc.units[index.row()].callsign

    def _roster_unit(self, pos: QPoint) -> str | None:
        panel = self.w.roster
        index = panel.view.indexAt(pos)
        if not index.isValid():
            return None
        row = panel.proxy.mapToSource(index).row()
        rows = panel.model.rows
        return rows[row].callsign if 0 <= row < len(rows) else None

    def shutdown(self) -> None:
        """Stop any re-solve (window closing)."""
        self.completer.shutdown()


def default_tactic_unknown(site_id: str | None) -> Any:
    """The tactic of a proposal for an unknown unit (the check reports the unit)."""
    from resources.model import Tactic

    return Tactic.RESERVE if site_id is None else Tactic.STATIC_POINT


def install(window: MainWindow) -> PinEditor:
    """Add hand planning (drag-and-drop pins, Edit and What-if menus, docks) to the window."""
    from desktop.compare_view import WhatIf
    from desktop.pack_actions import add_pack_actions

    editor = PinEditor(window)
    editor.what_if = WhatIf(window, editor)
    add_pack_actions(window, editor)
    return editor
