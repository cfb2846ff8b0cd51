"""The autofocus indicator: a shape, a word and a colour for each state."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QVariantAnimation
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..protocol.events import AfState

# Each state differs in shape and word as well as colour, so it reads in
# greyscale and for colour-blind eyes.
_WORDS = {
    AfState.FOCUSED: "FOCUSED",
    AfState.TRACKING: "TRACKING",
    AfState.UNLOCKED: "UNLOCKED",
    AfState.UNKNOWN: "FOCUS ?",
}
# Colours per theme: the light ones are darker so they keep their contrast on
# a white card.
_COLOURS = {
    "dark": {AfState.FOCUSED: "#2ecc71", AfState.TRACKING: "#3fa9f5",
             AfState.UNLOCKED: "#f0ad4e", AfState.UNKNOWN: "#7f8790"},
    "light": {AfState.FOCUSED: "#137a3c", AfState.TRACKING: "#0b62a8",
              AfState.UNLOCKED: "#9a5a00", AfState.UNKNOWN: "#5d656d"},
}  # fmt: skip
_theme = "dark"
FLASH_MS = 700


def set_af_theme(theme: str) -> None:
    """Use the AF colours made for the ``"dark"`` or ``"light"`` theme."""
    global _theme
    _theme = theme if theme in _COLOURS else "dark"


def _look(state: AfState) -> tuple[str, QColor]:
    return _WORDS[state], QColor(_COLOURS[_theme][state])


class AfIndicator(QWidget):
    """Shows an :class:`AfState`: filled disc with a tick (focused), target rings
    (tracking), open dashed square (unlocked), grey question mark (unknown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = AfState.UNKNOWN
        # A change of state flashes: a tint behind the indicator that fades.
        self._flash = QVariantAnimation(self)
        self._flash.setStartValue(1.0)
        self._flash.setEndValue(0.0)
        self._flash.setDuration(FLASH_MS)
        self._flash.valueChanged.connect(self.update)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(44)
        self._update_accessible()

    @property
    def state(self) -> AfState:
        return self._state

    def text(self) -> str:
        return _WORDS[self._state]

    @property
    def flashing(self) -> bool:
        return self._flash.state() == QVariantAnimation.State.Running

    def set_state(self, state: AfState) -> None:
        if state != self._state:
            self._state = state
            self._update_accessible()
            if state != AfState.UNKNOWN:
                self._flash.stop()
                self._flash.start()
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, 48)

    def _update_accessible(self) -> None:
        self.setAccessibleName(f"Autofocus: {self.text().lower()}")
        self.setToolTip(self.accessibleName())

    def paintEvent(self, event: QPaintEvent) -> None:
        word, colour = _look(self._state)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self.height()
        if self.flashing:
            tint = QColor(colour)
            tint.setAlphaF(0.45 * float(self._flash.currentValue()))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(tint)
            p.drawRoundedRect(QRectF(self.rect()), 6, 6)
        side = h - 8
        icon = QRectF(4, 4, side, side)
        pen = QPen(colour, max(2.0, side / 12))
        p.setPen(pen)
        c = icon.center()
        r = side / 2 - pen.widthF()
        if self._state == AfState.FOCUSED:
            p.setBrush(colour)
            p.drawEllipse(c, r, r)
            ink = "#0b1a10" if _theme == "dark" else "#ffffff"
            tick = QPen(QColor(ink), max(2.5, side / 9))
            tick.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(tick)
            p.drawPolyline([
                QPointF(c.x() - r * 0.45, c.y()),
                QPointF(c.x() - r * 0.1, c.y() + r * 0.38),
                QPointF(c.x() + r * 0.5, c.y() - r * 0.4),
            ])  # fmt: skip
        elif self._state == AfState.TRACKING:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(c, r, r)
            p.drawEllipse(c, r * 0.55, r * 0.55)
            p.setBrush(colour)
            p.drawEllipse(c, r * 0.15, r * 0.15)
        elif self._state == AfState.UNLOCKED:
            pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(icon.adjusted(r * 0.2, r * 0.2, -r * 0.2, -r * 0.2))
        else:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(c, r, r)
            font = QFont(self.font())
            font.setBold(True)
            font.setPixelSize(int(side * 0.6))
            p.setFont(font)
            p.drawText(icon, Qt.AlignmentFlag.AlignCenter, "?")
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(max(12, int(h * 0.42)))
        p.setFont(font)
        p.setPen(colour)
        text_rect = QRectF(icon.right() + 10, 0, self.width() - icon.right() - 10, h)
        p.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, word
        )
        p.end()
