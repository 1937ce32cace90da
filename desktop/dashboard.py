"""Dashboard: armed share against the cap, risk coverage and armed reach per slot; unmet list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.theme import OKABE_ITO, colours
from resources.model import SlotKpi, Unmet

#: (title, attribute of SlotKpi, colour) of each chart.
CHARTS: tuple[tuple[str, str, str], ...] = (
    ("Armed share of deployed officers (%)", "armed_share", OKABE_ITO["vermillion"]),
    ("Risk-weighted site coverage (%)", "risk_coverage", OKABE_ITO["blue"]),
    ("Armed reach: share of London (%)", "armed_reach", OKABE_ITO["green"]),
)


class Dashboard(QWidget):
    """Per-slot KPI charts with the current slot marked; clicking a chart picks that slot."""

    slot_clicked = Signal(int)
    unmet_clicked = Signal(object)

    def __init__(self, dark: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.charts = pg.GraphicsLayoutWidget()
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.cursors: list[pg.InfiniteLine] = []
        for row, (title, attr, colour) in enumerate(CHARTS):
            plot = self.charts.addPlot(row=row, col=0, title=title)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.showGrid(x=False, y=True, alpha=0.25)
            plot.setYRange(0, 100, padding=0.05)
            curve = plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                              symbolBrush=colour, symbolPen=None)
            cursor = pg.InfiniteLine(angle=90, movable=False,
                                     pen=pg.mkPen(OKABE_ITO["grey"], width=1.5))
            plot.addItem(cursor)
            self.plots[attr], self.curves[attr] = plot, curve
            self.cursors.append(cursor)
        self.cap_line = pg.InfiniteLine(
            angle=0, movable=False, pen=pg.mkPen(OKABE_ITO["black"], width=1.5,
                                                 style=Qt.PenStyle.DashLine),
            label="cap {value:.0f}%", labelOpts={"position": 0.9})
        self.plots["armed_share"].addItem(self.cap_line)
        self.plots["armed_share"].setYRange(0, 12, padding=0.05)
        self.predictability: pg.PlotItem | None = None
        self.entropy_curves: list[pg.PlotDataItem] = []
        self._dark = dark
        self.charts.scene().sigMouseClicked.connect(self._chart_clicked)
        self.unmet_title = QLabel("Unmet targets")
        self.unmet = QListWidget()
        self.unmet.setWordWrap(True)
        self.unmet.itemClicked.connect(self._unmet_item_clicked)
        self.unmet.itemActivated.connect(self._unmet_item_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.charts, 3)
        layout.addWidget(self.unmet_title)
        layout.addWidget(self.unmet, 1)
        self.n_slots = 0
        self.labels: list[str] = []
        self._ticks: list[list[tuple[int, str]]] = []
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        """Switch chart colours between the light and dark themes."""
        self._dark = dark
        c = colours(dark)
        self.charts.setBackground(c.background)
        self.cap_line.setPen(pg.mkPen(c.foreground, width=1.5, style=Qt.PenStyle.DashLine))
        self.cap_line.label.setColor(c.foreground)
        for plot in self._all_plots():
            self._style(plot)

    def _all_plots(self) -> list[pg.PlotItem]:
        extra = [self.predictability] if self.predictability is not None else []
        return [*self.plots.values(), *extra]

    def _style(self, plot: pg.PlotItem) -> None:
        c = colours(self._dark)
        plot.titleLabel.setText(plot.titleLabel.text, color=c.foreground, size="9pt")
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setTextPen(c.foreground)
            plot.getAxis(axis).setPen(c.outline)

    def set_predictability(self, entropy: Sequence[tuple[float, float]] | None,
                           overlap: float | None, k: int) -> None:
        """Per-slot site-choice entropy (Shannon, min) in bits and the overlap with the last
        ``k`` plans; None removes the chart (no measure available)."""
        if entropy is None:
            if self.predictability is not None:
                self.charts.removeItem(self.predictability)
                self.cursors.pop()
                self.predictability, self.entropy_curves = None, []
            return
        if self.predictability is None:
            plot = self.charts.addPlot(row=len(CHARTS), col=0)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.showGrid(x=False, y=True, alpha=0.25)
            colour = OKABE_ITO["purple"]
            self.entropy_curves = [
                plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                          symbolBrush=colour, symbolPen=None),
                plot.plot([], [], pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine)),
            ]
            cursor = pg.InfiniteLine(angle=90, movable=False,
                                     pen=pg.mkPen(OKABE_ITO["grey"], width=1.5))
            plot.addItem(cursor)
            self.cursors.append(cursor)
            self.predictability = plot
        plot = self.predictability
        xs = np.arange(len(entropy), dtype=np.float64)
        self.entropy_curves[0].setData(xs, np.array([e[0] for e in entropy]))
        self.entropy_curves[1].setData(xs, np.array([e[1] for e in entropy]))
        tail = "" if overlap is None else f"; overlap with last {k} plan(s) {100 * overlap:.0f}%"
        plot.setTitle(f"Site-choice entropy, bits (dashed: min-entropy){tail}")
        self._style(plot)
        plot.setXRange(-0.5, max(len(entropy) - 0.5, 0.5), padding=0)
        plot.getAxis("bottom").setTicks(self._ticks)

    def set_data(self, kpis: Sequence[SlotKpi], unmet: Sequence[Unmet], cap_percent: float,
                 labels: Sequence[str]) -> None:
        """Show a plan's per-slot KPIs, the cap and its unmet targets."""
        self.n_slots, self.labels = len(labels), list(labels)
        xs = np.array([k.slot for k in kpis], dtype=np.float64)
        for attr, curve in self.curves.items():
            curve.setData(xs, np.array([100.0 * getattr(k, attr) for k in kpis]))
        self.cap_line.setValue(cap_percent)
        top = max([cap_percent * 1.4, *(100.0 * k.armed_share * 1.1 for k in kpis)])
        self.plots["armed_share"].setYRange(0, top, padding=0.05)
        step = max(1, -(-len(labels) // 5))  # at most five labels fit a narrow chart
        ticks = [(i, labels[i]) for i in range(0, len(labels), step)]
        self._ticks = [ticks]
        for plot in self.plots.values():
            plot.getAxis("bottom").setTicks([ticks])
            plot.setXRange(-0.5, max(len(labels) - 0.5, 0.5), padding=0)
        self.unmet.clear()
        for u in unmet:
            when = "all day" if u.slot is None or u.slot >= len(labels) else labels[u.slot]
            item = QListWidgetItem(f"[{when}] {u.subject}: {u.message}")
            item.setData(Qt.ItemDataRole.UserRole, u)
            item.setToolTip(u.message)
            self.unmet.addItem(item)
        self.unmet_title.setText(f"Unmet targets ({len(unmet)})" if unmet else
                                 "Unmet targets: none")

    def clear(self) -> None:
        """No plan: empty charts and list."""
        self.set_data((), (), 8.0, ())
        self.set_predictability(None, None, 0)
        self.unmet_title.setText("Unmet targets: no plan")

    def set_slot(self, slot: int) -> None:
        """Move the slot cursor on every chart."""
        for cursor in self.cursors:
            cursor.setValue(slot)

    def _chart_clicked(self, ev: Any) -> None:
        if not self.n_slots:
            return
        for plot in self._all_plots():
            if plot.sceneBoundingRect().contains(ev.scenePos()):
                x = plot.vb.mapSceneToView(ev.scenePos()).x()
                self.slot_clicked.emit(int(min(max(round(x), 0), self.n_slots - 1)))
                return

    def _unmet_item_clicked(self, item: QListWidgetItem) -> None:
        self.unmet_clicked.emit(item.data(Qt.ItemDataRole.UserRole))
