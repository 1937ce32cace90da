"""Readability of the console: text contrast, chart sizes and labels, control outlines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QSlider,
    QStyle,
    QStyleOptionButton,
    QStyleOptionSlider,
    QVBoxLayout,
    QWidget,
)

from desktop.dashboard import CHART_MIN_HEIGHT, Dashboard
from desktop.geometry import MapGeometry
from desktop.plan_index import IDLE, OFF_DUTY, PlanIndex
from desktop.theme import (
    TIMELINE_CATEGORIES,
    apply_theme,
    category_brush,
    category_text,
    contrast_ratio,
    text_colour_on,
)
from desktop.timeline_view import TimelineView
from resources.kpis import plan_kpis
from resources.model import Scenario, Unmet
from tests.conftest import hand_plan

pytestmark = pytest.mark.usefixtures("qapp")

#: The dashboard dock at 1366x768 (docs/console.md: the window fits that screen).
DOCK_W, DOCK_H = 372, 427


@pytest.fixture(params=[False, True], ids=["light", "dark"])
def theme(request: pytest.FixtureRequest) -> Iterator[bool]:
    """Run a test in the light and in the dark theme (the light one is restored after)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, request.param)
    yield request.param
    apply_theme(app, False)


def _palette_colour(role: QPalette.ColorRole) -> QColor:
    return QApplication.palette().color(QPalette.ColorGroup.Active, role)


def test_contrast_helpers_follow_wcag() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#123456", "#123456") == pytest.approx(1.0)
    assert text_colour_on("#F0E442") == "#000000"  # yellow: black text
    assert text_colour_on("#0072B2") == "#FFFFFF"  # blue: white text
    assert text_colour_on("#AA4499") == "#FFFFFF"


def _off_duty_scenario(scenario: Scenario) -> Scenario:
    """DOG1 on duty (and not posted) in slots 0 and 1, off duty in slots 2 and 3."""
    dog = scenario.units_by_callsign["DOG1"]
    units = tuple(replace(u, available_slots=frozenset({0, 1})) if u is dog else u
                  for u in scenario.units)
    return scenario.with_changes(units=units)


def _cell_fill(model: object, index: object) -> QColor:
    brush = model.data(index, Qt.ItemDataRole.BackgroundRole)  # type: ignore[attr-defined]
    if brush is None or brush.style() != Qt.BrushStyle.SolidPattern:
        return _palette_colour(QPalette.ColorRole.Base)  # blank or hatched: the view's base
    return brush.color()


def _cell_text(model: object, index: object) -> QColor:
    fg = model.data(index, Qt.ItemDataRole.ForegroundRole)  # type: ignore[attr-defined]
    if fg is None:
        return _palette_colour(QPalette.ColorRole.Text)
    return fg.color() if hasattr(fg, "color") else QColor(fg)


def test_every_timeline_cell_text_contrasts_with_its_fill(theme: bool,
                                                          scenario: Scenario) -> None:
    for category, (label, colour) in enumerate(TIMELINE_CATEGORIES):
        text = category_text(category)
        fill = QColor(colour) if category_brush(category) is not None and \
            category != OFF_DUTY else _palette_colour(QPalette.ColorRole.Base)
        shown = text if text is not None else _palette_colour(QPalette.ColorRole.Text)
        assert contrast_ratio(shown, fill) >= 4.5, (label, theme)
    view = TimelineView()
    view.set_index(PlanIndex(scenario, hand_plan(scenario), MapGeometry(scenario)))
    checked = 0
    for model in (view.units_model, view.sites_model):
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                ix = model.index(r, c)
                if model.data(ix):
                    ratio = contrast_ratio(_cell_text(model, ix), _cell_fill(model, ix))
                    assert ratio >= 4.5, (model.data(ix), ratio, theme)
                    checked += 1
    assert checked >= 14 * 4  # every posted unit-slot cell (all but DOG1) and the sites


def test_off_duty_and_available_are_distinguishable(scenario: Scenario) -> None:
    edited = _off_duty_scenario(scenario)
    idx = PlanIndex(edited, hand_plan(edited), MapGeometry(edited))
    dog = idx.geo.unit_index["DOG1"]
    assert list(idx.category[dog]) == [IDLE, IDLE, OFF_DUTY, OFF_DUTY]
    view = TimelineView()
    view.set_index(idx)
    m = view.units_model
    available = m.data(m.index(dog, 0), Qt.ItemDataRole.BackgroundRole)
    off = m.data(m.index(dog, 2), Qt.ItemDataRole.BackgroundRole)
    assert available is None  # blank
    assert off is not None and off.style() == Qt.BrushStyle.BDiagPattern  # light hatch
    assert "available, not posted" in m.data(m.index(dog, 0), Qt.ItemDataRole.ToolTipRole)
    assert "off duty" in m.data(m.index(dog, 2), Qt.ItemDataRole.ToolTipRole)


