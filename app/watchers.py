"""The set of servers being watched, changeable while it runs. No Qt.

One :class:`~app.monitor.ServerWatcher` per server, each with its own
reconnects. Changing the list cancels the watchers of servers no longer in it
(their cameras leave the rig) and starts watchers for the new ones; servers in
both lists keep their connection.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from .monitor import ServerWatcher, WatchObserver, WatchRecorder
from .protocol.rest import normalize_url
from .rig import Rig

log = logging.getLogger(__name__)


class Watchers:
    """Watches ``urls`` into ``rig`` through ``client``, until :meth:`close`."""

    def __init__(
        self,
        rig: Rig,
        client: httpx.AsyncClient,
        *,
        poll_interval: float = 5.0,
        stall_timeout: float = 45.0,
        observers: list[WatchObserver] | None = None,
        recorder: WatchRecorder | None = None,
    ) -> None:
        self.rig = rig
        self._client = client
        self.poll_interval = poll_interval
        self.stall_timeout = stall_timeout
        self._observers = list(observers or [])
        self.recorder = recorder
        """Given to every watcher started from now on (None: not recording)."""
        self._running: dict[str, tuple[ServerWatcher, asyncio.Task[None]]] = {}
        self._changing = asyncio.Lock()  # one change of the list at a time

    @property
    def urls(self) -> list[str]:
        return list(self._running)

    def running(self) -> list[ServerWatcher]:
        """The watchers of the servers watched now, in order."""
        return [watcher for watcher, _ in self._running.values()]

    def watcher(self, url: str) -> ServerWatcher | None:
        entry = self._running.get(normalize_url(url))
        return entry[0] if entry else None

    async def set_urls(self, urls: list[str]) -> None:
        """Watch exactly ``urls`` (in that order) from now on."""
        wanted = list(dict.fromkeys(normalize_url(u) for u in urls))
        async with self._changing:
            for url in [url for url in self._running if url not in wanted]:
                await self._stop(url)
                self.rig.forget_server(url)
            for url in wanted:
                if url not in self._running:
                    self._start(url)
            self._running = {url: self._running[url] for url in wanted}
            self.rig.order_servers(wanted)

    def set_intervals(self, poll_interval: float, stall_timeout: float) -> None:
        """New discovery interval and stall timeout: the discovery interval
        counts from the next poll, the stall timeout from each stream's next
        connection."""
        self.poll_interval, self.stall_timeout = poll_interval, stall_timeout
        for watcher, _ in self._running.values():
            watcher.poll_interval = poll_interval
            watcher.stall_timeout = stall_timeout

    def retry_now(self, url: str | None = None) -> None:
        """Cut the wait before the next attempt short: of ``url``, or of all."""
        for key, (watcher, _) in self._running.items():
            if url is None or key == normalize_url(url):
                watcher.retry_now()

    async def close(self) -> None:
        async with self._changing:
            for url in list(self._running):
                await self._stop(url)

    def _start(self, url: str) -> None:
        watcher = ServerWatcher(
            self.rig,
            url,
            self._client,
            poll_interval=self.poll_interval,
            stall_timeout=self.stall_timeout,
            observers=self._observers,
            recorder=self.recorder,
        )
        self.rig.server(url)  # known at once, in its place in the list
        self._running[url] = (watcher, asyncio.ensure_future(watcher.run()))

    async def _stop(self, url: str) -> None:
        _, task = self._running.pop(url)
        task.cancel()
        (result,) = await asyncio.gather(task, return_exceptions=True)
        if isinstance(result, Exception):
            log.error("Watching %s ended with an error: %r", url, result)
