"""The simulated camera bodies."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MAX_CAMERAS = 16


@dataclass(frozen=True)
class CameraSpec:
    """One simulated body, as the server lists it."""

    id: str
    model: str
    connection_type: str  # "USB" or "Network"
    mode: str  # "remote" or "remote-transfer"


DEFAULT_CAMERAS: list[CameraSpec] = [
    CameraSpec("D06CE05E3323", "ILCE-7M4", "USB", "remote"),
    CameraSpec("4A1B9C7E2F10", "ILCE-1", "Network", "remote-transfer"),
    CameraSpec("8E03F2A4B761", "ILCE-7RM5", "USB", "remote"),
]

_MORE_MODELS = (
    "ILCE-9M3",
    "ILCE-7SM3",
    "ILCE-6700",
    "ILCE-7CM2",
    "ILCE-7CR",
    "ILCE-1M2",
    "ILCE-7M3",
    "ILCE-7RM4A",
    "ILCE-9M2",
    "ILCE-6600",
    "ILCE-7C",
    "ILME-FX3",
    "ZV-E1",
)


def make_cameras(count: int) -> list[CameraSpec]:
    """Return `count` bodies: the three defaults first, then more models."""
    if not 1 <= count <= MAX_CAMERAS:
        raise ValueError(f"expected 1 to {MAX_CAMERAS} cameras, got {count}")
    specs = DEFAULT_CAMERAS[:count]
    for index, model in enumerate(_MORE_MODELS[: count - len(specs)]):
        # Stable ids, so the monitor remembers these bodies across runs.
        digest = hashlib.sha1(f"{model}-{index}".encode()).hexdigest()
        specs.append(
            CameraSpec(
                id=digest[:12].upper(),
                model=model,
                connection_type="Network" if index % 2 else "USB",
                mode="remote-transfer" if index % 3 == 1 else "remote",
            )
        )
    return specs
