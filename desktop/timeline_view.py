"""The plan over time: units x slots (Gantt, coloured by posting) and sites x slots (who, when)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QTableView,
    QTabWidget,
    QWidget,
)

from desktop.plan_index import PlanIndex
from desktop.state import Selection
from desktop.table_base import Index
from desktop.theme import (
    OKABE_ITO,
    SITE_LEGEND,
    TIMELINE_CATEGORIES,
    UNIT_LEGEND,
    category_brush,
    category_text,
    kind_colour,
    text_colour_on,
)
from desktop.timeline_legend import CellFrame, TimelineLegend

# Roles as plain ints: data() runs for every visible cell on every repaint.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)


def slot_labels(index: PlanIndex | None) -> list[str]:
    """Column headers: 'HH:MM', prefixed with the day when the horizon spans several days."""
    if index is None:
        return []
    cal = index.scenario.calendar
    multi = cal.days > 1
    return [f"D{s.day + 1} {s.start:%H:%M}" if multi else f"{s.start:%H:%M}"
            for s in cal.slots()]


class _SlotGrid(QAbstractTableModel):
    """Common parts: slot columns, the current slot marked in the header."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.index_: PlanIndex | None = None
        self.labels: list[str] = []
        self.slot = 0
        self.bold = QFont()
        self.bold.setBold(True)

    def set_index(self, index: PlanIndex | None) -> None:
        """Show a plan (or only the scenario's rows when the index has no plan)."""
        self.beginResetModel()
        self.index_ = index
        self.labels = slot_labels(index)
        self._rebuild()
        self.endResetModel()

    def _rebuild(self) -> None:
        """Recompute cached arrays after a new index."""

    def set_slot(self, slot: int) -> None:
        """Remember the current slot (the view draws its marker; headers stay unchanged).

        Changing header data would make Qt re-lay out and repaint the whole table on every
        slot switch, which costs more than the rest of the switch together at week size.
        """
        self.slot = slot

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One column per slot."""
        return 0 if parent.isValid() else len(self.labels)

    def slot_header(self, section: int, role: int) -> Any:
        """Header of a slot column: its start time."""
        if int(role) == _DISPLAY:
            return self.labels[section]
        return None


class UnitTimelineModel(_SlotGrid):
    """Rows are units, columns slots; each cell coloured by the unit's posting category."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._brushes = [category_brush(i) for i in range(len(TIMELINE_CATEGORIES))]
        self._text = [category_text(i) for i in range(len(TIMELINE_CATEGORIES))]
        self._short: list[str] = []

    def _rebuild(self) -> None:
        idx = self.index_
        self._short = []
        if idx is not None:
            names = {s.site_id: s.site_id for s in idx.scenario.sites}
            self._short = [names.get(a.site_id, "") if a.site_id else "R"
                           for a in idx.assignments]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One row per unit."""
        if parent.isValid() or self.index_ is None:
            return 0
        return len(self.index_.scenario.units)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Slots across, callsigns down."""
        if orientation == Qt.Orientation.Horizontal:
            return self.slot_header(section, role)
        if role == Qt.ItemDataRole.DisplayRole and self.index_ is not None:
            return self.index_.scenario.units[section].callsign
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Posting colour, readable text colour, site id ('R' for reserve) and a tooltip."""
        idx = self.index_
        role = int(role)
        if idx is None or role not in (_BACKGROUND, _FOREGROUND, _DISPLAY, _TOOLTIP):
            return None
        u, s = index.row(), index.column()
        if role == _BACKGROUND:
            return self._brushes[idx.category[u, s]]
        if role == _FOREGROUND:
            return self._text[idx.category[u, s]]
        if role == _DISPLAY:
            i = idx.assignment[u, s]
            return self._short[i] if i >= 0 else None
        if role == _TOOLTIP:
            a = idx.at(u, s)
            unit = idx.scenario.units[u]
            if a is None:
                return f"{unit.callsign}: {TIMELINE_CATEGORIES[int(idx.category[u, s])][0]}"
            site = idx.scenario.sites_by_id.get(a.site_id) if a.site_id else None
            where = site.name if site else f"reserve at {a.standby_id or 'base'}"
            return (f"{unit.callsign} {self.labels[s]}: {where}\n"
                    f"{a.tactic.value.replace('_', ' ')}, {a.officers} officers"
                    f"{', ' + str(a.armed_officers) + ' armed' if a.armed_officers else ''}"
                    f"{' (pinned)' if a.pinned else ''}")
        return None


class SiteTimelineModel(_SlotGrid):
    """Rows are sites, columns slots; each cell counts the units there (armed in brackets)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.counts = np.zeros((0, 0), dtype=np.int32)
        self.armed = np.zeros((0, 0), dtype=np.int32)
        self.who: dict[tuple[int, int], list[str]] = {}
        self._brushes: list[QBrush] = []
        self._text: list[QColor] = []

    def _rebuild(self) -> None:
        idx = self.index_
        n_sites = len(idx.scenario.sites) if idx else 0
        n_slots = idx.n_slots if idx else 0
        self.counts = np.zeros((n_sites, n_slots), dtype=np.int32)
        self.armed = np.zeros((n_sites, n_slots), dtype=np.int32)
        self.who = {}
        if idx is None:
            return
        for a in idx.assignments:
            s = idx.geo.site_index.get(a.site_id) if a.site_id else None
            if s is None or not 0 <= a.slot < n_slots:
                continue
            self.counts[s, a.slot] += 1
            self.armed[s, a.slot] += 1 if a.armed_officers else 0
            self.who.setdefault((s, a.slot), []).append(a.callsign)
        fills = [kind_colour(site.kind.value) for site in idx.scenario.sites]
        self._brushes = [QBrush(QColor(c)) for c in fills]
        self._text = [QColor(text_colour_on(c)) for c in fills]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """One row per site."""
        if parent.isValid() or self.index_ is None:
            return 0
        return len(self.index_.scenario.sites)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Slots across, site names down."""
        if orientation == Qt.Orientation.Horizontal:
            return self.slot_header(section, role)
        if role == Qt.ItemDataRole.DisplayRole and self.index_ is not None:
            return self.index_.scenario.sites[section].name
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Units present (armed in brackets), coloured by site kind when covered."""
        role = int(role)
        if self.index_ is None or role not in (_BACKGROUND, _FOREGROUND, _DISPLAY, _TOOLTIP,
                                               _FONT):
            return None
        r, c = index.row(), index.column()
        n = int(self.counts[r, c])
        if role == _DISPLAY:
            if not n:
                return None
            armed = int(self.armed[r, c])
            return f"{n} ({armed})" if armed else str(n)
        if role == _BACKGROUND and n:
            return self._brushes[r]
        if role == _FOREGROUND and n:
            return self._text[r]
        if role == _FONT and self.armed[r, c]:
            return self.bold
        if role == _TOOLTIP and n:
            return f"{self.index_.scenario.sites[r].name}, {self.labels[c]}: " + ", ".join(
                self.who.get((r, c), []))
        return None


