"""Reconnect figures over server restarts (issue 3). Prints figures; asserts nothing.

    # the simulator: events lost while connected, over 20 restarts
    .venv/bin/python -m tests.benchmarks.bench_reconnect --simulator
    # the real server: time from answering again to the stream being open
    ../shared/tools/alpha-server -- \
        .venv/bin/python -m tests.benchmarks.bench_reconnect --real

Both run `tether-monitor --headless --json` as a separate process and read its
lines, as a script would.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.support import start_real_server

HOLD = 11.0
"""Seconds the server stays up between restarts: the monitor's retry delays
start over only after a link has held for 10 s (app.monitor.STEADY_AFTER)."""


class Headless:
    def __init__(self, url: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", "--headless", "--json", "--server", url,
             "--poll-interval", "0.5"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        self.records: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.records.append(json.loads(line))

    def wait(self, predicate: Any, timeout: float = 30.0, start: int = 0) -> int:
        """Index of the first record from ``start`` on that satisfies predicate."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i in range(start, len(self.records)):
                if predicate(self.records[i]):
                    return i
            time.sleep(0.02)
        raise TimeoutError("headless mode did not print the expected line")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(5)


def _stream(state: str, path: str = "/api/events") -> Any:
    return lambda r: (
        r["type"] == "stream" and r["state"] == state and r["stream"] == path
    )


def real(restarts: int) -> None:
    url = os.environ["ALPHA_SERVER_URL"]
    pid = int(os.environ["ALPHA_SERVER_PID"])
    headless = Headless(url)
    server: subprocess.Popen[bytes] | None = None
    delays = []
    try:
        at = headless.wait(_stream("open"))
        for _ in range(restarts):
            time.sleep(HOLD)  # a link that held: retry delays start over
            if server is None:
                os.kill(pid, signal.SIGKILL)
            else:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            at = headless.wait(_stream("retrying"), start=at)
            time.sleep(1.0)  # the server stays away for a second
            server = start_real_server(url, tries=10, wait=5.0)
            answered = datetime.now().astimezone()
            at = headless.wait(_stream("open"), start=at)
            opened = datetime.fromisoformat(headless.records[at]["time"])
            delays.append(max(0.0, (opened - answered).total_seconds()))
    finally:
        headless.stop()
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
    median = statistics.median(delays)
    print(f"real server, {restarts} restarts (down 1 s each): time from the server "
          f"answering again to /api/events open: median {median:.2f} s, "
          f"worst {max(delays):.2f} s")  # fmt: skip


def simulated(restarts: int, cameras: int, burst: int) -> None:
    from app.simulator import SimulatorThread, make_cameras

    specs = make_cameras(cameras)
    folder = Path(tempfile.mkdtemp(prefix="bench-reconnect-"))
    sim = SimulatorThread(auto=False, keepalive=1.0, cameras=specs, session_dir=folder)
    url = sim.start()
    port = int(url.rsplit(":", 1)[1])
    headless = Headless(url)
    sent: Counter[tuple[str, str]] = Counter()
    at = 0
    try:
        for n in range(restarts + 1):
            for spec in specs:
                path = f"/api/cameras/{spec.id}/events"
                at = max(at, headless.wait(_stream("open", path), start=at))
            for i in range(burst):
                for spec in specs:
                    state = ["focused", "tracking", "unlocked"][(i + n) % 3]
                    sim.call(sim.simulator.set_af, spec.id, state)
                    sent[(spec.id, "afStatus")] += 1
            time.sleep(HOLD)
            if n == restarts:
                break
            sim.stop()
            at = headless.wait(_stream("retrying"), start=at)
            sim = SimulatorThread(auto=False, keepalive=1.0, cameras=specs, port=port,
                                  session_dir=folder)  # fmt: skip
            sim.start()
    finally:
        headless.stop()
        sim.stop()
    got = Counter(
        (r["camera"], r["type"]) for r in headless.records if r["type"] == "afStatus"
    )
    lost = sum((sent - got).values())
    extra = sum((got - sent).values())
    print(f"simulator, {cameras} cameras, {restarts} restarts, {sum(sent.values())} "
          f"events sent while connected: {lost} lost, {extra} unexpected")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true")
    parser.add_argument("--simulator", action="store_true")
    parser.add_argument("--restarts", type=int, default=20)
    args = parser.parse_args()
    if args.simulator or not args.real:
        simulated(args.restarts, cameras=4, burst=25)
    if args.real:
        real(args.restarts)


if __name__ == "__main__":
    main()
