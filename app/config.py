"""The choices that shape a run: servers, path mappings, intervals, thumbnails,
alerts. Plain data and validation; no Qt (``app.settings`` keeps them).

Each ``check_*`` function returns the value as it is stored, or raises
``ValueError`` with a sentence the settings dialog can show as it is.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import msgspec

from .protocol.models import normalize_url


class Bounds(msgspec.Struct, frozen=True):
    low: float
    high: float
    default: float
    unit: str = "s"

    def check(self, value: float, what: str) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{what} must be a number, got {value!r}") from None
        if not self.low <= number <= self.high:
            raise ValueError(
                f"{what} must be from {self.low:g} to {self.high:g} {self.unit}"
                f", got {number:g}"
            )
        return number


POLL_INTERVAL = Bounds(0.2, 300, 5.0)
STALL_TIMEOUT = Bounds(31, 3600, 45.0)
"""At least 31 s: the server writes a keepalive every 30 s, and a stream quiet
for less than that is not dead."""
THUMBNAIL_SIZE = Bounds(48, 160, 72, "px")
"""The edge of a filmstrip frame's picture."""
BATTERY_PERCENT = Bounds(1, 90, 15, "%")
CARD_SHOTS = Bounds(1, 100_000, 50, "shots")
TRANSFER_STALL = Bounds(5, 3600, 30.0)


def check_server_url(text: str) -> str:
    """A server's base URL, normalized (``host:8080`` → ``http://host:8080``)."""
    raw = text.strip()
    if not raw:
        raise ValueError("the server address is empty")
    if any(c.isspace() for c in raw):
        raise ValueError(f"{raw!r}: an address has no spaces")
    try:
        parts = urlsplit(raw if "://" in raw else f"http://{raw}")
        parts.port  # noqa: B018 - reading it checks it
    except ValueError as exc:
        raise ValueError(f"{raw!r} is not a valid address ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{raw!r}: the address must start with http://")
    if not parts.hostname:
        raise ValueError(f"{raw!r}: the address names no host")
    if parts.query or parts.fragment:
        raise ValueError(f"{raw!r}: the address has no ? or # part")
    return normalize_url(raw)


def check_servers(lines: list[str]) -> list[str]:
    """Each line an address; duplicates are said, not silently merged."""
    urls: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            url = check_server_url(line)
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from None
        if url in urls:
            raise ValueError(f"line {number}: {url} is listed twice")
        urls.append(url)
    return urls


def parse_mapping(text: str) -> tuple[str, str]:
    """``SERVER=LOCAL``, as ``--map-path`` takes it."""
    server, sep, local = text.strip().partition("=")
    server, local = server.strip(), local.strip()
    if not sep or not server or not local:
        raise ValueError(
            f"{text.strip()!r}: expected SERVER=LOCAL, e.g. "
            "C:\\Users\\ph\\Shoot=/Volumes/Shoot"
        )
    return server, local


def check_mappings(lines: list[str]) -> list[tuple[str, str]]:
    mappings = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            mappings.append(parse_mapping(line))
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from None
    return mappings


class Alerts(msgspec.Struct, frozen=True):
    """What the alerts may do, and when they fire."""

    desktop: bool = True
    sound: bool = False
    battery_percent: int = int(BATTERY_PERCENT.default)
    card_shots: int = int(CARD_SHOTS.default)
    transfer_stall: float = TRANSFER_STALL.default


class Config(msgspec.Struct, frozen=True):
    """Everything the settings dialog edits. ``servers`` empty means the default
    server (``http://localhost:8080``)."""

    servers: list[str] = msgspec.field(default_factory=list)
    mappings: list[tuple[str, str]] = msgspec.field(default_factory=list)
    poll_interval: float = POLL_INTERVAL.default
    stall_timeout: float = STALL_TIMEOUT.default
    thumbnail_size: int = int(THUMBNAIL_SIZE.default)
    theme: str = "dark"
    alerts: Alerts = msgspec.field(default_factory=Alerts)

    def replace(self, **changes: Any) -> Config:
        return msgspec.structs.replace(self, **changes)


OPTIONS = {
    "servers": "--server",
    "poll_interval": "--poll-interval",
    "stall_timeout": "--stall-timeout",
    "mappings": "--map-path",
}
"""The command-line option that overrides each setting for one run."""


def for_run(
    stored: Config,
    *,
    servers: list[str] | None = None,
    demo: bool = False,
    poll_interval: float | None = None,
    stall_timeout: float | None = None,
    mappings: list[tuple[str, str]] | None = None,
) -> tuple[Config, dict[str, str]]:
    """What this run uses: the command line's values over the stored ones
    (None or empty: as stored), and which settings the command line overrode
    (name → option). Nothing here is ever written back.

    ``--demo`` without ``--server`` watches only the simulator: a demonstration
    must not reach out to the studio's servers.
    """
    given = {
        "servers": list(servers) if servers else None,
        "poll_interval": poll_interval,
        "stall_timeout": stall_timeout,
        "mappings": mappings,
    }
    overrides = {name: OPTIONS[name] for name, v in given.items() if v is not None}
    if demo and not servers:
        given["servers"] = []
        overrides["servers"] = "--demo"
    changes = {name: value for name, value in given.items() if value is not None}
    return stored.replace(**changes), overrides
