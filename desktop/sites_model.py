"""The sites table: name, risk and units now, kind, borough, presence limits and id."""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop.plan_index import PlanIndex
from desktop.table_base import Column, DomainTableModel, FilterProxy
from resources.model import Scenario, Site

#: Columns that change with the slot: risk now, units now, armed now.
SLOT_COLUMNS = (1, 2, 3)
#: Widest the name column is sized to, in characters (longer names elide; tooltip shows).
NAME_CHARS = 17


class SitesModel(DomainTableModel[Site]):
    """Sites of the open scenario with the risk and presence of the selected slot."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(self._columns(), key=lambda s: s.site_id, parent=parent)
        self.scenario: Scenario | None = None
        self.index_: PlanIndex | None = None
        self.slot = 0
        self._hours: list[float] = []

    def _columns(self) -> list[Column[Site]]:
        # the name and what is there now first; the id (also in the name's tooltip) last
        return [
            Column("Name", lambda s: s.name, tip=_name_tip, max_chars=NAME_CHARS),
            Column("Risk now", lambda s: f"{self._risk_now(s):.1f}", sort=self._risk_now,
                   align_right=True),
            Column("Units now", lambda s: self._count(s, armed=False),
                   sort=lambda s: int(self._count(s, armed=False) or 0), align_right=True),
            Column("Armed now", lambda s: self._count(s, armed=True),
                   sort=lambda s: int(self._count(s, armed=True) or 0), align_right=True),
            Column("Kind", lambda s: s.kind.value.replace("_", " "), max_chars=14),
            Column("Borough", lambda s: s.borough, max_chars=16),
            Column("Risk", lambda s: f"{s.risk:g}", sort=lambda s: s.risk, align_right=True),
            Column("Presence", lambda s: f"{s.min_presence}-{s.max_presence}",
                   sort=lambda s: s.min_presence, align_right=True),
            Column("ID", lambda s: s.site_id, max_chars=24),
        ]

    def set_scenario(self, scenario: Scenario | None) -> None:
        """Show the sites of a scenario (None: empty)."""
        self.scenario = scenario
        self._hours = [sl.start_hour for sl in scenario.calendar.slots()] if scenario else []
        self.set_rows(scenario.sites if scenario is not None else ())

    def set_plan(self, index: PlanIndex | None, slot: int) -> None:
        """Use a plan for the presence columns."""
        self.index_, self.slot = index, slot
        for c in SLOT_COLUMNS:
            self.refresh(c)
        self.columns_replaced.emit(SLOT_COLUMNS)

    slot_columns: tuple[int, ...] = SLOT_COLUMNS

    def set_slot(self, slot: int, notify: bool = True) -> None:
        """Show another slot's risk and presence (``notify`` False: the caller repaints)."""
        self.slot = slot
        for c in SLOT_COLUMNS:
            self.forget_keys(c)
            if notify:
                self.refresh(c)

    def _risk_now(self, s: Site) -> float:
        hour = self._hours[self.slot] if self.slot < len(self._hours) else 0.0
        return s.risk_at(hour)

    def _count(self, s: Site, armed: bool) -> str:
        idx = self.index_
        if idx is None or idx.plan is None:
            return ""
        i = idx.geo.site_index.get(s.site_id)
        if i is None:
            return ""
        post = idx.postings(self.slot)
        return str(int(post.site_armed[i] if armed else post.site_units[i]))


def _name_tip(s: Site) -> str:
    head = f"{s.name} ({s.site_id})"
    return f"{head}\n{s.notes}" if s.notes else head


def sites_proxy(parent: QObject | None = None) -> FilterProxy:
    """A proxy that sorts sites and searches by id, name or borough."""
    return FilterProxy(lambda s: f"{s.site_id} {s.name} {s.borough}", parent)
