"""Roster and sites panels: a search box, labelled filters and a sortable table each."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.roster_model import RosterModel, StatusEditor, roster_proxy
from desktop.sites_model import SitesModel, sites_proxy
from desktop.state import Selection
from desktop.table_base import (
    KEY_ROLE,
    DomainTableModel,
    ElidedTipDelegate,
    FilterCombo,
    FilterProxy,
    fit_columns,
)
from resources.errors import InputError
from resources.model import Scenario, UnitStatus

ALL = "(all)"
#: What the status bar says when Commit elsewhere / Mark available have no unit to act on.
NO_UNIT_MESSAGE = "Select a unit first (on the map, in the roster or in the timeline)"
#: Narrowest the search box gets, in average characters.
SEARCH_MIN_CHARS = 18


class EditOutcome(Enum):
    """What Commit elsewhere / Mark available did."""

    DONE = "done"  # the unit's status changed
    CANCELLED = "cancelled"  # the planner cancelled the operation-name dialog
    REFUSED = "refused"  # the edit was refused (the reason was shown in a message box)
    NO_UNIT = "no unit"  # no unit given and none selected in the roster: nothing done


class TablePanel(QWidget):
    """A filterable, sortable table of one kind of domain row; emits the selected row's key."""

    selected = Signal(object)

    def __init__(self, kind: str, model: DomainTableModel[Any], proxy: FilterProxy,
                 placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind, self.model, self.proxy = kind, model, proxy
        proxy.setSourceModel(model)
        self.search = QLineEdit(placeholderText=placeholder, clearButtonEnabled=True)
        self.search.setMinimumWidth(self.search.fontMetrics().averageCharWidth()
                                    * SEARCH_MIN_CHARS)
        self.search.setToolTip(placeholder.rstrip("."))
        self.search.textChanged.connect(lambda text: self._refilter(proxy.set_search, text))
        self.filters = QHBoxLayout()
        self.view = QTableView()
        self.view.setModel(proxy)
        self.view.setItemDelegate(ElidedTipDelegate(self.view))
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        # whole rows are selected: bold headers over every column would say nothing
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        model.modelReset.connect(lambda: fit_columns(self.view, self.model))
        model.columns_replaced.connect(lambda cols: fit_columns(self.view, self.model, cols))
        fit_columns(self.view, model)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        self.layout_.addWidget(self.search)
        self.layout_.addLayout(self.filters)
        self.layout_.addWidget(self.view)
        self._combos: dict[str, tuple[QComboBox, Callable[[Any], str]]] = {}
        self._echo = False
        self._shown: Selection | None = None

    def add_filter(self, name: str, value_of: Callable[[Any], str]) -> QComboBox:
        """A combo that keeps rows whose ``value_of(row)`` equals the chosen value."""
        combo = FilterCombo(name.capitalize(), ALL)
        combo.setObjectName(f"filter_{name}")
        combo.addItem(ALL)
        combo.currentTextChanged.connect(lambda text, n=name: self._filter_changed(n, text))
        # share the row by label length, so "Borough: (all)" has the room "Type: (all)" spares
        self.filters.addWidget(combo, len(combo.label) + 6)
        self._combos[name] = (combo, value_of)
        return combo

    def _filter_changed(self, name: str, text: str) -> None:
        value_of = self._combos[name][1]
        pred = None if text in ("", ALL) else (lambda row, v=text: value_of(row) == v)
        self._refilter(lambda: self.proxy.set_filter(name, pred))

    def _refilter(self, apply: Callable[..., None], *args: Any) -> None:
        """Change the rows shown without changing the shared selection.

        (Qt moves the current row to a neighbour when it is filtered out: that must not
        select another unit or site.)
        """
        self._echo = True
        try:
            apply(*args)
        finally:
            self._echo = False
        self.show_selection(self._shown)

    def refill_filters(self) -> None:
        """Offer the values present in the rows (keeps the current choice when still present)."""
        for combo, value_of in self._combos.values():
            current = combo.currentText()
            values = sorted({value_of(r) for r in self.model.rows})
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([ALL, *values])
            combo.setCurrentText(current if current in values else ALL)
            combo.blockSignals(False)
            self._filter_changed(next(k for k, v in self._combos.items() if v[0] is combo),
                                 combo.currentText())

    def _current_changed(self, current: Any, previous: Any) -> None:
        if self._echo or not current.isValid():
            return
        key = current.data(KEY_ROLE)
        if key is not None:
            self._shown = Selection(self.kind, str(key))
            self.selected.emit(self._shown)

    def show_selection(self, selection: Selection | None) -> None:
        """Select and scroll to the row of ``selection``; clear the table's selection when it
        is of another kind, none, or not shown (so the table never suggests a stale row)."""
        self._shown = selection
        index = QModelIndex()
        if selection is not None and selection.kind == self.kind:
            row = self.model.row_of(selection.key)
            if row is not None:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
        chosen = self.view.selectionModel()
        self._echo = True
        try:
            if not index.isValid():
                chosen.clear()
                return
            current = chosen.currentIndex()
            if current.isValid() and current.row() == index.row():
                index = current  # the planner's own click: stay in the cell clicked
            chosen.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                   | QItemSelectionModel.SelectionFlag.Rows)
            # bring the row into view without scrolling sideways (a double-click on a column
            # scrolled into view must land on the same cell twice)
            bar = self.view.horizontalScrollBar()
            across = bar.value()
            self.view.scrollTo(index)
            bar.setValue(across)
        finally:
            self._echo = False

    def set_slot(self, slot: int) -> None:
        """Show another slot, repainting only the visible cells of the slot's columns.

        (One dataChanged over a whole column makes Qt repaint the entire table.)
        """
        self.model.set_slot(slot, notify=False)  # type: ignore[attr-defined]
        if not self.view.isVisible() or not self.proxy.rowCount():
            return
        top = max(self.view.rowAt(0), 0)
        bottom = self.view.rowAt(self.view.viewport().height() - 1)
        bottom = self.proxy.rowCount() - 1 if bottom < 0 else bottom
        for column in self.model.slot_columns:
            for row in range(top, bottom + 1):
                cell = self.proxy.mapToSource(self.proxy.index(row, column))
                self.model.dataChanged.emit(cell, cell)

    def selected_key(self) -> str | None:
        """The key of the selected row, or None when the table has no selected row."""
        rows = self.view.selectionModel().selectedRows()
        key = rows[0].data(KEY_ROLE) if rows else None
        return str(key) if key is not None else None


