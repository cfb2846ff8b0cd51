"""The state of the rig: servers, cameras, focus, transfers and frames. No Qt here.

The watcher (``app.monitor``) feeds events and REST answers in; views subscribe
with :meth:`Rig.subscribe` and are told what changed.
"""

from __future__ import annotations

import enum
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from pathlib import PurePath, PureWindowsPath

import msgspec

from .protocol import events as ev
from .protocol.models import CameraInfo, ConnectionInfo, Property, ServerStatus

log = logging.getLogger(__name__)

RECENT_FRAMES = 50
MAX_CAMERAS = 64
"""The most cameras one server may have, watched and with a card each: a rig is
1 to 16 bodies; a list of thousands is a broken server, and must not take the
window down."""
SUMMARY_LIMIT = 400
"""A log line's summary is cut to this many characters (payloads can be huge)."""
LOG_CAPACITY = 5000


class LinkState(enum.StrEnum):
    """The lifecycle of a connection to a server (or of one stream)."""

    CONNECTING = "connecting"
    OPEN = "open"
    RETRYING = "retrying"
    CLOSED = "closed"


class Server(msgspec.Struct):
    url: str
    state: LinkState = LinkState.CONNECTING
    status: ServerStatus | None = None
    reason: str = ""
    retry_at: float | None = None  # time.monotonic() of the next attempt
    since: datetime = msgspec.field(default_factory=datetime.now)
    offline_since: datetime | None = None
    """When the link was last lost (None while open): retries do not move it."""
    logged_reason: str = ""
    """The latest failure, kept while the next attempt is connecting."""

    @property
    def answered(self) -> bool:
        """Whether the server has answered since it was first watched (a link
        that was ever open is open now or has a time it was lost)."""
        return self.state == LinkState.OPEN or self.offline_since is not None

    def retry_in(self, now: float | None = None) -> float | None:
        if self.retry_at is None:
            return None
        return max(0.0, self.retry_at - (time.monotonic() if now is None else now))


class Transfer(msgspec.Struct):
    percent: float
    path: str | None
    updated: float  # time.monotonic()

    @property
    def done(self) -> bool:
        return self.percent >= 100


class Frame(msgspec.Struct, frozen=True):
    camera_key: CameraKey
    path: str
    number: int  # this session's shot count for the camera when it landed
    time: datetime

    @property
    def name(self) -> str:
        return file_name(self.path)


class Notice(msgspec.Struct, frozen=True):
    """A warning or error the camera reported."""

    time: datetime
    code: str | None
    message: str
    is_error: bool


CameraKey = tuple[str, str]
"""(server URL, camera id): camera ids are unique only on one server."""


class Camera(msgspec.Struct):
    server: str
    id: str
    model: str = ""
    connection_type: str = ""
    connected: bool = False
    mode: str | None = None
    lost_at: datetime | None = None
    af: ev.AfState = ev.AfState.UNKNOWN
    properties: dict[str, Property] = msgspec.field(default_factory=dict)
    properties_stale: bool = False
    transfer: Transfer | None = None
    frames: deque[Frame] = msgspec.field(
        default_factory=lambda: deque(maxlen=RECENT_FRAMES)
    )
    shots: int = 0
    notice: Notice | None = None
    last_event: datetime | None = None
    streaming: bool = False
    """Whether this camera's own event stream is open (its events are attributed)."""
    link_event_at: float | None = None
    """time.monotonic() of the last (dis)connect event."""

    @property
    def key(self) -> CameraKey:
        return (self.server, self.id)

    @property
    def latest(self) -> Frame | None:
        return self.frames[0] if self.frames else None

    def formatted(self, name: str) -> str | None:
        prop = self.properties.get(name)
        return prop.formatted if prop is not None else None

    def media_slot(self, number: int) -> MediaSlot:
        """Memory card slot ``number`` (1 or 2) as the camera reports it."""
        return MediaSlot(
            number,
            self.formatted(f"media-slot{number}-status"),
            self.formatted(f"media-slot{number}-remaining-photos"),
        )

    def media_slots(self) -> list[MediaSlot]:
        """The slots the camera says anything about."""
        slots = (self.media_slot(1), self.media_slot(2))
        return [s for s in slots if s.status is not None or s.left is not None]


class MediaSlot(msgspec.Struct, frozen=True):
    """A memory card slot; status and shots left as the server formats them."""

    number: int
    status: str | None
    left: str | None

    @property
    def usable(self) -> bool:
        """A card that takes pictures: status OK, or none said."""
        return self.status is None or self.status.strip().lower() in ("ok", "")

    @property
    def shots_left(self) -> int | None:
        return whole_number(self.left)


