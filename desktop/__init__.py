"""The desktop console (PySide6 + pyqtgraph): a thin view over resources/ and solver/."""

import os

# pyqtgraph picks the first Qt binding it finds unless told; the console uses PySide6 only.
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from desktop import qt_fixes

qt_fixes.apply()
