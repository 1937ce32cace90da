"""Colours, symbols and the light/dark Qt palettes (Okabe-Ito colour-blind-safe palette)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

#: The Okabe-Ito palette: distinguishable under the common forms of colour-blindness.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}

#: Armed units are always vermillion with a heavy outline; shape tells the type.
ARMED_COLOUR = OKABE_ITO["vermillion"]
CTSFO_COLOUR = OKABE_ITO["purple"]


@dataclass(frozen=True)
class MarkStyle:
    """How a unit type or site kind is drawn: pyqtgraph symbol and fill colour."""

    symbol: str
    colour: str


#: Unit type code -> mark. Unknown (force-defined) types fall back to TYPE_FALLBACK.
UNIT_STYLES: dict[str, MarkStyle] = {
    "ARV": MarkStyle("t1", ARMED_COLOUR),
    "AFP": MarkStyle("d", ARMED_COLOUR),
    "CTSFO": MarkStyle("star", CTSFO_COLOUR),
    "DOG-GP": MarkStyle("o", OKABE_ITO["green"]),
    "DOG-EX": MarkStyle("p", OKABE_ITO["green"]),
    "TSG": MarkStyle("s", OKABE_ITO["blue"]),
    "MARINE": MarkStyle("h", OKABE_ITO["sky"]),
    "MOUNTED": MarkStyle("t", OKABE_ITO["orange"]),
    "NHT": MarkStyle("o", OKABE_ITO["sky"]),
    "ANPR": MarkStyle("s", OKABE_ITO["yellow"]),
}
TYPE_FALLBACK: tuple[str, ...] = ("o", "s", "d", "t", "p", "h")

#: Site kind -> colour (sites are drawn as circles sized by risk).
KIND_COLOURS: dict[str, str] = {
    "crowded_place": OKABE_ITO["orange"],
    "transport_hub": OKABE_ITO["blue"],
    "iconic": OKABE_ITO["purple"],
    "river_stretch": OKABE_ITO["sky"],
    "night_time_economy": OKABE_ITO["yellow"],
    "event": OKABE_ITO["green"],
}

#: Timeline categories: index -> (label, colour).
TIMELINE_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("off duty", "#00000000"),
    ("committed elsewhere", OKABE_ITO["grey"]),
    ("available, not posted", "#00000000"),
    ("reserve / standby", OKABE_ITO["purple"]),
    ("crowded place", OKABE_ITO["orange"]),
    ("transport hub", OKABE_ITO["blue"]),
    ("iconic site", "#AA4499"),
    ("river", OKABE_ITO["sky"]),
    ("night-time economy", OKABE_ITO["yellow"]),
    ("event", OKABE_ITO["green"]),
)
KIND_CATEGORY: dict[str, int] = {
    "crowded_place": 4, "transport_hub": 5, "iconic": 6, "river_stretch": 7,
    "night_time_economy": 8, "event": 9,
}

#: Armed-reach shading of coverage cells: (upper bound as a multiple of the target, RGBA).
REACH_BANDS: tuple[tuple[float, tuple[int, int, int, int]], ...] = (
    (0.5, (0, 114, 178, 110)),    # well within the target: blue
    (1.0, (86, 180, 233, 100)),   # within the target: sky blue
    (1.5, (240, 228, 66, 110)),   # up to 1.5x: yellow
    (float("inf"), (213, 94, 0, 80)),  # beyond: vermillion
)


def unit_style(type_code: str, index: int = 0) -> MarkStyle:
    """The mark of a unit type; unknown types get a stable fallback shape in grey."""
    style = UNIT_STYLES.get(type_code)
    if style is not None:
        return style
    return MarkStyle(TYPE_FALLBACK[index % len(TYPE_FALLBACK)], OKABE_ITO["grey"])


@dataclass(frozen=True)
class Colours:
    """Per-theme colours for plots and the marking banner."""

    background: str
    foreground: str
    outline: str
    banner_bg: str
    banner_fg: str
    stale_bg: str


LIGHT = Colours("#FFFFFF", "#202020", "#404040", "#0B3D91", "#FFFFFF", OKABE_ITO["orange"])
DARK = Colours("#1E1F22", "#E6E6E6", "#A0A0A0", "#0B3D91", "#FFFFFF", OKABE_ITO["orange"])


def colours(dark: bool) -> Colours:
    """The colour set of the light or dark theme."""
    return DARK if dark else LIGHT


def apply_theme(app: QApplication, dark: bool) -> None:
    """Set the Fusion style with a light or dark palette on the whole application."""
    app.setStyle("Fusion")
    if not dark:
        app.setPalette(app.style().standardPalette())
        return
    p = QPalette()
    base, window, text = QColor("#1E1F22"), QColor("#2B2D30"), QColor("#E6E6E6")
    for role, colour in (
        (QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.ToolTipBase, window), (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.BrightText, QColor("#FF6E6E")),
        (QPalette.ColorRole.Highlight, QColor(OKABE_ITO["blue"])),
        (QPalette.ColorRole.HighlightedText, QColor("#FFFFFF")),
        (QPalette.ColorRole.PlaceholderText, QColor("#8A8A8A")),
    ):
        p.setColor(role, colour)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6E6E6E"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6E6E6E"))
    app.setPalette(p)
