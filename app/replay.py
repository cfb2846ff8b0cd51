"""Play a recording (``app.recording``) back into a rig, at its own pace or faster.

Each server of the recording gets a :class:`ReplayWatcher`: a
:class:`ServerWatcher` whose streams and REST answers come from the file instead
of a socket. The raw events are decoded again and go through the watcher's own
attribution (the per-camera copy paired with the all-cameras copy) and delivery,
so a replay shows what the recorded session showed, and a newer monitor shows
what it makes of the same input. No Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any
from urllib.parse import unquote

import msgspec

from .monitor import MATCH_WINDOW, ServerWatcher, WatchObserver, _Reconciler
from .protocol import errors
from .protocol import events as ev
from .protocol.rest import RestClient, normalize_url
from .protocol.sse import MAX_EVENT_BYTES
from .protocol.stream import ALL_CAMERAS, too_large
from .recording import BadLine, Recording
from .rig import LinkState, Rig

log = logging.getLogger(__name__)

YIELD_EVERY = 50
"""Records played back to back (a replay running behind) before the loop is let
run other work."""

_CAMERA_PATH = re.compile(r"^/api/cameras/([^/]+)/(connection|properties/all)$")


class _Answer(RestClient):
    """A REST client that answers once, with a recorded answer: the recorded body
    is read by the same code as a live one."""

    def __init__(self, url: str, record: dict[str, Any]) -> None:
        super().__init__(url, None)  # type: ignore[arg-type]  # nothing is fetched
        self._record = record

    async def _fetch(self, path: str, **params: Any) -> dict[str, Any]:
        record = self._record
        if "error" in record or not isinstance(record.get("body"), dict):
            kind = getattr(errors, str(record.get("error_type")), errors.ServerError)
            if not (isinstance(kind, type) and issubclass(kind, errors.ServerError)):
                kind = errors.ServerError
            raise kind(str(record.get("error") or "no answer recorded"))
        return record["body"]


class ReplayWatcher(ServerWatcher):
    """Keeps the rig's view of one recorded server as the recording says.

    Fed record by record (:meth:`play`); what the live watcher would fetch by
    REST after an event (properties, a camera's connection) is not fetched:
    the recording has the answers the live watcher got, at their times.
    """

    def __init__(
        self,
        rig: Rig,
        url: str,
        *,
        speed: float = 1.0,
        observers: list[WatchObserver] | None = None,
    ) -> None:
        super().__init__(rig, url, None, observers=observers)  # type: ignore[arg-type]
        self.speed = speed
        # Attribution runs on the recording's clock: a copy is found lone when
        # its wait ends (the live watcher looks every ATTRIBUTION_TICK, so it
        # found it at most that much later), never after what came next live.
        self._now = 0.0
        self._in_session = False
        self._reconciler = _Reconciler(MATCH_WINDOW, clock=self._clock)
        self._status: Any = None
        # Streams whose next event is the first of a connection (the only place
        # for the server's greeting): marked when the attempt starts, since the
        # greeting may come before the stream of all cameras is said to be open.
        self._fresh: set[str] = set()
        self._lost_at: dict[str, datetime] = {}
        self._started_mono = time.monotonic()

    def start(self, started_mono: float) -> None:
        """``started_mono``: the time.monotonic() that stands for the recording's 0."""
        self._started_mono = started_mono
        self.rig.server(self.url)

    def _clock(self) -> float:
        return self._now

    def next_due(self) -> float | None:
        """When (recording time) a waiting copy is next found lone."""
        return self._reconciler.next_expiry()

    def advance(self, t: float) -> None:
        """The recording's time is now ``t``: hand on the copies whose wait
        ended until then, each at its time."""
        while (due := self._reconciler.next_expiry()) is not None and due <= t:
            self._now = max(self._now, due)
            for event in self._reconciler.expired():
                self._lone_event(event)
        self._now = max(self._now, t)

    def _end_session(self) -> None:
        """The live session ended here: its attribution loop handed on what
        was still waiting."""
        if self._in_session:
            self._in_session = False
            for event in self._reconciler.clear():
                self._lone_event(event)

    async def finish(self) -> None:
        """The recording is over; the watcher's tasks end."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def refresh_properties(self, camera_id: str, delay: float | None = None) -> None:
        """Recorded: the answers come as rest records."""

    async def _resync_camera(self, camera_id: str) -> None:
        """Recorded: the answers come as rest records."""

    def _when(self, t: Any) -> float | None:
        """The time.monotonic() in this replay of a recording's offset."""
        if isinstance(t, int | float) and not isinstance(t, bool):
            return self._started_mono + t / self.speed
        return None

    # -- records -----------------------------------------------------------------

    async def play(self, record: dict[str, Any], *, final: bool = False) -> None:
        """Apply one record. ``final``: a stream closing at the recording's very
        end (the monitor quitting), told but not applied to the rig, which keeps
        showing the state before it."""
        match record["kind"]:
            case "event":
                self._event(record)
            case "rest":
                await self._rest(record)
            case "stream":
                self._stream(record, final=final)

    def _event(self, record: dict[str, Any]) -> None:
        sub, name, data = record["stream"], record["event"], record["data"]
        first = sub in self._fresh
        self._fresh.discard(sub)
        dropped = record.get("dropped")
        if isinstance(dropped, str):
            event: ev.Event = ev.BadEvent(name=name, error=dropped, raw=data)
        elif len(data) > MAX_EVENT_BYTES // 4 and (
            size := len(data.encode("utf-8", "surrogatepass"))
        ) > MAX_EVENT_BYTES:  # as a live stream would have dropped it (bytes)
            event = too_large(name, size, data)
        elif sub == ALL_CAMERAS:  # as the live watcher reads it
            event = ev.decode_copy(name, data, first=first)
        else:
            event = ev.decode(name, data, first=first, subscription=sub)
        if sub == ALL_CAMERAS:
            if not isinstance(event, ev.Handshake):
                self._reconciler.from_all((event.name, data), event)
            return
        lost_at = self._lost_at.pop(sub, None)
        if lost_at is not None:
            self._note_gap(sub, lost_at)
        if not isinstance(event, ev.Handshake):
            self._reconciler.from_camera((event.name, data))
        self._on_camera_event(sub, event)

    async def _rest(self, record: dict[str, Any]) -> None:
        path = record["path"]
        answer = _Answer(self.url, record)
        asked = self._when(record.get("asked"))
        if path == "/api/server/status":
            with contextlib.suppress(errors.ServerError):
                self._status = await answer.status()
            return
        if path == "/api/cameras":
            await self._read_cameras(answer.cameras, asked=asked)
            return
        match = _CAMERA_PATH.match(path)
        if match is None:
            return  # a question this version does not ask: nothing to show
        camera_id = unquote(match.group(1))
        if match.group(2) == "connection":
            try:
                info = await answer.connection(camera_id)
            except errors.ServerError:
                return
            self.rig.update_connection(self.url, camera_id, info, asked=asked)
            return
        await self._read_properties(camera_id, answer.properties)

    def _stream(self, record: dict[str, Any], *, final: bool) -> None:
        sub = record["stream"]
        state = LinkState(record["state"])
        reason = str(record.get("reason") or "")
        retry_in = record.get("retry_in")
        if not isinstance(retry_in, int | float) or isinstance(retry_in, bool):
            retry_in = None
        if state == LinkState.CLOSED or (
            sub == ALL_CAMERAS and state == LinkState.RETRYING
        ):
            self._end_session()
        if final:
            self._stream_state(sub, state, reason, retry_in)
            return
        if sub == ALL_CAMERAS:
            self._server_stream(state, reason, retry_in)
        else:
            self._camera_stream_state(sub, state, reason, retry_in)

    def _server_stream(
        self, state: LinkState, reason: str, retry_in: float | None
    ) -> None:
        url = self.url
        match state:
            case LinkState.CONNECTING:
                self._fresh.add(ALL_CAMERAS)
                self.rig.set_link(url, LinkState.CONNECTING)
                self._stream_state(ALL_CAMERAS, state)
            case LinkState.OPEN:
                self._in_session = True
                self._server_open(self._status)
            case LinkState.RETRYING:
                wait = (retry_in or 0.0) / self.speed
                self.rig.set_link(url, state, reason=reason,
                                  retry_at=time.monotonic() + wait)  # fmt: skip
                self._stream_state(ALL_CAMERAS, state, reason, retry_in)
            case LinkState.CLOSED:
                self.rig.set_link(url, state, reason=reason or "stopped")
                self._stream_state(ALL_CAMERAS, state, reason)

    def _camera_stream_state(
        self, camera_id: str, state: LinkState, reason: str, retry_in: float | None
    ) -> None:
        if state == LinkState.CONNECTING:
            self._fresh.add(camera_id)
        if state == LinkState.OPEN:
            self._open_streams.add(camera_id)
            self._stream_state(camera_id, state)
            self.rig.set_streaming(self.url, camera_id, True)
            return
        if state in (LinkState.RETRYING, LinkState.CLOSED):
            self.rig.set_streaming(self.url, camera_id, False)
            if state == LinkState.RETRYING and camera_id in self._open_streams:
                self._lost_at.setdefault(camera_id, datetime.now())
            if state == LinkState.CLOSED:
                self._lost_at.pop(camera_id, None)
            self._open_streams.discard(camera_id)
        self._stream_state(camera_id, state, reason, retry_in)


