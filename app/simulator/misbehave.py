"""Make the simulator misbehave now and then, to try the monitor by hand.

`python -m app.simulator --misbehave SCENARIO[,SCENARIO]` runs these in the
background, each on its own timer (every period varies by +-20 %):

- ``drop``: every ~20 s, every open event stream gets half an event and its
  connection is aborted (no goodbye), as when the server crashes.
- ``stall``: every ~90 s, every open event stream goes silent for 50 s (no
  keepalives; events meanwhile are lost for it) and is then closed, as a
  half-open TCP link. Streams opened during the stall are normal.
- ``garbage``: every ~10 s, one malformed event goes to every stream, in turn:
  data that is not JSON, a JSON array, a percent as a string, an unknown event
  name, a Windows path with unescaped backslashes.
- ``errors``: every ~15 s, the next GET /api/cameras answers 500 (JSON), or
  sometimes a proxy's 502 HTML page.
- ``slow-discovery``: GET /api/cameras always takes 3 s.
- ``unplug``: every ~30 s, a random camera is unplugged for 5 s.
- ``all``: every scenario above.

The same misbehaviour is available one shot at a time on `Simulator`:
send_raw(), send_raw_all(), drop_streams(), stall_streams(), fail_requests(),
set_discovery_delay(), unplug() and plug().
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import random
from collections.abc import Awaitable, Callable, Iterable

from .server import BAD_GATEWAY, INTERNAL_ERROR, Simulator

log = logging.getLogger(__name__)

SCENARIOS = ("drop", "stall", "garbage", "errors", "slow-discovery", "unplug")

DROP_EVERY = 20.0
STALL_EVERY = 90.0
STALL_FOR = 50.0
GARBAGE_EVERY = 10.0
ERRORS_EVERY = 15.0
BAD_GATEWAY_SHARE = 0.3  # of the errors scenario's failures; the rest are 500
DISCOVERY_DELAY = 3.0
UNPLUG_EVERY = 30.0
UNPLUG_FOR = 5.0


def garbage_events(camera_id: str) -> list[bytes]:
    """The malformed events of the garbage scenario, as framed on the wire."""
    return [
        # data that is not JSON
        b'event: afStatus\ndata: {"state":focused,source\n\n',
        # a JSON array where an object belongs
        b'event: propertyChanged\ndata: ["0x500e","0x1f"]\n\n',
        # a percent as a string
        b"event: transferProgress\ndata: "
        + json.dumps(
            {
                "cameraId": camera_id,
                "contentId": 1,
                "fileId": 1,
                "percent": "50",
                "notify": "0x20042",
            },
            separators=(",", ":"),
        ).encode()
        + b"\n\n",
        # an unknown event name
        b'event: lensChanged\ndata: {"lens":"FE 24-70mm F2.8 GM II"}\n\n',
        # a Windows path with its backslashes not escaped: invalid JSON
        b'event: downloadComplete\ndata: {"filename":"C:\\Users\\ph\\DSC00001.JPG"'
        b',"type":"image"}\n\n',
    ]


def parse_scenarios(text: str) -> list[str]:
    """Parse "drop,stall" (or "all") into scenario names; argparse-friendly."""
    names: list[str] = []
    for raw in text.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        if name == "all":
            names.extend(SCENARIOS)
        elif name in SCENARIOS:
            names.append(name)
        else:
            known = ", ".join((*SCENARIOS, "all"))
            raise argparse.ArgumentTypeError(
                f"unknown scenario {name!r}; expected some of {known}"
            )
    if not names:
        raise argparse.ArgumentTypeError("expected at least one scenario")
    return list(dict.fromkeys(names))


async def run_scenarios(
    simulator: Simulator,
    scenarios: Iterable[str],
    *,
    seed: int | None = None,
    time_scale: float = 1.0,
) -> None:
    """Run the scenarios on a running simulator until cancelled.

    `time_scale` multiplies every period and duration (0.01: a hundred times
    faster, for tests).
    """
    names = list(dict.fromkeys(scenarios))
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenarios {unknown}; expected some of {SCENARIOS}")
    rng = random.Random(seed)
    runner = _Runner(simulator, rng, time_scale)
    tasks = [asyncio.create_task(runner.scenario(name)) for name in names]
    log.info("misbehaving: %s", ", ".join(names))
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _Runner:
    def __init__(
        self, simulator: Simulator, rng: random.Random, time_scale: float
    ) -> None:
        self.simulator = simulator
        self.rng = rng
        self.scale = time_scale
        self._garbage = itertools.count()

    def scenario(self, name: str) -> Awaitable[None]:
        simulator = self.simulator
        if name == "slow-discovery":
            simulator.set_discovery_delay(DISCOVERY_DELAY * self.scale)
            log.info("misbehave: discovery takes %.1f s", DISCOVERY_DELAY * self.scale)
            return asyncio.sleep(0)
        actions: dict[str, tuple[float, Callable[[], Awaitable[None]]]] = {
            "drop": (DROP_EVERY, self.drop),
            "stall": (STALL_EVERY, self.stall),
            "garbage": (GARBAGE_EVERY, self.garbage),
            "errors": (ERRORS_EVERY, self.errors),
            "unplug": (UNPLUG_EVERY, self.unplug),
        }
        period, action = actions[name]
        return self._every(name, period, action)

    async def _every(
        self, name: str, period: float, action: Callable[[], Awaitable[None]]
    ) -> None:
        while True:
            await asyncio.sleep(period * self.scale * self.rng.uniform(0.8, 1.2))
            try:
                await action()
            except Exception:
                log.exception("misbehave: the %s scenario failed once", name)

    async def drop(self) -> None:
        log.info("misbehave: dropping every stream mid-event")
        await self.simulator.drop_streams(mid_event=True)

    async def stall(self) -> None:
        log.info("misbehave: stalling every stream for %.1f s", STALL_FOR * self.scale)
        await self.simulator.stall_streams(STALL_FOR * self.scale)

    async def garbage(self) -> None:
        cameras = self.simulator.cameras
        camera_id = self.rng.choice(cameras).id if cameras else "0"
        events = garbage_events(camera_id)
        chunk = events[next(self._garbage) % len(events)]
        log.info("misbehave: garbage %r", chunk)
        await self.simulator.send_raw_all(chunk)

    async def errors(self) -> None:
        bad_gateway = self.rng.random() < BAD_GATEWAY_SHARE
        failure = BAD_GATEWAY if bad_gateway else INTERNAL_ERROR
        log.info("misbehave: the next GET /api/cameras answers %d", failure.status)
        self.simulator.fail_requests(
            "/api/cameras", **failure.kwargs(), count=1, exact=True
        )

    async def unplug(self) -> None:
        cameras = self.simulator.cameras
        if not cameras:
            return
        camera_id = self.rng.choice(cameras).id
        seconds = UNPLUG_FOR * self.scale
        log.info("misbehave: unplugging %s for %.1f s", camera_id, seconds)
        await self.simulator.unplug(camera_id)
        try:
            await asyncio.sleep(seconds)
        finally:
            with contextlib.suppress(Exception):
                await self.simulator.plug(camera_id)
