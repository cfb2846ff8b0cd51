"""The simulated Alpha Camera REST server: REST answers, SSE streams, a script."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import random
import socket
import struct
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from . import pictures
from .cameras import DEFAULT_CAMERAS, CameraSpec
from .properties import EXPOSURE_NAMES, Property, make_properties, to_hex

log = logging.getLogger(__name__)

SERVER_VERSION = "3.0.0"
SDK_VERSION = "V2.01.00"
SHUTTER_RELEASED = "0x20011"
AF_STATES = ("focused", "unlocked", "tracking")
PAYLOADS = ("binary", "documented")

_KEEPALIVE = b": keepalive\n\n"
_NOT_FOUND = b"<html><body><h1>404 - Page Not Found</h1></body></html>"
_CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "*",
}
# FIXME:simulator the SDK's numeric notify codes for a remote transfer are not
# known here; these are placeholders in the binary's "0x..." form.
_NOTIFY_IN_PROGRESS = "0x20042"
_NOTIFY_DONE = "0x20040"
_LOG_LEVELS = {"debug": 0, "info": 1, "warning": 2, "warn": 2, "error": 3}
# What drop_streams() writes before it cuts a stream: half of an afStatus event.
PARTIAL_EVENT = b'event: afStatus\ndata: {"sta'
_FLUSH_TIMEOUT = 5.0  # how long send_raw() waits for the streams to take its bytes


@dataclass(frozen=True)
class Failure:
    """A canned wrong answer for Simulator.fail_requests()."""

    status: int
    body: str
    content_type: str

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of fail_requests(): `fail_requests(p, **f.kwargs())`."""
        return {
            "status": self.status,
            "body": self.body,
            "content_type": self.content_type,
        }


# A server error in the server's own JSON envelope.
INTERNAL_ERROR = Failure(
    500, '{"success": false, "message": "Internal error"}', "application/json"
)
# A reverse proxy in front of a server that is down or restarting.
BAD_GATEWAY = Failure(
    502,
    "<html><head><title>502 Bad Gateway</title></head><body><center>"
    "<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
    "text/html",
)
# A 200 with the wrong content type, as a captive portal or a misrouted proxy
# answers an events path.
HTML_INSTEAD_OF_EVENTS = Failure(
    200,
    "<!DOCTYPE html><html><head><title>Sign in</title></head>"
    "<body><h1>Sign in to the network</h1></body></html>",
    "text/html",
)


class CameraNotConnectedError(RuntimeError):
    """A control call needs a connected camera."""


class _EventStreamResponse(web.StreamResponse):
    # WORKAROUND: the real server sends the stream with neither Content-Length
    # nor chunked encoding and ends it by closing the socket (PROTOCOL.md, "SSE
    # framing"). aiohttp chunks a body of unknown length unless this private
    # switch is off, as its own WebSocketResponse does.
    _length_check = False


@dataclass(frozen=True)
class _Drop:
    """Queued on a stream by drop_streams(): write `partial`, then abort."""

    partial: bytes
    reset: bool


@dataclass(frozen=True)
class _Stall:
    """Queued on a stream by stall_streams(): write nothing, then abort."""

    seconds: float


@dataclass
class _FailureRule:
    prefix: str
    exact: bool
    status: int
    body: bytes
    content_type: str
    remaining: int  # -1: until clear_failures()

    def matches(self, path: str) -> bool:
        return path == self.prefix if self.exact else path.startswith(self.prefix)


@dataclass(eq=False)
class _Subscriber:
    camera_id: str  # "*" on /api/events
    request: web.Request
    task: asyncio.Task[Any] | None
    queue: asyncio.Queue[bytes | _Drop | _Stall | None] = field(
        default_factory=asyncio.Queue
    )
    stalled: bool = False  # set by stall_streams(): events for it are lost
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def wants(self, camera_id: str | None) -> bool:
        return self.camera_id in ("*", camera_id)


def _set_event() -> asyncio.Event:
    event = asyncio.Event()
    event.set()
    return event


@dataclass(eq=False)
class _Camera:
    spec: CameraSpec
    rng: random.Random
    properties: dict[str, Property]
    connected: bool = False
    frames: int = 0
    online: asyncio.Event = field(default_factory=asyncio.Event)
    plugged: asyncio.Event = field(default_factory=_set_event)  # cleared: unplugged

    def set_connected(self, connected: bool) -> None:
        self.connected = connected
        if connected:
            self.online.set()
        else:
            self.online.clear()


