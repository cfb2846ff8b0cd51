"""A simulator in a process of its own that sends load on demand, for the
benchmarks (the server must not share the monitor's GIL).

    python -m tests.benchmarks.flood [--cameras 8] [--folder DIR]

Prints the server's URL, then reads commands from standard input, and prints
``sent`` when each is done:

- ``go N``: N events per camera written to that camera's stream and to the
  stream of all cameras, in large writes (as fast as the client can read);
- ``pace RATE SECONDS``: RATE events a second per camera for SECONDS, evenly
  spread: focus changes, transfer progress, property changes, and a shot (a
  copy of a JPEG of DIR, then ``downloadComplete``) every second;
- ``shoot TOTAL RATE``: TOTAL shots spread over the cameras, RATE a second;
- ``quit``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from app.simulator import SimulatorThread, make_cameras
from app.simulator.server import Simulator

CHUNK = 500
"""Events per write: the server's cost stays small next to the client's."""


def events(camera: int, count: int) -> list[bytes]:
    """``count`` events of the kinds a shoot sends, as the binary frames them."""
    out = []
    states = ("focused", "unlocked", "tracking")
    for i in range(count):
        match i % 8:
            case 0 | 1 | 2:
                name, data = "afStatus", {"state": states[i % 3], "source": "OnWarning"}
            case 3 | 4:
                name, data = "transferProgress", {
                    "percent": (i * 7) % 100, "contentId": camera, "fileId": i,
                    "notify": "progress",
                }  # fmt: skip
            case 5:
                codes = ["0x500e", "0x1f"]
                name, data = "propertyChanged", {"codes": codes, "count": 2}
            case 6:
                name, data = "warning", {"code": "0x20011", "message": "shutter"}
            case _:
                name = "downloadComplete"
                path = f"/shoot/cam{camera}/DSC{i:05d}.JPG"
                data = {"filename": path, "type": "image"}
        out.append(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
    return out


class Flood:
    """The benchmark's end: starts this module in a process and commands it."""

    def __init__(self, cameras: int, folder: Path | None = None) -> None:
        command = [sys.executable, "-m", "tests.benchmarks.flood",
                   "--cameras", str(cameras)]  # fmt: skip
        if folder is not None:
            command += ["--folder", str(folder)]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()

    async def go(self, count: int) -> None:
        await self.command(f"go {count}")

    async def command(self, text: str) -> None:
        """Send one command; returns once the server has done it."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        line = await asyncio.to_thread(self.proc.stdout.readline)
        assert line.strip() == "sent", line

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(10)


def window_on_flood(folder: Path, cameras: int) -> tuple[Any, Any, Any, Flood]:
    """The benchmarks' set-up: a Flood server saving copies of one generated
    JPEG, and the real window at 1920x1080 on a qasync loop, collecting garbage
    as the application does. Settings and logs go to ``folder``.

    Returns (window, loop, collector, flood); stop the collector and close the
    flood when done.
    """
    import os
    from datetime import datetime

    import qasync
    from PySide6.QtWidgets import QApplication

    from app.rig import Rig
    from app.simulator.pictures import write_generated
    from app.ui.collector import MainThreadCollector
    from app.ui.main_window import MainWindow

    os.environ["TETHER_MONITOR_SETTINGS"] = str(folder / "settings.ini")
    os.environ["TETHER_MONITOR_DATA"] = str(folder / "data")
    pictures = folder / "pictures"
    pictures.mkdir()
    write_generated(pictures / "frame.jpg", "BENCH", "ILCE-1", 1, datetime.now())
    flood = Flood(cameras, folder=pictures)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    collector = MainThreadCollector()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(Rig())
    window.resize(1920, 1080)
    window.show()
    return window, loop, collector, flood


async def pace(sim: Simulator, rate: float, seconds: float) -> None:
    """``rate`` events a second per camera, in ticks of 50 ms."""
    tick = 0.05
    ids = [spec.id for spec in sim.cameras]
    per_tick = rate * tick
    owed = 0.0
    shots: list[asyncio.Task[Path]] = []
    start = time.monotonic()
    for n in range(int(seconds / tick)):
        owed += per_tick
        for i in range(int(owed)):
            for c, camera_id in enumerate(ids):
                match (n + i + c) % 3:
                    case 0:
                        await sim.set_af(camera_id, ("focused", "tracking")[n % 2])
                    case 1:
                        progress = {"percent": (n * 3) % 100, "contentId": n,
                                    "fileId": 1, "notify": "progress"}  # fmt: skip
                        await sim.emit(camera_id, "transferProgress", progress)
                    case _:
                        await sim.change_property(camera_id, "iso")
        owed -= int(owed)
        if n % int(1 / tick) == 0:
            shots += [asyncio.ensure_future(sim.shoot(c)) for c in ids]
        await asyncio.sleep(max(0.0, start + (n + 1) * tick - time.monotonic()))
    await asyncio.gather(*shots)


async def shoot(sim: Simulator, total: int, rate: float) -> None:
    ids = [spec.id for spec in sim.cameras]
    start = time.monotonic()
    for n in range(total):
        await sim.shoot(ids[n % len(ids)])
        await asyncio.sleep(max(0.0, start + (n + 1) / rate - time.monotonic()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=8)
    parser.add_argument("--folder", type=Path, default=None)
    args = parser.parse_args()
    cameras = make_cameras(args.cameras)
    sim = SimulatorThread(
        auto=False, cameras=cameras, keepalive=30.0, tempo=0.0, folder=args.folder
    )
    print(sim.start(), flush=True)
    simulator = sim.simulator
    try:
        for line in sys.stdin:
            words = line.split()
            match words:
                case ["go", count]:
                    flood(sim, cameras, int(count))
                case ["pace", rate, seconds]:
                    sim.submit(pace, simulator, float(rate), float(seconds)).result()
                case ["shoot", total, rate]:
                    sim.submit(shoot, simulator, int(total), float(rate)).result()
                case ["quit"]:
                    break
                case _:
                    print(f"flood: what is {line.strip()!r}?", file=sys.stderr)
                    continue
            print("sent", flush=True)
    finally:
        sim.stop()


def flood(sim: SimulatorThread, cameras: list, count: int) -> None:
    futures = []
    for index, spec in enumerate(cameras):
        frames = events(index, count)
        for start in range(0, count, CHUNK):
            blob = b"".join(frames[start : start + CHUNK])
            futures.append(sim.submit(sim.simulator.send_raw, blob, camera_id=spec.id))
    for future in futures:
        future.result(60)


if __name__ == "__main__":
    main()
