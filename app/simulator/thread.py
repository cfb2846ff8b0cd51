"""Run a Simulator in a background thread, for the app and for tests."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

from .server import Simulator

T = TypeVar("T")


class SimulatorThread:
    """Runs a Simulator on its own asyncio loop in a daemon thread."""

    def __init__(self, **simulator_kwargs: Any) -> None:
        self.simulator = Simulator(**simulator_kwargs)
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> str:
        """Start the thread and return the URL once the server listens."""
        if self._thread is not None:
            raise RuntimeError("the simulator thread was already started")
        self._thread = threading.Thread(target=self._run, name="simulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"the simulator did not start within {timeout} s")
        if self._error is not None:
            raise self._error
        self.url = self.simulator.url
        return self.url

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the simulator (streams end, sockets close) and the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self.simulator.stop(), loop)
        try:
            future.result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)

    def submit(
        self, coro_fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        """Schedule `coro_fn(*args, **kwargs)` on the simulator's loop.

        Returns its future; a plain function is called on the loop's thread.
        """
        loop = self._loop
        if loop is None or not self._ready.is_set() or self._error is not None:
            raise RuntimeError("the simulator thread is not running")

        async def run() -> T:
            result = coro_fn(*args, **kwargs)
            if inspect.isawaitable(result):
                return await result
            return result  # a plain function, run on the loop's thread

        return asyncio.run_coroutine_threadsafe(run(), loop)

    def call(
        self,
        coro_fn: Callable[..., Awaitable[T]],
        *args: Any,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> T:
        """Run `coro_fn(*args, **kwargs)` on the simulator's loop; return the result.

        `timeout` belongs to call() itself, not to `coro_fn`.
        """
        future = self.submit(coro_fn, *args, **kwargs)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def __enter__(self) -> SimulatorThread:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            try:
                loop.run_until_complete(self.simulator.start())
            except BaseException as exc:  # handed to start() in the caller's thread
                self._error = exc
                return
            finally:
                self._ready.set()
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(self.simulator.stop())
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                loop.close()
