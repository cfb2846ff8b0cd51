"""The Qt binding itself: a regression guard for a crash it once caused."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication


def test_painting_does_not_drain_references_to_none(qapp: QApplication) -> None:
    """Regression: with PySide6 6.12.0 on CPython 3.11 each void QPainter call
    dropped one reference to None; the window aborted after about two minutes
    ("Fatal Python error: none_dealloc"). pyproject.toml keeps that release out."""
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(2000):
            painter.setBrush(Qt.BrushStyle.NoBrush)
        after = sys.getrefcount(None)
    finally:
        painter.end()
    assert before - after < 100, f"None lost {before - after} references"
