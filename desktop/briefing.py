"""The PDF briefing pack, drawn with Qt's own PDF writer.

Cover (scenario, date, threat level, KPIs, map image), per-slot tasking tables, then one tasking
sheet per posted unit. Every page carries the protective marking at top and bottom and the plan's
id and content hash in the footer.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from resources.errors import InputError
from resources.export import check_plan_fits
from resources.kpis import plan_kpis
from resources.model import Assignment, Plan, Scenario, SlotKpi

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
#: Longest protective marking accepted (it must fit the page's top and bottom bands).
MAX_MARKING = 80
#: Missed targets listed on the cover; the rest are counted.
COVER_UNMET = 60
_DPI = 96
_BAND = 34.0  # header/footer band height, pixels at _DPI


@dataclass(frozen=True)
class Section:
    """One part of the pack: HTML that starts on a new page and may run over several."""

    title: str
    html: str


def check_marking(marking: str) -> str:
    """The protective marking if it is 1-80 printable characters, not all spaces; else refuse."""
    if not marking.strip():
        got = "an empty marking" if not marking else "only spaces"
        raise InputError(f"expected 1-{MAX_MARKING} printable characters, got {got}",
                         field="marking")
    if len(marking) > MAX_MARKING:
        raise InputError(f"expected 1-{MAX_MARKING} printable characters, got "
                         f"{len(marking)} characters", field="marking")
    bad = next((i for i, ch in enumerate(marking) if not ch.isprintable()), None)
    if bad is not None:
        raise InputError(f"expected printable characters, got {marking[bad]!r} at position "
                         f"{bad + 1}", field="marking")
    return marking


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th align='left'>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return (f"<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
            f"<tr style='background:#dde3ea'>{head}</tr>{body}</table>")


def _place(scenario: Scenario, a: Assignment) -> str:
    if a.site_id is not None:
        site = scenario.sites_by_id.get(a.site_id)
        return site.name if site else a.site_id
    if a.standby_id is not None:
        point = scenario.standby_by_id.get(a.standby_id)
        return f"reserve at {point.name if point else a.standby_id}"
    return "reserve at base"


def _pct(x: float) -> str:
    return f"{100.0 * x:.1f}%"


def cover_section(scenario: Scenario, plan: Plan, kpis: Sequence[SlotKpi],
                  map_png: bytes | None, audit_head: str | None = None) -> Section:
    """The cover: identity, threat level, KPIs per slot, and the map image."""
    slots = scenario.calendar.slots()
    first, last = slots[0], slots[-1]
    rows = [[f"{slots[k.slot].start:%a %d %b %H:%M}" if k.slot < len(slots) else str(k.slot),
             str(k.officers), str(k.armed_officers), _pct(k.armed_share),
             _pct(k.risk_coverage), _pct(k.armed_reach), _pct(k.ctsfo_reach)] for k in kpis]
    parts = [
        "<h1>Deployment briefing</h1>",
        f"<p><b>Scenario:</b> {escape(scenario.name)}<br/>"
        f"<b>Period:</b> {first.start:%A %d %B %Y %H:%M} to {last.end:%A %d %B %Y %H:%M}<br/>"
        f"<b>Threat level:</b> {escape(plan.threat_level)}<br/>"
        f"<b>Armed share cap:</b> {escape(plan.armed_share_cap)}<br/>"
        f"<b>Postings:</b> {len(plan.assignments)}; <b>unmet targets:</b> {len(plan.unmet)}<br/>"
        f"<b>Plan:</b> {escape(plan.plan_id or 'unsaved')}"
        f"{' created ' + escape(plan.created_at) if plan.created_at else ''}<br/>"
        f"<b>Content hash:</b> {plan.content_hash()}"
        f"{'<br/><b>Audit chain head:</b> ' + escape(audit_head) if audit_head else ''}</p>",
    ]
    if map_png:
        parts.append("<p><img src='map.png' width='620'/></p>")
    parts += ["<h2>Measures per slot</h2>",
              "" if plan.kpis else "<p>The plan records no measures; these are recomputed "
              "from the plan's postings and the scenario.</p>",
              _table(["Slot", "Officers", "Armed", "Armed share", "Risk coverage",
                      "Armed reach", "CTSFO reach"], rows)]
    if plan.unmet:
        more = len(plan.unmet) - COVER_UNMET
        parts.append("<h2>Targets missed</h2><ul>" + "".join(
            f"<li>{escape(u.message)}</li>" for u in plan.unmet[:COVER_UNMET]) + "</ul>"
            + (f"<p>... and {more} more (the plan's JSON and the console's dashboard list "
               "every one).</p>" if more > 0 else ""))
    return Section("Cover", "".join(parts))


def slot_sections(scenario: Scenario, plan: Plan) -> list[Section]:
    """One tasking table per slot: who is where doing what."""
    by_slot = plan.by_slot()
    out = []
    for s in scenario.calendar.slots():
        posts = sorted(by_slot.get(s.index, []), key=lambda a: (a.site_id is None, a.callsign))
        rows = []
        for a in posts:
            unit = scenario.units_by_callsign.get(a.callsign)
            site = scenario.sites_by_id.get(a.site_id) if a.site_id else None
            rows.append([a.callsign, unit.type_code if unit else "?", _place(scenario, a),
                         site.borough if site else "", a.tactic.value, str(a.officers),
                         str(a.armed_officers), "yes" if a.pinned else ""])
        title = f"Slot {s.index + 1}: {s.start:%a %d %b %H:%M}-{s.end:%H:%M}"
        html = (f"<h2>Tasking, {escape(title)}</h2>"
                + _table(["Unit", "Type", "Posting", "Borough", "Tactic", "Officers", "Armed",
                          "Pinned"], rows))
        out.append(Section(title, html))
    return out


def unit_sections(scenario: Scenario, plan: Plan) -> list[Section]:
    """One tasking sheet per posted unit: postings, tactics, times and site notes."""
    slots = {s.index: s for s in scenario.calendar.slots()}
    posts: dict[str, list[Assignment]] = defaultdict(list)
    for a in plan.assignments:
        posts[a.callsign].append(a)
    out = []
    for unit in scenario.units:
        mine = sorted(posts.get(unit.callsign, []), key=lambda a: a.slot)
        if not mine:
            continue
        ut = scenario.unit_type(unit)
        rows, notes = [], {}
        for a in mine:
            s = slots.get(a.slot)
            when = f"{s.start:%a %d %b %H:%M}-{s.end:%H:%M}" if s else str(a.slot)
            rows.append([when, _place(scenario, a), a.tactic.value])
            site = scenario.sites_by_id.get(a.site_id) if a.site_id else None
            if site is not None and site.notes:
                notes[site.name] = site.notes
        html = (f"<h1>Tasking sheet: {escape(unit.callsign)}</h1>"
                f"<p><b>Type:</b> {escape(ut.name)} ({escape(ut.code)}); "
                f"<b>crew:</b> {unit.officers}, armed {ut.armed_for(unit.officers)}; "
                f"<b>base:</b> {escape(unit.borough)}</p>"
                + _table(["Time", "Posting", "Tactic"], rows))
        if notes:
            html += "<h3>Site notes</h3><ul>" + "".join(
                f"<li><b>{escape(k)}:</b> {escape(v)}</li>" for k, v in sorted(notes.items())
            ) + "</ul>"
        out.append(Section(f"Unit {unit.callsign}", html))
    return out


def pack_sections(scenario: Scenario, plan: Plan, map_png: bytes | None = None,
                  audit_head: str | None = None) -> list[Section]:
    """Every section of the pack, in order."""
    kpis = plan.kpis or plan_kpis(scenario, plan.assignments)
    return [cover_section(scenario, plan, kpis, map_png, audit_head),
            *slot_sections(scenario, plan),
            *unit_sections(scenario, plan)]


def png_bytes(image: QImage) -> bytes:
    """An image encoded as PNG."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")  # type: ignore[call-overload]
    buf.close()
    return bytes(data.data())


