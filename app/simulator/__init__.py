"""A built-in simulator of the Alpha Camera REST server (no Qt)."""

from .cameras import DEFAULT_CAMERAS, CameraSpec, make_cameras
from .server import (
    BAD_GATEWAY,
    HTML_INSTEAD_OF_EVENTS,
    INTERNAL_ERROR,
    PARTIAL_EVENT,
    CameraNotConnectedError,
    Failure,
    Simulator,
)
from .thread import SimulatorThread

__all__ = [
    "BAD_GATEWAY",
    "DEFAULT_CAMERAS",
    "HTML_INSTEAD_OF_EVENTS",
    "INTERNAL_ERROR",
    "PARTIAL_EVENT",
    "CameraNotConnectedError",
    "CameraSpec",
    "Failure",
    "Simulator",
    "SimulatorThread",
    "make_cameras",
]
