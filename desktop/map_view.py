"""The map: boroughs, the Thames, armed-reach cells, sites, units and CTSFO reach, per slot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.geometry import MapGeometry, circle_path
from desktop.plan_index import PlanIndex
from desktop.state import Selection
from desktop.theme import (
    CTSFO_COLOUR,
    KIND_COLOURS,
    OKABE_ITO,
    REACH_BANDS,
    colours,
    unit_style,
)
from resources.model import Scenario, SiteKind

LAYERS: tuple[tuple[str, str], ...] = (
    ("cells", "Armed reach cells"),
    ("boroughs", "Boroughs"),
    ("thames", "The Thames"),
    ("sites", "Sites"),
    ("units", "Units"),
    ("ctsfo", "CTSFO reach"),
)


_GLYPHS = {"o": "\u25cf", "s": "\u25a0", "d": "\u25c6", "t": "\u25bc", "t1": "\u25b2",
           "p": "\u2b1f", "h": "\u2b22", "star": "\u2605", "+": "\u271a", "x": "\u2716"}


def legend_html(scenario: Scenario, dark: bool) -> str:
    """A one-paragraph legend: unit types present (shape, colour, armed) and site kinds."""
    fg = colours(dark).foreground
    used = {u.type_code for u in scenario.units}
    parts = ["<b>Units</b> (armed: heavy outline):"]
    for i, ut in enumerate(scenario.unit_types):
        if ut.code in used:
            st = unit_style(ut.code, i)
            parts.append(f'<span style="color:{st.colour}">{_GLYPHS.get(st.symbol, "?")}</span>'
                         f"&nbsp;{ut.code}{'&nbsp;(armed)' if ut.armed else ''}")
    parts.append("&nbsp;&nbsp;<b>Sites</b> (size: risk; ring: covered now):")
    for kind in sorted({s.kind.value for s in scenario.sites}):
        colour = KIND_COLOURS.get(kind, OKABE_ITO["grey"])
        parts.append(f'<span style="color:{colour}">\u25cf</span>&nbsp;'
                     f"{kind.replace('_', '&nbsp;')}")
    reach = "".join(
        f'<span style="color:rgb({r},{g},{b})">\u25a0</span>' for _, (r, g, b, _a) in REACH_BANDS)
    parts.append(f"&nbsp;&nbsp;<b>Armed reach</b> {reach} within &frac12;x, 1x, 1&frac12;x the "
                 "target, beyond")
    return f'<span style="color:{fg}">' + " ".join(parts) + "</span>"


def reach_rgba(minutes: np.ndarray, target: float, raster_shape: tuple[int, int],
               rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """An RGBA image (row = northing) colouring each cell by its armed reach band."""
    img = np.zeros((*raster_shape, 4), dtype=np.uint8)
    if rows.size == 0:
        return img
    lut = np.array([rgba for _, rgba in REACH_BANDS], dtype=np.uint8)
    edges = np.array([b for b, _ in REACH_BANDS[:-1]]) * target
    band = np.searchsorted(edges, minutes, side="left")
    img[rows, cols] = lut[band]
    return img


class MapView(QWidget):
    """A pyqtgraph plot of London in British National Grid metres; one item per layer."""

    selected = Signal(object)

    def __init__(self, dark: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(True)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setMenuEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        self.legend = QLabel()
        self.legend.setObjectName("map_legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.legend)
        self.vb = self.plot.getViewBox()
        self.geo: MapGeometry | None = None
        self.scenario: Scenario | None = None
        self.index: PlanIndex | None = None
        self.slot = 0
        self.selection: Selection | None = None
        self._visible = {name: True for name, _ in LAYERS}
        self._dark = dark
        self._build_items()
        self.set_dark(dark)

    # -- construction ---------------------------------------------------------------------
    def _build_items(self) -> None:
        self.cells = pg.ImageItem(axisOrder="row-major")
        self.cells.setZValue(-20)
        self.boroughs = pg.PlotCurveItem(connect="finite")
        self.city = pg.PlotCurveItem(connect="finite")
        self.thames = pg.PlotCurveItem(connect="finite")
        self.labels: list[pg.TextItem] = []
        self.sites: dict[str, pg.ScatterPlotItem] = {}
        for kind in SiteKind:
            item = self._scatter(self._site_tip, self._clicked_site)
            item.setZValue(5)
            self.sites[kind.value] = item
        self.covered = pg.ScatterPlotItem(pxMode=True, symbol="o", brush=None)
        self.covered.setZValue(6)
        self.units: dict[str, pg.ScatterPlotItem] = {}
        self.ctsfo_ring = pg.PlotCurveItem(connect="finite")
        self.ctsfo_ring.setZValue(4)
        self.highlight = pg.ScatterPlotItem(pxMode=True, symbol="o", size=30, brush=None)
        self.highlight.setZValue(20)
        for item in (self.cells, self.boroughs, self.city, self.thames, self.covered,
                     self.ctsfo_ring, self.highlight, *self.sites.values()):
            self.plot.addItem(item)

    def _scatter(self, tip: Callable[..., str], clicked: Callable[..., None]) -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(pxMode=True, hoverable=True, tip=tip)
        item.sigClicked.connect(clicked)
        return item

    def set_dark(self, dark: bool) -> None:
        """Switch the plot's colours between the light and dark themes."""
        self._dark = dark
        c = colours(dark)
        self.plot.setBackground(c.background)
        self.boroughs.setPen(pg.mkPen(c.outline, width=1))
        self.city.setPen(pg.mkPen(c.outline, width=1, style=Qt.PenStyle.DashLine))
        self.thames.setPen(pg.mkPen(OKABE_ITO["sky"], width=4))
        ring = pg.mkColor(c.foreground)
        ring.setAlpha(150)
        self.covered.setPen(pg.mkPen(ring, width=1.3))
        self.highlight.setPen(pg.mkPen(OKABE_ITO["vermillion"] if not dark else "#FFFFFF",
                                       width=3))
        self.ctsfo_ring.setPen(pg.mkPen(CTSFO_COLOUR, width=2, style=Qt.PenStyle.DashLine))
        for label in self.labels:
            label.setColor(c.foreground)
        if self.scenario is not None:
            self._restyle_units()

    # -- data -----------------------------------------------------------------------------
    def set_scenario(self, scenario: Scenario, geo: MapGeometry) -> None:
        """Draw a scenario's static geometry (once per scenario) and reset the view."""
        same_geo = self.geo is geo
        self.scenario, self.geo = scenario, geo
        if not same_geo:
            self._draw_static(geo)
            x0, y0, x1, y1 = geo.bounds()
            self.vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._draw_sites(scenario, geo)
        self._restyle_units()

    def _draw_static(self, geo: MapGeometry) -> None:
        self.boroughs.setData(geo.borough_x, geo.borough_y)
        self.city.setData(geo.untaskable_x, geo.untaskable_y)
        self.thames.setData(geo.thames_x, geo.thames_y)
        for label in self.labels:
            self.plot.removeItem(label)
        font = QFont()
        font.setPointSize(7)
        fg = colours(self._dark).foreground
        self.labels = []
        for name, x, y in geo.labels:
            item = pg.TextItem(name, color=fg, anchor=(0.5, 0.5))
            item.setFont(font)
            item.setPos(x, y)
            item.setZValue(-5)
            item.setOpacity(0.6)
            self.plot.addItem(item)
            self.labels.append(item)
        self._apply_visibility()

    def _draw_sites(self, scenario: Scenario, geo: MapGeometry) -> None:
        sizes = 6.0 + 1.2 * np.array([s.risk for s in scenario.sites], dtype=np.float64)
        kinds = np.array([s.kind.value for s in scenario.sites])
        for kind, item in self.sites.items():
            idx = np.nonzero(kinds == kind)[0] if kinds.size else np.empty(0, dtype=np.intp)
            colour = pg.mkColor(KIND_COLOURS.get(kind, OKABE_ITO["grey"]))
            colour.setAlpha(150)
            item.setData(x=geo.site_x[idx], y=geo.site_y[idx], size=sizes[idx],
                         data=idx, symbol="o", brush=pg.mkBrush(colour),
                         pen=pg.mkPen(colours(self._dark).outline, width=0.5))

    def _restyle_units(self) -> None:
        if self.scenario is None:
            return
        for item in self.units.values():
            self.plot.removeItem(item)
        self.units = {}
        c = colours(self._dark)
        for i, ut in enumerate(self.scenario.unit_types):
            style = unit_style(ut.code, i)
            pen = pg.mkPen(c.foreground if ut.armed else c.outline, width=2.2 if ut.armed else 0.8)
            item = self._scatter(self._unit_tip, self._clicked_unit)
            item.setData(x=[], y=[], symbol=style.symbol, brush=pg.mkBrush(style.colour), pen=pen,
                         size=13 if ut.armed else 10)
            item.setZValue(10 if ut.armed else 8)
            self.plot.addItem(item)
            self.units[ut.code] = item
        self.legend.setText(legend_html(self.scenario, self._dark))
        self._apply_visibility()

    def set_plan(self, index: PlanIndex | None) -> None:
        """Use a plan index (None: no plan) and redraw the current slot."""
        self.index = index
        self.show_slot(self.slot)

    def show_slot(self, slot: int) -> None:
        """Redraw everything that changes with the slot."""
        self.slot = slot
        geo, idx, scen = self.geo, self.index, self.scenario
        if geo is None or scen is None:
            return
        if idx is None or idx.plan is None:
            empty: np.ndarray = np.empty(0)
            for item in self.units.values():
                item.setData(x=empty, y=empty)
            self.covered.setData(x=empty, y=empty)
            self.ctsfo_ring.setData(empty, empty)
            self._set_cells(np.zeros((*geo.raster.shape, 4), dtype=np.uint8))
            self._draw_highlight()
            return
        minutes = idx.reach_minutes(slot)
        img = reach_rgba(minutes, scen.posture.armed_reach_minutes, geo.raster.shape,
                         geo.raster.rows, geo.raster.cols)
        self._set_cells(img)
        post = idx.postings(slot)
        codes = np.array([u.type_code for u in scen.units])[post.unit] if post.unit.size else \
            np.empty(0, dtype=str)
        for code, item in self.units.items():
            m = codes == code
            item.setData(x=post.x[m], y=post.y[m], data=post.unit[m])
        covered = np.nonzero(post.site_units > 0)[0]
        sizes = 10.0 + 1.2 * np.array([scen.sites[i].risk for i in covered])
        self.covered.setData(x=geo.site_x[covered], y=geo.site_y[covered], size=sizes)
        cx, cy, radius = idx.ctsfo(slot)
        self.ctsfo_ring.setData(*circle_path(cx, cy, radius))
        self._draw_highlight()

    def _set_cells(self, img: np.ndarray) -> None:
        assert self.geo is not None
        self.cells.setImage(img, autoLevels=False, levels=(0, 255))
        self.cells.setRect(*self.geo.raster.rect())

    # -- layers, selection, tooltips ------------------------------------------------------
    def set_layer_visible(self, name: str, on: bool) -> None:
        """Show or hide a layer by name (see LAYERS)."""
        self._visible[name] = on
        self._apply_visibility()

    def layer_visible(self, name: str) -> bool:
        """Whether a layer is shown."""
        return self._visible[name]

    def _apply_visibility(self) -> None:
        v = self._visible
        self.cells.setVisible(v["cells"])
        for item in (self.boroughs, self.city, *self.labels):
            item.setVisible(v["boroughs"])
        self.thames.setVisible(v["thames"])
        for item in (*self.sites.values(), self.covered):
            item.setVisible(v["sites"])
        for item in self.units.values():
            item.setVisible(v["units"])
        self.ctsfo_ring.setVisible(v["ctsfo"])

    def set_selection(self, selection: Selection | None, focus: bool = False) -> None:
        """Highlight the selected unit or site; ``focus`` centres the map on it."""
        self.selection = selection
        pos = self._draw_highlight()
        if focus and pos is not None:
            self.vb.setRange(xRange=(pos[0] - 6000, pos[0] + 6000),
                             yRange=(pos[1] - 6000, pos[1] + 6000), padding=0)

    def _selection_pos(self) -> tuple[float, float] | None:
        sel, geo = self.selection, self.geo
        if sel is None or geo is None:
            return None
        if sel.kind == "site" and sel.key in geo.site_index:
            i = geo.site_index[sel.key]
            return float(geo.site_x[i]), float(geo.site_y[i])
        if sel.kind == "unit" and sel.key in geo.unit_index:
            u = geo.unit_index[sel.key]
            if self.index is not None and self.index.plan is not None:
                post = self.index.postings(self.slot)
                hit = np.nonzero(post.unit == u)[0]
                if hit.size:
                    return float(post.x[hit[0]]), float(post.y[hit[0]])
            return float(geo.base_x[u]), float(geo.base_y[u])
        return None

    def _draw_highlight(self) -> tuple[float, float] | None:
        pos = self._selection_pos()
        if pos is None:
            self.highlight.setData(x=[], y=[])
        else:
            self.highlight.setData(x=[pos[0]], y=[pos[1]])
        return pos

    def _site_tip(self, x: float, y: float, data: Any) -> str:
        if self.scenario is None:
            return ""
        s = self.scenario.sites[int(data)]
        text = f"{s.name} ({s.site_id})\n{s.kind.value.replace('_', ' ')}, {s.borough}\n" \
               f"risk {s.risk:g} x {s.profile} profile"
        if self.index is not None and self.index.plan is not None:
            post = self.index.postings(self.slot)
            text += f"\n{post.site_units[int(data)]} unit(s), {post.site_armed[int(data)]} armed"
        return text

    def _unit_tip(self, x: float, y: float, data: Any) -> str:
        if self.scenario is None or self.index is None:
            return ""
        unit = self.scenario.units[int(data)]
        ut = self.scenario.unit_type(unit)
        a = self.index.at(int(data), self.slot)
        where = "not posted"
        if a is not None:
            where = a.site_id or f"reserve at {a.standby_id or 'base'}"
            where = f"{a.tactic.value.replace('_', ' ')} at {where}"
        armed = f", {a.armed_officers if a else ut.armed_officers} armed" if ut.armed else ""
        return f"{unit.callsign}: {ut.name}\n{unit.officers} officers{armed}\n{where}"

    def _clicked_site(self, item: pg.ScatterPlotItem, points: Any, ev: Any = None) -> None:
        if self.scenario is not None and len(points):
            site = self.scenario.sites[int(points[0].data())]
            self.selected.emit(Selection("site", site.site_id))

    def _clicked_unit(self, item: pg.ScatterPlotItem, points: Any, ev: Any = None) -> None:
        if self.scenario is not None and len(points):
            unit = self.scenario.units[int(points[0].data())]
            self.selected.emit(Selection("unit", unit.callsign))
