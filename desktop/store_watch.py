"""Notice commits made by other processes (or windows) and keep the console in step.

A timer polls the store's change token (the head of the audit trail). When the open
scenario was saved elsewhere, the console reloads it if it has no unsaved edits, and
otherwise warns that its own save would be refused. New plans refresh the plan history;
a restore reloads everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from resources.errors import InputError

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

#: Poll interval in milliseconds; 0 turns the timer off (tests poll by hand).
POLL_MS = 2000


class StoreWatcher(QObject):
    """Polls the store every ``interval_ms`` and applies other processes' changes."""

    def __init__(self, window: MainWindow, interval_ms: int = POLL_MS) -> None:
        super().__init__(window)
        self.w = window
        self.token: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Take the current change token and start polling (unless the interval is 0)."""
        self.token = self._current_token()
        if self.timer.interval() > 0:
            self.timer.start()

    def stop(self) -> None:
        """Stop polling."""
        self.timer.stop()

    def _current_token(self) -> str | None:
        from resources.store import Store

        try:
            with Store.open(self.w.db_path) as store:
                token: str = store.change_token()
                return token
        except InputError:
            return None

    def poll(self) -> None:
        """Look for commits since the last poll and apply them (GUI thread)."""
        from resources.store import Store

        if self.token is None:
            self.token = self._current_token()
            return
        try:
            with Store.open(self.w.db_path) as store:
                changes: Any = store.changes_since(self.token)
        except InputError as err:
            self.w.statusBar().showMessage(f"Store: {err}")
            return
        self.token = changes.token
        if not changes.entries and not changes.reset:
            return
        self.apply(changes)

    def apply(self, changes: Any) -> None:
        """React to a batch of committed changes."""
        scenario = self.w.state.scenario
        if scenario is None:
            return
        if changes.reset:
            self._reload(scenario.name, "the database was restored")
            return
        mine = f"scenario:{scenario.name}"
        saved = [e for e in changes.entries if e.object == mine and e.outcome == "ok"]
        if saved:
            self._scenario_saved_elsewhere(scenario.name, saved[-1])
        if any(e.object.startswith("plan:") for e in changes.entries):
            self.w.commands.refresh_history()

    def _scenario_saved_elsewhere(self, name: str, entry: Any) -> None:
        from desktop import operations as ops

        try:
            _, stored_version = ops.load_scenario(self.w.db_path, name)
        except InputError:
            return
        held = self.w.state.scenario_version
        if held is not None and stored_version <= held:
            return  # our own save, already on screen
        who = f"{entry.user}@{entry.host}"
        if self.w.state.dirty:
            self.w.statusBar().showMessage(
                f"Scenario {name} was saved by {who} (version {stored_version}); your unsaved "
                "changes would be refused on save: reopen it (Ctrl+O) to take their version.")
            return
        self._reload(name, f"saved by {who} (version {stored_version})")

    def _reload(self, name: str, why: str) -> None:
        if self.w.commands.open_scenario_named(name, quiet=True):
            self.w.statusBar().showMessage(f"Scenario {name} reloaded: {why}")


def install(window: MainWindow) -> StoreWatcher:
    """Create and start the watcher for a main window."""
    watcher = StoreWatcher(window, POLL_MS)
    watcher.start()
    return watcher
