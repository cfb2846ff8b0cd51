"""The window under load: 8 cameras sending 60 events a second each for 10 s
(focus changes, transfer progress, property changes, a shot a second each).
Prints figures; asserts nothing.

    .venv/bin/python -m tests.benchmarks.bench_window_load [--rate 60] [--seconds 10]

The server is a simulator in another process (tests/benchmarks/flood.py); the
window runs here as in the application (qasync loop, 1920x1080 offscreen).

- Stalls: a 5 ms heartbeat timer on the UI thread; a stall is how much later
  than 5 ms a beat came.
- Delay: from the moment the rig applied a focus change or a transfer percent
  (the event has arrived and been decoded) until the card's AF indicator or
  progress bar shows it, checked at every beat (so to within 5 ms). A value
  replaced by a newer one before it was shown (the window shows at most 33
  changes a second) is counted apart, not as a delay.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QApplication

from . import results
from .flood import window_on_flood

CAMERAS = 8


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0


def run(rate: float, seconds: float, folder: Path) -> dict[str, float]:
    from app.gui import watch
    from app.rig import Camera, RigListener

    window, loop, collector, flood = window_on_flood(folder, CAMERAS)
    rig = window.rig
    app = QApplication.instance()

    # What the rig last learnt per card, and since when it waits to be shown.
    pending: dict[tuple[object, str], tuple[object, float]] = {}
    delays: list[float] = []
    replaced = 0

    class Watch(RigListener):
        def camera_changed(self, camera: Camera) -> None:
            nonlocal replaced
            now = time.perf_counter()
            wanted = {"af": camera.af}
            if camera.transfer is not None:
                wanted["transfer"] = int(camera.transfer.percent)
            for what, value in wanted.items():
                old = pending.get((camera.key, what))
                if old is not None and old[0] != value:
                    replaced += 1
                if old is None or old[0] != value:
                    pending[(camera.key, what)] = (value, now)

    rig.subscribe(Watch())
    figures: dict[str, float] = {}
    gaps: list[float] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(5)
    measuring = False

    def beat() -> None:
        gaps.append(clock.restart())
        now = time.perf_counter()
        for (key, what), (value, since) in list(pending.items()):
            card = window.cards.get(key)
            if card is None:
                continue
            shown = card.af.state if what == "af" else card.progress.value()
            if shown == value:
                del pending[(key, what)]
                if measuring:
                    delays.append(now - since)

    heartbeat.timeout.connect(beat)

    async def scenario() -> None:
        nonlocal measuring, replaced
        task = asyncio.ensure_future(watch(window, [flood.url], poll_interval=5.0))
        cams = window.rig.cameras
        while not (len(cams) == CAMERAS and all(c.streaming for c in cams.values())):
            await asyncio.sleep(0.05)
        collector.settle()  # as the application does once its window shows
        clock.start()
        heartbeat.start()
        await flood.command("pace 10 1")  # warm up: first pictures, fonts
        await asyncio.sleep(1.0)
        gaps.clear()
        delays.clear()
        replaced = 0
        measuring = True
        started = time.perf_counter()
        await flood.command(f"pace {rate} {seconds}")
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.5)
        measuring = False
        heartbeat.stop()
        frames = sum(c.shots for c in cams.values())
        window.close()
        app.lastWindowClosed.emit()
        await asyncio.wait_for(task, 10)
        stalls = [max(0.0, gap - 5) for gap in gaps]
        ms = [d * 1000 for d in delays]
        print(f"{CAMERAS} cameras x {rate:.0f} events/s for {elapsed:.1f} s "
              f"({frames} frames landed in all)")  # fmt: skip
        print(f"UI-thread stall (5 ms heartbeat): longest {max(stalls):.0f} ms, "
              f"99th percentile {percentile(stalls, 0.99):.0f} ms")  # fmt: skip
        print(f"event applied -> widget shows it: median {statistics.median(ms):.0f} "
              f"ms, 95th percentile {percentile(ms, 0.95):.0f} ms, worst "
              f"{max(ms):.0f} ms over {len(ms)} changes ({replaced} replaced by a "
              "newer value before they were shown)")  # fmt: skip
        figures.update(
            stall_max_ms=max(stalls), stall_p99_ms=percentile(stalls, 0.99),
            delay_median_ms=statistics.median(ms),
            delay_p95_ms=percentile(ms, 0.95), delay_max_ms=max(ms),
        )  # fmt: skip

    try:
        with loop:
            loop.run_until_complete(scenario())
    finally:
        collector.stop()
        flood.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=60.0, help="events/s/camera")
    parser.add_argument("--seconds", type=float, default=10.0)
    results.add_option(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        results.save(args, run(args.rate, args.seconds, Path(folder)))


if __name__ == "__main__":
    main()
