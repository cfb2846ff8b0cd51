"""Where the start-up goes: the time from launch to the first painted window,
split into its parts. Prints figures; asserts nothing.

    .venv/bin/python -m tests.benchmarks.startup_parts [--runs 7]

Each run is a fresh process, offscreen, that does in turn what ``python -m
app`` does, timing each step (the median over the runs is shown):

1. the interpreter and PySide6's own import (what the floor window pays too);
2. the Qt classes the window's modules import, made one by one: PySide6 builds
   each class, and a Python enum for each of its enums, on first use;
3. the other libraries those modules need (msgspec, logging, json...);
4. the window's own modules, everything above being done already;
5. the application object; 6. the window built, then the theme's style sheet
   set (as app.gui.run_window does); 7. the window shown and first painted.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What one run does; it prints its figures as JSON.
_RUN = r"""
import time
started = time.perf_counter()
import json, sys
from PySide6 import QtCore, QtGui, QtWidgets
marks = {"interpreter and PySide6 import": time.perf_counter()}
for module, name in json.loads(sys.argv[1]):
    getattr({"QtCore": QtCore, "QtGui": QtGui, "QtWidgets": QtWidgets}[module], name)
marks["Qt classes the window uses"] = time.perf_counter()
for module in json.loads(sys.argv[2]):
    __import__(module)
marks["other libraries"] = time.perf_counter()
import app.gui
from app.rig import Rig
from app.ui.main_window import MainWindow
marks["the window's own modules"] = time.perf_counter()
qapp = app.gui.make_app()
marks["the application object"] = time.perf_counter()
window = MainWindow(Rig())
app.gui.apply_theme(qapp, window.preferences.theme)  # as app.gui.run_window
marks["the window built, then its theme set"] = time.perf_counter()

class Probe(QtCore.QObject):
    def eventFilter(self, watched, event):
        if event.type() == QtCore.QEvent.Type.Paint and "paint" not in marks:
            marks["paint"] = time.perf_counter()
            QtCore.QTimer.singleShot(0, qapp.quit)
        return False

probe = Probe()
window.installEventFilter(probe)
window.show()
qapp.exec()
marks["shown and painted"] = marks.pop("paint")
last, out = started, {}
for name, at in marks.items():
    out[name] = at - last
    last = at
print(json.dumps(out))
"""

# The standard and third-party modules the window's modules import (the app
# loads the event loop and the network side only after the first paint).
_LIBRARIES = ["msgspec", "datetime", "json", "logging",
              "queue", "csv", "html", "bisect", "functools", "itertools"]  # fmt: skip


def qt_names(modules: list[str]) -> list[tuple[str, str]]:
    """The (QtCore/QtGui/QtWidgets, class) pairs ``modules`` import."""
    found: list[tuple[str, str]] = []
    for module in modules:
        source = (ROOT / (module.replace(".", "/") + ".py")).read_text("utf-8")
        for node in ast.parse(source).body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "PySide6.Qt"
            ):
                kind = (node.module or "").split(".")[1]
                found += [(kind, alias.name) for alias in node.names]
    return sorted(set(found))


def first_paint_modules(env: dict[str, str]) -> list[str]:
    """The app's modules loaded when ``python -m app`` first paints."""
    probe = (
        "import sys, runpy, json\n"
        "import app.gui as gui\n"
        "from PySide6.QtCore import QEvent\n"
        "base = gui._ExitOnFirstPaint.eventFilter\n"
        "def spy(self, watched, event):\n"
        "    if event.type() == QEvent.Type.Paint:\n"
        "        names = [m for m in sys.modules if m.split('.')[0] == 'app']\n"
        "        print('MODULES', json.dumps(names), flush=True)\n"
        "    return base(self, watched, event)\n"
        "gui._ExitOnFirstPaint.eventFilter = spy\n"
        "sys.argv = ['tether-monitor']\n"
        "runpy.run_module('app', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    for line in done.stdout.splitlines():
        if line.startswith("MODULES "):
            names = json.loads(line.split(" ", 1)[1])
            files = {m: ROOT / (m.replace(".", "/") + ".py") for m in names}
            return [m for m, path in files.items() if path.is_file()]
    raise SystemExit(f"startup_parts: the app never painted:\n{done.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "app", quiet=1)  # as bench_startup does
    with tempfile.TemporaryDirectory(prefix="startup-parts-") as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               "TETHER_MONITOR_FIRST_PAINT": "exit",
               "TETHER_MONITOR_SETTINGS": str(Path(tmp) / "settings.ini"),
               "TETHER_MONITOR_DATA": tmp}  # fmt: skip
        modules = first_paint_modules(env)
        names = json.dumps(qt_names(modules))
        runs: dict[str, list[float]] = {}
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, "-c", _RUN, names, json.dumps(_LIBRARIES)],
                env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            if done.returncode != 0:
                raise SystemExit(f"startup_parts: a run failed:\n{done.stderr}")
            for part, seconds in json.loads(done.stdout.splitlines()[-1]).items():
                runs.setdefault(part, []).append(seconds)
    classes = len(qt_names(modules))
    print(f"launch to first paint in parts, median of {args.runs} runs "
          f"({len(modules)} app modules, {classes} Qt classes)")  # fmt: skip
    for part, times in runs.items():
        print(f"{statistics.median(times) * 1000:6.0f} ms  {part}")
    total = sum(statistics.median(t) for t in runs.values())
    print(f"{total * 1000:6.0f} ms  in all (sum of the medians)")


if __name__ == "__main__":
    main()
