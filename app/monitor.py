"""Watch one server: keep its link, streams and cameras in the rig up to date. No Qt.

A *session* is one period of being connected to a server: it opens the stream
of all cameras, resynchronises by REST, then keeps one stream per camera and a
discovery poll. When the server goes away the session ends, and the watcher
retries with capped exponential backoff, then resynchronises again, since the
server keeps no event ids and what was sent meanwhile is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

import httpx

from .protocol import events as ev
from .protocol.errors import ServerError, ServerUnreachable
from .protocol.rest import RestClient, normalize_url
from .protocol.stream import ALL_CAMERAS, subscribe
from .rig import LinkState, Rig

log = logging.getLogger(__name__)


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
    ) -> None:
        self.rig = rig
        self.url = normalize_url(url)
        self.rest = RestClient(self.url, client)
        self._client = client
        self.poll_interval = poll_interval
        self.stall_timeout = stall_timeout
        self.property_delay = property_delay
        self._backoff = Backoff()
        self._wake = asyncio.Event()
        self._discover_now = asyncio.Event()
        self._streams: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._property_dirty: dict[str, bool] = {}
        self._property_tasks: dict[str, asyncio.Task[None]] = {}
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
                    self.url, LinkState.RETRYING, reason=reason,
                    retry_at=time.monotonic() + delay,
                )  # fmt: skip
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
        finally:
            self.rig.set_link(self.url, LinkState.CLOSED, reason="stopped")

    # -- the session -------------------------------------------------------------

    async def _session(self) -> None:
        status = await self.rest.status()
        opened = asyncio.Event()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._all_cameras_stream(opened))
                await opened.wait()
                self.rig.set_link(self.url, LinkState.OPEN, status=status)
                self._backoff.reset()
                group.create_task(self._discovery_loop())
        except ExceptionGroup as group:
            # The first failure is the cause; the others are its consequences.
            raise group.exceptions[0] from None

    async def _all_cameras_stream(self, opened: asyncio.Event) -> None:
        """The stream of all cameras: the server's liveness, and new camera ids.

        Most of its payloads name no camera, so its events are not put on cards;
        each camera's own stream carries them attributed.
        """
        async for event in subscribe(
            self._client, self.url, ALL_CAMERAS,
            stall_timeout=self.stall_timeout, on_open=opened.set,
        ):  # fmt: skip
            if isinstance(event, ev.Handshake):
                continue
            if isinstance(event, ev.BadEvent):
                self.rig.note(self.url, None, event.name, _bad(event), level="error")
            elif event.camera_id and event.camera_id not in self._streams:
                self._discover_now.set()

    async def _discovery_loop(self) -> None:
        while True:
            await self._discover()
            self._discover_now.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._discover_now.wait(), self.poll_interval)

    async def _discover(self) -> None:
        try:
            found = await self.rest.cameras()
        except ServerError as exc:
            self.rig.note(
                self.url,
                None,
                "discovery",
                f"camera list failed: {exc}",
                level="warning",
            )
            return
        self.rig.update_cameras(self.url, found)
        for info in found:
            if info.id not in self._streams:
                self._streams[info.id] = self._spawn(self._camera_stream(info.id))

    async def _camera_stream(self, camera_id: str) -> None:
        backoff = Backoff()
        lost_at: datetime | None = None
        while True:
            opened = False

            def on_open() -> None:
                nonlocal opened
                opened = True
                backoff.reset()
                self.rig.set_streaming(self.url, camera_id, True)
                self._spawn(self._resync_camera(camera_id))

            try:
                async for event in subscribe(
                    self._client, self.url, camera_id,
                    stall_timeout=self.stall_timeout, on_open=on_open,
                ):  # fmt: skip
                    if lost_at is not None:
                        self._note_gap(camera_id, lost_at)
                        lost_at = None
                    self._on_camera_event(camera_id, event)
            except ServerError as exc:
                log.info("Stream of %s on %s ended: %s", camera_id, self.url, exc)
            finally:
                self.rig.set_streaming(self.url, camera_id, False)
            if opened and lost_at is None:
                lost_at = datetime.now()
            await asyncio.sleep(backoff.next())

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
        self.rig.apply(self.url, camera_id, event)
        if isinstance(event, ev.PropertiesChanged):
            self.refresh_properties(camera_id)
        elif isinstance(event, ev.CameraConnected | ev.LinkChanged):
            self._spawn(self._resync_camera(camera_id))

    async def _resync_camera(self, camera_id: str) -> None:
        try:
            info = await self.rest.connection(camera_id)
        except ServerError as exc:
            log.info("Connection of %s unknown: %s", camera_id, exc)
            return
        self.rig.update_connection(self.url, camera_id, info)
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
            self.property_fetches += 1
            try:
                props = await self.rest.properties(camera_id)
            except ServerError as exc:
                self.rig.update_properties(self.url, camera_id, None)
                self.rig.note(
                    self.url,
                    camera_id,
                    "properties",
                    f"could not read properties, showing the last known: {exc}",
                    level="warning",
                )
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
        self._property_tasks.clear()
        self._property_dirty.clear()


def _bad(event: ev.BadEvent) -> str:
    where = "on the stream of all cameras"
    return f"could not read event {where}: {event.error}; data: {event.raw}"


__all__ = ["Backoff", "ServerUnreachable", "ServerWatcher"]