def test_timeline_legend_names_every_colour_and_fits_1366(qtbot, scenario: Scenario) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.set_index(PlanIndex(scenario, hand_plan(scenario), MapGeometry(scenario)))
    view.resize(1366, 230)
    view.show()
    qtbot.waitExposed(view)
    legend = view.legend
    assert [label for label, _ in legend.entries] == [label for label, _ in TIMELINE_CATEGORIES]
    assert legend.isVisible() and legend.shown() == len(legend.entries)
    assert legend.geometry().left() >= view.tabBar().geometry().right()  # beside the tabs
    assert "off duty (light hatch)" in legend.toolTip()
    assert "available, not posted (blank)" in legend.toolTip()
    view.setCurrentWidget(view.sites_view)
    assert [label for label, _ in legend.entries][-1] == "no unit there"
    assert "off duty" not in [label for label, _ in legend.entries]


def _pixel(widget: QWidget, point: QPoint) -> QColor:
    image: QImage = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))


def test_selected_cell_is_framed_not_filled(qtbot, theme: bool, scenario: Scenario) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    idx = PlanIndex(scenario, hand_plan(scenario), MapGeometry(scenario))
    view.set_index(idx)
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    m, table = view.units_model, view.units_view
    arv = idx.geo.unit_index["ARV1"]
    cell = m.index(arv, 2)  # ARV1 at S2, a transport hub: blue
    rect = table.visualRect(cell)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert table.currentIndex() == cell
    frame = view.cell_frames[table]
    assert frame.isVisible() and frame.geometry() == rect
    inside = QPoint(rect.right() - 8, rect.center().y())
    assert _pixel(table.viewport(), inside).name().upper() == "#0072B2"  # the posting colour
    assert _pixel(table.viewport(), QPoint(rect.left(), rect.center().y())) == QColor("black")
    assert _pixel(table.viewport(), QPoint(rect.left() + 1, rect.center().y())) == \
        QColor("white")
    # an unposted cell keeps the base colour: a selection fill would look like a posting
    dog = idx.geo.unit_index["DOG1"]
    idle = m.index(dog, 1)
    table.setCurrentIndex(idle)
    rect = table.visualRect(idle)
    assert frame.geometry() == rect
    assert _pixel(table.viewport(), rect.center()) == _palette_colour(QPalette.ColorRole.Base)


# -- the dashboard -------------------------------------------------------------------------


def _labels(n: int) -> list[str]:
    return [f"{6 * i:02d}:00" for i in range(n)]


def _board(qtbot: object, scenario: Scenario, unmet: tuple[Unmet, ...] = ()) -> Dashboard:
    board = Dashboard()
    qtbot.addWidget(board)  # type: ignore[attr-defined]
    plan = hand_plan(scenario)
    board.set_data(plan_kpis(scenario, plan.assignments), unmet or plan.unmet, 8.0,
                   _labels(4))
    board.set_predictability([(2.0, 1.0), (2.5, 1.2), (1.0, 0.5), (3.0, 2.0)], 0.28, 7)
    board.resize(DOCK_W, DOCK_H)
    board.show()
    qtbot.waitExposed(board)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: board.plots["armed_share"].vb.height() > 10)  # type: ignore
    return board


def test_dashboard_fits_its_dock_with_readable_charts(qtbot, scenario: Scenario) -> None:
    board = _board(qtbot, scenario)
    assert board.minimumSizeHint().width() <= DOCK_W
    view = board.charts.viewport()
    assert board.charts.ci.geometry().width() <= view.width() + 0.5  # nothing cut on the right
    plots = [*board.plots.values(), board.predictability]
    for plot in plots:
        assert plot.sceneBoundingRect().right() <= view.width() + 0.5
        assert plot.titleLabel.opts["size"] == "10pt"
        assert plot.titleLabel.item.boundingRect().width() <= view.width()
        # room for the y-axis labels: the charts scroll rather than shrink
        assert plot.vb.height() >= CHART_MIN_HEIGHT / 2
        assert plot.getAxis("left").isVisible() and plot.getAxis("left").width() > 20
    cap = board.cap_line.label
    assert cap.isVisible() and cap.toPlainText() == "cap 8%"
    vb = board.plots["armed_share"].vb
    qtbot.waitUntil(lambda: vb.sceneBoundingRect().contains(cap.sceneBoundingRect()), timeout=3000)
    bar = board.chart_scroll.verticalScrollBar()
    assert bar.maximum() > 0  # four charts do not fit 427 pixels: they scroll
    at = QPointF(50, 50)
    wheel = QWheelEvent(at, QPointF(view.mapToGlobal(at.toPoint())), QPoint(), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view, wheel)
    assert bar.value() > 0  # the mouse wheel over a chart scrolls them
    assert "overlap" not in board.predictability.titleLabel.text
    assert board.overlap_label.isVisible()
    assert "overlap with last 7 plan(s) 28%" in board.overlap_label.text()
    board.set_predictability(None, None, 0)
    assert not board.overlap_label.isVisible()
    assert board.charts.minimumHeight() == 3 * CHART_MIN_HEIGHT


