"""Camera properties with realistic SDK codes, raw values and display strings."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from .cameras import DEFAULT_CAMERAS, CameraSpec


def to_hex(value: int) -> str:
    """SDK-style hex; negative values as 32-bit two's complement."""
    return f"0x{value & 0xFFFFFFFF:X}"


@dataclass
class Property:
    """One device property; `choices` is empty for free numbers."""

    name: str
    code: int  # CrDevicePropertyCode of the Camera Remote SDK
    value: int
    formatted: str
    writable: bool
    choices: list[tuple[int, str]] = field(default_factory=list)
    unit: str = ""  # appended to free numbers: "85%"

    @property
    def hex_code(self) -> str:
        return f"0x{self.code:x}"

    def set(self, formatted: str) -> None:
        """Take a display string; unknown strings are accepted as they are."""
        for value, text in self.choices:
            if text == formatted:
                self.value, self.formatted = value, text
                return
        digits = re.search(r"\d+", formatted)
        if not self.choices and digits and len(digits.group()) <= 18:
            self.value = int(digits.group())  # (longer: kept as text only)
        self.formatted = formatted

    def step(self, delta: int) -> None:
        """Move to a neighbouring choice, or add `delta` to a free number."""
        if not self.choices:
            self.value = max(0, self.value + delta)
            self.formatted = f"{self.value}{self.unit}"
            return
        texts = [text for _, text in self.choices]
        index = texts.index(self.formatted) if self.formatted in texts else 0
        index = min(max(index + delta, 0), len(texts) - 1)
        self.value, self.formatted = self.choices[index]

    def change(self) -> None:
        """Move to the next choice (wrapping), or count a free number down."""
        if not self.choices:
            self.step(-1)
            return
        texts = [text for _, text in self.choices]
        index = texts.index(self.formatted) + 1 if self.formatted in texts else 0
        self.value, self.formatted = self.choices[index % len(self.choices)]

    def available(self) -> list[dict[str, Any]]:
        return [
            {"value": value, "hex_value": to_hex(value), "formatted": text}
            for value, text in self.choices
        ]

    def entry(self) -> dict[str, Any]:
        """The shape of one property in `properties/all`."""
        return {
            "current_value": self.value,
            "current_hex_value": to_hex(self.value),
            "current_formatted": self.formatted,
            "writable": self.writable,
            "available_values": self.available(),
        }


def _shutter(text: str) -> int:
    if text.endswith('"'):
        tenths = round(float(text[:-1]) * 10)
        return tenths << 16 | 10
    numerator, denominator = text.split("/")
    return int(numerator) << 16 | int(denominator)


_SHUTTER_TEXTS = ["1/8000", "1/4000", "1/2000", "1/1000", "1/500", "1/250"]
_SHUTTER_TEXTS += ["1/125", "1/60", "1/30", "1/15", "1/8", "1/4", '0.5"', '1"']
_SHUTTER = [(_shutter(text), text) for text in _SHUTTER_TEXTS]
_APERTURE = [
    (round(f * 100), f"F{f:.1f}" if f < 10 else f"F{f:.0f}")
    for f in (1.4, 1.8, 2.0, 2.8, 4.0, 5.6, 8.0, 11, 16)
]
_ISO = [(0xFFFFFF, "ISO AUTO")] + [
    (n, f"ISO {n}") for n in (100, 200, 400, 800, 1600, 3200, 6400, 12800)
]
_EV = [
    (round(round(thirds / 3, 1) * 1000), f"{thirds / 3:+.1f}" if thirds else "0.0")
    for thirds in range(-9, 10)
]
_PROGRAM = [(0x1, "M"), (0x10002, "P"), (0x20003, "A"), (0x30004, "S")]
_FOCUS_MODE = [(1, "MF"), (2, "AF-S"), (3, "AF-C"), (4, "AF-A"), (5, "DMF")]
_FOCUS_AREA = [(1, "Wide"), (2, "Zone"), (3, "Center"), (4, "Flexible Spot: S")]
_WHITE_BALANCE = [
    (0x0, "Auto"),
    (0x11, "Daylight"),
    (0x12, "Shade"),
    (0x13, "Cloudy"),
    (0x14, "Incandescent"),
    (0x30, "Flash"),
    (0x100, "C.Temp/Filter"),
]
_DRIVE = [(0x1, "Single"), (0x10001, "Cont. Hi"), (0x10003, "Cont. Lo")]
_FILE_FORMAT = [(1, "JPEG"), (2, "RAW"), (3, "RAW+JPEG")]
_DESTINATION = [(1, "Host PC"), (2, "Memory Card"), (3, "Host PC + Memory Card")]
_PRIORITY = [(1, "Camera Position"), (2, "PC Remote")]
_SLOT = [(0, "OK"), (1, "No Card"), (2, "Card Error")]
_RECORDING = [(0, "Not Recording"), (1, "Recording")]
_OVERHEATING = [(0, "Normal"), (1, "Pre-Overheating"), (2, "Overheating")]

