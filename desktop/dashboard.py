"""Dashboard: armed share against the cap, risk coverage and armed reach per slot; unmet list."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.theme import OKABE_ITO, colours
from resources.model import SlotKpi, Unmet

#: (title, attribute of SlotKpi, colour) of each chart; titles fit a 350-pixel dock at 10 pt.
CHARTS: tuple[tuple[str, str, str], ...] = (
    ("Armed share of officers (%)", "armed_share", OKABE_ITO["vermillion"]),
    ("Risk-weighted site coverage (%)", "risk_coverage", OKABE_ITO["blue"]),
    ("Armed reach: share of London (%)", "armed_reach", OKABE_ITO["green"]),
)
ENTROPY_TITLE = "Site-choice entropy, bits (dashed: min)"
#: Chart titles' size (docs/console.md: fonts at least 10 pt).
TITLE_SIZE = "10pt"
#: Height below which a chart loses its y-axis labels and the cap label: the charts scroll.
CHART_MIN_HEIGHT = 140
#: A slot label at the start of an unmet message ("00:00-02:00: ..."), shown once elsewhere.
_LEADING_SLOT = re.compile(r"^\d{2}:\d{2}-\d{2}:\d{2}: ")


def _plain(plot: pg.PlotItem) -> None:
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.showGrid(x=False, y=True, alpha=0.25)
    # the first slot's label may reach under the y-axis rather than vanish
    plot.getAxis("bottom").setStyle(hideOverlappingLabels=24)


class Dashboard(QWidget):
    """Per-slot KPI charts with the current slot marked; clicking a chart picks that slot."""

    slot_clicked = Signal(int)
    unmet_clicked = Signal(object)

    def __init__(self, dark: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.n_slots = 0
        self.slot = 0
        self.labels: list[str] = []
        self._ticks: list[list[tuple[int, str]]] = []
        self._unmet: list[Unmet] = []
        self._per_slot: Counter[int | None] = Counter()
        self._has_plan = False
        self.charts = pg.GraphicsLayoutWidget()
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.cursors: list[pg.InfiniteLine] = []
        for row, (title, attr, colour) in enumerate(CHARTS):
            plot = self.charts.addPlot(row=row, col=0, title=title)
            _plain(plot)
            plot.setYRange(0, 100, padding=0.05)
            curve = plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                              symbolBrush=colour, symbolPen=None)
            self.plots[attr], self.curves[attr] = plot, curve
            self._add_cursor(plot)
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
        self.chart_scroll = QScrollArea()
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.chart_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chart_scroll.setWidget(self.charts)
        self.charts.viewport().installEventFilter(self)  # the wheel scrolls the charts
        self.overlap_label = QLabel()
        self.overlap_label.setObjectName("overlap_label")
        self.overlap_label.setWordWrap(True)
        self.overlap_label.setToolTip("Mean overlap (multiset Jaccard of unit type x site x slot)"
                                      " with the scenario's last stored plans; lower is less"
                                      " predictable")
        self.overlap_label.hide()
        self.unmet_title = QLabel("Unmet targets")
        self.unmet_title.setWordWrap(True)
        self.this_slot = QCheckBox("This slot only")
        self.this_slot.setToolTip("List only the targets unmet in the selected slot"
                                  " (and those for the whole day)")
        self.this_slot.setChecked(True)
        self.this_slot.toggled.connect(lambda _on: self._fill_unmet())
        self.unmet = QListWidget()
        self.unmet.setWordWrap(True)
        self.unmet.setAlternatingRowColors(True)  # wrapped entries stay apart
        self.unmet.itemClicked.connect(self._unmet_item_clicked)
        self.unmet.itemActivated.connect(self._unmet_item_clicked)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._box(self.chart_scroll, self.overlap_label))
        heading = QHBoxLayout()
        heading.addWidget(self.unmet_title, 1)
        heading.addWidget(self.this_slot)
        self.splitter.addWidget(self._box(heading, self.unmet))
        self._split_by_user = False  # until then the charts keep two thirds (resizeEvent)
        self.splitter.splitterMoved.connect(self._user_split)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        self._fit_charts()
        self.set_dark(dark)

    @staticmethod
    def _box(*parts: QWidget | QHBoxLayout) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for part in parts:
            if isinstance(part, QHBoxLayout):
                layout.addLayout(part)
            else:
                layout.addWidget(part, 1 if isinstance(part, (QScrollArea, QListWidget)) else 0)
        return box

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Charts two thirds, unmet list one third, until the user moves the divider."""
        super().resizeEvent(event)
        if not self._split_by_user:
            height = self.splitter.height()
            self.splitter.setSizes([height * 2 // 3, height - height * 2 // 3])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The mouse wheel over the charts (which neither zoom nor pan) scrolls them."""
        if watched is self.charts.viewport() and event.type() == QEvent.Type.Wheel:
            QApplication.sendEvent(self.chart_scroll.verticalScrollBar(), event)
            return True
        return super().eventFilter(watched, event)

    def _user_split(self, *_args: object) -> None:
        self._split_by_user = True

    def _add_cursor(self, plot: pg.PlotItem) -> None:
        cursor = pg.InfiniteLine(angle=90, movable=False,
                                 pen=pg.mkPen(OKABE_ITO["grey"], width=1.5))
        cursor.setValue(self.slot)
        plot.addItem(cursor)
        self.cursors.append(cursor)

    def _fit_charts(self) -> None:
        """Every chart keeps its axes and labels: below that height the charts scroll."""
        self.charts.setMinimumHeight(CHART_MIN_HEIGHT * len(self._all_plots()))

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
        plot.titleLabel.setText(plot.titleLabel.text, color=c.foreground, size=TITLE_SIZE)
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
                self._fit_charts()
            self.overlap_label.hide()
            return
        if self.predictability is None:
            plot = self.charts.addPlot(row=len(CHARTS), col=0, title=ENTROPY_TITLE)
            _plain(plot)
            colour = OKABE_ITO["purple"]
            self.entropy_curves = [
                plot.plot([], [], pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                          symbolBrush=colour, symbolPen=None),
                plot.plot([], [], pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine)),
            ]
            self._add_cursor(plot)
            self.predictability = plot
            self._style(plot)
            self._fit_charts()
        plot = self.predictability
        xs = np.arange(len(entropy), dtype=np.float64)
        self.entropy_curves[0].setData(xs, np.array([e[0] for e in entropy]))
        self.entropy_curves[1].setData(xs, np.array([e[1] for e in entropy]))
        plot.setXRange(-0.5, max(len(entropy) - 0.5, 0.5), padding=0)
        plot.getAxis("bottom").setTicks(self._ticks)
        self.overlap_label.setVisible(overlap is not None)
        if overlap is not None:
            self.overlap_label.setText(f"Predictability: overlap with last {k} plan(s) "
                                       f"{100 * overlap:.0f}%")

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
        self._unmet = list(unmet)
        self._per_slot = Counter(self._slot_of(u) for u in unmet)
        self._has_plan = True
        self._fill_unmet()

    def clear(self) -> None:
        """No plan: empty charts and list."""
        self.set_data((), (), 8.0, ())
        self.set_predictability(None, None, 0)
        self._has_plan = False
        self._fill_unmet()

    def set_slot(self, slot: int) -> None:
        """Move the slot cursor on every chart; the unmet list follows when it shows one slot."""
        for cursor in self.cursors:
            cursor.setValue(slot)
        if slot != self.slot:
            self.slot = slot
            self._fill_unmet()

    def _slot_of(self, u: Unmet) -> int | None:
        return u.slot if u.slot is not None and 0 <= u.slot < self.n_slots else None

    def unmet_text(self, u: Unmet, with_slot: bool) -> str:
        """An unmet target in the list: its message once, the subject only when the message
        does not name it, the slot (or 'all day') only when the list spans several slots."""
        slot = self._slot_of(u)
        text = _LEADING_SLOT.sub("", u.message, count=1) if slot is not None else u.message
        parts = [p for p in u.subject.split("|") if p.strip()]
        if not all(p.strip().lower() in text.lower() for p in parts):
            text = f"{u.subject}: {text}"
        if slot is None:
            return f"[all day] {text}"
        return f"[{self.labels[slot]}] {text}" if with_slot else text

    def _fill_unmet(self) -> None:
        only = self.this_slot.isChecked()
        shown = [u for u in self._unmet if not only or self._slot_of(u) in (None, self.slot)]
        if only:  # this slot's own targets first, then those for the whole day
            shown.sort(key=lambda u: self._slot_of(u) is None)
        self.unmet.setUpdatesEnabled(False)
        self.unmet.clear()
        for u in shown:
            item = QListWidgetItem(self.unmet_text(u, not only))
            item.setData(Qt.ItemDataRole.UserRole, u)
            item.setToolTip(u.message)
            self.unmet.addItem(item)
        self.unmet.setUpdatesEnabled(True)
        if not self._has_plan:
            self.unmet_title.setText("Unmet targets: no plan")
        elif not self._unmet:
            self.unmet_title.setText("Unmet targets: none")
        else:
            here = self._per_slot[self.slot] + self._per_slot[None]
            self.unmet_title.setText(f"Unmet: {here} in this slot, {len(self._unmet)} in all")

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
