"""A guard against a PySide6 defect that drains references to None, True and False.

With PySide6 6.12.0 on Python 3.11 every call of a void Qt method from Python (``update()``,
``setObjectName()``, a ``super().paintEvent()`` in pyqtgraph...) returns None without a new
reference, and every ``signal.emit()`` does the same with True/False. Each call removes one
reference from an interpreter singleton; after a few thousand calls (a minute of panning the
map) the interpreter aborts with "none_dealloc: deallocating None". PySide6 6.11.2 does not do
this, and on Python 3.12+ the singletons are immortal so the drain is harmless.

The guard probes for the defect once and, only if present, does what Python 3.12 does: gives the
three singletons a reference count so large that no session can drain it. They are static
objects that are never freed, so extra references change nothing else.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_PROBE_CALLS = 16
#: Added to each singleton's count: 2**50 calls is far beyond any session's lifetime.
_ALLOWANCE = 1 << 50
_applied = False


class _Probe(QObject):
    ping = Signal()


def _drain(obj: object, call: object) -> int:
    before = sys.getrefcount(obj)
    for _ in range(_PROBE_CALLS):
        call()  # type: ignore[operator]
    return before - sys.getrefcount(obj)


def defect_present() -> bool:
    """True when this PySide6 build drops references to None (void calls) or bools (emit)."""
    probe = _Probe()
    drained_none = _drain(None, lambda: probe.setObjectName("probe"))
    drained_bool = _drain(True, probe.ping.emit) + _drain(False, probe.ping.emit)
    return drained_none >= _PROBE_CALLS or drained_bool >= _PROBE_CALLS


def apply() -> bool:
    """Install the guard when the defect is present (idempotent); returns whether it is active."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or not defect_present():
        return _applied
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        count.value += _ALLOWANCE
    _applied = True
    return True