class ReplayResult(msgspec.Struct):
    records: int = 0
    bad_lines: int = 0
    duration: float = 0.0


class Player:
    """Reads a recording off the event loop's thread and plays it at ``speed``."""

    def __init__(
        self,
        recording: Recording,
        rig: Rig,
        *,
        speed: float = 1.0,
        observers: list[WatchObserver] | None = None,
        on_bad_line: Callable[[BadLine], None] | None = None,
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.recording = recording
        self.rig = rig
        self.speed = speed
        self.observers = list(observers or [])
        self.on_bad_line = on_bad_line
        self.watchers: dict[str, ReplayWatcher] = {}
        self.result = ReplayResult()
        self.position = 0.0
        """The recording's time reached so far, in seconds."""
        self._behind = 0

    def _watcher(self, url: str) -> ReplayWatcher:
        url = normalize_url(url)
        watcher = self.watchers.get(url)
        if watcher is None:
            watcher = ReplayWatcher(
                self.rig, url, speed=self.speed, observers=self.observers
            )
            watcher.start(self._started)
            self.watchers[url] = watcher
        return watcher

    async def run(self) -> ReplayResult:
        """Play the whole recording; returns once the last record is applied."""
        self._started = time.monotonic()
        for url in self.recording.header.servers:
            self._watcher(url)
        # Streams closing with nothing after them are the recorded monitor
        # quitting: held back until something follows them.
        held: list[dict[str, Any]] = []
        try:
            while True:
                batch = await asyncio.to_thread(self.recording.read)
                if not batch:
                    break
                for record in batch:
                    if isinstance(record, BadLine):
                        self._bad(record)
                        continue
                    await self._wait_for(record["t"])
                    if record["kind"] == "stream" and record["state"] == "closed":
                        held.append(record)
                        continue
                    for closing in held:
                        await self._play(closing)
                    held.clear()
                    await self._play(record)
            for closing in held:
                await self._play(closing, final=True)
            # Copies still waiting when a recording stops short (the monitor
            # was killed) are handled as the live watcher would have.
            dues = [w.next_due() for w in self.watchers.values()]
            if any(due is not None for due in dues):
                await self._wait_for(self.position + MATCH_WINDOW)
            await asyncio.gather(*(w.finish() for w in self.watchers.values()))
        finally:
            with contextlib.suppress(OSError):
                await asyncio.to_thread(self.recording.close)
        self.result.duration = self.position
        return self.result

    async def _wait_for(self, t: float) -> None:
        """Until the recording's time ``t``, looking for lone copies on the way."""
        while True:
            dues = [w.next_due() for w in self.watchers.values()]
            ticks = [due for due in dues if due is not None and due < t]
            target = min(ticks) if ticks else t
            wait = self._started + target / self.speed - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                self._behind += 1
                if self._behind % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # behind: let the window draw meanwhile
            for watcher in self.watchers.values():
                watcher.advance(target)
            self.position = max(self.position, target)
            if target >= t:
                return

    async def _play(self, record: dict[str, Any], *, final: bool = False) -> None:
        self.result.records += 1
        try:
            await self._watcher(record["server"]).play(record, final=final)
        except Exception as exc:  # one odd record must not end the replay
            log.exception("Replaying a record failed")
            self._bad(BadLine(0, f"could not be replayed ({exc!r})"))

    def _bad(self, bad: BadLine) -> None:
        self.result.bad_lines += 1
        if self.on_bad_line is not None:
            self.on_bad_line(bad)


def describe_end(recording: Recording, result: ReplayResult) -> str:
    """The closing sentence of a replay."""
    bad = ""
    if result.bad_lines:
        s = "s" if result.bad_lines != 1 else ""
        bad = f"; {result.bad_lines} bad line{s} skipped"
    return (
        f"replay of {recording.path.name} ended: {result.records} records, "
        f"{result.duration:.1f} s recorded{bad}"
    )


async def replay_headless(
    recording: Recording,
    *,
    speed: float,
    as_json: bool,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> ReplayResult:
    """Print a recording's events and stream changes as headless mode does."""
    from .headless import LinePrinter

    out = out or sys.stdout
    err = err or sys.stderr

    def bad_line(bad: BadLine) -> None:
        print(f"tether-monitor: {recording.path} {bad}; skipped", file=err, flush=True)

    task = asyncio.current_task()
    printer = LinePrinter(
        out, as_json=as_json, on_closed=task.cancel if task is not None else None
    )
    player = Player(recording, Rig(), speed=speed, observers=[printer],
                    on_bad_line=bad_line)  # fmt: skip
    result = await player.run()
    print(f"tether-monitor: {describe_end(recording, result)}", file=err, flush=True)
    return result


def run_replay_headless(recording: Recording, *, speed: float, as_json: bool) -> int:
    """Play a recording to stdout; exits 0 at its end, or on Ctrl+C or SIGTERM."""
    from .headless import run_until_signalled

    run_until_signalled(replay_headless(recording, speed=speed, as_json=as_json))
    return 0
