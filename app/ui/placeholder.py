"""Pictures that stand in for a frame that cannot be shown, saying why."""

from __future__ import annotations

import functools

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from ..imaging import Problem

_MARK = {
    Problem.MISSING: "?",
    Problem.INCOMPLETE: "…",
    Problem.TRUNCATED: "✂",
    Problem.NOT_IMAGE: "✕",
    Problem.UNSUPPORTED: "✕",
    Problem.TOO_LARGE: "⚠",
    Problem.UNREADABLE: "⚠",
}

_TITLE = {
    Problem.MISSING: "File not found",
    Problem.INCOMPLETE: "Still being written",
    Problem.TRUNCATED: "Truncated file",
    Problem.NOT_IMAGE: "Not an image",
    Problem.UNSUPPORTED: "Unsupported file",
    Problem.TOO_LARGE: "Too large to show",
    Problem.UNREADABLE: "Cannot read the file",
}


@functools.lru_cache(maxsize=4)  # a few: a viewer-sized one is 2.4 MB
def placeholder(name: str, problem: str, width: int, height: int) -> QImage:
    """A dark card with a mark, what went wrong and the file's name.

    The same one is asked for more than once for a frame (its card and its
    filmstrip icon, 8 at a time when cameras fire together): it is drawn once.
    QImage copies on write, so a caller that paints on it has its own."""
    kind = Problem(problem) if problem in Problem._value2member_map_ else None
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#24292f"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor("#d9822b"), 2, Qt.PenStyle.DashLine))
    p.drawRect(image.rect().adjusted(2, 2, -3, -3))
    font = QFont()
    font.setPixelSize(max(14, height // 4))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("#d9822b"))
    top = QRect(0, int(height * 0.08), width, int(height * 0.4))
    p.drawText(top, Qt.AlignmentFlag.AlignCenter, _MARK.get(kind, "✕") if kind else "✕")
    font.setPixelSize(max(10, height // 11))
    p.setFont(font)
    p.setPen(QColor("#e6e9ed"))
    middle = QRect(6, int(height * 0.5), width - 12, int(height * 0.2))
    title = _TITLE.get(kind, "No picture") if kind else "No picture"
    p.drawText(middle, Qt.AlignmentFlag.AlignCenter, title)
    font.setBold(False)
    font.setPixelSize(max(9, height // 13))
    p.setFont(font)
    p.setPen(QColor("#aab3bd"))
    bottom = QRect(6, int(height * 0.72), width - 12, int(height * 0.24))
    elided = p.fontMetrics().elidedText(name, Qt.TextElideMode.ElideMiddle, width - 12)
    p.drawText(bottom, Qt.AlignmentFlag.AlignCenter, elided)
    p.end()
    return image
