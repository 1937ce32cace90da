"""Drag-and-drop of units: sources (tables, map) start a drag; targets (map, timeline) check it.

The drag carries a unit's callsign under its own MIME type. A target maps the pointer to a
(site or reserve, slot) place and asks its judge whether the placement breaks a rule while the
pointer moves; the drop itself is refused with the reason when a hard rule would break.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QObject, QPoint, Qt
from PySide6.QtGui import QDrag, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from resources.placement import Breach

MIME_UNIT = "application/x-hercules-unit"

#: Where a drop would land: (site id or None for reserve, slot), or None when nowhere.
Place = tuple[str | None, int]


class Judge(Protocol):
    """What a drop target asks about a placement."""

    def hover(self, callsign: str, place: Place, at: QPoint, widget: QWidget) -> list[Breach]:
        """Check (and show) a placement under the pointer."""
        ...

    def leave(self) -> None:
        """The pointer left the target."""
        ...

    def drop(self, callsign: str, place: Place) -> bool:
        """Make the placement (True) or refuse it with the reason (False)."""
        ...


def unit_mime(callsign: str) -> QMimeData:
    """MIME data carrying one unit's callsign (and plain text for other applications)."""
    mime = QMimeData()
    mime.setData(MIME_UNIT, QByteArray(callsign.encode("utf-8")))
    mime.setText(callsign)
    return mime


def callsign_of(mime: QMimeData | None) -> str | None:
    """The callsign a drag carries, or None when it is not a unit drag."""
    if mime is None or not mime.hasFormat(MIME_UNIT):
        return None
    text = bytes(mime.data(MIME_UNIT).data()).decode("utf-8", errors="replace").strip()
    return text or None


class DragSource(QObject):
    """Starts a unit drag from a widget when the pointer moves far enough with the button down.

    ``unit_at`` maps a point of the widget to the callsign under it (None: nothing to drag).
    """

    def __init__(self, widget: QWidget, unit_at: Callable[[QPoint], str | None]) -> None:
        super().__init__(widget)
        self.widget, self.unit_at = widget, unit_at
        self._press: QPoint | None = None
        self._callsign: str | None = None
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Watch presses and moves; never swallow them (selection still works)."""
        kind = event.type()
        if kind is QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            if event.button() is Qt.MouseButton.LeftButton:
                self._press = event.position().toPoint()
                self._callsign = self.unit_at(self._press)
        elif kind is QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            if (self._press is not None and self._callsign is not None
                    and event.buttons() & Qt.MouseButton.LeftButton
                    and (event.position().toPoint() - self._press).manhattanLength()
                    >= QApplication.startDragDistance()):
                callsign, self._press, self._callsign = self._callsign, None, None
                self.start(callsign)
                return True
        elif kind is QEvent.Type.MouseButtonRelease:
            self._press = self._callsign = None
        return False

    def start(self, callsign: str) -> None:
        """Run the drag (blocks until dropped or cancelled)."""
        drag = QDrag(self.widget)
        drag.setMimeData(unit_mime(callsign))
        drag.exec(Qt.DropAction.CopyAction)


class DropTarget(QObject):
    """Makes a widget accept unit drops; ``place_at`` maps a point to a placement place."""

    def __init__(self, widget: QWidget, place_at: Callable[[QPoint], Place | None],
                 judge: Judge) -> None:
        super().__init__(widget)
        self.widget, self.place_at, self.judge = widget, place_at, judge
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Handle drag enter/move/leave and drop; other events pass through."""
        kind = event.type()
        if kind is QEvent.Type.DragEnter and isinstance(event, QDragMoveEvent):
            if callsign_of(event.mimeData()) is None:
                event.ignore()
                return False
            event.acceptProposedAction()
            self._move(event)
            event.acceptProposedAction()  # entering is always allowed; moves decide
            return True
        if kind is QEvent.Type.DragMove and isinstance(event, QDragMoveEvent):
            self._move(event)
            return True
        if kind is QEvent.Type.DragLeave:
            self.judge.leave()
            return True
        if kind is QEvent.Type.Drop and isinstance(event, QDropEvent):
            callsign = callsign_of(event.mimeData())
            place = self.place_at(event.position().toPoint())
            self.judge.leave()
            if callsign is None or place is None:
                event.ignore()
                return True
            if self.judge.drop(callsign, place):
                event.acceptProposedAction()
            else:
                event.ignore()
            return True
        return False

    def _move(self, event: QDragMoveEvent) -> None:
        callsign = callsign_of(event.mimeData())
        pos = event.position().toPoint()
        place = self.place_at(pos)
        if callsign is None or place is None:
            self.judge.leave()
            event.ignore()
            return
        breaches = self.judge.hover(callsign, place, pos, self.widget)
        if any(b.hard for b in breaches):
            event.ignore()
        else:
            event.acceptProposedAction()