# Property codes from CrDevicePropertyCode (Camera Remote SDK); the binary
# sends these, as lower-case hex, in propertyChanged.
_TABLE: list[tuple[str, int, bool, list[tuple[int, str]], str]] = [
    ("battery-remain", 0x702, False, [], "85%"),
    ("shutter-speed", 0x103, True, _SHUTTER, "1/250"),
    ("aperture", 0x100, True, _APERTURE, "F2.8"),
    ("iso", 0x104, True, _ISO, "ISO 400"),
    ("exposure-compensation", 0x101, True, _EV, "+0.3"),
    ("exposure-program-mode", 0x105, True, _PROGRAM, "M"),
    ("focus-mode", 0x109, True, _FOCUS_MODE, "AF-C"),
    ("focus-area", 0x113, True, _FOCUS_AREA, "Wide"),
    ("white-balance", 0x108, True, _WHITE_BALANCE, "Auto"),
    ("drive-mode", 0x10E, True, _DRIVE, "Single"),
    ("file-format", 0x106, True, _FILE_FORMAT, "JPEG"),
    ("still-image-store-destination", 0x119, True, _DESTINATION, "Host PC"),
    ("media-slot1-status", 0x708, False, _SLOT, "OK"),
    ("media-slot1-remaining-photos", 0x709, False, [], "1843"),
    ("media-slot2-status", 0x70D, False, _SLOT, "OK"),
    ("media-slot2-remaining-photos", 0x70F, False, [], "2610"),
    ("recording-state", 0x705, False, _RECORDING, "Not Recording"),
    ("overheating-state", 0x760, False, _OVERHEATING, "Normal"),
    ("priority-key", 0x11A, True, _PRIORITY, "PC Remote"),
]

# What the autonomous script varies between frames.
EXPOSURE_NAMES = ("shutter-speed", "iso", "aperture", "exposure-compensation")


def make_properties(spec: CameraSpec, rng: random.Random) -> dict[str, Property]:
    """Return a fresh property set for one body, varied a little per body."""
    props: dict[str, Property] = {}
    for name, code, writable, choices, formatted in _TABLE:
        unit = "%" if name == "battery-remain" else ""
        prop = Property(name, code, 0, formatted, writable, list(choices), unit)
        prop.set(formatted)
        props[name] = prop

    if spec != DEFAULT_CAMERAS[0]:
        props["battery-remain"].set(f"{rng.randint(55, 100)}%")
    props["media-slot1-remaining-photos"].step(rng.randint(-800, 800))
    if spec.mode == "remote-transfer":
        props["still-image-store-destination"].set("Host PC + Memory Card")
    if rng.random() < 0.3:
        props["media-slot2-status"].set("No Card")
        props["media-slot2-remaining-photos"].set("0")
    return props
