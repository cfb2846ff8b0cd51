"""A built-in simulator of the Alpha Camera REST server (no Qt)."""

from .cameras import DEFAULT_CAMERAS, CameraSpec, make_cameras
from .server import CameraNotConnectedError, Simulator
from .thread import SimulatorThread

__all__ = [
    "DEFAULT_CAMERAS",
    "CameraNotConnectedError",
    "CameraSpec",
    "Simulator",
    "SimulatorThread",
    "make_cameras",
]
