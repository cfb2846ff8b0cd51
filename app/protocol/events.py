"""Typed camera events, decoded from the server's raw event-stream events.

Both payload shapes of ../shared/PROTOCOL.md are accepted: what the published
binary sends (mostly without a camera id) and what its documentation describes
(a ``cameraId`` in every payload).
"""

from __future__ import annotations

import enum
import json
import re
from typing import Any

import msgspec

RAW_EXCERPT = 200
"""How many characters of a bad event's data are kept for the log."""


class AfState(enum.StrEnum):
    UNKNOWN = "unknown"
    UNLOCKED = "unlocked"
    FOCUSED = "focused"
    TRACKING = "tracking"


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every decoded event.

    ``name`` is the event name as the server sent it; ``camera_id`` is the id the
    payload names, if any (the binary mostly names none).
    """

    name: str
    camera_id: str | None = None
    note: str | None = None
    """Set when the payload had to be mended to be read."""


class Handshake(Event, kw_only=True):
    """The server's greeting on a new subscription: not a camera event."""

    subscription: str


class CameraConnected(Event, kw_only=True):
    model: str | None = None


class CameraDisconnected(Event, kw_only=True):
    reason: str | None = None


class PropertiesChanged(Event, kw_only=True):
    codes: tuple[str, ...] = ()


class AfChanged(Event, kw_only=True):
    state: AfState
    source: str | None = None


class DownloadCompleted(Event, kw_only=True):
    path: str
    kind: str | None = None


class TransferProgressed(Event, kw_only=True):
    percent: float
    path: str | None = None
    content_id: str | None = None
    file_id: str | None = None
    synthetic: bool = False


class CameraWarning(Event, kw_only=True):
    """A ``warning`` or ``error`` event."""

    code: str | None = None
    message: str = ""
    is_error: bool = False

    @property
    def shutter_released(self) -> bool:
        return self.code == SHUTTER_RELEASED


class LinkChanged(Event, kw_only=True):
    """``reconnecting`` / ``reconnected``: the SDK re-establishing the camera link."""

    restored: bool


class OtherEvent(Event, kw_only=True):
    """A well-formed event the monitor does not act on, unknown names included."""

    data: dict[str, Any] = msgspec.field(default_factory=dict)
    known: bool = True


class Undecoded(Event, kw_only=True):
    """A copy on the stream of all cameras whose decoding was put off, as most
    copies are paired with the camera's own and never needed (see
    :func:`can_wait`). :meth:`decoded` is what :func:`decode` would have said."""

    data: str

    def decoded(self) -> Event:
        return decode(self.name, self.data)


class BadEvent(Event, kw_only=True):
    """An event that could not be decoded; ``raw`` is a cut-down copy of its data."""

    error: str
    raw: str


SHUTTER_RELEASED = "0x20011"

KNOWN_NAMES = frozenset(
    {
        "connected", "disconnected", "propertyChanged", "afStatus",
        "downloadComplete", "transferProgress", "contentsTransfer",
        "operationResult", "error", "warning", "reconnecting", "reconnected",
        "formatResult", "focusResult", "settingsResult", "lutImportResult",
        "cautionDisplay",
    }
)  # fmt: skip


class _Invalid(ValueError):
    """A payload field that is not what the protocol says."""


def excerpt(text: str, limit: int = RAW_EXCERPT) -> str:
    """Cut text down for a log line, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0, DEL and C1: what no camera id holds, and what no line of output may pass
through as it is (a newline would forge a line, ESC drive a terminal)."""

_BACKSLASH_NOT_BEFORE_QUOTE = re.compile(r'\\(?!")')


def _no_constants(name: str) -> Any:
    raise ValueError(f"expected JSON, got {name} (not a JSON number)")


# One decoder for all events: json.loads(data, parse_constant=...) would build a
# new one for each call, which costs as much as the parsing itself.
_JSON = json.JSONDecoder(parse_constant=_no_constants)
_FAST_JSON = msgspec.json.Decoder()
_MANY_BRACKETS = 500


