"""Recording and replay in the window: what the status bar says, and the replay
itself on the window's loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QLabel

from ..recording import BadLine, Recording, SessionRecorder
from ..replay import Player, describe_end
from .main_window import MainWindow

log = logging.getLogger(__name__)

REPLAY_SERVER = "replay"
"""The server named in the log for what the replay itself has to say."""


class RecordingLabel(QLabel):
    """The status bar's "● Recording to FILE"; says so when writing fails."""

    failed = Signal(str)  # emitted on the recorder's writer thread

    def __init__(self, window: MainWindow, recorder: SessionRecorder) -> None:
        super().__init__(f"● Recording to {recorder.path.name}", objectName="Recording")
        self.setAccessibleName("Recording")
        self.setToolTip(str(recorder.path))
        self._rig = window.rig
        self.failed.connect(self._on_failed)  # queued: this label's thread
        recorder.on_error = self.failed.emit

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.setText("Recording stopped: writing failed")
        self.setToolTip(message)
        self._rig.note(REPLAY_SERVER, None, "recording", message, level="error")


def show_recording(window: MainWindow, recorder: SessionRecorder) -> RecordingLabel:
    """Say in the status bar that the session is being recorded."""
    label = RecordingLabel(window, recorder)
    window.statusBar().addPermanentWidget(label)
    return label


class ReplayLabel(QLabel):
    """The status bar's "▶ Replaying FILE, 10 times as fast · 0:12", then how
    the replay ended."""

    def __init__(self, player: Player) -> None:
        super().__init__(objectName="Replay")
        self.player = player
        speed = player.speed
        self.times = f" ×{speed:g}" if speed != 1 else ""
        self.setAccessibleName("Replay")
        self.setToolTip(str(player.recording.path))
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()

    @Slot()
    def tick(self) -> None:
        name = self.player.recording.path.name
        where = _clock(self.player.position)
        self.setText(f"▶ Replaying {name}{self.times} · {where}")

    def ended(self, text: str) -> None:
        self._timer.stop()
        self.setText(f"■ {text[0].upper()}{text[1:]}")


async def play_in_window(
    window: MainWindow, recording: Recording, speed: float
) -> None:
    """Play ``recording`` into the window's rig; when it ends, say so and keep
    showing the final state until the window is closed."""
    closed = asyncio.Event()
    window.destroyed.connect(closed.set)
    app = QApplication.instance()
    assert app is not None
    app.lastWindowClosed.connect(closed.set)
    name = recording.path.name
    window.setWindowTitle(f"Tether Monitor — replay of {recording.path}")
    rig = window.rig

    def bad_line(bad: BadLine) -> None:
        rig.note(REPLAY_SERVER, None, "replay", f"{name} {bad}; skipped",
                 level="warning")  # fmt: skip

    player = Player(recording, rig, speed=speed, on_bad_line=bad_line)
    label = ReplayLabel(player)
    window.statusBar().addPermanentWidget(label)
    times = label.times
    started = recording.header.started or "an unknown time"
    rig.note(REPLAY_SERVER, None, "replay",
             f"replaying {name}, recorded {started} by Tether Monitor "
             f"{recording.header.app}{times}")  # fmt: skip
    play = asyncio.ensure_future(player.run())
    until_closed = asyncio.ensure_future(closed.wait())
    try:
        await asyncio.wait({play, until_closed}, return_when=asyncio.FIRST_COMPLETED)
        if play.done():
            try:
                result = play.result()
            except Exception as exc:
                log.exception("The replay failed")
                text = f"replay of {name} stopped: {exc}"
            else:
                text = describe_end(recording, result)
            if not closed.is_set():
                label.ended(text)
                rig.note(REPLAY_SERVER, None, "replay", text)
            await until_closed
    finally:
        for task in (play, until_closed):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(play, until_closed, return_exceptions=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