class _PackWriter:
    def __init__(self, writer: QPdfWriter, marking: str, footer: str) -> None:
        self.writer, self.marking, self.footer = writer, marking, footer
        self.painter = QPainter(writer)
        self.page = 0
        full = writer.pageLayout().paintRectPixels(_DPI)
        self.full = QRectF(0, 0, full.width(), full.height())
        self.body = self.full.adjusted(0, _BAND, 0, -_BAND)

    def _bands(self) -> None:
        p = self.painter
        self.page += 1
        font = QFont("Sans Serif")
        font.setPixelSize(13)
        font.setBold(True)
        p.setFont(font)
        top = QRectF(self.full.left(), self.full.top(), self.full.width(), _BAND - 8)
        bottom = QRectF(self.full.left(), self.full.bottom() - _BAND + 6, self.full.width(), 16)
        p.drawText(top, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self.marking)
        p.drawText(bottom.translated(0, 16), Qt.AlignmentFlag.AlignHCenter, self.marking)
        font.setBold(False)
        font.setPixelSize(9)
        p.setFont(font)
        p.drawText(bottom, Qt.AlignmentFlag.AlignLeft, self.footer)
        p.drawText(bottom, Qt.AlignmentFlag.AlignRight, f"page {self.page}")

    def section(self, sec: Section, map_png: bytes | None) -> None:
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(self.writer)
        font = QFont("Sans Serif")
        font.setPointSizeF(9.5)
        doc.setDefaultFont(font)
        if map_png:
            img = QImage.fromData(map_png)
            doc.addResource(QTextDocument.ResourceType.ImageResource, "map.png", img)
        doc.setHtml(sec.html)
        doc.setPageSize(QSizeF(self.body.width(), self.body.height()))
        for i in range(doc.pageCount()):
            if self.page:
                self.writer.newPage()
            self._bands()
            p = self.painter
            p.save()
            p.translate(self.body.left(), self.body.top() - i * self.body.height())
            doc.drawContents(p, QRectF(0, i * self.body.height(), self.body.width(),
                                       self.body.height()))
            p.restore()

    def finish(self) -> int:
        self.painter.end()
        return self.page


