"""Helpers for the tests: a loop runner, polling, calling into the simulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import qasync

from app.simulator import SimulatorThread

T = TypeVar("T")


class Runner:
    """Runs coroutines on a qasync loop, so Qt and asyncio both make progress."""

    def __init__(self, loop: qasync.QEventLoop) -> None:
        self.loop = loop

    def __call__(self, coro: Awaitable[T], timeout: float = 30.0) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))


async def wait_until(
    predicate: Callable[[], Any], timeout: float = 10.0, what: str = "the condition"
) -> Any:
    """Poll ``predicate`` while the loop runs; fail saying ``what`` never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.02)


async def sim_call(
    sim: SimulatorThread, fn: Callable[..., Awaitable[T]], *args: Any
) -> T:
    """Run a simulator control coroutine without blocking the caller's loop."""
    return await asyncio.wrap_future(sim.submit(fn, *args))
