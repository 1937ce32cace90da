"""Store-facing views: the scenario picker dialog and the plan history list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def scenario_line(info: Any) -> str:
    """One line describing a stored or built-in scenario."""
    where = "built-in" if info.builtin and not info.stored else f"v{info.version}"
    when = f", saved {info.updated_at[:16].replace('T', ' ')}" if info.updated_at else ""
    return (f"{info.name}  ({where}{when}) - {info.units} units, {info.sites} sites, "
            f"threat {info.threat_level}")


class ScenarioPicker(QDialog):
    """Lists the store's scenarios; ``chosen()`` is the name picked."""

    def __init__(self, infos: Sequence[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open scenario")
        self.list = QListWidget()
        for info in infos:
            item = QListWidgetItem(scenario_line(info))
            item.setData(Qt.ItemDataRole.UserRole, info.name)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Scenarios in the store:"))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def chosen(self) -> str | None:
        """The selected scenario's name, or None."""
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None


class PlanHistory(QWidget):
    """The plan history of the open scenario, newest first; emits the id of a plan to open."""

    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.itemActivated.connect(self._activated)
        self.open_button = QPushButton("Open plan")
        self.open_button.clicked.connect(self._open_current)
        self.title = QLabel("Plan history")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        layout.addWidget(self.open_button)

    def set_plans(self, scenario: str | None, infos: Sequence[Any],
                  current_id: str | None = None) -> None:
        """Show plan records (PlanInfo), marking the one on screen."""
        self.list.clear()
        self.title.setText(f"Plan history: {scenario}" if scenario else "Plan history")
        for info in infos:
            mark = "\u25cf " if info.plan_id == current_id else ""
            when = info.created_at[:19].replace("T", " ")
            item = QListWidgetItem(f"{mark}{info.plan_id}  {when}  threat {info.threat_level}"
                                   f"  seed {info.seed if info.seed is not None else '-'}")
            item.setData(Qt.ItemDataRole.UserRole, info.plan_id)
            item.setToolTip(f"content hash {info.content_hash[:16]}")
            self.list.addItem(item)

    def plan_ids(self) -> list[str]:
        """Ids listed, in order."""
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.list.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _open_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._activated(item)
