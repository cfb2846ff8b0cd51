"""What the REST server answers, as plain records (msgspec Structs), and its
address (no HTTP here, so that the window can show them without loading the
network side)."""

from __future__ import annotations

from typing import Any

import msgspec

DEFAULT_URL = "http://localhost:8080"


class ServerStatus(msgspec.Struct, frozen=True):
    version: str
    sdk_version: str
    uptime: float | None
    platform: str
    cameras_connected: int
    cameras_discovered: int


class CameraInfo(msgspec.Struct, frozen=True):
    id: str
    model: str
    connection_type: str  # "USB" or "Network"
    connected: bool


class ConnectionInfo(msgspec.Struct, frozen=True):
    connected: bool
    model: str
    mode: str | None  # "remote", "remote-transfer", "contents"


class Property(msgspec.Struct, frozen=True):
    formatted: str
    value: Any
    writable: bool


def normalize_url(url: str) -> str:
    """The base URL without a trailing slash, with http:// added when missing."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = f"http://{url}"
    return url
