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


def real_server_answers(url: str) -> bool:
    import httpx

    try:
        httpx.get(url + "/api/server/status", timeout=1.0)
    except httpx.HTTPError:
        return False
    return True


def start_real_server(url: str, tries: int = 5, wait: float = 8.0) -> Any:
    """Start the real server again on its port (ALPHA_SERVER_START) and wait until
    it answers; returns the process (kill its group to stop it).

    WORKAROUND for ../shared/tools/alpha-server, which picks its loader by
    ``ldd CameraWebApp | grep -q 'not found'`` under ``set -o pipefail``: when grep
    ends first, ldd can die of SIGPIPE, the script takes the system's loader, and
    the binary (which needs glibc 2.38) exits at once. On a busy 2-core machine
    that happened about one start in nine. The start runs with SIGPIPE ignored
    (``restore_signals=False`` keeps Python's SIG_IGN through exec), so ldd gets
    EPIPE instead of dying; a start that still exits early is tried again.
    (The server the script execs inherits SIGPIPE ignored too, as servers
    usually run: a client that goes away is then an EPIPE for it, not a death.)
    """
    import os
    import signal
    import subprocess

    failures: list[str] = []
    for _ in range(tries):
        proc = subprocess.Popen(
            os.environ["ALPHA_SERVER_START"],
            shell=True,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            restore_signals=False,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and proc.poll() is None:
            if real_server_answers(url):
                return proc
            time.sleep(0.05)
        if proc.poll() is None:
            failures.append(f"no answer in {wait} s")
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            failures.append(f"exited with {proc.returncode}")
        proc.wait()
    raise AssertionError(
        f"the real server did not start in {tries} tries: {'; '.join(failures)}"
    )
