"""File menu actions for the shown plan: the PDF briefing pack and the tasking export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMenu

from desktop.actions import command_action
from desktop.briefing import write_briefing
from desktop.cli import audit_head_of, plan_to_write, record_output
from resources.errors import InputError
from resources.export import export_plan
from resources.model import Plan

if TYPE_CHECKING:
    from desktop.main_window import MainWindow
    from desktop.pin_editing import PinEditor


class PackActions:
    """Write the briefing pack or the export of the shown plan (recorded in the audit trail)."""

    def __init__(self, window: MainWindow, editor: PinEditor) -> None:
        self.w, self.editor = window, editor

    def write_pack(self, path: Path) -> int:
        """Write the briefing pack of the shown plan (map of the current slot on the cover)."""
        st = self.w.state
        if st.scenario is None or st.plan is None:
            raise InputError("there is no plan to brief", field="plan")
        image = self.w.map.grab().toImage()
        plan = plan_to_write(self.w.db_path, st.plan)
        pages = write_briefing(path, st.scenario, plan, map_image=image,
                               marking=self.w.settings.marking,
                               audit_head=audit_head_of(self.w.db_path))
        record_output(self.w.db_path, plan, path, "pdf")
        self.editor._say(f"Briefing pack written: {pages} pages to {path}{_unsaved(st.plan, plan)}")
        return pages

    def export(self, path: Path, fmt: str) -> int:
        """Export the shown plan as CSV or JSON for command-and-control systems."""
        st = self.w.state
        if st.scenario is None or st.plan is None:
            raise InputError("there is no plan to export", field="plan")
        plan = plan_to_write(self.w.db_path, st.plan)
        rows = export_plan(st.scenario, plan, path, fmt, audit_head_of(self.w.db_path))
        record_output(self.w.db_path, plan, path, fmt)
        self.editor._say(f"Exported {rows} postings to {path}{_unsaved(st.plan, plan)}")
        return rows

    def ask_pack(self) -> None:
        """Ask for a file name and write the pack."""
        name, _ = QFileDialog.getSaveFileName(self.w, "Briefing pack", "briefing.pdf",
                                              "PDF (*.pdf)")
        if name:
            self._guard("Briefing pack", lambda: self.write_pack(Path(name)))

    def ask_export(self) -> None:
        """Ask for a file name (.csv or .json) and export."""
        name, _ = QFileDialog.getSaveFileName(self.w, "Export plan", "plan.csv",
                                              "CSV (*.csv);;JSON (*.json)")
        if name:
            fmt = "json" if name.lower().endswith(".json") else "csv"
            self._guard("Export plan", lambda: self.export(Path(name), fmt))

    def _guard(self, title: str, fn: object) -> None:
        try:
            fn()  # type: ignore[operator]
        except InputError as err:
            self.w.report_error(title, str(err))


def _unsaved(shown: Plan, written: Plan) -> str:
    if shown.plan_id is None or written.plan_id is not None:
        return ""
    return (f" (the plan was changed since it was stored as {shown.plan_id}: written as an "
            "unsaved plan, not recorded in the audit trail)")


def add_pack_actions(window: MainWindow, editor: PinEditor) -> PackActions:
    """Add 'Briefing pack (PDF)...' and 'Export plan...' to the File menu."""
    pack = PackActions(window, editor)
    file_menu = next(m for a in window.menuBar().actions()
                     if "File" in a.text() and isinstance(m := a.menu(), QMenu))
    quit_action = window.actions_["quit"]
    for key, text, shortcut, fn in (
        ("briefing_pack", "&Briefing pack (PDF)...", "Ctrl+P", pack.ask_pack),
        ("export_plan", "E&xport plan (CSV/JSON)...", "Ctrl+Shift+X", pack.ask_export),
    ):
        action = command_action(window, key, text, shortcut, fn)
        file_menu.insertAction(quit_action, action)
        window.addAction(action)
        editor.actions[key] = action
    editor.pack = pack
    return pack
