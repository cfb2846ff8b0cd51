"""Recording and replay in the window: what the status bar says, and the replay
itself on the window's loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel

from ..monitor import WatchRecorder
from ..recording import (
    BadLine,
    Recording,
    RecordingError,
    SessionRecorder,
    begin_mid_session,
)
from ..replay import Player, describe_end
from ..watchers import Watchers
from .main_window import MainWindow

if TYPE_CHECKING:  # loaded when first wanted
    from PySide6.QtWidgets import QFileDialog

log = logging.getLogger(__name__)

REPLAY_PICTURE_WAIT = 1.0
"""Seconds a replay waits for a frame's file (a live session waits longer)."""

REPLAY_SERVER = "replay"
"""The server column of what a replay itself says (its end, bad lines)."""
NO_SERVER = ""
"""The server column of what a recording says: it is about the session."""


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
        self._rig.note(NO_SERVER, None, "recording", message, level="error")


def show_recording(window: MainWindow, recorder: SessionRecorder) -> RecordingLabel:
    """Say in the status bar that the session is being recorded."""
    label = RecordingLabel(window, recorder)
    window.statusBar().addPermanentWidget(label)
    return label


class RecordingControl(QObject):
    """File → Record Session… and Stop Recording, for the watchers of a window."""

    def __init__(
        self,
        window: MainWindow,
        watchers: Watchers,
        recorder: WatchRecorder | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._watchers = watchers
        if not isinstance(recorder, SessionRecorder):
            recorder = None  # not a file: nothing to show or stop here
        self.recorder = recorder
        self._job: asyncio.Future[object] | None = None
        self.label: RecordingLabel | None = None
        self.record_action = QAction("&Record Session…", self)
        self.record_action.triggered.connect(self.ask)
        self.stop_action = QAction("&Stop Recording", self)
        self.stop_action.triggered.connect(self._on_stop)
        menu = window.file_menu  # first in it
        before = menu.actions()[0] if menu.actions() else None
        menu.insertAction(before, self.record_action)
        menu.insertAction(before, self.stop_action)
        menu.insertSeparator(before)
        if recorder is not None:
            self.label = show_recording(window, recorder)
        self._update()

    def _update(self) -> None:
        recording = self.recorder is not None
        self.record_action.setEnabled(not recording)
        self.stop_action.setEnabled(recording)

    @Slot()
    def ask(self) -> QFileDialog:
        """Ask where to record (not modal: events keep flowing meanwhile)."""
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        name = f"tether-session-{datetime.now():%Y%m%d-%H%M%S}.jsonl"
        from PySide6.QtWidgets import QFileDialog  # loaded when first wanted

        dialog = QFileDialog(self._window, "Record Session", str(Path(folder) / name),
                             "Recordings (*.jsonl);;All files (*)")  # fmt: skip
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("jsonl")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self._on_chosen)
        dialog.open()
        return dialog

    @Slot(str)
    def _on_chosen(self, path: str) -> None:
        self._job = asyncio.ensure_future(self.start(Path(path)))

    async def start(self, path: Path) -> str | None:
        """Record from now on to ``path``; returns why not, if it cannot."""
        if self.recorder is not None:
            return "already recording"
        recorder = SessionRecorder(path, self._watchers.urls)
        self.recorder = recorder
        self._update()
        try:
            await asyncio.to_thread(recorder.start)  # creating the file: not here
        except RecordingError as exc:
            self.recorder = None
            self._update()
            self._window.rig.note(NO_SERVER, None, "recording",
                                  f"not recording: {exc}", level="error")  # fmt: skip
            self._window.statusBar().showMessage(f"Not recording: {exc}", 10_000)
            return str(exc)
        self._watchers.recorder = recorder  # servers added from now on
        for watcher in self._watchers.running():
            begin_mid_session(recorder, watcher)
        if self.label is not None:
            self._window.statusBar().removeWidget(self.label)
            self.label.deleteLater()
        self.label = show_recording(self._window, recorder)
        self._window.rig.note(NO_SERVER, None, "recording",
                              f"recording to {path}")  # fmt: skip
        return None

    @Slot()
    def _on_stop(self) -> None:
        self._job = asyncio.ensure_future(self.stop())

    async def stop(self) -> None:
        """Stop recording; the file is complete once this returns."""
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return
        self._detach(recorder)
        await asyncio.to_thread(recorder.stop)
        self._update()
        if self.label is not None:
            self.label.setText(f"Recorded {recorder.path.name}")
        self._window.rig.note(NO_SERVER, None, "recording",
                              f"recorded {recorder.records} records to "
                              f"{recorder.path}")  # fmt: skip

    def _detach(self, recorder: SessionRecorder) -> None:
        if self._watchers.recorder is recorder:
            self._watchers.recorder = None
        for watcher in self._watchers.running():
            if watcher.recorder is recorder:
                watcher.recorder = None

    def stop_now(self) -> None:
        """Stop at once (the window is closing): detach and write what is queued."""
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            self._detach(recorder)
            recorder.stop()


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
    window.replaying = True
    rig = window.rig
    # The frames were finished long ago: one that is not there will not come
    # (it was shot on another machine); say so soon rather than wait for it.
    window.loader.wait = REPLAY_PICTURE_WAIT

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
