"""Shared table machinery: a column-spec model over domain rows, its filter proxy, view helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QHelpEvent, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionComboBox,
    QStyleOptionViewItem,
    QStylePainter,
    QTableView,
    QToolTip,
    QWidget,
)

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column(Generic[R]):
    """A column: header, display text of a row, and the value it sorts by."""

    header: str
    text: Callable[[R], str]
    sort: Callable[[R], Any] | None = None
    align_right: bool = False
    tip: Callable[[R], str] | None = None
    #: Widest the column is sized to, in average characters (longer text elides); None: any.
    max_chars: int | None = None


class DomainTableModel(QAbstractTableModel, Generic[R]):
    """A read-mostly table over immutable domain rows; ``key`` identifies a row for selection."""

    #: The columns whose values change with the slot (subclasses set them).
    slot_columns: tuple[int, ...] = ()
    #: The values of these columns were replaced wholesale (e.g. a new plan): refit their widths.
    columns_replaced = Signal(object)

    def __init__(self, columns: Sequence[Column[R]], key: Callable[[R], str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.key = key
        self.rows: tuple[R, ...] = ()
        self._row_of: dict[str, int] = {}
        self._keys: dict[int, list[Any]] = {}

    def set_rows(self, rows: Sequence[R]) -> None:
        """Replace the rows; same keys in the same order refresh in place (keeps selection)."""
        rows = tuple(rows)
        same = len(rows) == len(self.rows) and all(
            self.key(a) == self.key(b) for a, b in zip(rows, self.rows, strict=True)
        )
        self._keys.clear()
        if same:
            self.rows = rows
            self.refresh()
            return
        self.beginResetModel()
        self.rows = rows
        self._row_of = {self.key(r): i for i, r in enumerate(rows)}
        self.endResetModel()

    def refresh(self, column: int | None = None) -> None:
        """Tell the views that cell contents changed (one column, or all)."""
        if column is None:
            self._keys.clear()
        else:
            self._keys.pop(column, None)
        if not self.rows:
            return
        first = 0 if column is None else column
        last = len(self.columns) - 1 if column is None else column
        self.dataChanged.emit(self.index(0, first), self.index(len(self.rows) - 1, last))

    def forget_keys(self, column: int) -> None:
        """Drop the cached sort keys of a column whose values changed."""
        self._keys.pop(column, None)

    def sort_key(self, row: int, column: int) -> Any:
        """The value row ``row`` sorts by in ``column`` (cached per column until it changes)."""
        keys = self._keys.get(column)
        if keys is None:
            col = self.columns[column]
            keys = [col.sort(r) if col.sort is not None else col.text(r).lower()
                    for r in self.rows]
            self._keys[column] = keys
        return keys[row]

    def column_of(self, header: str) -> int:
        """The position of the column headed ``header`` (ValueError when there is none)."""
        for i, col in enumerate(self.columns):
            if col.header == header:
                return i
        raise ValueError(f"no column headed {header!r}")

    def row_of(self, key: str) -> int | None:
        """The row holding ``key``, or None."""
        return self._row_of.get(key)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of rows (0 under any parent: this is a flat table)."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column headers; row numbers on the vertical header."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, sort value, row key, alignment and tooltip of a cell."""
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return col.text(row)
        if role == SORT_ROLE:
            return self.sort_key(index.row(), index.column())
        if role == KEY_ROLE:
            return self.key(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col.tip is not None:
            return col.tip(row)
        return None


class FilterProxy(QSortFilterProxyModel):
    """Sorts by SORT_ROLE; keeps rows that pass every named filter and the search text."""

    def __init__(self, search: Callable[[Any], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        # Slot switches change cell values many times a second: re-sort and re-filter only when
        # the rows themselves change (resort()) or the planner asks, never on every dataChanged.
        self.setDynamicSortFilter(False)
        self._search = search
        self._needle = ""
        self._filters: dict[str, Callable[[Any], bool]] = {}

    def set_search(self, text: str) -> None:
        """Keep rows whose search text contains ``text`` (case-insensitive)."""
        self.beginFilterChange()
        self._needle = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_filter(self, name: str, predicate: Callable[[Any], bool] | None) -> None:
        """Add, replace or (with None) remove a named row filter."""
        self.beginFilterChange()
        if predicate is None:
            self._filters.pop(name, None)
        else:
            self._filters[name] = predicate
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def resort(self) -> None:
        """Re-apply the filters and the current sort order after the rows changed."""
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        column, order = self.sortColumn(), self.sortOrder()
        if column >= 0:
            self.sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        """True when the row passes the search text and every filter."""
        model = self.sourceModel()
        assert isinstance(model, DomainTableModel)
        row = model.rows[source_row]
        if self._needle and self._needle not in self._search(row).lower():
            return False
        return all(f(row) for f in self._filters.values())

    def lessThan(self, left: Index, right: Index) -> bool:
        """Compare sort values; mixed types fall back to text."""
        model = self.sourceModel()
        assert isinstance(model, DomainTableModel)
        column = left.column()
        a, b = model.sort_key(left.row(), column), model.sort_key(right.row(), column)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)


# -- view helpers ----------------------------------------------------------------------------

#: Characters a filter drop-down asks room for (more when the dock is wider).
FILTER_MIN_CHARS = 6
#: Pixels a cell adds around its text (item margins and the grid line).
CELL_PADDING = 10


class FilterCombo(QComboBox):
    """A filter drop-down that reads "<label>: <choice>", the choice elided to fit."""

    def __init__(self, label: str, all_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label, self.all_text = label, all_text
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(FILTER_MIN_CHARS)
        self.setAccessibleName(f"{label} filter")
        self.currentTextChanged.connect(self._retip)
        self._retip(self.currentText())

    def display_text(self) -> str:
        """The text the closed drop-down shows, e.g. "Type: (all)"."""
        return f"{self.label}: {self.currentText()}"

    def _retip(self, text: str) -> None:
        shown = "every value" if text in ("", self.all_text) else text
        self.setToolTip(f"Filter by {self.label.lower()}: {shown}")

    def shown_text(self) -> str:
        """:meth:`display_text` elided to the width the drop-down has now."""
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        return self.fontMetrics().elidedText(self.display_text(), Qt.TextElideMode.ElideRight,
                                             max(field.width() - 4, 0))

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the frame and arrow as usual, with :meth:`shown_text`."""
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        opt.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)


class ElidedTipDelegate(QStyledItemDelegate):
    """Cells show the model's tooltip, or, when their text is elided, the full text."""

    def cell_tip(self, index: Index, width: int, metrics: QFontMetrics) -> str | None:
        """The tooltip of a cell ``width`` pixels wide (None: no tooltip)."""
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        if tip:
            return str(tip)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if text and metrics.horizontalAdvance(str(text)) + CELL_PADDING > width:
            return str(text)
        return None

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,
                  option: QStyleOptionViewItem, index: Index) -> bool:
        """Show :meth:`cell_tip` for tooltip events."""
        if event is None or event.type() != QEvent.Type.ToolTip or not index.isValid():
            return super().helpEvent(event, view, option, index)
        tip = self.cell_tip(index, option.rect.width(), option.fontMetrics)
        if tip is None:
            QToolTip.hideText()
            event.ignore()
            return False
        QToolTip.showText(event.globalPos(), tip, view)
        return True


def fit_columns(view: QTableView, model: DomainTableModel[Any],
                columns: Iterable[int] | None = None) -> None:
    """Size columns to their header and contents, none wider than its ``max_chars``."""
    header = view.horizontalHeader()
    metrics, heading = view.fontMetrics(), header.fontMetrics()
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    # room for the header text beside the sort arrow (the arrow takes half the header height)
    arrow = max(header.sizeHint().height(), heading.height()) // 2 + 4 * margin + 2
    for c in range(len(model.columns)) if columns is None else columns:
        col = model.columns[c]
        texts = {col.text(row) for row in model.rows}
        content = max((metrics.horizontalAdvance(t) for t in texts), default=0) + CELL_PADDING
        if col.max_chars is not None:
            content = min(content, metrics.averageCharWidth() * col.max_chars + CELL_PADDING)
        header.resizeSection(c, max(heading.horizontalAdvance(col.header) + arrow, content))
