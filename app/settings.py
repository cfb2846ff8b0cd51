"""What the user chose, kept between runs: nicknames, card order, theme, window,
and what the settings dialog edits (servers, path mappings, intervals,
thumbnails, alerts; the rules are in ``app.config``).

Stored with QSettings in the platform's usual place (registry, plist, ini
under ~/.config). ``TETHER_MONITOR_SETTINGS=FILE`` keeps them in an ini file
instead, which the tests use and which makes a portable set-up possible.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from .config import (
    BATTERY_PERCENT,
    CARD_SHOTS,
    POLL_INTERVAL,
    STALL_TIMEOUT,
    THUMBNAIL_SIZE,
    TRANSFER_STALL,
    Alerts,
    Bounds,
    Config,
    check_mappings,
    check_server_url,
    check_servers,
    parse_mapping,
)

ORDERS = ("name", "id")
THEMES = ("dark", "light")
NICKNAME_MAX = 40


def open_settings() -> QSettings:
    path = os.environ.get("TETHER_MONITOR_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("Tether Monitor", "Tether Monitor")


class _Stored:
    """A number (within ``bounds``) or a flag kept under ``key``: a bad stored
    value reads as the default; a bad new value raises ValueError saying why."""

    def __init__(
        self, key: str, what: str, bounds: Bounds | None = None, *,
        flag: bool = False, whole: bool = False,
    ) -> None:  # fmt: skip
        self.key, self.what, self.bounds = key, what, bounds
        self.flag_default, self.whole = flag, whole

    def __get__(self, prefs: Preferences | None, owner: type) -> Any:
        if prefs is None:
            return self
        value = prefs._settings.value(self.key)
        if self.bounds is None:
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            return value if isinstance(value, bool) else self.flag_default
        try:
            number = self.bounds.check(value, self.what)
        except ValueError:
            number = self.bounds.default
        return int(number) if self.whole else number

    def __set__(self, prefs: Preferences, value: Any) -> None:
        stored: object
        if self.bounds is None:
            stored = bool(value)
        else:
            stored = self.bounds.check(value, self.what)
            if self.whole:
                stored = int(stored)
        prefs._settings.setValue(self.key, stored)
        prefs._settings.sync()


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

    # -- the settings dialog's choices ---------------------------------------------

    poll_interval = _Stored(
        "watch/pollInterval", "the discovery interval", POLL_INTERVAL
    )
    stall_timeout = _Stored("watch/stallTimeout", "the stall timeout", STALL_TIMEOUT)
    thumbnail_size = _Stored(
        "cards/thumbnailSize", "the thumbnail size", THUMBNAIL_SIZE, whole=True
    )
    alert_desktop = _Stored("alerts/desktop", "desktop notifications", flag=True)
    alert_sound = _Stored("alerts/sound", "the alert sound", flag=False)
    alert_battery_percent = _Stored(
        "alerts/batteryPercent", "the battery threshold", BATTERY_PERCENT, whole=True
    )
    alert_card_shots = _Stored(
        "alerts/cardShots", "the memory card threshold", CARD_SHOTS, whole=True
    )
    alert_transfer_stall = _Stored(
        "alerts/transferStall", "the transfer stall time", TRANSFER_STALL
    )

    @property
    def servers(self) -> list[str]:
        """The servers to watch (normalized URLs); empty: the default server."""
        urls = []
        for url in _read_list(self._settings, "servers", "url"):
            try:
                urls.append(check_server_url(url))
            except ValueError:
                continue  # a hand-edited mistake: the others are still watched
        return list(dict.fromkeys(urls))

    @servers.setter
    def servers(self, urls: list[str]) -> None:
        _write_list(self._settings, "servers", "url", check_servers(list(urls)))

    @property
    def path_mappings(self) -> list[tuple[str, str]]:
        """Where the servers' folders are on this machine: (server, local) prefixes."""
        found = []
        for item in _read_list(self._settings, "pathMappings", "mapping"):
            try:
                found.append(parse_mapping(item))
            except ValueError:
                continue
        return found

    @path_mappings.setter
    def path_mappings(self, mappings: list[tuple[str, str]]) -> None:
        lines = [f"{server}={local}" for server, local in mappings]
        check_mappings(lines)
        _write_list(self._settings, "pathMappings", "mapping", lines)

    @property
    def splitters(self) -> list[QByteArray]:
        """The saved states of the window's two splitters (cards | picture, and
        the top | the event log), or [] when none were saved."""
        states = []
        for index in range(2):
            value = self._settings.value(f"window/splitter{index}")
            if not isinstance(value, QByteArray) or value.isEmpty():
                return []
            states.append(value)
        return states

    @splitters.setter
    def splitters(self, states: list[QByteArray]) -> None:
        for index, state in enumerate(states[:2]):
            self._settings.setValue(f"window/splitter{index}", state)
        self._settings.sync()

    def config(self) -> Config:
        """Everything the settings dialog shows, as stored."""
        return Config(
            servers=self.servers,
            mappings=self.path_mappings,
            poll_interval=self.poll_interval,
            stall_timeout=self.stall_timeout,
            thumbnail_size=self.thumbnail_size,
            theme=self.theme,
            alerts=Alerts(
                desktop=self.alert_desktop,
                sound=self.alert_sound,
                battery_percent=self.alert_battery_percent,
                card_shots=self.alert_card_shots,
                transfer_stall=self.alert_transfer_stall,
            ),
        )

    def save_config(self, config: Config) -> None:
        """Store all of ``config``; if any part is invalid, raise ValueError
        saying which and why, and store nothing."""
        check_servers(config.servers)
        check_mappings([f"{s}={p}" for s, p in config.mappings])
        alerts = config.alerts
        for bounds, value, what in (
            (POLL_INTERVAL, config.poll_interval, "the discovery interval"),
            (STALL_TIMEOUT, config.stall_timeout, "the stall timeout"),
            (THUMBNAIL_SIZE, config.thumbnail_size, "the thumbnail size"),
            (BATTERY_PERCENT, alerts.battery_percent, "the battery threshold"),
            (CARD_SHOTS, alerts.card_shots, "the memory card threshold"),
            (TRANSFER_STALL, alerts.transfer_stall, "the transfer stall time"),
        ):
            bounds.check(value, what)
        if config.theme not in THEMES:
            raise ValueError(f"{config.theme!r} is not one of {', '.join(THEMES)}")
        self.servers = config.servers
        self.path_mappings = config.mappings
        self.poll_interval = config.poll_interval
        self.stall_timeout = config.stall_timeout
        self.thumbnail_size = config.thumbnail_size
        self.theme = config.theme
        self.alert_desktop = alerts.desktop
        self.alert_sound = alerts.sound
        self.alert_battery_percent = alerts.battery_percent
        self.alert_card_shots = alerts.card_shots
        self.alert_transfer_stall = alerts.transfer_stall

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


MAX_LIST = 256
"""Entries read from a stored list (servers, mappings): a damaged file may
claim millions."""


def _read_list(settings: QSettings, group: str, key: str) -> list[str]:
    size = settings.beginReadArray(group)
    items = []
    for index in range(min(size, MAX_LIST)):
        settings.setArrayIndex(index)
        value = settings.value(key)
        if isinstance(value, str) and value:
            items.append(value)
    settings.endArray()
    return items


def _write_list(settings: QSettings, group: str, key: str, items: list[str]) -> None:
    settings.remove(group)
    settings.beginWriteArray(group, len(items))
    for index, item in enumerate(items):
        settings.setArrayIndex(index)
        settings.setValue(key, item)
    settings.endArray()
    settings.sync()
