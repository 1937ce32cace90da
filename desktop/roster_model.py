"""The roster table: units with type, crew, arms, borough, status and the current posting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt

from desktop.plan_index import PlanIndex
from desktop.table_base import Column, DomainTableModel, FilterProxy, Index
from resources.errors import InputError
from resources.model import Scenario, Unit, UnitStatus

#: Column of the editable operation name ("committed to").
COMMITTED_COLUMN = 7
#: Column of the unit's posting in the selected slot.
POSTING_COLUMN = 1
#: Widest the posting column is sized to, in characters (longer postings elide; tooltip shows).
POSTING_CHARS = 17

StatusEditor = Callable[[str, UnitStatus, str], None]


class RosterModel(DomainTableModel[Unit]):
    """Units of the open scenario. Editing 'Committed to' commits (text) or frees (empty) a unit."""

    def __init__(self, edit_status: StatusEditor, parent: QObject | None = None) -> None:
        super().__init__(self._columns(), key=lambda u: u.callsign, parent=parent)
        self.scenario: Scenario | None = None
        self.index_: PlanIndex | None = None
        self.slot = 0
        self._edit_status = edit_status
        self.last_error = ""

    def _columns(self) -> list[Column[Unit]]:
        # what a controller scans first (who, where now, free or not) comes first
        return [
            Column("Callsign", lambda u: u.callsign),
            Column("Posting (slot)", self._posting, max_chars=POSTING_CHARS),
            Column("Status", lambda u: u.status.value, tip=_status_tip),
            Column("Type", lambda u: u.type_code, tip=self._type_name),
            Column("Armed", lambda u: str(self._armed(u)) if self._armed(u) else "",
                   sort=self._armed, align_right=True),
            Column("Officers", lambda u: str(u.officers), sort=lambda u: u.officers,
                   align_right=True),
            Column("Borough", lambda u: u.borough, max_chars=16),
            Column("Committed to", lambda u: u.committed_to, max_chars=20),
        ]

    def set_scenario(self, scenario: Scenario | None) -> None:
        """Show the units of a scenario (None: empty)."""
        self.scenario = scenario
        self.set_rows(scenario.units if scenario is not None else ())

    def set_plan(self, index: PlanIndex | None, slot: int) -> None:
        """Use a plan for the posting column."""
        self.index_, self.slot = index, slot
        self.refresh(POSTING_COLUMN)
        self.columns_replaced.emit(self.slot_columns)

    slot_columns: tuple[int, ...] = (POSTING_COLUMN,)

    def set_slot(self, slot: int, notify: bool = True) -> None:
        """Show postings of another slot (``notify`` False: the caller repaints what shows)."""
        self.slot = slot
        self.forget_keys(POSTING_COLUMN)
        if notify:
            self.refresh(POSTING_COLUMN)

    def _armed(self, u: Unit) -> int:
        if self.scenario is None:
            return 0
        return self.scenario.unit_type(u).armed_for(u.officers)

    def _type_name(self, u: Unit) -> str:
        return self.scenario.unit_type(u).name if self.scenario is not None else u.type_code

    def _posting(self, u: Unit) -> str:
        if self.index_ is None or self.index_.plan is None:
            return ""
        row = self.index_.geo.unit_index.get(u.callsign)
        a = self.index_.at(row, self.slot) if row is not None else None
        if a is None:
            return ""
        if a.site_id is None:
            return f"reserve ({a.standby_id or 'base'})"
        site = self.index_.scenario.sites_by_id.get(a.site_id)
        return f"{site.name if site else a.site_id} - {a.tactic.value.replace('_', ' ')}"

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Cells are selectable; 'Committed to' is editable."""
        base = super().flags(index)
        if index.isValid() and index.column() == COMMITTED_COLUMN:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Typing an operation name commits the unit elsewhere; clearing it makes it available."""
        if role != Qt.ItemDataRole.EditRole or index.column() != COMMITTED_COLUMN:
            return False
        unit = self.rows[index.row()]
        text = " ".join(str(value).split())
        status = UnitStatus.COMMITTED if text else UnitStatus.AVAILABLE
        try:
            self._edit_status(unit.callsign, status, text)
        except InputError as err:
            self.last_error = str(err)
            return False
        return True


def _status_tip(u: Unit) -> str:
    if u.status is UnitStatus.COMMITTED:
        return f"Committed to {u.committed_to}" if u.committed_to else "Committed elsewhere"
    return "Available to plan"


def roster_proxy(parent: QObject | None = None) -> FilterProxy:
    """A proxy that sorts the roster and searches by callsign, type or borough."""
    return FilterProxy(lambda u: f"{u.callsign} {u.type_code} {u.borough} {u.committed_to}",
                       parent)
