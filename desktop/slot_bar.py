"""The slot selector: a slider over the horizon's slots and a play button stepping through them."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

PLAY_INTERVAL_MS = 800


class SlotBar(QWidget):
    """Emits ``slot_chosen`` when the planner moves the slider or playback advances."""

    slot_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.play_button.setToolTip("Play through the slots (F6)")
        self.play_button.toggled.connect(self.set_playing)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.valueChanged.connect(self._moved)
        self.label = QLabel("-")
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_INTERVAL_MS)
        self.timer.timeout.connect(self.step)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.play_button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self._labels: list[str] = []

    def set_labels(self, labels: list[str]) -> None:
        """One label per slot (e.g. 'Mon 05 Jan 08:00-10:00')."""
        self._labels = labels
        # A fixed width: a label that grew or shrank with the text would re-lay out the window
        # (and re-render the map) on every slot switch.
        metrics = self.label.fontMetrics()
        n = len(labels)
        widest = max((metrics.horizontalAdvance(self._text(i, n)) for i in range(n)), default=60)
        self.label.setFixedWidth(widest + 12)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(len(labels) - 1, 0))
        self.slider.blockSignals(False)
        self.show_slot(self.slider.value())

    def show_slot(self, slot: int) -> None:
        """Move the slider to ``slot`` without emitting."""
        self.slider.blockSignals(True)
        self.slider.setValue(slot)
        self.slider.blockSignals(False)
        if 0 <= slot < len(self._labels):
            self.label.setText(self._text(slot, len(self._labels)))

    def _text(self, slot: int, n: int) -> str:
        return f"Slot {slot + 1}/{n}: {self._labels[slot]}"

    def _moved(self, value: int) -> None:
        self.show_slot(value)
        self.slot_chosen.emit(value)

    def set_playing(self, on: bool) -> None:
        """Start or stop playback."""
        if self.play_button.isChecked() != on:
            self.play_button.setChecked(on)
            return
        self.play_button.setText("Pause" if on else "Play")
        if on:
            self.timer.start()
        else:
            self.timer.stop()

    def toggle_play(self) -> None:
        """Play when paused, pause when playing."""
        self.set_playing(not self.timer.isActive())

    def step(self, delta: int = 1) -> None:
        """Advance by ``delta`` slots, wrapping round at the ends."""
        n = self.slider.maximum() + 1
        self.slider.setValue((self.slider.value() + delta) % n)