def whole_number(text: str | None) -> int | None:
    """The first whole number in a formatted value ("14%" → 14, "9999+" →
    9999), if any."""
    if not text:
        return None
    found = _WHOLE_NUMBER.search(text)
    if found is None or len(found.group()) > 19:  # no battery or card says more
        return None
    return int(found.group())


_WHOLE_NUMBER = re.compile(r"-?\d+")


class LogEntry(msgspec.Struct, frozen=True):
    """One line of the event log (one is made for every event)."""

    time: datetime
    server: str
    camera: str | None
    type: str
    summary: str
    level: str = "info"  # "info", "warning", "error"


def _newer(camera: Camera, asked: float | None) -> bool:
    """Whether a connection event came after a REST question sent at ``asked``."""
    return (
        asked is not None
        and camera.link_event_at is not None
        and camera.link_event_at > asked
    )


def file_name(path: str) -> str:
    """The last part of a path from either a POSIX or a Windows host."""
    separator = "\\" if "\\" in path else "/"
    name = path.rpartition(separator)[2]
    plain = name not in ("", ".", "..") and ":" not in name and "/" not in name
    # Two leading separators make a Windows network path.
    if plain and (separator == "/" or not (path[:1] in "\\/" and path[1:2] in "\\/")):
        return name  # what pathlib says, for the paths cameras save to, but fast
    if separator == "\\":
        return PureWindowsPath(path).name
    return PurePath(path).name


class RigListener:
    """What a view of the rig is told. Override what you need."""

    def server_changed(self, server: Server) -> None: ...
    def camera_changed(self, camera: Camera) -> None: ...
    def frame_added(self, camera: Camera, frame: Frame) -> None: ...
    def logged(self, entry: LogEntry) -> None: ...
    def event_applied(self, camera: Camera, event: ev.Event) -> None: ...


