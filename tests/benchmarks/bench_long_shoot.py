"""A long shoot: 5,000 frames over 8 cameras landing in the window; the
monitor's memory at the start, the end and its peak. Prints figures; asserts
nothing.

    .venv/bin/python -m tests.benchmarks.bench_long_shoot [--frames 5000] [--rate 40]

The server is a simulator in another process (tests/benchmarks/flood.py) that
saves each shot as a new JPEG file (a copy of one 1600x1067 picture), so every
frame is decoded for its card and its filmstrip as in a real shoot. Memory is
the window process's resident set (RSS) after a garbage collection; "start" is
once every card is up and the first frames have been shown.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from . import results
from .flood import window_on_flood

CAMERAS = 8


def rss_mib() -> float:
    """The process's resident memory (Linux: /proc; elsewhere the peak)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def run(frames: int, rate: float, folder: Path) -> dict[str, float]:
    from app.gui import watch

    window, loop, collector, flood = window_on_flood(folder, CAMERAS)
    app = QApplication.instance()
    samples: list[float] = []
    figures: dict[str, float] = {}

    async def settle() -> float:
        await asyncio.sleep(2.0)  # the last decodes are done
        gc.collect()
        return rss_mib()

    async def scenario() -> None:
        task = asyncio.ensure_future(watch(window, [flood.url], poll_interval=5.0))
        cams = window.rig.cameras
        while not (len(cams) == CAMERAS and all(c.streaming for c in cams.values())):
            await asyncio.sleep(0.05)
        collector.settle()  # as the application does once its window shows
        await flood.command(f"shoot {CAMERAS * 2} 20")
        start = await settle()
        started = time.perf_counter()
        sending = asyncio.ensure_future(flood.command(f"shoot {frames} {rate}"))
        while not sending.done():
            samples.append(rss_mib())
            await asyncio.sleep(0.5)
        elapsed = time.perf_counter() - started
        end = await settle()
        landed = sum(c.shots for c in cams.values()) - CAMERAS * 2
        window.close()
        app.lastWindowClosed.emit()
        await asyncio.wait_for(task, 10)
        print(f"{landed} frames over {CAMERAS} cameras in {elapsed:.0f} s")
        peak = max([*samples, end])
        print(f"monitor memory (RSS): start {start:.0f} MiB, end {end:.0f} MiB, "
              f"peak {peak:.0f} MiB; growth {end - start:+.0f} MiB")  # fmt: skip
        figures.update(frames=landed, start_mib=start, end_mib=end, peak_mib=peak,
                       growth_mib=end - start)  # fmt: skip

    try:
        with loop:
            loop.run_until_complete(scenario())
    finally:
        collector.stop()
        flood.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=40.0, help="frames a second")
    results.add_option(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shoot-") as folder:
        results.save(args, run(args.frames, args.rate, Path(folder)))


if __name__ == "__main__":
    main()
