"""Picture figures (issue 4). Prints figures; asserts nothing.

    .venv/bin/python -m tests.benchmarks.bench_pictures

1. Time to a 256 px thumbnail with the pipeline against a full decode plus a
   scale of the same file: a 61 MP JPEG, a 24 MP HEIF with an embedded
   thumbnail, and a Sony-style ARW with a full-size JPEG preview.
2. The longest UI-thread stall (5 ms heartbeat timer) while 20 such 61 MP files
   land at once in the real window, fed by the simulator over loopback.
"""

from __future__ import annotations

import asyncio
import io
import os
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The benchmark's window keeps its choices and logs to itself, not the user's.
os.environ.setdefault("TETHER_MONITOR_SETTINGS", os.path.join(
    tempfile.mkdtemp(prefix="bench-settings-"), "settings.ini"))
os.environ.setdefault("TETHER_MONITOR_DATA", tempfile.mkdtemp(prefix="bench-data-"))

from PIL import Image, ImageDraw
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtWidgets import QApplication

from app.imaging import decode

from . import results

EDGE = 256


def picture(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 64):
        draw.rectangle((i, 0, i + 32, height), fill=(i % 255, 90, 255 - i % 255))
    for j in range(0, height, 48):
        draw.line((0, j, width, j), fill=(240, 240, 240), width=3)
    return image


def jpeg_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def arw_bytes(preview: bytes) -> bytes:
    """A TIFF laid out like an ARW: IFD0 with the orientation and the preview."""
    entries = [(0x0112, 3, 1, 1), (0x0201, 4, 1, 8 + 2 + 3 * 12 + 4),
               (0x0202, 4, 1, len(preview))]  # fmt: skip
    ifd = struct.pack("<H", 3) + b"".join(struct.pack("<HHII", *e) for e in entries)
    ifd += b"\0\0\0\0"
    return b"II*\x00" + struct.pack("<I", 8) + ifd + preview + os.urandom(1 << 20)


def median_time(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def full_qt(path: str) -> QImage:
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    return reader.read().scaled(EDGE, EDGE, Qt.AspectRatioMode.KeepAspectRatio,
                                Qt.TransformationMode.SmoothTransformation)  # fmt: skip


def full_heif(path: str) -> object:
    import pillow_heif

    image = pillow_heif.open_heif(path)[0].to_pillow()
    image.thumbnail((EDGE, EDGE))
    return image


def full_arw_preview(path: str) -> QImage:
    data = Path(path).read_bytes()
    offset = 8 + 2 + 3 * 12 + 4
    image = QImage.fromData(data[offset:])
    return image.scaled(EDGE, EDGE, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)  # fmt: skip


def decode_speed(folder: Path) -> list[tuple[str, float, float]]:
    import pillow_heif

    rows = []
    big = picture(9504, 6336)
    jpg = folder / "DSC00001.JPG"
    jpg.write_bytes(jpeg_bytes(big))
    rows.append(("61 MP JPEG (9504x6336)",
                 median_time(lambda: decode(str(jpg), EDGE)),
                 median_time(lambda: full_qt(str(jpg)))))  # fmt: skip

    hif = folder / "DSC00002.HIF"
    pillow_heif.from_pillow(picture(6000, 4000)).save(hif, quality=70, thumbnails=[320])
    rows.append(("24 MP HEIF (6000x4000, 320 px thumbnail inside)",
                 median_time(lambda: decode(str(hif), EDGE)),
                 median_time(lambda: full_heif(str(hif)))))  # fmt: skip

    arw = folder / "DSC00003.ARW"
    arw.write_bytes(arw_bytes(jpeg_bytes(picture(6000, 4000))))
    rows.append(("ARW, 24 MP JPEG preview (6000x4000)",
                 median_time(lambda: decode(str(arw), EDGE)),
                 median_time(lambda: full_arw_preview(str(arw)))))  # fmt: skip
    return rows


def ui_stall(folder: Path, count: int = 20) -> tuple[float, float, float]:
    """Longest gap between 5 ms heartbeats while ``count`` 61 MP frames land;
    and the time until all their thumbnails are shown."""
    import qasync

    from app.gui import watch
    from app.rig import Rig
    from app.simulator import SimulatorThread, make_cameras
    from app.ui.main_window import MainWindow

    data = jpeg_bytes(picture(9504, 6336))
    paths = []
    for n in range(count):
        path = folder / f"land{n:02d}.JPG"
        path.write_bytes(data)
        paths.append(path)
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
    gaps: list[float] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(5)

    def beat() -> None:
        gaps.append(clock.restart())

    heartbeat.timeout.connect(beat)

    async def scenario() -> tuple[float, float]:
        task = asyncio.ensure_future(watch(window, [sim.url], poll_interval=0.5))
        cams = window.rig.cameras
        while not (len(cams) == 4 and all(c.streaming for c in cams.values())):
            await asyncio.sleep(0.05)
        # One frame first, so that one-time costs (fonts, first pixmaps) are
        # not counted as the stall of a busy moment.
        warm = folder / "warm.JPG"
        warm.write_bytes(data)
        sim.submit(sim.simulator.emit, cameras[0].id, "downloadComplete",
                   {"filename": str(warm), "type": "image"})  # fmt: skip
        while not window.loader.cached(str(warm), 72):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)
        gaps.clear()
        clock.start()
        heartbeat.start()
        start = time.perf_counter()
        for n, path in enumerate(paths):
            cam = cameras[n % 4].id
            sim.submit(sim.simulator.emit, cam, "downloadComplete",
                       {"filename": str(path), "type": "image"})  # fmt: skip
        shown = {str(p) for p in paths}
        while True:
            cached = {str(p) for p in paths if window.loader.cached(str(p), 72)}
            if cached >= shown:
                break
            await asyncio.sleep(0.01)
        all_shown = time.perf_counter() - start
        await asyncio.sleep(0.5)
        heartbeat.stop()
        window.close()
        app.lastWindowClosed.emit()
        await task
        return max(gaps[1:]), all_shown

    try:
        with loop:
            worst, all_shown = loop.run_until_complete(scenario())
    finally:
        sim.stop()
    p99 = sorted(gaps)[int(len(gaps) * 0.99)] if gaps else 0.0
    return worst, p99, all_shown


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    results.add_option(parser)
    args = parser.parse_args()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pictures-") as tmp:
        folder = Path(tmp)
        QApplication.instance() or QApplication(sys.argv[:1])
        print(f"{'file':<50} {'pipeline':>9} {'full+scale':>11} {'ratio':>6}")
        for name, ours, floor in decode_speed(folder):
            figures[name] = {"ours_s": ours, "floor_s": floor}
            print(f"{name:<50} {ours * 1000:7.0f} ms {floor * 1000:9.0f} ms "
                  f"{ours / floor:6.2f}")  # fmt: skip
        worst, p99, all_shown = ui_stall(folder)
        print(f"20 x 61 MP frames landing at once: longest UI-thread stall "
              f"{worst:.0f} ms (99th percentile {p99:.0f} ms, 5 ms heartbeat); "
              f"all filmstrip thumbnails shown after {all_shown:.1f} s")  # fmt: skip
        figures.update(stall_max_ms=worst, stall_p99_ms=p99, all_shown_s=all_shown)
    results.save(args, figures)


if __name__ == "__main__":
    main()