class RosterPanel(TablePanel):
    """The roster: filter by type, status and borough; commit a unit elsewhere or free it."""

    def __init__(self, edit_status: StatusEditor, parent: QWidget | None = None) -> None:
        super().__init__("unit", RosterModel(lambda c, s, o: self._edit(c, s, o)),
                         roster_proxy(), "Search callsign, type, borough...", parent)
        self.edit_status = edit_status
        self.add_filter("type", lambda u: u.type_code)
        self.add_filter("status", lambda u: u.status.value)
        self.add_filter("borough", lambda u: u.borough)
        buttons = QHBoxLayout()
        self.commit_button = QPushButton("Commit elsewhere...")
        self.commit_button.setToolTip("Mark the selected unit as committed to another operation")
        self.commit_button.clicked.connect(lambda: self.commit_selected())
        self.free_button = QPushButton("Mark available")
        self.free_button.setToolTip("Make the selected unit available to plan again")
        self.free_button.clicked.connect(lambda: self.free_selected())
        buttons.addWidget(self.commit_button)
        buttons.addWidget(self.free_button)
        buttons.addStretch(1)
        self.layout_.addLayout(buttons)
        self.view.selectionModel().selectionChanged.connect(self._enable_buttons)
        self._enable_buttons()

    def _enable_buttons(self, *_: Any) -> None:
        has_unit = self.selected_key() is not None
        self.commit_button.setEnabled(has_unit)
        self.free_button.setEnabled(has_unit)

    def show_selection(self, selection: Selection | None) -> None:
        """Show the shared selection; the status buttons act only on a selected row."""
        super().show_selection(selection)
        self._enable_buttons()

    def _edit(self, callsign: str, status: UnitStatus, operation: str) -> None:
        self.edit_status(callsign, status, operation)

    def set_scenario(self, scenario: Scenario | None) -> None:
        """Show a scenario's units."""
        assert isinstance(self.model, RosterModel)
        self.model.set_scenario(scenario)
        self.refill_filters()
        self._refilter(self.proxy.resort)

    def unit_to_edit(self, callsign: str | None = None) -> str | None:
        """The unit the status actions act on: ``callsign`` if given, else the roster's
        selected row, else None (never a row the roster merely highlighted earlier)."""
        return callsign if callsign else self.selected_key()

    def commit_selected(self, operation: str | None = None,
                        callsign: str | None = None) -> EditOutcome:
        """Commit ``callsign`` (default: the roster's selected row) to another operation;
        asks for the operation's name when ``operation`` is None."""
        target = self.unit_to_edit(callsign)
        if target is None:
            return EditOutcome.NO_UNIT
        if operation is None:
            operation, ok = QInputDialog.getText(
                self, "Commit elsewhere", f"Operation {target} is committed to:")
            if not ok:
                return EditOutcome.CANCELLED
        return self._apply(target, UnitStatus.COMMITTED, operation)

    def free_selected(self, callsign: str | None = None) -> EditOutcome:
        """Make ``callsign`` (default: the roster's selected row) available again."""
        target = self.unit_to_edit(callsign)
        if target is None:
            return EditOutcome.NO_UNIT
        return self._apply(target, UnitStatus.AVAILABLE, "")

    def _apply(self, callsign: str, status: UnitStatus, operation: str) -> EditOutcome:
        try:
            self.edit_status(callsign, status, operation)
        except InputError as err:
            QMessageBox.warning(self, "Unit status", str(err))
            return EditOutcome.REFUSED
        return EditOutcome.DONE


class SitesPanel(TablePanel):
    """The sites: filter by kind and borough, search by id or name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("site", SitesModel(), sites_proxy(), "Search site id, name, borough...",
                         parent)
        self.add_filter("kind", lambda s: s.kind.value.replace("_", " "))
        self.add_filter("borough", lambda s: s.borough)

    def set_scenario(self, scenario: Scenario | None) -> None:
        """Show a scenario's sites."""
        assert isinstance(self.model, SitesModel)
        self.model.set_scenario(scenario)
        self.refill_filters()
        self._refilter(self.proxy.resort)
