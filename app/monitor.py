"""Watch one server: keep its link, streams and cameras in the rig up to date. No Qt.

A *session* is one period of being connected to a server: it opens the stream
of all cameras, resynchronises by REST, then keeps one stream per camera and a
discovery poll. When the server goes away the session ends, and the watcher
retries with capped exponential backoff, then resynchronises again, since the
server keeps no event ids and what was sent meanwhile is lost.

Attribution: the binary's payloads mostly name no camera, so an event is put on
a card only when it came on that camera's own stream (which the server filters
by id). Every event also comes on the stream of all cameras; a copy there that
no camera's stream carried within :data:`MATCH_WINDOW` is attributed by its
payload's camera id when it has one, and otherwise logged as unattributed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any, Protocol

import httpx

from .protocol import events as ev
from .protocol.errors import ServerError
from .protocol.rest import (
    CameraInfo,
    Property,
    RestClient,
    ServerStatus,
    normalize_url,
)
from .protocol.stream import ALL_CAMERAS, subscribe
from .rig import MAX_CAMERAS, LinkState, Rig, summarize

log = logging.getLogger(__name__)

STEADY_AFTER = 10.0
"""Seconds a link must hold before its retry delays start over from the shortest."""

MATCH_WINDOW = 1.5
"""Seconds a copy on the all-cameras stream waits for the same event on a camera's."""

EARLY_DISCOVERY_GAP = 1.0
"""The least time between two camera lists asked for early (see _discovery_loop)."""
ATTRIBUTION_TICK = 0.25
"""Seconds between two looks for copies that waited in vain."""


class Backoff:
    """Capped exponential delays with jitter: about 0.5, 1, 2, 4, 8, 10, 10 s."""

    def __init__(
        self, first: float = 0.5, cap: float = 10.0, rng: random.Random | None = None
    ) -> None:
        self.first = first
        self.cap = cap
        self._attempt = 0
        self._rng = rng or random.Random()

    def next(self) -> float:
        base = min(self.cap, self.first * 2**self._attempt)
        self._attempt = min(self._attempt + 1, 30)
        return min(self.cap, base * self._rng.uniform(0.8, 1.2))

    def reset(self) -> None:
        self._attempt = 0


class WatchObserver(Protocol):
    """Told of every decoded event and every change of a stream's state."""

    def event_received(self, url: str, camera_id: str | None, event: ev.Event) -> None:
        """``camera_id`` is None for an event that could not be attributed."""

    def stream_changed(
        self,
        url: str,
        subscription: str,
        state: LinkState,
        reason: str,
        retry_in: float | None,
    ) -> None:
        """``subscription`` is a camera id, or ``*`` for the stream of all cameras."""


class WatchRecorder(WatchObserver, Protocol):
    """Also told of what came in raw: every event with its data as sent, every
    REST answer (see ``app.recording``)."""

    def stream_data(
        self, url: str, subscription: str, event: ev.Event, data: str
    ) -> None: ...

    def rest_answer(
        self,
        url: str,
        path: str,
        asked: float,
        body: dict[str, Any] | None,
        error: ServerError | None,
    ) -> None: ...


