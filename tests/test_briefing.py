"""The PDF briefing pack: pages, marking and plan identity on every page, content per section."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from resources.errors import InputError
from resources.model import Assignment, Calendar, PlanSlot, Tactic
from tests.pdf_text import page_count, page_texts
from tests.placement_world import world, world_plan


def test_pack_pages_and_content(qapp: object, tmp_path: Path) -> None:
    from PySide6.QtGui import QColor, QImage

    from desktop.briefing import write_briefing

    sc = world()
    plan = world_plan(sc)
    image = QImage(200, 120, QImage.Format.Format_RGB32)
    image.fill(QColor("navy"))
    out = tmp_path / "pack.pdf"
    pages = write_briefing(out, sc, plan, map_image=image, audit_head="ab" * 32)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    # cover + one table per slot (2) + one sheet per posted unit (6)
    assert pages == page_count(data) == 9
    texts = page_texts(data)
    assert len(texts) == 9
    digest = plan.content_hash()
    for i, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2, i
        assert "p-world" in text and digest in text, i
        assert f"page {i}" in text
    assert "Deployment briefing" in texts[0] and "SUBSTANTIAL" in texts[0]
    assert f"Audit chain head: {'ab' * 32}" in texts[0]
    assert "Measures per slot" in texts[0] and "/Subtype /Image" in data.decode("latin-1")
    assert "Slot 1: Mon 05 Jan 00:00-12:00" in texts[1] and "Alpha Square" in texts[1]
    assert "Slot 2" in texts[2] and "Far Green" in texts[2]
    for i, cs in enumerate(("TSG1", "TSG2", "NHT1", "NHT2", "ANPR1", "DOG1")):
        assert f"Tasking sheet: {cs}Type:" in texts[3 + i]  # roster order
    tsg1 = next(t for t in texts if "Tasking sheet: TSG1" in t)
    assert "Site notes" in tsg1 and '=HYPERLINK("x")' in tsg1  # shown as text, never run


def test_long_sheet_runs_over_pages_with_marking_on_each(qapp: object, tmp_path: Path) -> None:
    from desktop.briefing import write_briefing

    sc = world(calendar=Calendar(slot_minutes=15))  # 96 slots
    base = world_plan(world())
    slots = tuple(PlanSlot(s.index, s.start.isoformat(), s.end.isoformat())
                  for s in sc.calendar.slots())
    posts = tuple(Assignment("TSG1", t, "B", Tactic.VEHICLE_PATROL, 8, 0) for t in range(96))
    plan = replace(base, slots=slots, assignments=posts)
    out = tmp_path / "long.pdf"
    pages = write_briefing(out, sc, plan, marking="SECRET TEST")
    texts = page_texts(out.read_bytes())
    slot_pages, sheet_pages = 96, pages - 1 - 96
    assert sheet_pages >= 2  # the 96-row sheet does not fit on one page
    assert len(texts) == pages
    assert all(t.count("SECRET TEST") == 2 for t in texts)
    assert slot_pages + 1 + sheet_pages == pages


def test_refuses_a_plan_of_another_scenario(qapp: object, tmp_path: Path) -> None:
    from desktop.briefing import write_briefing

    sc = world()
    out = tmp_path / "x.pdf"
    with pytest.raises(InputError, match="plan is for scenario 'other'"):
        write_briefing(out, sc, world_plan(sc, name="other"))
    assert not out.exists()
    with pytest.raises(InputError, match="the folder does not exist"):
        write_briefing(tmp_path / "missing" / "x.pdf", sc, world_plan(sc))


def test_cover_lists_the_first_missed_targets_and_counts_the_rest(qapp: object) -> None:
    from desktop.briefing import COVER_UNMET, cover_section
    from resources.kpis import plan_kpis
    from resources.model import Unmet

    sc = world()
    many = tuple(Unmet(0, f"S{i}", f"target number {i} missed") for i in range(COVER_UNMET + 7))
    plan = replace(world_plan(sc), unmet=many)
    html = cover_section(sc, plan, plan_kpis(sc, plan.assignments), None).html
    assert f"target number {COVER_UNMET - 1} missed" in html
    assert f"target number {COVER_UNMET} missed" not in html
    assert "... and 7 more" in html
    short = replace(plan, unmet=many[:3])
    assert "more (the plan" not in cover_section(sc, short, plan_kpis(sc, short.assignments),
                                                 None).html
