"""Event log figures (issue 6). Prints figures; asserts nothing.

    .venv/bin/python -m tests.benchmarks.bench_event_log

1. 20,000 entries appended to the real window's log pane in batches of 50 every
   40 ms (the bridge's coalescing; 1,250 events/s), then 5,000 more into the
   full ring (each batch drops 50 of the oldest): the time each batch takes on
   the UI thread, the rows added plus the repaint of the window.
2. The same with a text filter active.
3. A filter change over the full ring, and resuming after 5,000 held entries.
4. Exporting the 20,000 rows as JSON Lines and CSV (the plain write, and the
   pane's export, which writes on a worker thread).
5. A full garbage collection with the ring full (the application runs one on
   the UI thread every 10 s, see app/ui/collector.py).

Wall-clock times include waiting for a core on a busy machine; CPU times are
the UI thread's own work.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The benchmark's window keeps its choices and logs to itself, not the user's.
os.environ.setdefault("TETHER_MONITOR_SETTINGS", os.path.join(
    tempfile.mkdtemp(prefix="bench-settings-"), "settings.ini"))
os.environ.setdefault("TETHER_MONITOR_DATA", tempfile.mkdtemp(prefix="bench-data-"))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app.rig import LogEntry, Rig
from app.ui.collector import MainThreadCollector
from app.ui.event_log import EventLog, write_entries
from app.ui.main_window import MainWindow
from app.ui.theme import apply_theme

BATCH = 50
EVERY = 0.040
CAMERAS = [f"{i:02X}6CE05E33{i:02X}" for i in range(8)]
KINDS = [
    ("afStatus", "focus focused", "info"),
    ("propertyChanged", "3 properties changed (0x500e, 0xd21d, 0x5007)", "info"),
    ("transferProgress", "transfer 42% DSC01234.ARW", "info"),
    ("downloadComplete", "saved DSC01234.ARW", "info"),
    ("warning", "warning 0x20011: Card nearly full, 12 shots left", "warning"),
    ("afStatus", "could not read event: invalid JSON; data: {focused", "error"),
]


def entries(count: int, start: int = 0) -> list[LogEntry]:
    base = datetime.now()
    out = []
    for i in range(start, start + count):
        kind, summary, level = KINDS[i % len(KINDS)]
        out.append(LogEntry(base + timedelta(milliseconds=i), "http://studio-1:8080",
                            CAMERAS[i % len(CAMERAS)], kind, f"{summary} #{i}",
                            level))  # fmt: skip
    return out


def wait(app: QApplication, seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(max(0, int(seconds * 1000)), loop.quit)
    loop.exec()


Times = tuple[list[float], list[float]]


def feed(app: QApplication, log: EventLog, items: list[LogEntry]) -> Times:
    """Batches at the bridge's pace; returns each batch's time on the UI thread
    (ms): wall clock, and the thread's CPU time (without waiting for a core)."""
    wall, cpu = [], []
    for i in range(0, len(items), BATCH):
        started, started_cpu = time.perf_counter(), time.thread_time()
        log.add_entries(items[i : i + BATCH])
        app.processEvents()  # layout and paint, as the event loop would
        spent = time.perf_counter() - started
        wall.append(spent * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wait(app, EVERY - spent)
    return wall, cpu


def figures(label: str, times: Times) -> None:
    for kind, values in zip(("wall", "cpu"), times, strict=True):
        ordered = sorted(values)
        p99 = ordered[int(len(ordered) * 0.99) - 1]
        print(f"{label if kind == 'wall' else '':<52} {kind:<4} median "
              f"{statistics.median(values):5.1f} ms · 99th {p99:5.1f} ms · "
              f"longest {max(values):5.1f} ms ({len(values)} batches)")  # fmt: skip


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_theme(app, "dark")
    collector = MainThreadCollector()  # as the application collects
    window = MainWindow(Rig())
    window.resize(1920, 1080)
    window.reset_layout()
    window.show()
    wait(app, 0.3)
    log = window.log_view
    view = log.table.viewport()
    print(f"log pane {view.width()}x{view.height()} px, ring of {log.model.capacity:,}")

    figures("20,000 into an empty log (batches of 50 / 40 ms)",
            feed(app, log, entries(20_000)))  # fmt: skip
    figures("5,000 more into the full ring (oldest dropped)",
            feed(app, log, entries(5_000, start=20_000)))  # fmt: skip
    assert log.model.total == 20_000

    print(f"{'camera filter over 20,000 rows':<52} "
          f"{timed(lambda: log.choose_camera('http://studio-1:8080', CAMERAS[3])):.1f}"
          " ms")  # fmt: skip
    log.camera_filter.setCurrentIndex(0)
    log.text_filter.setText("card nearly")
    print(
        f"{'text filter over 20,000 rows':<52} "
        f"{timed(log._apply_text):.1f} ms ({log.model.rowCount():,} shown)"
    )
    figures("5,000 more with the text filter on",
            feed(app, log, entries(5_000, start=25_000)))  # fmt: skip
    log.text_filter.clear()
    log._apply_text()

    log.set_paused(True)
    feed_held = entries(5_000, start=30_000)
    for i in range(0, len(feed_held), BATCH):
        log.add_entries(feed_held[i : i + BATCH])
    resumed = timed(lambda: (log.set_paused(False), app.processEvents()))
    print(
        f"{'resume after 5,000 held (added, laid out, painted)':<52} {resumed:.1f} ms"
    )

    rows = log.model.shown_entries()
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("jsonl", "csv"):
            path = Path(folder) / f"log.{fmt}"
            spent = timed(lambda p=path, f=fmt: write_entries(rows, p, f))
            print(
                f"{f'export 20,000 rows as {fmt} (plain write)':<52} "
                f"{spent:.1f} ms, {path.stat().st_size / 1e6:.1f} MB"
            )
        done: list[float] = []
        started = time.perf_counter()
        ui = timed(lambda: log.export(Path(folder) / "again.jsonl"))
        log.exported.connect(lambda *_: done.append(time.perf_counter() - started))
        while not done:
            app.processEvents()
            time.sleep(0.002)
        print(
            f"{'export from the pane: UI thread / until done':<52} "
            f"{ui:.1f} ms / {done[0] * 1000:.1f} ms"
        )
    full = timed(gc.collect)
    print(f"{'a full garbage collection with the ring full':<52} {full:.1f} ms")
    window.close()
    collector.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
