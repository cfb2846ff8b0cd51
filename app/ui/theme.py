"""The dark (default) and light looks: a style sheet each, and AF colours."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ..resources import resource
from .af_indicator import set_af_theme

_SHEETS = {"dark": "style.qss", "light": "style-light.qss"}


def apply_theme(app: QApplication, theme: str) -> None:
    """Restyle the whole application; an unknown theme falls back to dark."""
    theme = theme if theme in _SHEETS else "dark"
    sheet = resource(_SHEETS[theme])
    set_af_theme(theme)
    app.setStyleSheet(sheet.read_text(encoding="utf-8") if sheet.is_file() else "")
    # Setting the sheet repaints every widget on screen, the painted AF
    # indicators included (tests/test_cards.py checks their pixels).
