"""Colours, symbols and the light/dark Qt palettes (Okabe-Ito colour-blind-safe palette)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette
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

#: Timeline legends, (label, category) per tab; None: a blank cell.
UNIT_LEGEND: tuple[tuple[str, int | None], ...] = tuple(
    (label, i) for i, (label, _) in enumerate(TIMELINE_CATEGORIES))
SITE_LEGEND: tuple[tuple[str, int | None], ...] = (
    *((TIMELINE_CATEGORIES[i][0], i) for i in sorted(set(KIND_CATEGORY.values()))),
    ("no unit there", None))

#: Category of an off-duty unit (the others follow TIMELINE_CATEGORIES' order).
TIMELINE_OFF_DUTY = 0
#: Off duty: a light grey hatch, partly transparent (it reads on the light and the dark base).
OFF_DUTY_HATCH = "#A08C8C8C"


def category_brush(category: int) -> QBrush | None:
    """A timeline category's cell fill: its colour, the off-duty hatch, or None (blank)."""
    if category == TIMELINE_OFF_DUTY:
        return QBrush(QColor(OFF_DUTY_HATCH), Qt.BrushStyle.BDiagPattern)
    colour = QColor(TIMELINE_CATEGORIES[category][1])
    return QBrush(colour) if colour.alpha() == 255 else None


def category_text(category: int) -> QColor | None:
    """Text colour on a category's fill (black or white, whichever contrasts more); None on
    the blank and hatched cells, which keep the theme's text colour."""
    colour = QColor(TIMELINE_CATEGORIES[category][1])
    if category == TIMELINE_OFF_DUTY or colour.alpha() != 255:
        return None
    return QColor(text_colour_on(colour))


def kind_colour(kind: str) -> str:
    """A site kind's colour in the timeline (the colour of a posting to such a site)."""
    category = KIND_CATEGORY.get(kind)
    return OKABE_ITO["grey"] if category is None else TIMELINE_CATEGORIES[category][1]


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


def relative_luminance(colour: str | QColor) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black to 1 white)."""
    c = QColor(colour)

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.redF()) + 0.7152 * linear(c.greenF()) + 0.0722 * linear(c.blueF())


def contrast_ratio(a: str | QColor, b: str | QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_colour_on(fill: str | QColor) -> str:
    """Black or white, whichever reads better (higher WCAG contrast) on ``fill``."""
    black, white = "#000000", "#FFFFFF"
    return black if contrast_ratio(fill, black) >= contrast_ratio(fill, white) else white


#: Outline of check boxes, radio buttons and slider grooves/handles: >= 4:1 on the window.
CONTROL_OUTLINE: dict[bool, str] = {False: "#6E6E6E", True: "#9A9CA1"}
#: Widget classes whose outline Fusion derives from the window colour.
OUTLINED_CONTROLS = ("QCheckBox", "QRadioButton", "QSlider")


def outlined(palette: QPalette, outline: str) -> QPalette:
    """``palette`` for the OUTLINED_CONTROLS, so that Fusion draws their outline in ``outline``.

    Fusion draws those outlines in the window colour darkened by 140 (about 1.2:1 on a dark
    window); the Light/Mid/Dark roles do not reach them. These controls paint no window
    background, so their window colour only sets the outline. Disabled: halfway, muted.
    """
    lifted = QPalette(palette)
    window = QColor(outline).lighter(140)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        lifted.setColor(group, QPalette.ColorRole.Window, window)
    was = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window)
    lifted.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window, QColor(
        (was.red() + window.red()) // 2, (was.green() + window.green()) // 2,
        (was.blue() + window.blue()) // 2))
    return lifted


def apply_theme(app: QApplication, dark: bool) -> None:
    """Set the Fusion style with a light or dark palette on the whole application."""
    app.setStyle("Fusion")
    p = app.style().standardPalette() if not dark else _dark_palette()
    app.setPalette(p)
    for name in OUTLINED_CONTROLS:  # after the general palette, which clears class palettes
        # PySide6 takes the class name as str (its stubs say bytes, which it refuses)
        app.setPalette(outlined(p, CONTROL_OUTLINE[dark]), name)  # type: ignore[arg-type]


def _dark_palette() -> QPalette:
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
        # bevels, frames and separators: lighter and darker than the buttons, never equal
        (QPalette.ColorRole.Light, QColor("#7A7D84")),
        (QPalette.ColorRole.Midlight, QColor("#55585E")),
        (QPalette.ColorRole.Mid, QColor("#45484D")),
        (QPalette.ColorRole.Dark, QColor("#17181A")),
        (QPalette.ColorRole.Shadow, QColor("#000000")),
    ):
        p.setColor(role, colour)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6E6E6E"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6E6E6E"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#8A8A8A"))
    return p
