"""Against the real published server, run by ../shared/tools/alpha-server (no camera).

Skipped unless ALPHA_SERVER_URL is set; .ci/run runs this file inside alpha-server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess

import pytest

from app.rig import LinkState

from .support import Runner, wait_until
from .test_window import close, open_window, state

URL = os.environ.get("ALPHA_SERVER_URL", "")
pytestmark = [
    pytest.mark.real_server,
    pytest.mark.skipif(
        not URL, reason="ALPHA_SERVER_URL is not set (run in alpha-server)"
    ),
]


def test_connected_empty_state_then_offline_then_back(qapp, run: Runner) -> None:
    """The real server with no camera: a calm empty state; killed: offline and
    retrying; started again on the same port: connected, still no phantom card."""

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

        os.kill(int(os.environ["ALPHA_SERVER_PID"]), signal.SIGKILL)
        await wait_until(
            lambda: "Offline" in window.status_label.text(),
            timeout=15,
            what="the offline state",
        )
        assert state(window, URL) == LinkState.RETRYING
        await asyncio.sleep(1.5)  # keeps retrying: still offline, no crash
        assert "Offline" in window.status_label.text()

        server = subprocess.Popen(
            os.environ["ALPHA_SERVER_START"], shell=True, start_new_session=True
        )
        try:
            await wait_until(
                lambda: "Connected to" in window.status_label.text(),
                timeout=30,
                what="connected again after the restart",
            )
            await asyncio.sleep(1.0)
            assert window.cards == {}, "the handshake was taken for a camera"
        finally:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        await close(window, task)

    run(scenario(), timeout=90)