class _Reconciler:
    """Pairs copies of an event on the all-cameras stream with a camera's stream.

    Copies are matched by event name and data as sent; equal events count as a
    multiset, so two cameras sending the same payload still pair up.
    """

    def __init__(
        self, window: float = MATCH_WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self._clock = clock
        # Lists, oldest first: nearly every key (name and data) is seen twice in
        # all, and a list is cheaper to make than a deque for one item.
        self._global: dict[tuple[str, str], list[tuple[float, ev.Event]]] = {}
        self._camera: dict[tuple[str, str], list[float]] = {}

    def from_camera(self, key: tuple[str, str]) -> None:
        waiting = self._global.get(key)
        if waiting:
            del waiting[0]
            if not waiting:
                del self._global[key]
            return
        seen = self._camera.get(key)
        if seen is None:
            self._camera[key] = [self._clock() + self.window]
        else:
            seen.append(self._clock() + self.window)

    def from_all(self, key: tuple[str, str], event: ev.Event) -> None:
        seen = self._camera.get(key)
        if seen:
            del seen[0]
            if not seen:
                del self._camera[key]
            return
        waiting = self._global.get(key)
        if waiting is None:
            self._global[key] = [(self._clock() + self.window, event)]
        else:
            waiting.append((self._clock() + self.window, event))

    def next_expiry(self) -> float | None:
        """When the first waiting copy's wait ends, if any copy waits."""
        return min((queue[0][0] for queue in self._global.values()), default=None)

    def expired(self) -> list[ev.Event]:
        """The copies no camera's stream carried in time, oldest first."""
        now = self._clock()
        lone: list[tuple[float, ev.Event]] = []
        for key, waiting in list(self._global.items()):
            while waiting and waiting[0][0] <= now:
                lone.append(waiting.pop(0))
            if not waiting:
                del self._global[key]
        for key, seen in list(self._camera.items()):
            while seen and seen[0] <= now:
                del seen[0]
            if not seen:
                del self._camera[key]
        lone.sort(key=lambda item: item[0])
        return [event for _, event in lone]

    def clear(self) -> list[ev.Event]:
        """Forget everything; returns the copies still waiting."""
        waiting = [e for queue in self._global.values() for _, e in queue]
        self._global.clear()
        self._camera.clear()
        return waiting


class ServerWatcher:
    """Keeps the rig's view of one server current until cancelled."""

    def __init__(
        self,
        rig: Rig,
        url: str,
        client: httpx.AsyncClient,
        *,
        poll_interval: float = 5.0,
        stall_timeout: float = 45.0,
        property_delay: float = 0.15,
        observers: list[WatchObserver] | None = None,
        recorder: WatchRecorder | None = None,
    ) -> None:
        self.rig = rig
        self.url = normalize_url(url)
        self.rest = RestClient(self.url, client, on_answer=self._answered)
        self.recorder = recorder
        """Told of every raw event and REST answer while set (may change any time)."""
        self.last_answers: dict[str, tuple[float, dict[str, Any]]] = {}
        """The last good answer to each REST path, with when it was asked (for a
        recording that starts mid-session)."""
        self._client = client
        self.poll_interval = poll_interval
        self.stall_timeout = stall_timeout
        self.property_delay = property_delay
        self.observers = list(observers or [])
        self._backoff = Backoff()
        self._wake = asyncio.Event()
        self._discover_now = asyncio.Event()
        self._streams: dict[str, asyncio.Task[None]] = {}
        self._open_streams: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._property_dirty: dict[str, bool] = {}
        self._property_tasks: dict[str, asyncio.Task[None]] = {}
        self._reconciler = _Reconciler()
        self._over_limit = False
        self._left_out: set[str] = set()  # listed, but past MAX_CAMERAS
        self.discoveries = 0
        """How many camera lists were asked for (to check that none overlap)."""
        self.property_fetches = 0
        """How many ``properties/all`` requests were made (for the benchmarks)."""

    # -- public ------------------------------------------------------------------

    def retry_now(self) -> None:
        """Cut the current wait before the next attempt short."""
        self._wake.set()

    async def run(self) -> None:
        self.rig.server(self.url)
        try:
            while True:
                self.rig.set_link(self.url, LinkState.CONNECTING)
                self._stream_state(ALL_CAMERAS, LinkState.CONNECTING)
                try:
                    await self._session()
                    reason = "the session ended"
                except ServerError as exc:
                    reason = str(exc)
                except Exception as exc:  # a bug must not stop the watching
                    log.exception("Session with %s failed", self.url)
                    reason = f"internal error: {exc!r}"
                finally:
                    await self._stop_tasks()
                delay = self._backoff.next()
                self.rig.set_link(
                    self.url,
                    LinkState.RETRYING,
                    reason=reason,
                    retry_at=time.monotonic() + delay,
                )
                self._stream_state(ALL_CAMERAS, LinkState.RETRYING, reason, delay)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
        finally:
            self.rig.set_link(self.url, LinkState.CLOSED, reason="stopped")
            self._stream_state(ALL_CAMERAS, LinkState.CLOSED, "stopped")

    # -- the session -------------------------------------------------------------

    async def _session(self) -> None:
        status = await self.rest.status()
        opened = asyncio.Event()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._all_cameras_stream(opened))
                await opened.wait()
                self._server_open(status)
                group.create_task(self._reset_backoff_when_steady(self._backoff))
                group.create_task(self._discovery_loop())
                group.create_task(self._attribution_loop())
        except ExceptionGroup as group:
            # The first failure is the cause; the others are its consequences.
            raise group.exceptions[0] from None

    def _server_open(self, status: ServerStatus | None) -> None:
        """The stream of all cameras is open: the server is connected again,
        and what may have been missed since it was lost is said."""
        lost = self.rig.server(self.url).offline_since  # None on the first open
        self._stream_state(ALL_CAMERAS, LinkState.OPEN)
        self.rig.set_link(self.url, LinkState.OPEN, status=status)
        if lost is not None:
            self.rig.note(
                self.url, None, "stream",
                f"gap: events sent from {lost:%H:%M:%S} until "
                "now were not received; resynchronising by REST",
                level="warning",
            )  # fmt: skip

    @staticmethod
    async def _reset_backoff_when_steady(backoff: Backoff) -> None:
        """A link that opens and drops at once must not be retried at full speed:
        the delays start over only once it has held for a while."""
        await asyncio.sleep(STEADY_AFTER)
        backoff.reset()

    async def _all_cameras_stream(self, opened: asyncio.Event) -> None:
        """The stream of all cameras: the server's liveness, new cameras, and
        copies of every event, kept until a camera's own stream claims them
        (most are, so those that can wait are decoded only if none does)."""
        async for event, data in subscribe(
            self._client, self.url, ALL_CAMERAS,
            stall_timeout=self.stall_timeout, on_open=opened.set, lazy=True,
        ):  # fmt: skip
            if self.recorder is not None:
                self._raw(self.recorder, ALL_CAMERAS, event, data)
            if isinstance(event, ev.Handshake):
                continue
            camera_id = event.camera_id
            if (
                camera_id
                and camera_id not in self._open_streams
                and camera_id not in self._left_out  # listed, past the limit
            ):
                self._discover_now.set()
            self._reconciler.from_all((event.name, data), event)

    async def _attribution_loop(self) -> None:
        try:
            while True:
                await asyncio.sleep(ATTRIBUTION_TICK)
                for event in self._reconciler.expired():
                    self._lone_event(event)
        finally:
            for event in self._reconciler.clear():
                self._lone_event(event)

    def _lone_event(self, event: ev.Event) -> None:
        """An event only the all-cameras stream carried."""
        if isinstance(event, ev.Undecoded):
            event = event.decoded()
        camera_id = event.camera_id
        if camera_id in self._left_out:
            return  # a camera past the limit: said once, when it was left out
        if camera_id and (self.url, camera_id) in self.rig.cameras:
            self._deliver(camera_id, event)
            return
        self._tell(None, event)
        level = "error" if isinstance(event, ev.BadEvent) else "warning"
        self.rig.note(
            self.url, camera_id, event.name,
            f"not attributed to a camera (only on the stream of all cameras): "
            f"{summarize(event)}",
            level=level,
        )  # fmt: skip

    async def _discovery_loop(self) -> None:
        while True:
            # Cleared before asking, so a camera that appears meanwhile asks again.
            self._discover_now.clear()
            asked = time.monotonic()
            await self._discover()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._discover_now.wait(), self.poll_interval)
            # Asked early by an event of an unknown camera: at most once a
            # second, however many such events come.
            early = min(EARLY_DISCOVERY_GAP, self.poll_interval)
            await asyncio.sleep(max(0.0, asked + early - time.monotonic()))

    async def _discover(self) -> None:
        found = await self._read_cameras(self.rest.cameras, asked=time.monotonic())
        if found is None:
            return  # the list failed: the streams stay as they are
        listed = {info.id for info in found}
        for camera_id in [c for c in self._streams if c not in listed]:
            # No longer listed: its card says lost, and its stream starts
            # again when it is listed again.
            self._streams.pop(camera_id).cancel()
        for info in found:
            task = self._streams.get(info.id)
            if task is None or task.done():
                self._streams[info.id] = self._spawn(self._camera_stream(info.id))

    async def _read_cameras(
        self, fetch: Callable[[], Awaitable[list[CameraInfo]]], *, asked: float | None
    ) -> list[CameraInfo] | None:
        """Ask for the camera list and apply it (``asked``: when the question
        was sent); returns the cameras watched, None when the question failed."""
        self.discoveries += 1
        try:
            found = await fetch()
        except ServerError as exc:
            self.rig.note(
                self.url, None, "discovery", f"camera list failed: {exc}",
                level="warning",
            )  # fmt: skip
            return None
        found = self._within_limit(found)
        self.rig.update_cameras(self.url, found, asked=asked)
        return found

    def _within_limit(self, found: list[CameraInfo]) -> list[CameraInfo]:
        """At most MAX_CAMERAS cameras (one stream each), the ones already
        watched first; a longer list is said once."""
        unique = list({info.id: info for info in found}.values())
        if len(unique) <= MAX_CAMERAS:
            self._over_limit = False
            self._left_out = set()
            return unique
        watched = [info for info in unique if info.id in self._streams]
        others = [info for info in unique if info.id not in self._streams]
        kept = (watched + others)[:MAX_CAMERAS]
        self._left_out = {info.id for info in unique} - {info.id for info in kept}
        if not self._over_limit:
            self._over_limit = True
            self.rig.note(
                self.url, None, "discovery",
                f"the server lists {len(unique)} cameras; watching {MAX_CAMERAS}, "
                "the most one monitor follows on one server",
                level="warning",
            )  # fmt: skip
        return kept

    async def _camera_stream(self, camera_id: str) -> None:
        backoff = Backoff()
        lost_at: datetime | None = None
        steady: list[asyncio.Task[None]] = []
        me = asyncio.current_task()

        def mine() -> bool:
            """Whether this is still the camera's stream: one cancelled because
            the camera was no longer listed may end after a new one opened."""
            return self._streams.get(camera_id) in (None, me)

        try:
            while True:
                self._stream_state(camera_id, LinkState.CONNECTING)

                def on_open() -> None:
                    self._open_streams.add(camera_id)
                    self._stream_state(camera_id, LinkState.OPEN)
                    steady.append(self._spawn(self._reset_backoff_when_steady(backoff)))
                    self.rig.set_streaming(self.url, camera_id, True)
                    self._spawn(self._resync_camera(camera_id))

                reason = "the stream ended"
                try:
                    async for event, data in subscribe(
                        self._client, self.url, camera_id,
                        stall_timeout=self.stall_timeout, on_open=on_open,
                    ):  # fmt: skip
                        if self.recorder is not None:
                            self._raw(self.recorder, camera_id, event, data)
                        if lost_at is not None:
                            self._note_gap(camera_id, lost_at)
                            lost_at = None
                        if not isinstance(event, ev.Handshake):
                            self._reconciler.from_camera((event.name, data))
                        self._on_camera_event(camera_id, event)
                except ServerError as exc:
                    reason = str(exc)
                    log.info("Stream of %s on %s ended: %s", camera_id, self.url, exc)
                except Exception as exc:  # a bug must not end the camera's stream
                    reason = f"internal error: {exc!r}"
                    log.exception("Stream of %s on %s failed", camera_id, self.url)
                finally:
                    if mine():
                        self.rig.set_streaming(self.url, camera_id, False)
                    for task in steady:
                        task.cancel()
                    steady.clear()
                if camera_id in self._open_streams and lost_at is None:
                    lost_at = datetime.now()
                self._open_streams.discard(camera_id)
                delay = backoff.next()
                self._stream_state(camera_id, LinkState.RETRYING, reason, delay)
                await asyncio.sleep(delay)
        finally:
            if mine():
                self._open_streams.discard(camera_id)
                self._stream_state(camera_id, LinkState.CLOSED, "stopped")

    def _note_gap(self, camera_id: str, since: datetime) -> None:
        self.rig.note(
            self.url, camera_id, "stream",
            f"gap: events from {since:%H:%M:%S} until now may be lost; resynchronised",
            level="warning",
        )  # fmt: skip

    def _on_camera_event(self, camera_id: str, event: ev.Event) -> None:
        if isinstance(event, ev.Handshake):
            return
        if event.camera_id not in (None, camera_id):
            self.rig.note(
                self.url, camera_id, event.name,
                f"event names camera {event.camera_id} on the stream of {camera_id}; "
                "shown on the stream's camera",
                level="warning",
            )  # fmt: skip
        self._deliver(camera_id, event)

    def _deliver(self, camera_id: str, event: ev.Event) -> None:
        self._tell(camera_id, event)
        self.rig.apply(self.url, camera_id, event)
        if isinstance(event, ev.PropertiesChanged):
            self.refresh_properties(camera_id)
        elif isinstance(event, (ev.CameraConnected, ev.LinkChanged)):
            self._spawn(self._resync_camera(camera_id))

    def _tell(self, camera_id: str | None, event: ev.Event) -> None:
        for observer in self.observers:
            try:
                observer.event_received(self.url, camera_id, event)
            except Exception:  # an observer's failure is not the stream's
                log.exception("An observer failed on %s", event.name)

    def _raw(
        self, recorder: WatchRecorder, subscription: str, event: ev.Event, data: str
    ) -> None:
        try:
            recorder.stream_data(self.url, subscription, event, data)
        except Exception:
            log.exception("The recorder failed on %s", event.name)

    def _answered(
        self,
        path: str,
        asked: float,
        body: dict[str, Any] | None,
        error: ServerError | None,
    ) -> None:
        if body is not None:
            self.last_answers[path] = (asked, body)
        if self.recorder is not None:
            try:
                self.recorder.rest_answer(self.url, path, asked, body, error)
            except Exception:
                log.exception("The recorder failed on %s", path)

    def _stream_state(
        self,
        subscription: str,
        state: LinkState,
        reason: str = "",
        retry_in: float | None = None,
    ) -> None:
        observers = list(self.observers)
        if self.recorder is not None:
            observers.append(self.recorder)
        for observer in observers:
            try:
                observer.stream_changed(self.url, subscription, state, reason, retry_in)
            except Exception:
                log.exception("An observer failed on a stream change")

    async def _resync_camera(self, camera_id: str) -> None:
        asked = time.monotonic()
        try:
            info = await self.rest.connection(camera_id)
        except ServerError as exc:
            log.info("Connection of %s unknown: %s", camera_id, exc)
            return
        self.rig.update_connection(self.url, camera_id, info, asked=asked)
        if info.connected:
            self.refresh_properties(camera_id, delay=0)

    # -- properties --------------------------------------------------------------

    def refresh_properties(self, camera_id: str, delay: float | None = None) -> None:
        """Fetch a camera's properties soon: bursts of requests become one fetch."""
        self._property_dirty[camera_id] = True
        task = self._property_tasks.get(camera_id)
        if task is None or task.done():
            wait = self.property_delay if delay is None else delay
            self._property_tasks[camera_id] = self._spawn(
                self._fetch_properties(camera_id, wait)
            )

    async def _fetch_properties(self, camera_id: str, delay: float) -> None:
        while self._property_dirty.get(camera_id):
            await asyncio.sleep(delay)
            delay = self.property_delay
            self._property_dirty[camera_id] = False
            await self._read_properties(camera_id, self.rest.properties)

    async def _read_properties(
        self,
        camera_id: str,
        fetch: Callable[[str], Awaitable[dict[str, Property]]],
    ) -> None:
        """Ask for a camera's properties; a failure keeps the old ones, shown
        as stale."""
        self.property_fetches += 1
        try:
            props = await fetch(camera_id)
        except ServerError as exc:
            self.rig.update_properties(self.url, camera_id, None)
            self.rig.note(
                self.url, camera_id, "properties",
                f"could not read properties, showing the last known: {exc}",
                level="warning",
            )  # fmt: skip
        else:
            self.rig.update_properties(self.url, camera_id, props)

    # -- tasks -------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Background task failed", exc_info=task.exception())

    async def _stop_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._streams.clear()
        self._open_streams.clear()
        self._property_tasks.clear()
        self._property_dirty.clear()