class Rig:
    """Every server and camera the monitor knows of, and what they last did."""

    def __init__(self) -> None:
        self.servers: dict[str, Server] = {}
        self.cameras: dict[CameraKey, Camera] = {}
        self.log: deque[LogEntry] = deque(maxlen=LOG_CAPACITY)
        self._listeners: list[RigListener] = []
        self._failures: set[tuple[str, str]] = set()  # (listener, news) that failed

    def subscribe(self, listener: RigListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- servers ---------------------------------------------------------------

    def server(self, url: str) -> Server:
        if url not in self.servers:
            self.servers[url] = Server(url)
            self._server_changed(self.servers[url])
        return self.servers[url]

    def set_link(
        self,
        url: str,
        state: LinkState,
        *,
        reason: str = "",
        retry_at: float | None = None,
        status: ServerStatus | None = None,
    ) -> None:
        server = self.server(url)
        changed = server.state != state
        if state == LinkState.OPEN:
            server.offline_since = None
        elif server.state == LinkState.OPEN:  # lost now; retries keep the time
            server.offline_since = datetime.now()
        server.state = state
        server.reason = reason
        server.retry_at = retry_at
        if status is not None:
            server.status = status
        if changed:
            server.since = datetime.now()
            if state == LinkState.OPEN:
                server.logged_reason = ""
                version = (
                    f" (server {status.version}, SDK {status.sdk_version})"
                    if status
                    else ""
                )
                self.note(url, None, "stream", f"connected{version}")
            elif state == LinkState.RETRYING and reason != server.logged_reason:
                # Each failed attempt is logged once, not once per retry.
                self.note(url, None, "stream", f"offline: {reason}", level="warning")
                server.logged_reason = reason
            if state != LinkState.OPEN:
                for camera in self.cameras_of(url):
                    self._set_lost(camera, why=None)
        self._server_changed(server)

    def forget_server(self, url: str) -> None:
        """Stop knowing ``url`` and its cameras (it is no longer watched); views
        are told of each as changed, and find it gone."""
        server = self.servers.pop(url, None)
        if server is None:
            return
        cameras = self.cameras_of(url)
        for camera in cameras:
            del self.cameras[camera.key]
        self.note(url, None, "stream", "no longer watched")
        self._server_changed(server)
        for camera in cameras:
            self._camera_changed(camera)

    def order_servers(self, urls: list[str]) -> None:
        """List the servers in the order of ``urls`` (the others after them)."""
        order = [u for u in urls if u in self.servers]
        order += [u for u in self.servers if u not in order]
        if order != list(self.servers):
            self.servers = {url: self.servers[url] for url in order}
            for server in self.servers.values():
                self._server_changed(server)

    def cameras_of(self, url: str) -> list[Camera]:
        return [c for c in self.cameras.values() if c.server == url]

    # -- cameras ---------------------------------------------------------------

    def camera(self, url: str, camera_id: str) -> Camera:
        """The camera ``camera_id`` of ``url``, made when first named."""
        camera = self.cameras.get((url, camera_id))
        if camera is None:
            camera = self.cameras[(url, camera_id)] = Camera(server=url, id=camera_id)
        return camera

    def update_cameras(
        self, url: str, found: list[CameraInfo], *, asked: float | None = None
    ) -> list[Camera]:
        """Apply a discovery answer; returns the cameras seen for the first time.

        ``asked`` is when the question was sent (time.monotonic()): a camera
        whose connection event came after it keeps what the event said, since
        the answer is older news.
        """
        new = []
        seen = set()
        for info in found:
            seen.add(info.id)
            is_new = (url, info.id) not in self.cameras
            camera = self.camera(url, info.id)
            camera.model = info.model or camera.model
            camera.connection_type = info.connection_type or camera.connection_type
            if is_new:
                new.append(camera)
                self.note(
                    url,
                    info.id,
                    "discovery",
                    f"found {camera.model or 'a camera'}"
                    f" on {camera.connection_type or 'an unknown link'}",
                )
            if _newer(camera, asked):
                pass
            elif info.connected:
                self._set_connected(camera)
            else:
                self._set_lost(camera, why="not connected")
            self._camera_changed(camera)
        for camera in self.cameras_of(url):
            if camera.id not in seen and camera.connected and not _newer(camera, asked):
                self._set_lost(camera, why="no longer listed by the server")
                self._camera_changed(camera)
        self._forget_beyond_limit(url, seen)
        return new

    def _forget_beyond_limit(self, url: str, listed: set[str]) -> None:
        """Past MAX_CAMERAS cards on a server, the cameras no longer listed that
        were lost longest ago are forgotten (a server naming new ids in every
        answer would otherwise grow the window without end); the log says so."""
        cameras = self.cameras_of(url)
        extra = len(cameras) - MAX_CAMERAS
        if extra <= 0:
            return
        lost = sorted((c for c in cameras if c.id not in listed and not c.connected),
                      key=lambda c: c.lost_at or datetime.min)  # fmt: skip
        gone = lost[:extra]
        for camera in gone:
            del self.cameras[camera.key]
        if gone:
            self.note(
                url, None, "discovery",
                f"forgot {len(gone)} lost camera(s): this server has named more "
                f"than {MAX_CAMERAS}",
                level="warning",
            )  # fmt: skip
        for camera in gone:
            self._camera_changed(camera)

    def update_connection(
        self,
        url: str,
        camera_id: str,
        info: ConnectionInfo,
        *,
        asked: float | None = None,
    ) -> None:
        camera = self.cameras.get((url, camera_id))
        if camera is None:
            return  # forgotten meanwhile; only discovery and events make cameras
        camera.mode = info.mode or camera.mode
        camera.model = info.model or camera.model
        if _newer(camera, asked):
            pass
        elif info.connected:
            self._set_connected(camera)
        else:
            self._set_lost(camera, why="not connected")
        self._camera_changed(camera)

    def set_streaming(self, url: str, camera_id: str, streaming: bool) -> None:
        """Whether the camera's own stream is open. While it is not, focus and
        transfers are unknown: what they were may no longer be true."""
        camera = self.cameras.get((url, camera_id))
        if camera is not None and camera.streaming != streaming:
            camera.streaming = streaming
            if not streaming:
                camera.af = ev.AfState.UNKNOWN
                camera.transfer = None
            self._camera_changed(camera)

    def update_properties(
        self, url: str, camera_id: str, props: dict[str, Property] | None
    ) -> None:
        """New property values, or None when fetching them failed (kept, as stale)."""
        camera = self.cameras.get((url, camera_id))
        if camera is None:
            return  # forgotten meanwhile
        if props is None:
            camera.properties_stale = True
        else:
            camera.properties = props
            camera.properties_stale = False
        self._camera_changed(camera)

    def _set_connected(self, camera: Camera) -> None:
        if not camera.connected:
            camera.connected = True
            if camera.lost_at is not None:
                self.note(camera.server, camera.id, "connection", "camera is back")
            camera.lost_at = None

    def _set_lost(self, camera: Camera, why: str | None) -> None:
        if camera.connected or camera.lost_at is None:
            was_connected = camera.connected
            camera.connected = False
            camera.af = ev.AfState.UNKNOWN
            camera.transfer = None
            if was_connected:
                camera.lost_at = datetime.now()
                if why:
                    self.note(
                        camera.server,
                        camera.id,
                        "connection",
                        f"camera lost: {why}",
                        level="warning",
                    )
            self._camera_changed(camera)

    # -- events ----------------------------------------------------------------

    def apply(self, url: str, camera_id: str, event: ev.Event) -> Frame | None:
        """Apply one event attributed to a camera; returns a frame that landed."""
        camera = self.camera(url, camera_id)
        now = datetime.now()
        camera.last_event = now
        frame = None
        level = "info"
        match event:  # the kinds a shoot sends most often first
            case ev.AfChanged(state=state):
                camera.af = state
            case ev.TransferProgressed(percent=percent, path=path):
                camera.transfer = Transfer(percent, path, time.monotonic())
            case ev.DownloadCompleted(path=path, kind=kind) if kind in (None, "image"):
                if camera.transfer is not None:
                    camera.transfer = Transfer(100.0, path, time.monotonic())
                camera.shots += 1
                frame = Frame(camera.key, path, camera.shots, now)
                camera.frames.appendleft(frame)
            case ev.CameraWarning(code=code, message=message, is_error=is_error):
                if not event.shutter_released:
                    camera.notice = Notice(now, code, message, is_error)
                    level = "error" if is_error else "warning"
            case ev.CameraConnected(model=model):
                camera.link_event_at = time.monotonic()
                camera.model = model or camera.model
                self._set_connected(camera)
            case ev.CameraDisconnected():
                camera.link_event_at = time.monotonic()
                self._set_lost(camera, why=event.reason or "disconnected")
            case ev.LinkChanged(restored=restored):
                camera.link_event_at = time.monotonic()
                if restored:
                    self._set_connected(camera)
            case ev.BadEvent():
                level = "error"
        summary = summarize(event)
        self._add_log(LogEntry(now, url, camera_id, event.name, summary, level))
        self._tell("event_applied", camera, event)
        self._camera_changed(camera)
        if frame is not None:
            self._tell("frame_added", camera, frame)
        return frame

    def dismiss_notice(self, key: CameraKey) -> None:
        """The photographer has read the camera's last warning; stop showing it
        (it stays in the log)."""
        camera = self.cameras.get(key)
        if camera is not None and camera.notice is not None:
            camera.notice = None
            self._camera_changed(camera)

    def note(
        self,
        url: str,
        camera_id: str | None,
        kind: str,
        summary: str,
        *,
        level: str = "info",
    ) -> None:
        self._add_log(LogEntry(datetime.now(), url, camera_id, kind, summary, level))

    def _add_log(self, entry: LogEntry) -> None:
        self.log.append(entry)
        self._tell("logged", entry)

    def _server_changed(self, server: Server) -> None:
        self._tell("server_changed", server)

    def _camera_changed(self, camera: Camera) -> None:
        self._tell("camera_changed", camera)

    def _tell(self, what: str, *args: object) -> None:
        """Tell every listener; one that fails is logged, and neither the others
        nor whoever changed the rig (a server's watcher) are stopped by it."""
        for listener in self._listeners:
            try:
                getattr(listener, what)(*args)
            except Exception:
                # The whole story once per listener and kind of news; one that
                # fails on every event must not fill the diagnostic log.
                failure = (type(listener).__name__, what)
                if failure not in self._failures:
                    self._failures.add(failure)
                    log.exception("A rig listener (%s) failed on %s", *failure)
                else:
                    log.debug("A rig listener (%s) failed on %s again", *failure)


def summarize(event: ev.Event) -> str:
    """A one-line description of an event for the log."""
    match event:  # the kinds a shoot sends most often first
        case ev.AfChanged(state=state):
            text = "focus " + state
        case ev.TransferProgressed(percent=percent, path=path):
            text = f"transfer {percent:.0f}%" + (f" {file_name(path)}" if path else "")
        case ev.PropertiesChanged(codes=codes):
            text = f"{len(codes)} properties changed ({', '.join(codes[:6])})"
        case ev.DownloadCompleted(path=path, kind=kind):
            text = f"saved {file_name(path)}" + (
                f" ({kind})" if kind and kind != "image" else ""
            )
        case ev.CameraWarning(code=code, message=message, is_error=is_error):
            if event.shutter_released:
                text = "shutter released"
            else:
                kind = "error" if is_error else "warning"
                text = f"{kind} {code or ''}: {message}".strip()
        case ev.Handshake(subscription=sub):
            text = f"stream greeting for {sub}"
        case ev.CameraConnected(model=model):
            text = f"camera connected{f': {model}' if model else ''}"
        case ev.CameraDisconnected(reason=reason):
            text = f"camera disconnected{f': {reason}' if reason else ''}"
        case ev.LinkChanged(restored=restored):
            text = (
                "camera link restored"
                if restored
                else "camera link interrupted, re-establishing"
            )
        case ev.BadEvent(error=error, raw=raw):
            text = f"could not read event: {error}; data: {raw}"
        case ev.OtherEvent(data=data, known=known):
            body = ", ".join(f"{k}={v}" for k, v in list(data.items())[:4])
            text = ("" if known else "unknown event; ") + (body or "no data")
        case _:
            text = event.name
    if event.note:
        text += f" ({event.note})"
    if len(text) <= SUMMARY_LIMIT:
        return text
    return ev.excerpt(text, SUMMARY_LIMIT)
