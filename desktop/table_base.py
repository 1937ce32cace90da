"""Shared table machinery: a column-spec model over a tuple of domain rows, and its filter proxy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
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


class DomainTableModel(QAbstractTableModel, Generic[R]):
    """A read-mostly table over immutable domain rows; ``key`` identifies a row for selection."""

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