class TimelineView(QTabWidget):
    """Two tabs: by unit and by site. Clicking a cell selects its row's object and slot."""

    selected = Signal(object)
    slot_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.units_model, self.sites_model = UnitTimelineModel(self), SiteTimelineModel(self)
        self.units_view = self._view(self.units_model, "unit")
        self.sites_view = self._view(self.sites_model, "site")
        self.addTab(self.units_view, "By unit")
        self.addTab(self.sites_view, "By site")
        self.legend = TimelineLegend()
        self.setCornerWidget(self.legend, Qt.Corner.TopRightCorner)
        self.currentChanged.connect(self._tab_changed)
        self.markers: dict[QTableView, QFrame] = {}
        self.cell_frames: dict[QTableView, CellFrame] = {}
        for view in (self.units_view, self.sites_view):
            marker = QFrame(view.viewport())
            marker.setObjectName("current_slot_marker")
            marker.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            marker.setStyleSheet(f"border: 2px solid {OKABE_ITO['vermillion']};"
                                 " background: transparent;")
            marker.hide()
            self.markers[view] = marker
            self.cell_frames[view] = CellFrame(view.viewport())
            for bar in (view.horizontalScrollBar(), view.verticalScrollBar()):
                bar.valueChanged.connect(lambda _v, v=view: self._place_marker(v))
            for header in (view.horizontalHeader(), view.verticalHeader()):
                header.sectionResized.connect(lambda *_a, v=view: self._place_marker(v))
            view.selectionModel().currentChanged.connect(
                lambda *_a, v=view: self._place_marker(v))
            view.model().modelReset.connect(lambda v=view: self.cell_frames[v].hide())

    def _view(self, model: _SlotGrid, kind: str) -> QTableView:
        view = QTableView()
        view.setModel(model)
        # the current cell is framed (CellFrame): a selection fill would look like a posting
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setShowGrid(False)
        view.setWordWrap(False)
        for header, size in ((view.horizontalHeader(), 56), (view.verticalHeader(), 20)):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setDefaultSectionSize(size)
        view.clicked.connect(lambda ix, k=kind: self._clicked(k, ix))
        return view

    def _clicked(self, kind: str, index: QModelIndex) -> None:
        idx = self.units_model.index_
        if idx is None or not index.isValid():
            return
        if kind == "unit":
            key = idx.scenario.units[index.row()].callsign
        else:
            key = idx.scenario.sites[index.row()].site_id
        self.selected.emit(Selection(kind, key))
        self.slot_clicked.emit(index.column())

    def set_index(self, index: PlanIndex | None) -> None:
        """Show a plan index in both tabs."""
        self.units_model.set_index(index)
        self.sites_model.set_index(index)
        width = 96 if index is None or index.n_slots <= 12 else 56 if index.n_slots <= 24 else 34
        for view in (self.units_view, self.sites_view):
            view.horizontalHeader().setDefaultSectionSize(width)

    def set_slot(self, slot: int) -> None:
        """Frame the current slot's column and scroll it into view."""
        for model, view in ((self.units_model, self.units_view),
                            (self.sites_model, self.sites_view)):
            model.set_slot(slot)
            self._follow_slot(view)

    def _follow_slot(self, view: QTableView) -> None:
        """Scroll a shown view to the current slot (a hidden one has no width yet)."""
        slot, viewport = self.units_model.slot, view.viewport()
        if view.isVisible() and 0 <= slot < view.model().columnCount():
            x, width = view.columnViewportPosition(slot), view.columnWidth(slot)
            if x < 0 or x + width > viewport.width():
                bar = view.horizontalScrollBar()
                bar.setValue(bar.value() + x - (viewport.width() - width) // 2)
        self._place_marker(view)

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again (e.g. its dock): bring the current slot into view."""
        super().showEvent(event)
        self._tab_changed(self.currentIndex())

    def _tab_changed(self, i: int) -> None:
        shown = self.widget(i)
        self.legend.set_entries(SITE_LEGEND if shown is self.sites_view else UNIT_LEGEND)
        if isinstance(shown, QTableView):
            self._follow_slot(shown)

    def _place_marker(self, view: QTableView) -> None:
        model = view.model()
        assert isinstance(model, _SlotGrid)
        current, frame = view.currentIndex(), self.cell_frames[view]
        if current.isValid():
            frame.setGeometry(view.visualRect(current))
            frame.show()
            frame.raise_()
        else:
            frame.hide()
        marker = self.markers[view]
        if not 0 <= model.slot < model.columnCount():
            marker.hide()
            return
        marker.setGeometry(view.columnViewportPosition(model.slot), 0,
                           view.columnWidth(model.slot), view.viewport().height())
        marker.show()
        marker.raise_()

    def marker_column(self, view: QTableView) -> int:
        """The column the current-slot frame sits on (-1 when hidden)."""
        marker = self.markers[view]
        return view.columnAt(marker.geometry().center().x()) if marker.isVisible() else -1

    def show_selection(self, selection: Selection | None) -> None:
        """Scroll to the selected unit's or site's row."""
        idx = self.units_model.index_
        if selection is None or idx is None:
            return
        if selection.kind == "unit" and selection.key in idx.geo.unit_index:
            view, row = self.units_view, idx.geo.unit_index[selection.key]
        elif selection.kind == "site" and selection.key in idx.geo.site_index:
            view, row = self.sites_view, idx.geo.site_index[selection.key]
        else:
            return
        model = view.model()
        col = max(0, min(self.units_model.slot, model.columnCount() - 1))
        if model.rowCount() and model.columnCount():
            view.setCurrentIndex(model.index(row, col))
            view.scrollTo(model.index(row, col))
