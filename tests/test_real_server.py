"""Against the real published server, run by ../shared/tools/alpha-server (no camera).

Skipped unless ALPHA_SERVER_URL is set; .ci/run runs this file inside alpha-server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator

import pytest

from app.rig import LinkState

from .support import Runner, real_server_answers, start_real_server, wait_until
from .test_window import close, open_window, state

URL = os.environ.get("ALPHA_SERVER_URL", "")


class RealServer:
    """The server process of this run: the first one alpha-server started, then
    the ones the tests start again on the same port."""

    def __init__(self) -> None:
        self._first = int(os.environ.get("ALPHA_SERVER_PID", "0"))
        self._current: subprocess.Popen[bytes] | None = None

    def kill(self) -> None:
        if self._current is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._first, signal.SIGKILL)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._current.pid, signal.SIGKILL)
            self._current.wait()

    def start(self) -> None:
        self._current = start_real_server(URL)

    def ensure_up(self) -> None:
        """Start a server when none answers (a test before may have ended it)."""
        if not real_server_answers(URL):
            self.start()


@pytest.fixture(scope="module")
def real_server() -> Iterator[RealServer]:
    server = RealServer()
    yield server
    server.kill()  # alpha-server would end it too, but Popen warns when left running


pytestmark = [
    pytest.mark.real_server,
    pytest.mark.skipif(
        not URL, reason="ALPHA_SERVER_URL is not set (run in alpha-server)"
    ),
]


def test_connected_empty_state_then_offline_then_back(
    qapp, run: Runner, real_server: RealServer
) -> None:
    """The real server with no camera: a calm empty state; killed: offline and
    retrying; started again on the same port: connected, still no phantom card."""

    real_server.ensure_up()

    async def scenario() -> None:
        window, task = open_window(qapp, URL)
        await wait_until(
            lambda: "No camera attached" in window.empty.text(),
            timeout=20,
            what="the connected, empty state",
        )
        status = window.status_label.text()
        assert "server 3.0.0" in status, status
        assert window.cards == {}

        real_server.kill()
        await wait_until(
            lambda: "Offline" in window.status_label.text(),
            timeout=15,
            what="the offline state",
        )
        assert state(window, URL) == LinkState.RETRYING
        await asyncio.sleep(1.5)  # keeps retrying (or is trying again), no crash
        assert state(window, URL) in (LinkState.RETRYING, LinkState.CONNECTING)
        assert "Connected to" not in window.status_label.text()

        await asyncio.to_thread(real_server.start)
        await wait_until(
            lambda: "Connected to" in window.status_label.text(),
            timeout=30,
            what="connected again after the restart",
        )
        await asyncio.sleep(1.0)
        assert window.cards == {}, "the handshake was taken for a camera"
        await close(window, task)

    run(scenario(), timeout=90)


def test_headless_reconnects_after_restart_without_phantom_camera(
    real_server: RealServer,
) -> None:
    """Headless mode against the real server: killed and started again on the
    same port, the stream of all cameras opens again and no camera is printed."""
    from .test_headless import Lines, headless, stop

    real_server.ensure_up()
    proc = headless(URL)
    lines = Lines(proc)
    try:
        lines.wait_for(lambda rs: any(r.get("state") == "open" for r in rs), 20)
        real_server.kill()
        lines.wait_for(lambda rs: any(r.get("state") == "retrying" for r in rs), 20)
        real_server.start()
        records = lines.wait_for(
            lambda rs: (
                [r.get("state") for r in rs if r["type"] == "stream"][-1:] == ["open"]
                and any(r.get("state") == "retrying" for r in rs)
            ),
            30,
        )
        assert not [r for r in records if r["type"] != "stream"], "events printed"
    finally:
        stop(proc)
