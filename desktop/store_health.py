"""At start-up: a store that cannot be used is explained, and restoring a backup is offered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from resources.store import Store
from resources.store.errors import StoreError
from resources.store.restore import latest_usable_backup, restore


def ensure_usable_store(db_path: Path, parent: QWidget | None = None) -> bool:
    """True when the store opens for writing, possibly after the user restored a backup.

    A damaged database (or one from a newer Hercules) is explained in one message; when a
    verified backup exists the user is offered to restore it (the damaged file is kept as a
    safety copy). Declining leaves the file untouched and the console does not open.
    """
    try:
        Store.open(db_path).close()
        return True
    except StoreError as err:
        problem = str(err)
    try:
        backup = latest_usable_backup(db_path)
    except StoreError as err:
        QMessageBox.critical(parent, "Hercules: database unusable",
                             f"{problem}\n\nNo usable backup was found: {err}")
        return False
    answer = QMessageBox.question(
        parent, "Hercules: database unusable",
        f"{problem}\n\nRestore the newest verified backup, {backup.name}? Changes made after "
        "it are not restored; the current file is kept as a safety copy.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        result = restore(db_path, backup)
    except StoreError as err:
        QMessageBox.critical(parent, "Hercules: restore failed", str(err))
        return False
    QMessageBox.information(parent, "Hercules: database restored",
                            f"Restored from {result.restored_from.name}; the damaged file is "
                            f"kept as {result.safety_copy.name if result.safety_copy else '-'}.")
    return True
