"""Every main action of the console with its menu and keyboard shortcut; the shortcuts dialog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class ActionSpec:
    """An action: key (the handler's name), menu, label, shortcut, and whether it toggles."""

    key: str
    menu: str
    text: str
    shortcut: str
    checkable: bool = False
    tip: str = ""


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open_scenario", "&File", "&Open scenario...", "Ctrl+O",
               tip="Open a scenario from the store"),
    ActionSpec("new_from_london", "&File", "&New scenario from London...", "Ctrl+N",
               tip="A new scenario built from the embedded London"),
    ActionSpec("duplicate_scenario", "&File", "&Duplicate scenario...", "Ctrl+Shift+D"),
    ActionSpec("save", "&File", "&Save scenario and plan", "Ctrl+S"),
    ActionSpec("edit_marking", "&File", "Protective &marking...", "Ctrl+Shift+M"),
    ActionSpec("quit", "&File", "&Quit", "Ctrl+Q"),
    ActionSpec("plan", "&Plan", "&Plan (solve)", "F5", tip="Solve the deployment plan"),
    ActionSpec("cancel_solve", "&Plan", "&Cancel solve (keep best plan)", "Shift+F5"),
    ActionSpec("plan_history", "&Plan", "Plan &history", "Ctrl+H"),
    ActionSpec("raise_threat", "&Plan", "&Raise threat level", "Ctrl+Shift+Up"),
    ActionSpec("lower_threat", "&Plan", "&Lower threat level", "Ctrl+Shift+Down"),
    ActionSpec("commit_unit", "&Plan", "Commit selected unit &elsewhere...", "Ctrl+E"),
    ActionSpec("free_unit", "&Plan", "Mark selected unit &available", "Ctrl+Shift+E"),
    ActionSpec("next_slot", "&Time", "&Next slot", "Ctrl+Right"),
    ActionSpec("previous_slot", "&Time", "&Previous slot", "Ctrl+Left"),
    ActionSpec("play", "&Time", "&Play / pause", "F6"),
    ActionSpec("find", "&View", "&Find unit or site", "Ctrl+F"),
    ActionSpec("zoom_london", "&View", "&Zoom to London", "Ctrl+0"),
    ActionSpec("toggle_dark", "&View", "&Dark theme", "Ctrl+Shift+T", checkable=True),
    ActionSpec("layer_cells", "&View", "Layer: armed reach cells", "Alt+1", checkable=True),
    ActionSpec("layer_boroughs", "&View", "Layer: boroughs", "Alt+2", checkable=True),
    ActionSpec("layer_thames", "&View", "Layer: the Thames", "Alt+3", checkable=True),
    ActionSpec("layer_sites", "&View", "Layer: sites", "Alt+4", checkable=True),
    ActionSpec("layer_units", "&View", "Layer: units", "Alt+5", checkable=True),
    ActionSpec("layer_ctsfo", "&View", "Layer: CTSFO reach", "Alt+6", checkable=True),
    ActionSpec("shortcuts", "&Help", "&Keyboard shortcuts", "F1"),
)

#: Shortcuts of the dock toggles (View menu), by dock object name.
DOCK_SHORTCUTS: dict[str, str] = {
    "roster": "Ctrl+1", "sites": "Ctrl+2", "timeline": "Ctrl+3", "dashboard": "Ctrl+4",
    "solve": "Ctrl+5", "plans": "Ctrl+6",
}


def command_action(parent: QObject, key: str, text: str, shortcut: str,
                   fn: Callable[[], object]) -> QAction:
    """A plain (not checkable) action named ``key`` that calls ``fn`` when triggered."""
    action = QAction(text, parent)
    action.setObjectName(key)
    action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _=False, f=fn: f())
    return action


def build_actions(window: QMainWindow,
                  handler: Callable[[str], Callable[..., object]]) -> dict[str, QAction]:
    """Create the actions, put them in the menu bar, and connect each to ``handler(key)``."""
    menus: dict[str, object] = {}
    out: dict[str, QAction] = {}
    bar = window.menuBar()
    for spec in ACTIONS:
        menu = menus.get(spec.menu)
        if menu is None:
            menu = bar.addMenu(spec.menu)
            menus[spec.menu] = menu
        action = QAction(spec.text, window)
        action.setObjectName(spec.key)
        action.setShortcut(QKeySequence(spec.shortcut))
        action.setCheckable(spec.checkable)
        if spec.tip:
            action.setToolTip(f"{spec.tip} ({spec.shortcut})")
            action.setStatusTip(spec.tip)
        fn = handler(spec.key)
        if spec.checkable:
            action.toggled.connect(fn)
        else:
            action.triggered.connect(lambda _=False, f=fn: f())
        menu.addAction(action)  # type: ignore[attr-defined]
        window.addAction(action)
        out[spec.key] = action
    return out


def add_menu(window: QMainWindow, title: str) -> QMenu:
    """A new menu-bar menu, placed before Help (which stays last)."""
    bar = window.menuBar()
    help_ = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    menu = QMenu(title, bar)
    if help_ is None:
        bar.addMenu(menu)
    else:
        bar.insertMenu(help_, menu)
    return menu


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str]]:
    """(action, shortcut) for every action of the window that has a shortcut."""
    rows: list[tuple[str, str]] = []
    for action in window.findChildren(QAction):
        seq = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if seq and action.text():
            text = action.text().replace("&", "")
            if isinstance(action.parent(), QDockWidget):  # View > a panel's show/hide toggle
                text = f"{text} panel (show or hide)"
            rows.append((text, seq))
    return sorted(set(rows))


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: a table of every action and its keys."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        self.table.verticalHeader().hide()
        for r, (text, keys) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(text))
            self.table.setItem(r, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(460, 560)