def write_briefing(path: Path, scenario: Scenario, plan: Plan, *,
                   map_image: QImage | None = None, marking: str = DEFAULT_MARKING,
                   audit_head: str | None = None) -> int:
    """Write the briefing pack PDF atomically; returns its page count.

    Refused before any drawing: a plan that does not fit the scenario, a bad marking, an
    output path in a missing folder or naming a folder. A failed write leaves no file."""
    check_plan_fits(scenario, plan)
    check_marking(marking)
    target = path.resolve()
    if not target.parent.is_dir():
        raise InputError("the folder does not exist", source=str(path))
    if target.is_dir():
        raise InputError("expected a file name, got a folder", source=str(path))
    try:
        return _write_pdf(target, scenario, plan, map_image, marking, audit_head)
    except OSError as err:
        raise InputError(f"cannot write the file: {err.strerror or err}",
                         source=str(path)) from None


def _write_pdf(target: Path, scenario: Scenario, plan: Plan, map_image: QImage | None,
               marking: str, audit_head: str | None) -> int:
    map_png = png_bytes(map_image) if map_image is not None and not map_image.isNull() else None
    sections = pack_sections(scenario, plan, map_png, audit_head)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".pdf", dir=target.parent)
    os.close(fd)
    try:
        writer = QPdfWriter(tmp)
        writer.setResolution(_DPI)
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(12, 10, 12, 10), QPageLayout.Unit.Millimeter)
        writer.setTitle(f"Briefing {plan.scenario} {plan.plan_id or ''}".strip())
        writer.setCreator("Hercules")
        footer = f"Plan {plan.plan_id or 'unsaved'}  sha256 {plan.content_hash()}"
        pack = _PackWriter(writer, marking, footer)
        if not pack.painter.isActive():
            raise OSError(f"cannot open a PDF in folder {target.parent}")
        for sec in sections:
            pack.section(sec, map_png)
        pages = pack.finish()
        del pack, writer
        _check_complete(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return pages


def _check_complete(pdf: Path) -> None:
    """Raise OSError unless ``pdf`` is a whole PDF (Qt reports no write errors itself)."""
    with pdf.open("rb") as fh:
        head = fh.read(5)
        fh.seek(max(0, pdf.stat().st_size - 64))
        tail = fh.read()
    if head != b"%PDF-" or b"%%EOF" not in tail:
        raise OSError("the PDF was not written completely (is the disk full?)")
