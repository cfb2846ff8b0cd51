"""What the user chose, kept between runs: nicknames, card order, theme, window.

Stored with QSettings in the platform's usual place (registry, plist, ini
under ~/.config). ``TETHER_MONITOR_SETTINGS=FILE`` keeps them in an ini file
instead, which the tests use and which makes a portable set-up possible.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings

ORDERS = ("name", "id")
THEMES = ("dark", "light")
NICKNAME_MAX = 40


def open_settings() -> QSettings:
    path = os.environ.get("TETHER_MONITOR_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("Tether Monitor", "Tether Monitor")


class Preferences:
    """Typed access to the stored choices; bad stored values read as defaults."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else open_settings()

    # Nicknames are kept per camera id: the id is what identifies a body
    # across servers, cables and days.
    def nickname(self, camera_id: str) -> str:
        value = self._settings.value(f"nicknames/{_key(camera_id)}", "")
        return value if isinstance(value, str) else ""

    def set_nickname(self, camera_id: str, name: str) -> str:
        """Store ``name`` (trimmed, one line, at most 40 characters); an empty
        name removes the nickname. Returns what was stored."""
        name = " ".join(name.split())[:NICKNAME_MAX]
        key = f"nicknames/{_key(camera_id)}"
        if name:
            self._settings.setValue(key, name)
        else:
            self._settings.remove(key)
        self._settings.sync()
        return name

    @property
    def card_order(self) -> str:
        return self._choice("cards/order", ORDERS)

    @card_order.setter
    def card_order(self, order: str) -> None:
        self._set_choice("cards/order", order, ORDERS)

    @property
    def theme(self) -> str:
        return self._choice("window/theme", THEMES)

    @theme.setter
    def theme(self, theme: str) -> None:
        self._set_choice("window/theme", theme, THEMES)

    @property
    def geometry(self) -> QByteArray | None:
        value = self._settings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._settings.setValue("window/geometry", value)
        self._settings.sync()

    def _choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self._settings.value(key, allowed[0])
        return value if value in allowed else allowed[0]

    def _set_choice(self, key: str, value: str, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
        self._settings.setValue(key, value)
        self._settings.sync()


def _key(camera_id: str) -> str:
    # QSettings treats '/' and '\\' as group separators; an id never has them
    # in practice, but a stored key must not escape its group.
    return camera_id.replace("/", "%2F").replace("\\", "%5C") or "%00"
