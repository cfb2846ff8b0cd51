"""Garbage collection on the Qt thread only.

Python's cycle collector runs on whichever thread happens to allocate when a
threshold is crossed: the picture decoders, the demo simulator. When it frees
a Qt object caught in a reference cycle there, Qt cannot stop that object's
timers from the wrong thread and the process later crashes. So automatic
collection is switched off and the Qt thread collects on a timer instead.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

_INTERVAL_MS = 500
_FULL_EVERY = 20  # a full collection every 10 s, the young generation each tick


class MainThreadCollector(QObject):
    """While it lives, cycles are collected on the thread that created it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(_INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        self._ticks += 1
        gc.collect(2 if self._ticks % _FULL_EVERY == 0 else 0)

    def settle(self) -> None:
        """Start-up is over: what it made (modules, Qt's wrappers, the window)
        lives as long as the process, so it is set aside and a full collection
        no longer walks it. That collection took 64 ms on the UI thread every
        10 s; now it is the only long one, once."""
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        """Collect once more and give collection back to Python."""
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()
