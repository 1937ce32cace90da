"""The console's user settings (QSettings, INI format): marking, theme, time limit, window state."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = "Hercules"
APPLICATION = "Hercules console"
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
DEFAULT_TIME_LIMIT_S = 30


class Settings:
    """Typed access to the console's settings; one INI file per user."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings or QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
        )

    @property
    def path(self) -> str:
        """The file the settings live in."""
        return self._q.fileName()

    def _text(self, key: str, default: str) -> str:
        value = self._q.value(key, default)
        return value if isinstance(value, str) else default

    @property
    def marking(self) -> str:
        """The protective marking shown in the banner and the window title."""
        text = self._text("marking/text", DEFAULT_MARKING).strip()
        return text or DEFAULT_MARKING

    @marking.setter
    def marking(self, text: str) -> None:
        self._q.setValue("marking/text", " ".join(text.split()) or DEFAULT_MARKING)

    @property
    def dark(self) -> bool:
        """True when the dark theme is chosen."""
        return self._text("view/theme", "light") == "dark"

    @dark.setter
    def dark(self, on: bool) -> None:
        self._q.setValue("view/theme", "dark" if on else "light")

    @property
    def time_limit_s(self) -> int:
        """The solve time limit last used, in seconds."""
        try:
            value = int(str(self._q.value("solve/time_limit_s", DEFAULT_TIME_LIMIT_S)))
        except ValueError:
            return DEFAULT_TIME_LIMIT_S
        return min(max(value, 1), 3600)

    @time_limit_s.setter
    def time_limit_s(self, value: int) -> None:
        self._q.setValue("solve/time_limit_s", int(value))

    @property
    def last_scenario(self) -> str:
        """The scenario open when the console last closed ('london' at first)."""
        return self._text("session/scenario", "london").strip() or "london"

    @last_scenario.setter
    def last_scenario(self, name: str) -> None:
        self._q.setValue("session/scenario", name)

    def layer_visible(self, name: str) -> bool:
        """Whether a map layer is shown (all are by default)."""
        return self._text(f"layers/{name}", "on") != "off"

    def set_layer_visible(self, name: str, on: bool) -> None:
        """Remember a map layer's visibility."""
        self._q.setValue(f"layers/{name}", "on" if on else "off")

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        """Saved (geometry, dock state) of the main window, None when never saved."""
        geo, state = self._q.value("window/geometry"), self._q.value("window/state")
        return (
            geo if isinstance(geo, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        """Remember the main window's geometry and dock state."""
        self._q.setValue("window/geometry", geometry)
        self._q.setValue("window/state", state)
        self._q.sync()

    def sync(self) -> None:
        """Write pending changes to disk."""
        self._q.sync()