def _loads(data: str) -> Any:
    # msgspec reads well-formed JSON to the same values as the json module, some
    # seven times faster. What it refuses (bad JSON, but also NaN, lone
    # surrogates, escaped or raw, a byte-order mark, deep nesting) is read again
    # by the json module, whose verdict and wording are the ones the log gives.
    # Past a few hundred brackets the json module alone reads it: its depth
    # limit (the interpreter's recursion limit) is the one the log has always
    # applied, and msgspec's lies a few levels deeper.
    if data.count("[") + data.count("{") < _MANY_BRACKETS:
        try:
            return _FAST_JSON.decode(data)
        except (ValueError, RecursionError):  # DecodeError is a ValueError; so
            pass  # is the UnicodeEncodeError of a raw lone surrogate
    try:
        if data.startswith("\ufeff"):  # json.loads says what is wrong with it
            return json.loads(data, parse_constant=_no_constants)
        return _JSON.decode(data)
    except RecursionError:
        raise ValueError("expected JSON, got JSON nested too deeply") from None


def parse_payload(data: str) -> tuple[dict[str, Any], str | None]:
    """Parse an event's data as a JSON object.

    Returns the object and a note when it had to be repaired. Raises
    ``ValueError`` saying what was wrong.
    """
    if not data or data.isspace():
        raise ValueError("expected a JSON object, got empty data")
    note = None
    try:
        payload = _loads(data)
    except json.JSONDecodeError as exc:
        # WORKAROUND: a Windows host may write its paths without escaping the
        # backslashes (C:\Users\new\...). Once plain parsing has failed, every
        # backslash not before a quote is read as a path separator, so that
        # "\n" in "\new" stays two characters.
        repaired = _BACKSLASH_NOT_BEFORE_QUOTE.sub(r"\\\\", data)
        if repaired == data:
            raise ValueError(f"expected JSON, got invalid JSON ({exc.msg})") from exc
        try:
            payload = _loads(repaired)
        except json.JSONDecodeError:
            raise ValueError(f"expected JSON, got invalid JSON ({exc.msg})") from exc
        note = "unescaped backslashes in the data were read as path separators"
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got a JSON {_json_type(payload)}")
    return payload, note


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return {list: "array", str: "string", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


def _text(payload: dict[str, Any], *keys: str, numbers: bool = True) -> str | None:
    """The first of ``keys`` present, as text; None when none is present.

    Ids and codes may come as numbers; paths (``numbers=False``) may not.
    """
    for key in keys:
        value = payload.get(key)
        if value is None:
            continue
        if type(value) is str:  # the common case first
            return value
        if isinstance(value, str):
            return value
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise _Invalid(f"{key} should be text, got a JSON {_json_type(value)}")
    return None


def _path(payload: dict[str, Any]) -> str | None:
    # Binary: the full host path is in "filename". Documented: "savedPath".
    return _text(payload, "savedPath", numbers=False) or _text(
        payload, "filename", numbers=False
    )


def _camera_id(payload: dict[str, Any]) -> str | None:
    value = payload.get("cameraId")
    if value is None:
        value = payload.get("id")
    if type(value) is str:  # the common cases first: a text id, or none
        return value or None
    if value is None:
        return None
    value = _text(payload, "cameraId", "id")
    return value or None


def _percent(payload: dict[str, Any]) -> float:
    value = payload.get("percent")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(
            f"percent should be a number from 0 to 100, got {json.dumps(value)}"
        )
    if not 0 <= value <= 100:
        raise _Invalid(f"percent should be from 0 to 100, got {value}")
    return float(value)


_AF_STATES = {state.value: state for state in AfState}


def _af_state(payload: dict[str, Any]) -> AfState:
    state = _text(payload, "state")
    found = _AF_STATES.get(state or "")  # AfState(...) is slow to say the same
    if found is None:
        raise _Invalid(
            f"state should be focused, unlocked or tracking, got {json.dumps(state)}"
        )
    return found


def _codes(payload: dict[str, Any]) -> tuple[str, ...]:
    codes = payload.get("codes", [])
    if not isinstance(codes, list):
        raise _Invalid(f"codes should be a list, got a JSON {_json_type(codes)}")
    return tuple(map(str, codes))


def is_handshake(name: str, payload: dict[str, Any], subscription: str) -> bool:
    """Whether a stream's first event is the server's greeting.

    The greeting and a real camera connection share the name ``connected``; the
    greeting names the subscription (or ``*``) and no model.
    """
    return (
        name == "connected"
        and "model" not in payload
        and payload.get("cameraId") in {subscription, "*"}
    )


_LINK_NAMES = frozenset({"connected", "disconnected", "reconnecting", "reconnected"})


def can_wait(name: str, data: str) -> bool:
    """Whether decoding an event that is not the first of its stream can wait:
    it is no greeting nor link event, and its data cannot name a camera (no
    ``cameraId`` or ``id`` key, not even written with escapes)."""
    return (
        name not in _LINK_NAMES
        and '"id"' not in data
        and '"cameraId"' not in data
        and "\\" not in data
    )


def decode(
    name: str, data: str, *, first: bool = False, subscription: str = "*"
) -> Event:
    """Turn one raw event into a typed event; never raises.

    ``first`` says the event is the first of its connection, the only place the
    handshake may stand. ``subscription`` is the camera id of a per-camera
    stream, or ``*`` for the stream of all cameras.
    """
    try:
        payload, note = parse_payload(data)
    except ValueError as exc:
        return BadEvent(name=name, error=str(exc), raw=excerpt(data))
    try:
        event = _decode(name, payload, first=first, subscription=subscription)
    except _Invalid as exc:
        return BadEvent(
            name=name, camera_id=_safe_camera_id(payload), error=str(exc),
            raw=excerpt(data),
        )  # fmt: skip
    return event if note is None else msgspec.structs.replace(event, note=note)


def decode_copy(name: str, data: str, *, first: bool = False) -> Event:
    """:func:`decode` for the stream of all cameras, whose copies are mostly
    claimed by a camera's own stream: one that :func:`can_wait` (and is not
    the connection's first) is left :class:`Undecoded`."""
    if not first and can_wait(name, data):
        return Undecoded(name=name, data=data)
    return decode(name, data, first=first)


def _safe_camera_id(payload: dict[str, Any]) -> str | None:
    try:
        return _camera_id(payload)
    except _Invalid:
        return None


def _decode(
    name: str, payload: dict[str, Any], *, first: bool, subscription: str
) -> Event:
    cam = _camera_id(payload)
    match name:
        case "connected":
            if first and is_handshake(name, payload, subscription):
                return Handshake(name=name, subscription=str(payload["cameraId"]))
            return CameraConnected(
                name=name, camera_id=cam, model=_text(payload, "model")
            )
        case "disconnected":
            reason = _text(payload, "reason")
            code = _text(payload, "errorCode")
            if reason is None and code not in (None, "0x0"):
                reason = f"error {code}"
            # The synthetic disconnect of a clean REST disconnect names the camera
            # as "id"; the SDK's own names none.
            return CameraDisconnected(name=name, camera_id=cam, reason=reason)
        case "propertyChanged":
            return PropertiesChanged(name=name, camera_id=cam, codes=_codes(payload))
        case "afStatus":
            return AfChanged(
                name=name, camera_id=cam, state=_af_state(payload),
                source=_text(payload, "source"),
            )  # fmt: skip
        case "downloadComplete":
            path = _path(payload)
            if not path:
                raise _Invalid("downloadComplete should name the saved file, got none")
            return DownloadCompleted(
                name=name, camera_id=cam, path=path, kind=_text(payload, "type")
            )
        case "transferProgress":
            return TransferProgressed(
                name=name,
                camera_id=cam,
                percent=_percent(payload),
                path=_path(payload),
                content_id=_text(payload, "contentId"),
                file_id=_text(payload, "fileId"),
                synthetic=payload.get("synthetic") is True,
            )
        case "warning" | "error":
            return CameraWarning(
                name=name,
                camera_id=cam,
                code=_text(payload, "code"),
                message=_text(payload, "message") or "",
                is_error=name == "error",
            )
        case "reconnecting" | "reconnected":
            return LinkChanged(name=name, camera_id=cam, restored=name == "reconnected")
        case _:
            return OtherEvent(
                name=name, camera_id=cam, data=payload, known=name in KNOWN_NAMES
            )
