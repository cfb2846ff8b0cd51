"""What the REST server answers, as plain dataclasses, and its address (no HTTP here,
so that the window can show them without loading the network side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_URL = "http://localhost:8080"


@dataclass(frozen=True)
class ServerStatus:
    version: str
    sdk_version: str
    uptime: float | None
    platform: str
    cameras_connected: int
    cameras_discovered: int


@dataclass(frozen=True)
class CameraInfo:
    id: str
    model: str
    connection_type: str  # "USB" or "Network"
    connected: bool


@dataclass(frozen=True)
class ConnectionInfo:
    connected: bool
    model: str
    mode: str | None  # "remote", "remote-transfer", "contents"


@dataclass(frozen=True)
class Property:
    formatted: str
    value: Any
    writable: bool


def normalize_url(url: str) -> str:
    """The base URL without a trailing slash, with http:// added when missing."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = f"http://{url}"
    return url