def _dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"))


def _frame(event: str, data: str) -> bytes:
    return f"event: {event}\ndata: {data}\n\n".encode()


def _json(payload: dict[str, Any], status: int = 200) -> web.Response:
    body = json.dumps(payload, indent=2).encode()
    return web.Response(status=status, body=body, content_type="application/json")


async def _wait_all(awaitables: Iterable[Awaitable[Any]], timeout: float) -> None:
    tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()


def _abort(request: web.Request, *, reset: bool = False) -> None:
    """Cut the connection with no goodbye; with `reset`, send a TCP RST."""
    transport = request.transport
    if transport is None:
        return
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                linger = struct.pack("ii", 1, 0)  # on, 0 s: close() sends RST
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    transport.abort()


async def _add_cors_headers(_: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(_CORS_HEADERS)


class Simulator:
    """A fake Alpha Camera REST server with scripted camera bodies.

    With `auto` each body connects after a short delay and shoots on its own;
    without it every body starts connected (silently) and the control
    coroutines drive it. Events go out as the published binary sends them, or
    in the documented shapes with `payloads="documented"`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        keepalive: float = 30.0,
        payloads: str = "binary",
        folder: Path | None = None,
        session_dir: Path | None = None,
        cameras: list[CameraSpec] | None = None,
        auto: bool = True,
        tempo: float = 1.0,
        seed: int | None = None,
    ) -> None:
        if payloads not in PAYLOADS:
            raise ValueError(f"payloads must be one of {PAYLOADS}, got {payloads!r}")
        if keepalive <= 0:
            raise ValueError(f"keepalive must be positive, got {keepalive}")
        if tempo < 0:
            raise ValueError(f"tempo must not be negative, got {tempo}")
        self.keepalive = keepalive
        self.payloads = payloads
        self.auto = auto
        self.tempo = tempo
        self.url = ""
        self.sent: collections.Counter[tuple[str | None, str]] = collections.Counter()
        self.session_dir = (
            Path(session_dir)
            if session_dir is not None
            else Path(tempfile.mkdtemp(prefix="tether-sim-"))
        )
        self._host = host
        self._port = port
        self._pictures: list[Path] = []
        if folder is not None:
            self._pictures = pictures.list_pictures(Path(folder))
            if not self._pictures:
                raise ValueError(
                    f"expected .jpg or .jpeg files in {folder}, found none"
                )
        self._next_picture = 0

        rng = random.Random(seed)
        self._cameras: dict[str, _Camera] = {}
        for spec in DEFAULT_CAMERAS if cameras is None else cameras:
            if spec.id in self._cameras:
                raise ValueError(f"camera id {spec.id} is listed twice")
            camera_rng = random.Random(rng.getrandbits(64))
            self._cameras[spec.id] = _Camera(
                spec, camera_rng, make_properties(spec, camera_rng)
            )

        self._subscribers: set[_Subscriber] = set()
        self._failures: list[_FailureRule] = []
        self._discovery_delay = 0.0
        self._scripts: list[asyncio.Task[None]] = []
        self._logs: collections.deque[dict[str, Any]] = collections.deque(maxlen=500)
        self.requests: collections.Counter[str] = collections.Counter()
        """Requests answered so far, by path (for tests and benchmarks)."""
        self._runner: web.AppRunner | None = None
        self._started_at = time.monotonic()

    @property
    def cameras(self) -> list[CameraSpec]:
        """The simulated bodies, connected or not."""
        return [camera.spec for camera in self._cameras.values()]

    # -- lifecycle ---------------------------------------------------------

    async def start(self) -> str:
        """Listen, start the cameras and return the base URL."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already running")
        self.session_dir.mkdir(parents=True, exist_ok=True)

        app = web.Application(middlewares=[self._middleware])
        app.on_response_prepare.append(_add_cors_headers)
        routes = app.router
        routes.add_get("/api/server/status", self._get_status)
        routes.add_get("/api/server/logs", self._get_logs)
        routes.add_get("/api/events", self._get_events)
        routes.add_get("/api/cameras", self._get_cameras)
        routes.add_get("/api/cameras/{id}/connection", self._get_connection)
        routes.add_get("/api/cameras/{id}/properties/all", self._get_properties)
        routes.add_get("/api/cameras/{id}/properties/{name}", self._get_property)
        routes.add_get("/api/cameras/{id}/events", self._get_events)

        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._started_at = time.monotonic()

        host = "127.0.0.1" if self._host in ("", "0.0.0.0") else self._host
        if ":" in host:
            host = f"[{host}]"
        self.url = f"http://{host}:{runner.addresses[0][1]}"
        self._record("info", f"Simulator listening on {self.url}")

        for camera in self._cameras.values():
            if self.auto:
                task = asyncio.create_task(self._script(camera))
                self._scripts.append(task)
            else:
                camera.set_connected(True)
        return self.url

    async def stop(self) -> None:
        """Stop the scripts, close every open stream and stop listening."""
        scripts, self._scripts = self._scripts, []
        for task in scripts:
            task.cancel()
        await asyncio.gather(*scripts, return_exceptions=True)

        subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.queue.put_nowait(None)
        handlers = {s.task for s in subscribers if s.task is not None}
        if handlers:
            _, pending = await asyncio.wait(handlers, timeout=1.0)
            for subscriber in subscribers:
                transport = subscriber.request.transport
                if subscriber.task in pending and transport is not None:
                    transport.abort()

        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            self._record("info", "Simulator stopped")

    # -- control -----------------------------------------------------------

    async def connect_camera(self, camera_id: str) -> None:
        """Connect a body and send its `connected` event."""
        camera = self._camera(camera_id)
        if not camera.plugged.is_set():
            raise CameraNotConnectedError(f"camera {camera_id} is unplugged")
        camera.set_connected(True)
        model = camera.spec.model
        self._send(
            camera, "connected", {"model": model, "id": camera_id}, {"model": model}
        )

    async def disconnect_camera(self, camera_id: str) -> None:
        """Drop a body (it stays listed) and send `disconnected`."""
        camera = self._camera(camera_id)
        camera.set_connected(False)
        self._send(camera, "disconnected", {}, {"reason": "Camera disconnected"})

    async def set_af(self, camera_id: str, state: str) -> None:
        """Send an `afStatus` event."""
        if state not in AF_STATES:
            raise ValueError(f"AF state must be one of {AF_STATES}, got {state!r}")
        camera = self._connected(camera_id)
        payload = {"state": state, "source": "OnWarningExt"}
        self._send(camera, "afStatus", payload, payload)

    async def shoot(self, camera_id: str) -> Path:
        """Run a full shutter cycle and return the path of the saved file."""
        camera = self._connected(camera_id)
        camera.frames += 1
        frame = camera.frames
        spec = camera.spec

        warning = {"code": SHUTTER_RELEASED, "message": "Shutter released"}
        self._send(camera, "warning", warning, warning)

        path = self.session_dir / f"{spec.model}_{spec.id}" / f"DSC{frame:05d}.JPG"
        await self._write_picture(camera, frame, path)
        camera.properties["media-slot1-remaining-photos"].step(-1)

        if spec.mode == "remote-transfer":
            await self._transfer(camera, frame, path)
        self._send(
            camera,
            "downloadComplete",
            {"filename": str(path), "type": "image"},
            {"filename": path.name, "savedPath": str(path)},
        )
        return path

    async def change_property(
        self, camera_id: str, name: str, formatted: str | None = None
    ) -> None:
        """Change one property (to the next value by default); send the codes."""
        camera = self._connected(camera_id)
        prop = camera.properties.get(name)
        if prop is None:
            known = ", ".join(camera.properties)
            raise KeyError(f"expected a property name ({known}), got {name!r}")
        if formatted is None:
            prop.change()
        else:
            prop.set(formatted)
        self._notify_properties(camera, [prop])

    async def emit(self, camera_id: str | None, event: str, data: str | dict) -> None:
        """Send a raw event; a str is sent verbatim, None goes to `*` only."""
        text = data if isinstance(data, str) else _dumps(data)
        self._broadcast(camera_id, event, text)

    # -- misbehaviour (see misbehave.py for the periodic scenarios) ----------

    async def send_raw(self, data: bytes, *, camera_id: str | None = None) -> None:
        """Write `data` verbatim, unframed, to the streams of `camera_id`.

        The streams are those an event of `camera_id` would reach (None: the
        /api/events subscribers only); stalled streams get nothing. Each call
        is one write per stream, so an event can be split across calls; it
        returns once every stream has handed the bytes to its socket. Not
        counted in `sent`: these are bytes, not events. A keepalive may fall
        between two calls, as it would between two writes of any server.
        """
        targets = [s for s in self._subscribers if s.wants(camera_id) and not s.stalled]
        await self._write_raw(data, targets)

    async def send_raw_all(self, data: bytes) -> None:
        """Like send_raw(), to every open stream: /api/events and per camera."""
        targets = [s for s in self._subscribers if not s.stalled]
        await self._write_raw(data, targets)

    async def drop_streams(
        self, *, mid_event: bool = True, reset: bool = False
    ) -> None:
        """Cut every open event stream abruptly, as a crashing server does.

        With `mid_event` each stream first gets PARTIAL_EVENT (half an event);
        then its connection is aborted with no goodbye: a FIN with unsent
        data discarded, or a TCP RST with `reset`. Returns once the streams
        are gone. The server keeps running and new subscriptions work.
        """
        targets = list(self._subscribers)
        drop = _Drop(PARTIAL_EVENT if mid_event else b"", reset)
        for subscriber in targets:
            subscriber.queue.put_nowait(drop)
        self._record("warning", f"Dropping {len(targets)} event streams")
        await _wait_all((s.ended.wait() for s in targets), 2.0)

    async def stall_streams(self, seconds: float) -> None:
        """Freeze every open stream for `seconds`, then close it.

        Like a half-open TCP link: the socket stays open but nothing is
        written, neither keepalives nor events; events broadcast meanwhile are
        lost for these streams (still counted in `sent`). When the time is up
        the stream is aborted, never resumed: a client that did not notice the
        silence sees the socket close. Streams opened after this call are
        normal; streams already stalled keep their first stall. Returns at
        once.
        """
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds}")
        targets = [s for s in self._subscribers if not s.stalled]
        for subscriber in targets:
            subscriber.stalled = True
            subscriber.queue.put_nowait(_Stall(seconds))
        self._record("warning", f"Stalling {len(targets)} event streams")

    def fail_requests(
        self,
        path_prefix: str,
        *,
        status: int = INTERNAL_ERROR.status,
        body: str | bytes = INTERNAL_ERROR.body,
        content_type: str = INTERNAL_ERROR.content_type,
        count: int = 1,
        exact: bool = False,
    ) -> None:
        """Answer the next `count` requests under `path_prefix` with this instead.

        A request matches when its path starts with `path_prefix` (equals it
        with `exact`); `count=-1` fails them until clear_failures(). Rules are
        tried in the order they were added. The answer is sent as is (streams
        too: a 200 text/html on an events path), with "Connection: close".
        Presets: INTERNAL_ERROR, BAD_GATEWAY, HTML_INSTEAD_OF_EVENTS
        (`fail_requests("/api/cameras", **BAD_GATEWAY.kwargs())`).
        """
        if count == 0 or count < -1:
            raise ValueError(f"count must be positive or -1, got {count}")
        self._failures.append(
            _FailureRule(
                prefix=path_prefix,
                exact=exact,
                status=status,
                body=body.encode() if isinstance(body, str) else body,
                content_type=content_type,
                remaining=count,
            )
        )

    def clear_failures(self) -> None:
        """Forget every fail_requests() rule still pending."""
        self._failures.clear()

    def set_discovery_delay(self, seconds: float) -> None:
        """Make GET /api/cameras wait `seconds` before answering (0: at once)."""
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds}")
        self._discovery_delay = seconds

    async def unplug(self, camera_id: str) -> None:
        """Pull a body's cable: `disconnected`, then it is gone from the server.

        A connected body first sends `disconnected` ({} from the binary,
        {cameraId, reason: "unplugged"} documented); then it is missing from
        GET /api/cameras, answers not connected everywhere, sends no more
        events and its script (with `auto`) waits. No-op when unplugged.
        """
        camera = self._camera(camera_id)
        if not camera.plugged.is_set():
            return
        if camera.connected:
            camera.set_connected(False)
            self._send(camera, "disconnected", {}, {"reason": "unplugged"})
        camera.plugged.clear()
        self._record("warning", "Camera unplugged", camera_id)

    async def plug(self, camera_id: str) -> None:
        """Plug an unplugged body back: listed again, `connected`, script resumes.

        No-op for a body that is plugged in.
        """
        camera = self._camera(camera_id)
        if camera.plugged.is_set():
            return
        camera.plugged.set()
        self._record("info", "Camera plugged in", camera_id)
        await self.connect_camera(camera_id)

    async def _write_raw(self, data: bytes, targets: list[_Subscriber]) -> None:
        for subscriber in targets:
            subscriber.queue.put_nowait(data)
        await _wait_all((s.queue.join() for s in targets), _FLUSH_TIMEOUT)

    def _take_failure(self, path: str) -> _FailureRule | None:
        for rule in self._failures:
            if rule.matches(path):
                if rule.remaining > 0:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._failures.remove(rule)
                return rule
        return None

    # -- events ------------------------------------------------------------

    def _send(
        self,
        camera: _Camera,
        event: str,
        binary: dict[str, Any],
        documented: dict[str, Any],
    ) -> None:
        if not camera.plugged.is_set():
            return  # an unplugged body says nothing
        if self.payloads == "binary":
            payload = binary
        else:
            payload = {"cameraId": camera.spec.id, **documented}
        self._broadcast(camera.spec.id, event, _dumps(payload))

    def _broadcast(self, camera_id: str | None, event: str, data: str) -> None:
        chunk = _frame(event, data)
        self.sent[(camera_id, event)] += 1
        for subscriber in self._subscribers:
            # A stalled stream loses the event; it still counts as sent.
            if subscriber.wants(camera_id) and not subscriber.stalled:
                subscriber.queue.put_nowait(chunk)
        log.info("event %s %s %s", camera_id or "*", event, data)
        self._record("info", f"Event {event}: {data}", camera_id)

    def _notify_properties(self, camera: _Camera, props: list[Property]) -> None:
        codes = [prop.hex_code for prop in props]
        self._send(
            camera,
            "propertyChanged",
            {"codes": codes, "count": len(codes)},
            {"codes": codes},
        )

    async def _transfer(self, camera: _Camera, frame: int, path: Path) -> None:
        seconds = 1.0 if frame == 1 else camera.rng.uniform(1.0, 2.0)
        for percent in range(0, 101, 10):
            payload: dict[str, Any] = {
                "cameraId": camera.spec.id,
                "contentId": frame,
                "fileId": 1,
                "percent": percent,
                "notify": _NOTIFY_DONE if percent == 100 else _NOTIFY_IN_PROGRESS,
            }
            if percent == 100:
                payload["savedPath"] = payload["filename"] = str(path)
            self._send(camera, "transferProgress", payload, payload)
            if percent < 100:
                await self._pause(seconds / 10)

    async def _write_picture(self, camera: _Camera, frame: int, path: Path) -> None:
        # The event goes out only once the file is closed, as the real server
        # does after the SDK has written it.
        if self._pictures:
            source = self._pictures[self._next_picture % len(self._pictures)]
            self._next_picture += 1
            await asyncio.to_thread(pictures.write_copy, path, source)
        else:
            spec = camera.spec
            await asyncio.to_thread(
                pictures.write_generated,
                path,
                spec.id,
                spec.model,
                frame,
                datetime.now(),
            )

    # -- the autonomous script ----------------------------------------------

    async def _pause(self, seconds: float) -> None:
        await asyncio.sleep(seconds * self.tempo)

    async def _script(self, camera: _Camera) -> None:
        camera_id = camera.spec.id
        rng = camera.rng
        try:
            await self._pause(rng.uniform(0.3, 1.5))
            await camera.plugged.wait()
            if not camera.connected:  # plug() may have connected it
                await self.connect_camera(camera_id)
            frames_left = rng.randint(2, 4)  # until the next property change
            while True:
                await camera.online.wait()
                try:
                    await self.set_af(camera_id, "unlocked")
                    first = camera.frames == 0
                    await self._pause(rng.uniform(0.5, 0.8 if first else 1.5))
                    await self.set_af(
                        camera_id, rng.choice(("focused", "focused", "tracking"))
                    )
                    await self.shoot(camera_id)
                    await self._pause(rng.uniform(2.0, 5.0))
                    frames_left -= 1
                    if frames_left <= 0:
                        self._drift(camera)
                        frames_left = rng.randint(2, 4)
                except CameraNotConnectedError:
                    continue
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the script of camera %s stopped", camera_id)

    def _drift(self, camera: _Camera) -> None:
        rng = camera.rng
        props = camera.properties
        changed = rng.sample(
            [props[name] for name in EXPOSURE_NAMES], rng.randint(1, 3)
        )
        for prop in changed:
            prop.step(rng.choice((-1, 1)))
        battery = props["battery-remain"]
        if rng.random() < 0.5:
            battery.step(-1)
            if battery.value <= 5:
                battery.set("100%")  # a fresh battery
            changed.append(battery)
        changed.append(props["media-slot1-remaining-photos"])
        if camera.connected:
            self._notify_properties(camera, changed)

    # -- helpers -----------------------------------------------------------

    def _camera(self, camera_id: str) -> _Camera:
        camera = self._cameras.get(camera_id)
        if camera is None:
            known = ", ".join(self._cameras)
            raise KeyError(f"expected a camera id ({known}), got {camera_id!r}")
        return camera

    def _connected(self, camera_id: str) -> _Camera:
        camera = self._camera(camera_id)
        if not camera.connected:
            raise CameraNotConnectedError(f"camera {camera_id} is not connected")
        return camera

    def _record(self, level: str, message: str, camera_id: str | None = None) -> None:
        entry: dict[str, Any] = {
            "timestamp": datetime.now().strftime("%Y-%m-%dT%H:%M:%S"),
            "level": level,
            "message": message,
        }
        if camera_id is not None:
            entry["cameraId"] = camera_id
        self._logs.append(entry)

    # -- HTTP --------------------------------------------------------------

    @web.middleware
    async def _middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        log.info("%s %s", request.method, request.path_qs)
        self._record("info", f"{request.method} {request.path}")
        self.requests[request.path] += 1
        failure = self._take_failure(request.path)
        if failure is not None:
            log.info("failing %s with %d", request.path, failure.status)
            response = web.Response(
                status=failure.status,
                body=failure.body,
                headers={"Content-Type": failure.content_type},
            )
            response.force_close()
            return response
        try:
            response = await handler(request)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            response = web.Response(
                status=404, body=_NOT_FOUND, content_type="text/html"
            )
        if isinstance(response, web.Response):
            response.force_close()  # the real server answers "Connection: close"
        return response

    async def _get_status(self, _: web.Request) -> web.Response:
        connected = sum(camera.connected for camera in self._cameras.values())
        discovered = sum(c.plugged.is_set() for c in self._cameras.values())
        return _json(
            {
                "success": True,
                "server": {
                    "version": SERVER_VERSION,
                    "sdkVersion": SDK_VERSION,
                    "uptime": int(time.monotonic() - self._started_at),
                    "platform": "simulator",
                },
                "cameras": {"connected": connected, "discovered": discovered},
            }
        )

    async def _get_cameras(self, _: web.Request) -> web.Response:
        if self._discovery_delay > 0:
            await asyncio.sleep(self._discovery_delay)
        listed = [
            {
                "id": camera.spec.id,
                "model": camera.spec.model,
                "connectionType": camera.spec.connection_type,
                "connected": camera.connected,
            }
            for camera in self._cameras.values()
            if camera.plugged.is_set()
        ]
        return _json(
            {
                "success": True,
                "message": "Camera discovery completed",
                "cameras": listed,
            }
        )

    async def _get_connection(self, request: web.Request) -> web.Response:
        camera_id = request.match_info["id"]
        camera = self._cameras.get(camera_id)
        if camera is None or not camera.connected:
            return _json(
                {
                    "success": True,
                    "message": "No camera connected",
                    "camera": {"connected": False, "model": "", "id": camera_id},
                }
            )
        return _json(
            {
                "success": True,
                "message": "Camera connected",
                "camera": {
                    "connected": True,
                    "model": camera.spec.model,
                    "id": camera_id,
                },
                "data": {"mode": camera.spec.mode},
            }
        )

    def _not_connected(self, camera_id: str, status: int) -> web.Response:
        # Like the real server: an empty camera, even the id.
        return _json(
            {
                "success": False,
                "message": f"Camera not connected: {camera_id}",
                "camera": {"connected": False, "model": "", "id": ""},
            },
            status,
        )

    async def _get_properties(self, request: web.Request) -> web.Response:
        camera_id = request.match_info["id"]
        camera = self._cameras.get(camera_id)
        if camera is None or not camera.connected:
            return self._not_connected(camera_id, 200)
        props = {name: prop.entry() for name, prop in camera.properties.items()}
        return _json(
            {
                "success": True,
                "data": {"properties": props, "total_properties": len(props)},
            }
        )

    async def _get_property(self, request: web.Request) -> web.Response:
        camera_id, name = request.match_info["id"], request.match_info["name"]
        camera = self._cameras.get(camera_id)
        if camera is None or not camera.connected:
            return self._not_connected(camera_id, 400)  # 400 here, 200 for /all
        prop = camera.properties.get(name)
        if prop is None:
            return _json(
                {"success": False, "message": f"Property '{name}' not found"}, 400
            )
        return _json(
            {
                "success": True,
                "data": {
                    "property": name,
                    "value": to_hex(prop.value),
                    "formatted": prop.formatted,
                    "writable": "true" if prop.writable else "false",
                    "available_values": prop.available(),
                },
            }
        )

    async def _get_logs(self, request: web.Request) -> web.Response:
        try:
            lines = max(0, int(request.query.get("lines", "100")))
        except ValueError:
            lines = 100
        floor = _LOG_LEVELS.get(request.query.get("level", "debug").lower(), 0)
        entries = [
            entry
            for entry in reversed(self._logs)
            if _LOG_LEVELS.get(entry["level"], 1) >= floor
        ][:lines]
        return _json({"success": True, "logs": entries, "total": len(entries)})

    async def _get_events(self, request: web.Request) -> web.StreamResponse:
        camera_id = request.match_info.get("id", "*")
        subscriber = _Subscriber(camera_id, request, asyncio.current_task())
        self._subscribers.add(subscriber)  # before the headers: no event is lost
        response = _EventStreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "Connection": "keep-alive",
            }
        )
        response.force_close()
        loop = asyncio.get_running_loop()
        queue = subscriber.queue
        try:
            await response.prepare(request)
            await response.write(_frame("connected", _dumps({"cameraId": camera_id})))
            due = loop.time() + self.keepalive
            stalled = False  # True once the _Stall item is reached
            while True:
                try:
                    timeout = max(0.0, due - loop.time())
                    item = await asyncio.wait_for(queue.get(), timeout)
                except TimeoutError:
                    if stalled:
                        log.info("stream %s: stall over, closing", request.path)
                        _abort(request)
                        break
                    due = max(due, loop.time()) + self.keepalive
                    await response.write(_KEEPALIVE)
                    continue
                try:
                    if item is None:
                        break
                    if isinstance(item, _Drop):
                        await self._drop(request, response, item, stalled)
                        break
                    if isinstance(item, _Stall):
                        stalled = True
                        due = loop.time() + item.seconds
                    elif not stalled:
                        await response.write(item)
                finally:
                    queue.task_done()  # send_raw() waits for these
        except ConnectionError:
            log.info("stream %s closed by the client", request.path)
        finally:
            self._subscribers.discard(subscriber)
            while not queue.empty():  # release send_raw() callers at once
                queue.get_nowait()
                queue.task_done()
            subscriber.ended.set()
        return response

    async def _drop(
        self,
        request: web.Request,
        response: web.StreamResponse,
        drop: _Drop,
        stalled: bool,
    ) -> None:
        transport = request.transport
        if drop.partial and not stalled and transport is not None:
            await response.write(drop.partial)
            # abort() discards what asyncio still buffers: let the kernel take it.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 1.0
            while transport.get_write_buffer_size() and loop.time() < deadline:
                await asyncio.sleep(0.01)
        log.info("stream %s: dropping the connection", request.path)
        _abort(request, reset=drop.reset)
