"""A damaged store at start-up: explained, restore offered, nothing changed when declined."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from resources.store import Store, check
from tests.factories import site, tiny_scenario, unit


def _filled(db: Path) -> Path:
    with Store.open(db) as store:
        for i in range(30):
            store.save_scenario(tiny_scenario((unit("A1", "ARV"), unit("N1", "NHT")),
                                              (site("s1"),)).with_changes(name=f"s{i}"))
        store.backup()
    return db


def _damage(db: Path) -> None:
    data = bytearray(db.read_bytes())
    for k in (4, 7, 9):
        data[k * 4096:k * 4096 + 16] = b"\xfe" * 16
    db.write_bytes(bytes(data))


def _answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton,
            shown: list[str]) -> None:
    def ask(parent: object, title: str, text: str, *args: object) -> object:
        shown.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", ask)


def test_healthy_store_needs_no_question(qtbot, tmp_path: Path) -> None:
    from desktop.store_health import ensure_usable_store

    assert ensure_usable_store(_filled(tmp_path / "h.db"))


def test_damaged_store_restored_when_the_user_agrees(qtbot, tmp_path: Path, message_boxes,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.store_health import ensure_usable_store

    db = _filled(tmp_path / "h.db")
    _damage(db)
    asked: list[str] = []
    _answer(monkeypatch, QMessageBox.StandardButton.Yes, asked)
    assert ensure_usable_store(db)
    assert asked and "damaged" in asked[0] and "Restore the newest verified backup" in asked[0]
    assert check(db).ok
    with Store.open(db) as store:
        assert len(store.list_scenarios()) >= 30
    assert any("Restored from" in m for m in message_boxes)


def test_damaged_store_left_alone_when_the_user_declines(qtbot, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.store_health import ensure_usable_store

    db = _filled(tmp_path / "h.db")
    _damage(db)
    before = db.read_bytes()
    _answer(monkeypatch, QMessageBox.StandardButton.No, [])
    assert not ensure_usable_store(db)
    assert db.read_bytes() == before
