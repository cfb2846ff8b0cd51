"""The event pipeline without a window: events per second through decoding,
attribution and the rig, against a bare httpx-sse loop that only parses the
same streams. Prints figures; asserts nothing.

    .venv/bin/python -m tests.benchmarks.bench_pipeline [--events 5000] [--rounds 3]

A simulator in another process (tests/benchmarks/flood.py) writes N events per
camera, for 8 cameras, to each camera's stream and to the stream of all
cameras, as the server does. Ours: a ServerWatcher and a Rig, counting the
events attributed to a camera. The floor: httpx-sse reading the same nine
streams and counting what it parsed. Both rates are distinct events (8 x N)
per second, from the first write until the last one is in.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter

import httpx
from httpx_sse import aconnect_sse

from app.monitor import ServerWatcher
from app.protocol import events as ev
from app.protocol.rest import http_client
from app.protocol.stream import ALL_CAMERAS, stream_path
from app.rig import LinkState, Rig

from . import results
from .flood import Flood

CAMERAS = 8


class _Counter:
    """A watch observer that counts attributed events and open streams."""

    def __init__(self) -> None:
        self.events = 0
        self.open: set[str] = set()
        self.done = asyncio.Event()
        self.wanted = 0

    def event_received(self, url: str, camera_id: str | None, event: ev.Event) -> None:
        if camera_id is not None:
            self.events += 1
            if self.events >= self.wanted:
                self.done.set()

    def stream_changed(
        self, url: str, subscription: str, state: LinkState, reason: str,
        retry_in: float | None,
    ) -> None:  # fmt: skip
        if state == LinkState.OPEN:
            self.open.add(subscription)
        else:
            self.open.discard(subscription)


async def ours(flood: Flood, count: int) -> float:
    counter = _Counter()
    counter.wanted = CAMERAS * count
    rig = Rig()
    async with http_client() as client:
        watcher = ServerWatcher(
            rig, flood.url, client, poll_interval=60, observers=[counter]
        )
        task = asyncio.ensure_future(watcher.run())
        while len(counter.open) < CAMERAS + 1:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the first property fetches are over
        counter.events = 0
        started = time.perf_counter()
        sending = asyncio.ensure_future(flood.go(count))
        await asyncio.wait_for(counter.done.wait(), 120)
        elapsed = time.perf_counter() - started
        await sending
        frames = sum(c.shots for c in rig.cameras.values())
        assert frames == CAMERAS * (count // 8), frames
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return CAMERAS * count / elapsed


async def floor(flood: Flood, count: int, camera_ids: list[str]) -> float:
    counts: Counter[str] = Counter()
    wanted = {ALL_CAMERAS: CAMERAS * count, **{c: count for c in camera_ids}}
    opened = asyncio.Event()
    done = asyncio.Event()

    async def read(client: httpx.AsyncClient, subscription: str) -> None:
        url = flood.url + stream_path(subscription)
        async with aconnect_sse(client, "GET", url) as source:
            async for sse in source.aiter_sse():
                if sse.event == "connected" and subscription not in opened_streams:
                    opened_streams.add(subscription)  # the server's greeting
                    if len(opened_streams) == len(wanted):
                        opened.set()
                    continue
                counts[subscription] += 1
                if all(counts[s] >= n for s, n in wanted.items()):
                    done.set()

    opened_streams: set[str] = set()
    limits = httpx.Limits(max_connections=None)
    async with httpx.AsyncClient(timeout=None, limits=limits) as client:
        tasks = [asyncio.ensure_future(read(client, s)) for s in wanted]
        await asyncio.wait_for(opened.wait(), 30)
        started = time.perf_counter()
        sending = asyncio.ensure_future(flood.go(count))
        await asyncio.wait_for(done.wait(), 120)
        elapsed = time.perf_counter() - started
        await sending
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return CAMERAS * count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="per camera")
    parser.add_argument("--rounds", type=int, default=5)
    results.add_option(parser)
    args = parser.parse_args()
    count = args.events - args.events % 8
    from app.simulator import make_cameras

    camera_ids = [c.id for c in make_cameras(CAMERAS)]
    flood = Flood(CAMERAS)
    rates: dict[str, list[float]] = {"ours": [], "floor": []}
    try:
        for _ in range(args.rounds):
            rates["floor"].append(asyncio.run(floor(flood, count, camera_ids)))
            rates["ours"].append(asyncio.run(ours(flood, count)))
    finally:
        flood.close()
    ours_rate = statistics.median(rates["ours"])
    floor_rate = statistics.median(rates["floor"])
    # The floor swings by a third from round to round (nine streams against a
    # server in another process): each round's ratio is to its own floor.
    pairs = zip(rates["ours"], rates["floor"], strict=True)
    ratio = statistics.median(ours / floor for ours, floor in pairs)
    print(f"{CAMERAS} cameras x {count} events, each on its camera's stream and "
          f"the stream of all cameras; median of {args.rounds} rounds")  # fmt: skip
    print(f"event pipeline (decode, attribute, rig): {ours_rate:,.0f} events/s "
          f"({min(rates['ours']):,.0f} to {max(rates['ours']):,.0f}); "
          f"bare httpx-sse parse: {floor_rate:,.0f} events/s "
          f"({min(rates['floor']):,.0f} to {max(rates['floor']):,.0f}); "
          f"ratio {ratio:.2f}")  # fmt: skip
    results.save(
        args,
        {"ours_per_s": ours_rate, "floor_per_s": floor_rate, "ratio": ratio},
    )


if __name__ == "__main__":
    main()
