"""The solve panel: time limit, Plan and Cancel, a progress bar and a live incumbent/bound chart."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.solve_worker import ProgressPoint
from desktop.theme import OKABE_ITO, colours


class SolvePanel(QWidget):
    """Shows a running solve; its buttons are wired to actions by the main window."""

    def __init__(self, time_limit_s: int, dark: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.time_limit = QSpinBox()
        self.time_limit.setRange(1, 3600)
        self.time_limit.setSuffix(" s")
        self.time_limit.setValue(time_limit_s)
        self.time_limit.setToolTip("Time limit for the solver")
        self.plan_button = QPushButton("Plan")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setFormat("idle")
        self.status = QLabel("No solve yet")
        self.status.setWordWrap(True)
        self.chart = pg.PlotWidget()
        self.chart.setMenuEnabled(False)
        self.chart.setMouseEnabled(x=False, y=False)
        self.chart.hideButtons()
        self.chart.setLabel("bottom", "seconds")
        self.chart.setLabel("left", "objective")
        self.chart.setMinimumHeight(120)
        legend = self.chart.addLegend(offset=(-8, 8), labelTextSize="8pt")
        self.incumbent = self.chart.plot([], [], pen=pg.mkPen(OKABE_ITO["blue"], width=2),
                                         name="incumbent", stepMode=None)
        self.bound = self.chart.plot([], [], name="bound",
                                     pen=pg.mkPen(OKABE_ITO["orange"], width=2))
        self._legend = legend
        row = QHBoxLayout()
        form = QFormLayout()
        form.addRow("Time limit", self.time_limit)
        row.addLayout(form)
        row.addWidget(self.plan_button)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.chart, 1)
        self._xs: list[float] = []
        self._obj: list[float] = []
        self._bxs: list[float] = []
        self._bound: list[float] = []
        self._reports = 0
        self._limit = float(time_limit_s)
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        """Switch chart colours with the theme."""
        c = colours(dark)
        self.chart.setBackground(c.background)
        self._legend.setLabelTextColor(c.foreground)
        for axis in ("left", "bottom"):
            self.chart.getAxis(axis).setTextPen(c.foreground)
            self.chart.getAxis(axis).setPen(c.outline)

    def solving(self, on: bool) -> None:
        """Switch the panel between running and idle."""
        self.plan_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        self.time_limit.setEnabled(not on)
        if on:
            self._limit = float(self.time_limit.value())
            self._xs, self._obj, self._bxs, self._bound = [], [], [], []
            self._reports = 0
            self.incumbent.setData([], [])
            self.bound.setData([], [])
            self.progress.setValue(0)
            self.progress.setFormat("solving... %p% of the time limit")
            self.status.setText("Solving...")
        else:
            self.progress.setFormat("done")
            self.progress.setValue(self.progress.maximum())

    def add_progress(self, p: ProgressPoint) -> None:
        """Plot one progress report and move the bar."""
        self._reports += 1
        if p.objective is not None:
            self._xs.append(p.elapsed_s)
            self._obj.append(p.objective)
            self.incumbent.setData(self._xs, self._obj)
        if p.bound is not None:
            self._bxs.append(p.elapsed_s)
            self._bound.append(p.bound)
            self.bound.setData(self._bxs, self._bound)
        frac = min(1.0, p.elapsed_s / self._limit) if self._limit > 0 else 0.0
        self.progress.setValue(int(frac * self.progress.maximum()))
        parts = [f"{p.elapsed_s:.1f} s", f"{p.solutions} solution(s)"]
        if p.phase:  # e.g. "improving 12/84": where a long solve has got to
            parts.insert(1, p.phase)
        if p.objective is not None:
            parts.append(f"objective {p.objective:,.1f}")
        if p.bound is not None:
            parts.append(f"bound {p.bound:,.1f}")
        if p.gap is not None:
            parts.append(f"gap {100 * p.gap:.1f}%")
        self.status.setText(", ".join(parts))

    def points(self) -> int:
        """Number of progress reports received in this solve."""
        return self._reports
