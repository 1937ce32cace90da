"""The solve panel: time limit, Plan and Cancel, a progress bar and a live incumbent/bound chart."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
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

#: Legend and axis label size (docs/console.md: fonts at least 10 pt).
TEXT_SIZE = "10pt"
WAITING = "Objective and bound appear once every slot has a plan."
NO_OBJECTIVE = "No objective reported: the solve stopped before every slot had a plan."


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
        self.chart.setMinimumHeight(120)
        self.chart.getPlotItem().enableAutoRange(x=False, y=False)
        self.chart.getAxis("bottom").setStyle(hideOverlappingLabels=16)  # keep the "0" label
        # one row at the top right, in a band the y-range keeps free of points (_set_ranges)
        self._legend = self.chart.addLegend(offset=(-8, 4), labelTextSize=TEXT_SIZE, colCount=2)
        blue, orange = OKABE_ITO["blue"], OKABE_ITO["orange"]
        # symbols: the solver often reports the objective once, and one point has no line
        self.incumbent = self.chart.plot([], [], pen=pg.mkPen(blue, width=2), name="incumbent",
                                         symbol="o", symbolSize=8, symbolBrush=blue,
                                         symbolPen=None)
        self.bound = self.chart.plot([], [], pen=pg.mkPen(orange, width=2), name="bound",
                                     symbol="t", symbolSize=9, symbolBrush=orange,
                                     symbolPen=None)
        for curve, colour in ((self.incumbent, blue), (self.bound, orange)):
            # the legend draws the scatter's own colours, which stay grey until data arrives
            curve.scatter.setBrush(pg.mkBrush(colour))
            curve.scatter.setPen(pg.mkPen(None))
        self.placeholder = QLabel(WAITING)
        self.placeholder.setObjectName("chart_placeholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setContentsMargins(24, 0, 24, 24)
        self.placeholder.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        font = self.placeholder.font()
        font.setPointSizeF(max(font.pointSizeF(), 11.0))
        self.placeholder.setFont(font)
        chart_area = QWidget()
        grid = QGridLayout(chart_area)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.chart, 0, 0)
        grid.addWidget(self.placeholder, 0, 0)  # on top of the chart, in the same cell
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
        layout.addWidget(chart_area, 1)
        self._xs: list[float] = []
        self._obj: list[float] = []
        self._bxs: list[float] = []
        self._bound: list[float] = []
        self._reports = 0
        self._limit = float(time_limit_s)
        self._elapsed = 0.0
        self._dark = dark
        self.set_dark(dark)
        self._set_ranges()

    def set_dark(self, dark: bool) -> None:
        """Switch chart colours, axis labels and the legend with the theme."""
        self._dark = dark
        c = colours(dark)
        self.chart.setBackground(c.background)
        style = {"color": c.foreground, "font-size": TEXT_SIZE}
        self.chart.setLabel("bottom", "seconds", **style)
        self.chart.setLabel("left", "objective", **style)
        for axis in ("left", "bottom"):
            self.chart.getAxis(axis).setTextPen(c.foreground)
            self.chart.getAxis(axis).setPen(c.outline)
        legend = self._legend
        legend.setBrush(pg.mkBrush(c.background))
        legend.setPen(pg.mkPen(c.outline))
        legend.setLabelTextColor(c.foreground)
        legend.setLabelTextSize(TEXT_SIZE)
        for _, label in legend.items:  # pyqtgraph keeps the old colour until the text is set
            label.setText(label.text)

    def legend_labels(self) -> list[pg.LabelItem]:
        """The legend's text items (incumbent, bound)."""
        return [label for _, label in self._legend.items]

    def _set_ranges(self) -> None:
        """x from 0 to the time limit (or the time used, if longer); y around the points, with
        a free band at the top for the legend."""
        self.chart.setXRange(0.0, 1.04 * max(self._limit, self._elapsed, 1.0), padding=0)
        values = self._obj + self._bound
        self.chart.getAxis("left").setStyle(showValues=bool(values))  # no made-up 0-1 scale
        lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        span = (hi - lo) or max(abs(hi) * 0.05, 1.0)
        self.chart.setYRange(lo - 0.08 * span, hi + 0.3 * span, padding=0)

    def solving(self, on: bool) -> None:
        """Switch the panel between running and idle."""
        self.plan_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        self.time_limit.setEnabled(not on)
        if on:
            self._limit = float(self.time_limit.value())
            self._xs, self._obj, self._bxs, self._bound = [], [], [], []
            self._reports = 0
            self._elapsed = 0.0
            self.incumbent.setData([], [])
            self.bound.setData([], [])
            self.placeholder.setText(WAITING)
            self.placeholder.show()
            self._set_ranges()
            self.progress.setValue(0)
            self.progress.setFormat("solving... %p% of the time limit")
            self.status.setText("Solving...")
        else:
            if not self._xs and not self._bxs:
                self.placeholder.setText(NO_OBJECTIVE if self._reports else WAITING)
            self.progress.setFormat("done")
            self.progress.setValue(self.progress.maximum())

    def add_progress(self, p: ProgressPoint) -> None:
        """Plot one progress report and move the bar."""
        self._reports += 1
        self._elapsed = max(self._elapsed, p.elapsed_s)
        if p.objective is not None:
            self._xs.append(p.elapsed_s)
            self._obj.append(p.objective)
            self.incumbent.setData(self._xs, self._obj)
        if p.bound is not None:
            self._bxs.append(p.elapsed_s)
            self._bound.append(p.bound)
            self.bound.setData(self._bxs, self._bound)
        self.placeholder.setVisible(not self._xs and not self._bxs)
        self._set_ranges()
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