UNMET = (
    Unmet(None, "DOG1", "DOG1 was never posted: no dog sweep target today"),
    Unmet(0, "CTSFO reach", "00:00-06:00: CTSFO reach 98.0% of demand; 51 cells beyond 25 min"),
    Unmet(0, "S1", "Oxford Circus 00:00-06:00: 1 of 2 units (minimum 2 at SEVERE): none"),
    Unmet(1, "S2", "Kings Cross needs 2 units in this slot and has 1"),
    Unmet(1, "armed reach", "06:00-12:00: armed reach 91.0% of demand"),
    Unmet(3, "S3|ARV", "18:00-00:00: today's draw asked for 1 ARV at S3; the hard rules allowed 0"),
)


def _texts(board: Dashboard) -> list[str]:
    return [board.unmet.item(i).text() for i in range(board.unmet.count())]


def test_unmet_list_shows_the_slot_without_repeating_itself(qtbot, scenario: Scenario) -> None:
    board = _board(qtbot, scenario, UNMET)
    assert board.this_slot.isChecked()  # on by default, following the selected slot
    assert _texts(board) == [
        "CTSFO reach 98.0% of demand; 51 cells beyond 25 min",
        "S1: Oxford Circus 00:00-06:00: 1 of 2 units (minimum 2 at SEVERE): none",
        "[all day] DOG1 was never posted: no dog sweep target today",
    ]
    assert board.unmet_title.text() == "Unmet: 3 in this slot, 6 in all"
    board.set_slot(1)
    assert _texts(board) == [
        "S2: Kings Cross needs 2 units in this slot and has 1",
        "armed reach 91.0% of demand",
        "[all day] DOG1 was never posted: no dog sweep target today",
    ]
    assert board.unmet_title.text() == "Unmet: 3 in this slot, 6 in all"
    board.set_slot(2)
    assert _texts(board) == ["[all day] DOG1 was never posted: no dog sweep target today"]
    assert board.unmet_title.text() == "Unmet: 1 in this slot, 6 in all"
    board.this_slot.setChecked(False)
    texts = _texts(board)
    assert len(texts) == len(UNMET)
    assert texts[1] == "[00:00] CTSFO reach 98.0% of demand; 51 cells beyond 25 min"
    assert texts[5] == "[18:00] today's draw asked for 1 ARV at S3; the hard rules allowed 0"
    assert all(t.count("CTSFO reach") <= 1 for t in texts)
    with qtbot.waitSignal(board.unmet_clicked) as blocker:
        board._unmet_item_clicked(board.unmet.item(4))
    assert blocker.args[0] == UNMET[4]
    board.clear()
    assert board.unmet.count() == 0 and board.unmet_title.text() == "Unmet targets: no plan"


def test_clicking_an_unmet_target_in_the_window_jumps_to_it(qtbot, make_window) -> None:
    from desktop.state import Selection

    window = make_window()
    board = window.dashboard
    assert board.unmet.count() == 1  # slot 0: only the all-day target
    window.state.set_slot(1)
    item = board.unmet.item(0)
    assert item.text() == "S2: Kings Cross needs 2 units in this slot and has 1"
    board._unmet_item_clicked(item)
    assert window.state.slot == 1 and window.state.selection == Selection("site", "S2")
    board.this_slot.setChecked(False)
    assert board.unmet.count() == 2


# -- controls in the dark theme ------------------------------------------------------------


def _max_contrast(image: QImage, rect: QRect, against: QColor) -> float:
    ratio = image.devicePixelRatio()
    best = 1.0
    for x in range(int(rect.left() * ratio), int((rect.right() + 1) * ratio)):
        for y in range(int(rect.top() * ratio), int((rect.bottom() + 1) * ratio)):
            best = max(best, contrast_ratio(image.pixelColor(x, y), against))
    return best


def test_check_box_and_slider_outlines_are_visible(qtbot, theme: bool) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    box = QCheckBox("Balance draws over days")
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 11)
    slider.setTickPosition(QSlider.TickPosition.TicksBelow)
    layout.addWidget(box)
    layout.addWidget(slider)
    host.resize(400, 100)
    host.show()
    qtbot.waitExposed(host)
    window = _palette_colour(QPalette.ColorRole.Window)
    style = QApplication.style()
    opt = QStyleOptionButton()
    opt.initFrom(box)
    indicator = style.subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, opt, box)
    assert _max_contrast(box.grab().toImage(), indicator, window) >= 3.0, theme
    sopt = QStyleOptionSlider()
    slider.initStyleOption(sopt)
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, sopt,
                                  QStyle.SubControl.SC_SliderGroove, slider)
    right = QRect(groove.center().x(), groove.top(), groove.width() // 2, groove.height())
    assert _max_contrast(slider.grab().toImage(), right, window) >= 3.0, theme  # past the handle
    if theme:  # bevel roles differ from the window (frames, separators)
        roles = (QPalette.ColorRole.Light, QPalette.ColorRole.Mid, QPalette.ColorRole.Dark,
                 QPalette.ColorRole.Shadow)
        assert all(_palette_colour(r) != window for r in roles)
