"""Roster and sites panels: a search box, filter combos and a sortable table each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
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
from desktop.table_base import KEY_ROLE, DomainTableModel, FilterProxy
from resources.errors import InputError
from resources.model import Scenario, UnitStatus

ALL = "(all)"


class TablePanel(QWidget):
    """A filterable, sortable table of one kind of domain row; emits the selected row's key."""

    selected = Signal(object)

    def __init__(self, kind: str, model: DomainTableModel[Any], proxy: FilterProxy,
                 placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind, self.model, self.proxy = kind, model, proxy
        proxy.setSourceModel(model)
        self.search = QLineEdit(placeholderText=placeholder, clearButtonEnabled=True)
        self.search.textChanged.connect(proxy.set_search)
        self.filters = QHBoxLayout()
        self.filters.addWidget(self.search, 2)
        self.view = QTableView()
        self.view.setModel(proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        self.layout_.addLayout(self.filters)
        self.layout_.addWidget(self.view)
        self._combos: dict[str, tuple[QComboBox, Callable[[Any], str]]] = {}
        self._echo = False

    def add_filter(self, name: str, value_of: Callable[[Any], str]) -> QComboBox:
        """A combo that keeps rows whose ``value_of(row)`` equals the chosen value."""
        combo = QComboBox()
        combo.setObjectName(f"filter_{name}")
        combo.setToolTip(f"Filter by {name}")
        combo.addItem(ALL)
        combo.currentTextChanged.connect(lambda text, n=name: self._filter_changed(n, text))
        self.filters.addWidget(combo, 1)
        self._combos[name] = (combo, value_of)
        return combo

    def _filter_changed(self, name: str, text: str) -> None:
        value_of = self._combos[name][1]
        pred = None if text in ("", ALL) else (lambda row, v=text: value_of(row) == v)
        self.proxy.set_filter(name, pred)

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
            self.selected.emit(Selection(self.kind, str(key)))

    def show_selection(self, selection: Selection | None) -> None:
        """Select and scroll to the row of ``selection`` if it is of this panel's kind."""
        if selection is None or selection.kind != self.kind:
            return
        row = self.model.row_of(selection.key)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return
        self._echo = True
        try:
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.view.scrollTo(index)
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
        for column in self.model.slot_columns:  # type: ignore[attr-defined]
            for row in range(top, bottom + 1):
                cell = self.proxy.mapToSource(self.proxy.index(row, column))
                self.model.dataChanged.emit(cell, cell)

    def selected_key(self) -> str | None:
        """The key of the current row, or None."""
        idx = self.view.selectionModel().currentIndex()
        key = idx.data(KEY_ROLE) if idx.isValid() else None
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
        self.commit_button.clicked.connect(self.commit_selected)
        self.free_button = QPushButton("Mark available")
        self.free_button.clicked.connect(self.free_selected)
        buttons.addWidget(self.commit_button)
        buttons.addWidget(self.free_button)
        buttons.addStretch(1)
        self.layout_.addLayout(buttons)

    def _edit(self, callsign: str, status: UnitStatus, operation: str) -> None:
        self.edit_status(callsign, status, operation)

    def set_scenario(self, scenario: Scenario | None) -> None:
        """Show a scenario's units."""
        assert isinstance(self.model, RosterModel)
        self.model.set_scenario(scenario)
        self.refill_filters()
        self.proxy.resort()

    def commit_selected(self, operation: str | None = None, callsign: str | None = None) -> None:
        """Commit a unit (default: the selected row) elsewhere; asks for the operation's name."""
        callsign = callsign or self.selected_key()
        if callsign is None:
            return
        if not isinstance(operation, str):
            operation, ok = QInputDialog.getText(
                self, "Commit elsewhere", f"Operation {callsign} is committed to:")
            if not ok:
                return
        self._apply(callsign, UnitStatus.COMMITTED, operation)

    def free_selected(self, callsign: str | None = None) -> None:
        """Make a unit (default: the selected row) available again."""
        callsign = callsign or self.selected_key()
        if callsign is not None:
            self._apply(callsign, UnitStatus.AVAILABLE, "")

    def _apply(self, callsign: str, status: UnitStatus, operation: str) -> None:
        try:
            self.edit_status(callsign, status, operation)
        except InputError as err:
            QMessageBox.warning(self, "Unit status", str(err))


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
        self.proxy.resort()
