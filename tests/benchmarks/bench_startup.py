"""Start-up: from launch to the first painted window. Prints figures; asserts
nothing.

    .venv/bin/python -m tests.benchmarks.bench_startup [--runs 11]

Each command is launched afresh, offscreen, and timed from the launch until it
prints "first paint" (app.gui.FIRST_PAINT_ENV makes the monitor do that and
quit). The floor is a bare PySide6 window on the same interpreter, launched
the same way; the packaged build is timed too when dist/ holds one.

The app's bytecode is compiled first, as a user's first start leaves it: with
PYTHONDONTWRITEBYTECODE set (as on some build machines) every start would
compile ~60 modules from source, which no user's start does.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import results

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "dist" / "Tether Monitor" / "tether-monitor"

BARE_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            print("first paint", flush=True)
            QTimer.singleShot(0, watched.close)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1600, 960)
probe = Probe()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def time_to_paint(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "first paint":
            elapsed = time.perf_counter() - started
            break
    else:
        raise SystemExit(f"{command[0]} never painted a window")
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    results.add_option(parser)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "app", quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "TETHER_MONITOR_FIRST_PAINT": "exit",
            "TETHER_MONITOR_SETTINGS": str(Path(tmp) / "settings.ini"),
            "TETHER_MONITOR_DATA": tmp,
        }
        commands = {
            "bare PySide6 window (floor)": [sys.executable, "-c", BARE_WINDOW],
            "python -m app": [sys.executable, "-m", "app"],
            "python -m app --demo": [sys.executable, "-m", "app", "--demo"],
        }
        if BUILT.is_file():
            commands["packaged build"] = [str(BUILT)]
            commands["packaged build --demo"] = [str(BUILT), "--demo"]
        runs: dict[str, list[float]] = {}
        for _ in range(args.runs):  # interleaved, so drift hits all alike
            for name, command in commands.items():
                runs.setdefault(name, []).append(time_to_paint(command, env))
    floor = statistics.median(runs["bare PySide6 window (floor)"])
    print(f"launch to first painted window, median of {args.runs} runs (offscreen)")
    print(f"{'command':<30} {'median':>9} {'best':>9} {'worst':>9} {'vs floor':>9}")
    for name, times in runs.items():
        median = statistics.median(times)
        print(f"{name:<30} {median * 1000:6.0f} ms {min(times) * 1000:6.0f} ms "
              f"{max(times) * 1000:6.0f} ms {median / floor:8.2f}x")  # fmt: skip
    results.save(args, {name: statistics.median(t) for name, t in runs.items()})


if __name__ == "__main__":
    main()
