"""Property bursts (issue 5): how many ``properties/all`` requests the monitor
makes for 1,000 ``propertyChanged`` events, and how long after the last event
of a burst the card shows the new value. Prints figures; asserts nothing.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.bench_properties

The window runs as in the application (qasync loop, simulator over loopback);
a burst is 50 events sent back to back to one camera, the last of which
changes its ISO to a value never seen before.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication


def fetches(counter: dict[str, int]) -> int:
    return sum(n for path, n in counter.items() if path.endswith("/properties/all"))


def run(bursts: int, size: int, folder: Path) -> None:
    import qasync

    from app.gui import watch
    from app.rig import Rig
    from app.simulator import SimulatorThread, make_cameras
    from app.ui.main_window import MainWindow

    os.environ["TETHER_MONITOR_SETTINGS"] = str(folder / "settings.ini")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    cameras = make_cameras(4)
    sim = SimulatorThread(auto=False, keepalive=1.0, cameras=cameras,
                          session_dir=folder / "session")  # fmt: skip
    sim.start()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(Rig())
    window.resize(1920, 1080)
    window.show()
    server = sim.simulator

    async def burst(camera_id: str, value: str) -> float:
        """Send ``size`` events; the last changes the ISO. Returns when it was
        sent (perf_counter, taken on the simulator's thread)."""
        data = {"codes": ["0x103", "0x104"], "count": 2}
        for _ in range(size - 1):
            await server.emit(camera_id, "propertyChanged", data)
        sent = time.perf_counter()
        await server.change_property(camera_id, "iso", value)
        return sent

    async def scenario() -> tuple[int, int, list[float]]:
        task = asyncio.ensure_future(watch(window, [sim.url], poll_interval=5.0))
        cams = window.rig.cameras
        while not (len(cams) == 4 and all(c.streaming for c in cams.values())):
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # the first fetches after connecting are done
        before = fetches(server.requests)
        latencies = []
        for n in range(bursts):
            camera = cameras[n % len(cameras)]
            value = f"ISO {10_000 + n}"
            card = window.cards[(sim.url, camera.id)]
            sent = sim.submit(burst, camera.id, value).result(timeout=10)
            while value not in card.exposure.text():
                await asyncio.sleep(0.001)
            latencies.append(time.perf_counter() - sent)
            await asyncio.sleep(0.3)
        await asyncio.sleep(1.0)
        made = fetches(server.requests) - before
        window.close()
        app.lastWindowClosed.emit()
        await asyncio.wait_for(task, 5)
        return bursts * size, made, latencies

    try:
        events, made, latencies = loop.run_until_complete(scenario())
    finally:
        sim.stop()
    ms = sorted(t * 1000 for t in latencies)
    print(f"propertyChanged events sent: {events} in {bursts} bursts of {size}")
    print(f"properties/all requests made: {made} ({made / events:.3f} per event)")
    print(
        f"last event of a burst -> card shows the value: median "
        f"{statistics.median(ms):.0f} ms, worst {ms[-1]:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--size", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(args.bursts, args.size, Path(folder))


if __name__ == "__main__":
    main()
