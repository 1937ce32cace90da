"""Application set-up and the GUI entry point ``run_gui(db_path) -> int``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.settings import APPLICATION, ORGANISATION, Settings
from desktop.theme import apply_theme


def _import_store_without_pandas() -> None:
    """Import the store with pandas hidden: sqlite-utils imports pandas (about 0.7 s) only to
    map pandas timestamps, which the console never stores. pandas stays importable afterwards.
    """
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # import pandas -> ImportError
    try:
        import resources.store  # noqa: F401
    finally:
        del sys.modules["pandas"]


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once): names, high-DPI policy, readable default font."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(argv if argv is not None else [sys.argv[0]])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Hercules")
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
        app.setFont(font)
    return app


def build_window(db_path: Path, settings: Settings | None = None,
                 solve_fn: Callable[..., Any] | None = None,
                 token_factory: Callable[[], Any] | None = None,
                 open_last: bool = True) -> Any:
    """The main window over the store at ``db_path``, showing the last scenario (London first)."""
    _import_store_without_pandas()
    from desktop.main_window import MainWindow

    app = make_app()
    settings = settings or Settings()
    apply_theme(app, settings.dark)
    window = MainWindow(db_path, settings, solve_fn, token_factory)
    if open_last:
        name = settings.last_scenario
        if not window.commands.open_scenario_named(name, quiet=True) and name != "london":
            window.commands.open_scenario_named("london", quiet=True)
    return window


def _excepthook(window: Any) -> Callable[[type[BaseException], BaseException,
                                          TracebackType | None], None]:
    def hook(kind: type[BaseException], err: BaseException, tb: TracebackType | None) -> None:
        message = str(err) or kind.__name__
        print(f"error: {kind.__name__}: {message}", file=sys.stderr)
        QMessageBox.critical(window, "Error", f"{kind.__name__}: {message}")

    return hook


def run_gui(db_path: Path) -> int:
    """Open the console on the store at ``db_path``; returns the exit code."""
    app = make_app()
    _import_store_without_pandas()
    from desktop.store_health import ensure_usable_store

    if Path(db_path).exists() and not ensure_usable_store(Path(db_path)):
        return 2
    try:
        window = build_window(Path(db_path))
    except Exception as err:  # start-up failure: a message, never a traceback
        QMessageBox.critical(None, "Hercules", f"The console could not start: {err}")
        return 2
    previous = sys.excepthook
    sys.excepthook = _excepthook(window)
    try:
        window.show()
        return int(app.exec())
    finally:
        sys.excepthook = previous
