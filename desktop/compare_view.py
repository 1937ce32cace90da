"""What-if: keep a plan as the baseline, change the scenario (threat level, roster, pins), plan
again, and compare the two side by side: KPI differences per slot and the changed postings,
listed and highlighted on the map."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.actions import add_menu, command_action
from resources.compare import KPI_FIELDS, SHARES, PlanComparison, compare_plans, format_delta
from resources.kpis import plan_kpis
from resources.model import Plan, Scenario

if TYPE_CHECKING:
    from desktop.main_window import MainWindow
    from desktop.pin_editing import PinEditor


def _value(name: str, v: float | None) -> str:
    if v is None:
        return ""
    return f"{100 * v:.1f}%" if name in SHARES else f"{v:.0f}"


class CompareView(QWidget):
    """KPI differences per slot (baseline, now, difference) and the changed postings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("Keep a baseline (Ctrl+B), change the scenario, plan again, "
                              "then compare (Ctrl+Shift+B).")
        self.summary.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setObjectName("compare_kpis")
        self.changes = QListWidget()
        self.changes.setObjectName("compare_changes")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.changes)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.comparison: PlanComparison | None = None

    def show_comparison(self, cmp: PlanComparison, labels: list[str]) -> None:
        """Fill the KPI table and the list of changed postings."""
        self.comparison = cmp
        cols = [f"{label} {part}" for _, label in KPI_FIELDS for part in ("base", "now", "diff")]
        self.table.clear()
        self.table.setColumnCount(len(cols))
        self.table.setHorizontalHeaderLabels(cols)
        self.table.setRowCount(len(cmp.slots))
        self.table.setVerticalHeaderLabels(
            [labels[s.slot] if s.slot < len(labels) else str(s.slot) for s in cmp.slots])
        for r, s in enumerate(cmp.slots):
            for k, (name, _) in enumerate(KPI_FIELDS):
                cells = (_value(name, s.value(name, "before")),
                         _value(name, s.value(name, "after")), format_delta(name, s.delta(name)))
                for j, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.table.setItem(r, 3 * k + j, item)
        self.table.resizeColumnsToContents()
        self.changes.clear()
        for c in cmp.changes:
            entry = QListWidgetItem(c.describe())
            entry.setData(Qt.ItemDataRole.UserRole, (c.callsign, c.slot))
            self.changes.addItem(entry)
        cov = cmp.mean_delta("risk_coverage")
        reach = cmp.mean_delta("armed_reach")
        self.summary.setText(
            f"Baseline {cmp.before.plan_id or 'unsaved'} ({cmp.before.threat_level}) against "
            f"{cmp.after.plan_id or 'unsaved'} ({cmp.after.threat_level}): "
            f"{len(cmp.changes)} postings changed; mean risk coverage "
            f"{format_delta('risk_coverage', cov)}, armed reach "
            f"{format_delta('armed_reach', reach)}.")


class WhatIf:
    """The baseline and the comparison dock, wired to the window."""

    def __init__(self, window: MainWindow, editor: PinEditor) -> None:
        self.w, self.editor = window, editor
        self.baseline: tuple[Scenario, Plan] | None = None
        self.view = CompareView()
        self.dock = window.add_dock("compare", "Compare plans", self.view,
                                    Qt.DockWidgetArea.BottomDockWidgetArea, tab_with="timeline")
        self.view.changes.itemClicked.connect(self._focus)
        menu = add_menu(window, "&What-if")
        self.actions: dict[str, QAction] = {}
        for key, text, shortcut, fn in (
            ("baseline", "Keep this plan as the &baseline", "Ctrl+B", self.keep_baseline),
            ("compare", "&Compare with the baseline", "Ctrl+Shift+B", self.compare),
        ):
            action = command_action(window, key, text, shortcut, fn)
            menu.addAction(action)
            window.addAction(action)
            self.actions[key] = action
        menu.addAction(window.actions_["duplicate_scenario"])

    def keep_baseline(self) -> bool:
        """Remember the shown plan (and its scenario) as the baseline."""
        st = self.w.state
        if st.scenario is None or st.plan is None:
            self.editor._say("There is no plan to keep as the baseline")
            return False
        self.baseline = (st.scenario, st.plan)
        self.editor._say(f"Baseline kept: plan {st.plan.plan_id or 'unsaved'} of "
                         f"{st.scenario.name}")
        return True

    def compare(self) -> PlanComparison | None:
        """Compare the shown plan with the baseline; highlight changed postings on the map."""
        st = self.w.state
        if self.baseline is None or st.scenario is None or st.plan is None:
            self.editor._say("Keep a baseline first (Ctrl+B), then plan again and compare")
            return None
        base_sc, base = self.baseline
        if base_sc.calendar != st.scenario.calendar:
            self.editor._say("The baseline has another calendar: the plans cannot be compared")
            return None
        cmp = compare_plans(base, st.plan, plan_kpis(base_sc, base.assignments),
                            plan_kpis(st.scenario, st.plan.assignments))
        labels = [f"{s.start:%a %H:%M}" for s in st.scenario.calendar.slots()]
        self.view.show_comparison(cmp, labels)
        self.editor.show_changed(cmp.changed_keys())
        self.dock.show()
        self.dock.raise_()
        self.editor._say(f"Compared with the baseline: {len(cmp.changes)} postings changed "
                         f"(highlighted on the map)")
        return cmp

    def _focus(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        if not key:
            return
        from desktop.state import Selection

        callsign, slot = key
        self.w.state.set_slot(int(slot))
        if self.w.state.scenario and callsign in self.w.state.scenario.units_by_callsign:
            self.w.state.select(Selection("unit", str(callsign)))
