"""Output files a command is asked to write: checked before any work is done."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from resources.errors import InputError


def check_out_file(out: Path, db: Path | None = None, field: str = "--out") -> None:
    """Refuse, before any work, an output file that cannot be written; leaves nothing behind."""
    target = out.resolve()
    if not target.parent.is_dir():
        raise InputError(f"cannot write '{out}': folder '{out.parent}' does not exist",
                         field=field)
    if target.is_dir():
        raise InputError(f"cannot write '{out}': it is a folder", field=field)
    if target.exists() and not target.is_file():
        raise InputError(f"cannot write '{out}': it is not a regular file", field=field)
    if db is not None:
        store = db.resolve()
        if target in {store, *(store.with_name(store.name + s) for s in ("-wal", "-shm"))}:
            raise InputError(f"cannot write '{out}': it is the database", field=field)
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe",
                                     dir=target.parent)
    except OSError as err:
        raise InputError(f"cannot write '{out}': {err.strerror or err}", field=field) from None
    os.close(fd)
    os.unlink(probe)
