"""What-if comparison in the console, and the briefing pack / export from the File menu."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from resources.compare import compare_plans
from resources.store import Store
from tests.conftest import hand_plan
from tests.pdf_text import page_count, page_texts


def test_compare_with_baseline_lists_and_highlights_changes(make_window: Any) -> None:
    window = make_window()
    what_if = window.pins.what_if
    assert what_if.compare() is None  # no baseline yet: says what to do
    assert "Keep a baseline first" in window.pins.last_message
    base = window.state.plan
    assert what_if.keep_baseline()
    window.state.set_slot(1)
    other = hand_plan(window.state.scenario, variant=1)
    window.state.set_plan(other)
    cmp = what_if.compare()
    expected = compare_plans(base, other)
    assert [c.describe() for c in cmp.changes] == [c.describe() for c in expected.changes]
    assert cmp.changes and all(c.kind == "moved" for c in cmp.changes)
    view = what_if.view
    assert view.table.rowCount() == 4
    assert view.changes.count() == len(cmp.changes)
    assert f"{len(cmp.changes)} postings changed" in view.summary.text()
    # officers do not change (same units posted): the difference column shows +0
    assert view.table.item(0, 2).text() == "+0"
    in_slot = sum(1 for c in cmp.changes if c.slot == 1)
    assert in_slot and len(window.pins.changed_mark.data) == in_slot
    item = view.changes.item(len(cmp.changes) - 1)
    view.changes.itemClicked.emit(item)
    last = cmp.changes[-1]
    assert window.state.slot == last.slot
    assert window.state.selection.key == last.callsign


def test_pack_and_export_of_the_shown_plan(make_window: Any, tmp_path: Path,
                                           stored_db: Path) -> None:
    window = make_window()
    window.settings.marking = "OFFICIAL-SENSITIVE TEST"
    pack = window.pins.pack
    pdf = tmp_path / "pack.pdf"
    pages = pack.write_pack(pdf)
    data = pdf.read_bytes()
    assert pages == page_count(data) >= 1 + 4
    texts = page_texts(data)
    plan = window.state.plan
    with Store.open(stored_db) as store:  # the pack is of the stored plan (the console only
        written = store.load_plan(plan.plan_id).content_hash()  # recomputed its measures)
    assert all("OFFICIAL-SENSITIVE TEST" in t and written in t for t in texts)
    out = tmp_path / "plan.csv"
    rows = pack.export(out, "csv")
    parsed = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert rows == len(parsed) == len(plan.assignments)
    with Store.open(stored_db) as store:
        head = store.audit_head()
        actions = [e.action for e in store.audit_entries(last=2)]
    assert actions == ["plan.export", "plan.export"]
    assert len(parsed[0]["audit_head"]) == 64
    assert parsed[0]["audit_head"] != head  # printed before the export was recorded
    assert "Exported" in window.pins.last_message
