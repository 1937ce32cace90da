"""The timeline's legend (its cell colours in one row) and the frame of its selected cell."""

from __future__ import annotations

from itertools import accumulate

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QTabWidget, QWidget

from desktop.plan_index import OFF_DUTY
from desktop.theme import UNIT_LEGEND, category_brush


class TimelineLegend(QWidget):
    """The timeline's cell colours in one row, each swatch drawn as the cells are."""

    SWATCH = 12

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: tuple[tuple[str, int | None], ...] = ()
        self.set_entries(UNIT_LEGEND)

    def set_entries(self, entries: tuple[tuple[str, int | None], ...]) -> None:
        """Show these (label, category) entries."""
        self.entries = entries
        self.setToolTip("Cell colours: " + "; ".join(
            label + ("" if c is None or category_brush(c) is not None else " (blank)")
            + (" (light hatch)" if c == OFF_DUTY else "") for label, c in entries))
        self.updateGeometry()
        self.update()

    def _widths(self) -> list[int]:
        fm = self.fontMetrics()
        return [self.SWATCH + 4 + fm.horizontalAdvance(label) + 12 for label, _ in self.entries]

    def sizeHint(self) -> QSize:
        """Every entry, or as many as the tab bar leaves room for."""
        width = sum(self._widths())
        tabs = self.parentWidget()
        if isinstance(tabs, QTabWidget):
            width = min(width, max(0, tabs.width() - tabs.tabBar().sizeHint().width() - 12))
        return QSize(width, max(self.fontMetrics().height(), self.SWATCH) + 6)

    def minimumSizeHint(self) -> QSize:
        """Shrinks to nothing rather than push the tabs aside."""
        return QSize(0, self.sizeHint().height())

    def shown(self) -> int:
        """How many entries fit the current width."""
        return sum(1 for end in accumulate(self._widths()) if end <= self.width())

    def paintEvent(self, event: QPaintEvent) -> None:
        """Swatches (outlined) and labels."""
        painter = QPainter(self)
        pal = self.palette()
        x, y = 0, (self.height() - self.SWATCH) // 2
        for (label, category), w in zip(self.entries[:self.shown()], self._widths(), strict=False):
            box = QRect(x, y, self.SWATCH, self.SWATCH)
            painter.fillRect(box, pal.color(QPalette.ColorRole.Base))
            brush = None if category is None else category_brush(category)
            if brush is not None:
                painter.fillRect(box, brush)
            painter.setPen(QPen(pal.color(QPalette.ColorRole.WindowText), 1))
            painter.drawRect(box.adjusted(0, 0, -1, -1))
            painter.drawText(QRect(x + self.SWATCH + 4, 0, w, self.height()),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), label)
            x += w
        painter.end()


class CellFrame(QWidget):
    """The selected cell: a black-white-black outline that no posting colour looks like."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("selected_cell_frame")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Three nested rectangles: black, white (2 px), black."""
        painter = QPainter(self)
        r = self.rect()
        for inset, colour in enumerate(("black", "white", "white", "black")):
            painter.setPen(QPen(QColor(colour), 1))
            painter.drawRect(r.adjusted(inset, inset, -1 - inset, -1 - inset))
        painter.end()
