"""``tether-monitor --self-test``: can this build show cameras and a picture?

Starts the demo (the built-in simulator and the window), waits until camera
cards and a decoded thumbnail appear, then exits 0; or exits 1 saying what did
not appear in time. A packaged build runs it to prove that Qt's plugins, the
image decoders and the resources made it into the bundle, with no screen
needed (the offscreen platform is chosen when there is no display).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from PySide6.QtCore import QObject, QTimer

from .ui.main_window import MainWindow

DEFAULT_TIMEOUT = 30.0
WANTED_CARDS = 2


def prepare_environment() -> None:
    """No display: use Qt's offscreen platform. Leave the user's settings and
    logs alone: a self-test keeps its choices and its session log in a
    temporary folder of its own."""
    no_display = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if no_display:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = tempfile.mkdtemp(prefix="tether-monitor-self-test-")
    settings = os.path.join(folder, "settings.ini")
    os.environ.setdefault("TETHER_MONITOR_SETTINGS", settings)
    os.environ.setdefault("TETHER_MONITOR_DATA", os.path.join(folder, "data"))


class SelfTest(QObject):
    """Watches ``window`` until it shows cards and a thumbnail, then closes it.

    :attr:`status` is the process's exit status once the window is closed.
    """

    def __init__(self, window: MainWindow, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(window)
        self._window = window
        self._started = time.monotonic()
        self._deadline = self._started + timeout
        self.status = 1
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def _thumbnail(self) -> str | None:
        """The file name of a card's decoded picture, if any card shows one."""
        for card in self._window.cards.values():
            frame = card.frame
            described = card.thumb.accessibleDescription()
            pixmap = card.thumb.pixmap()
            if (
                frame is not None
                and described == f"Frame {frame.number}: {frame.name}"
                and pixmap is not None
                and not pixmap.isNull()
            ):
                return frame.name
        return None

    def _check(self) -> None:
        cards = len(self._window.cards)
        picture = self._thumbnail()
        elapsed = time.monotonic() - self._started
        if cards >= WANTED_CARDS and picture is not None:
            self._finish(
                0,
                f"self-test passed in {elapsed:.1f} s: {cards} camera cards, "
                f"thumbnail of {picture} decoded",
            )
        elif time.monotonic() > self._deadline:
            missing = []
            if cards < WANTED_CARDS:
                missing.append(f"{cards} camera cards (wanted {WANTED_CARDS})")
            if picture is None:
                missing.append("no decoded thumbnail")
            states = "; ".join(
                f"{s.url}: {s.state} {s.reason}".strip()
                for s in self._window.rig.servers.values()
            )
            self._finish(
                1,
                f"self-test FAILED after {elapsed:.0f} s: {', '.join(missing)}"
                f" (server: {states or 'none'})",
            )

    def _finish(self, status: int, message: str) -> None:
        self._timer.stop()
        self.status = status
        # A windowed build (Windows, no console) has no stdout or stderr: the
        # exit status alone says it.
        stream = sys.stderr if status else sys.stdout
        try:
            if stream is not None:
                print(f"tether-monitor: {message}", file=stream, flush=True)
        finally:
            self._window.close()
