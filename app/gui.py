"""Start the window on a qasync loop with its watchers (and the demo simulator)."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .config import for_run
from .protocol.models import DEFAULT_URL
from .resources import resource
from .rig import Rig
from .session_log import EarlyRecords, SessionLog, start_file_logging
from .settings import Preferences
from .ui.collector import MainThreadCollector
from .ui.main_window import MainWindow
from .ui.theme import apply_theme

if TYPE_CHECKING:  # the event loop and network side load once the window shows
    import asyncio

    from .monitor import WatchRecorder
    from .recording import Recording

FIRST_PAINT_ENV = "TETHER_MONITOR_FIRST_PAINT"
"""Set to ``exit``: print "first paint" when the window is first painted, then
quit (the start-up benchmark times launches by it)."""


def make_app() -> QApplication:
    """The application, named and with its icon; the theme is set once the
    window is built (see :func:`run_window`)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Tether Monitor")
    app.setOrganizationName("Tether Monitor")
    app.setDesktopFileName("tether-monitor")
    icon = resource("icons/tether-monitor.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


DATA_ENV = "TETHER_MONITOR_DATA"
"""A folder for the session logs and diagnostic log instead of the platform's."""

log = logging.getLogger(__name__)


def data_dir() -> Path:
    """The user's data folder for Tether Monitor (session logs go in
    ``sessions/`` there): ``TETHER_MONITOR_DATA`` or the platform's application
    data folder. Call after :func:`make_app`, which names the application."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override)
    where = QStandardPaths.StandardLocation.AppDataLocation
    return Path(QStandardPaths.writableLocation(where))


def log_dir() -> Path:
    """Where the diagnostic log goes: ``~/Library/Logs/Tether Monitor`` on macOS,
    ``%LOCALAPPDATA%\\Tether Monitor\\Tether Monitor\\logs`` on Windows, the XDG
    state folder (``~/.local/state/Tether Monitor/Tether Monitor/logs``)
    elsewhere; ``logs/`` in ``TETHER_MONITOR_DATA`` when that is set."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override) / "logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / "Tether Monitor"
    where = (
        QStandardPaths.StandardLocation.AppLocalDataLocation
        if sys.platform == "win32"
        else QStandardPaths.StandardLocation.StateLocation
    )
    return Path(QStandardPaths.writableLocation(where)) / "logs"


def start_session_log(
    rig: Rig, folder: Path, loop: asyncio.AbstractEventLoop
) -> SessionLog:
    """Write every entry of the rig's log to a new file in ``folder``; a
    folder that cannot be written or a full disk is said once in the log."""

    def problem(text: str) -> None:  # on the writer's thread
        note = functools.partial(rig.note, "", None, "session log", text,
                                 level="error")  # fmt: skip
        loop.call_soon_threadsafe(note)

    session = SessionLog(folder, on_problem=problem)
    rig.subscribe(session)
    return session.start()


async def watch(
    window: MainWindow,
    urls: list[str],
    *,
    poll_interval: float = 5.0,
    stall_timeout: float = 45.0,
    recorder: WatchRecorder | None = None,
) -> None:
    """Keep the window's rig fed from ``urls`` until the window is closed."""
    import asyncio

    from .protocol.rest import http_client
    from .watchers import Watchers

    closed = asyncio.Event()
    window.destroyed.connect(closed.set)
    app = QApplication.instance()
    assert app is not None
    app.lastWindowClosed.connect(closed.set)
    async with http_client() as client:
        # One watcher per server, each with its own reconnects; the settings
        # dialog changes the set while it runs (window.watch_servers).
        watchers = Watchers(
            window.rig, client, poll_interval=poll_interval,
            stall_timeout=stall_timeout, recorder=recorder,
        )  # fmt: skip
        window.watchers = watchers
        from .ui.replay_bar import RecordingControl

        recording = RecordingControl(window, watchers, recorder)
        await watchers.set_urls(urls)
        try:
            await closed.wait()
        finally:
            window.watchers = None
            await watchers.close()
            recording.stop_now()


def run_window(
    *,
    servers: list[str],
    demo: Path | bool | None = None,
    demo_cameras: int = 3,
    poll_interval: float | None = None,
    stall_timeout: float | None = None,
    mappings: list[tuple[str, str]] | None = None,
    self_test: bool = False,
    record: Path | None = None,
    replay: Recording | None = None,
    speed: float = 1.0,
    studio: bool = False,
) -> int:
    """Show the window; what is given here overrides the stored settings for
    this run only (None: as stored)."""
    app = make_app()
    app.setQuitOnLastWindowClosed(False)
    # What start-up logs is held, and written once the log file opens with the
    # window on screen (logging.handlers alone took ~10 ms before the first
    # paint); a start-up that fails first opens the file and writes it there.
    early = EarlyRecords()
    try:
        run, overrides = for_run(
            Preferences().config(),
            servers=servers,
            demo=demo is not None,
            poll_interval=poll_interval,
            stall_timeout=stall_timeout,
            mappings=mappings,
        )
        collector = MainThreadCollector()
        rig = Rig()
        window = MainWindow(rig, mappings=run.mappings)
        # The style sheet once the window is built: with a sheet in force, every
        # widget put in a layout restyles all it holds, and the window took half
        # as long again to build (tests/benchmarks/startup_parts.py).
        apply_theme(app, window.preferences.theme)
        window.run_overrides = overrides
        if demo is not None:
            window.setWindowTitle("Tether Monitor — demo (simulated cameras)")

        # Ctrl+C in the terminal closes the window (the timer lets Python see it).
        signal.signal(signal.SIGINT, lambda *_: window.close())
        with contextlib.suppress(ValueError, AttributeError):
            signal.signal(signal.SIGTERM, lambda *_: window.close())
        pulse = QTimer()
        pulse.timeout.connect(lambda: None)
        pulse.start(200)

        checker = None
        if self_test:
            from .selftest import SelfTest

            checker = SelfTest(window)
        if os.environ.get(FIRST_PAINT_ENV) == "exit":
            window.installEventFilter(_ExitOnFirstPaint(window))

        shown = _Shown(window)
        if window.first_start:  # with a window manager, its frame on screen too
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
        window.show()
        if studio:
            window.set_studio(True)
        shown.wait()  # on screen first; then the simulator, the event loop, the network
    except BaseException as exc:
        if isinstance(exc, Exception):  # (not Ctrl+C)
            log.exception("The start-up failed")
        stop_file_log, _ = open_file_log(early)
        if stop_file_log is not None:
            stop_file_log()
        raise
    stop_file_log, log_problem = open_file_log(early)
    collector.settle()  # what start-up made is kept out of collections from now on
    simulator = None
    urls = list(run.servers)
    if demo is not None:
        from .simulator import SimulatorThread, make_cameras

        simulator = SimulatorThread(
            folder=demo if isinstance(demo, Path) else None,
            cameras=make_cameras(demo_cameras),
        )
        urls.insert(0, simulator.start())
        window.fixed_servers = urls[:1]
    if not urls:
        urls = [DEFAULT_URL]
    recorder = None
    if record is not None:
        from .recording import start_recorder

        recorder = start_recorder(record, urls)
    if record is not None and recorder is None:
        window.close()
        if simulator is not None:
            simulator.stop()
        if stop_file_log is not None:
            stop_file_log()
        return 2  # start_recorder() said why
    import asyncio

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    if log_problem:
        rig.note("", None, "diagnostics", log_problem, level="warning")
    session_log = start_session_log(rig, data_dir() / "sessions", loop)
    window.set_log_folders(session_log.folder, log_dir())
    if replay is not None:
        from .ui.replay_bar import play_in_window
    job = (
        play_in_window(window, replay, speed)
        if replay is not None
        else watch(window, urls, poll_interval=run.poll_interval,
                   stall_timeout=run.stall_timeout, recorder=recorder)
    )  # fmt: skip
    try:
        with loop:
            loop.run_until_complete(shown.then(job))
    except RuntimeError as exc:
        # Qt left its event loop on its own: the display went away (an X server
        # closed, a remote session dropped). Nothing is left to show.
        print(
            f"tether-monitor: the window system closed the application ({exc})",
            file=sys.stderr,
        )
        return 1
    finally:
        session_log.close()
        collector.stop()
        if recorder is not None:
            recorder.stop()
        if simulator is not None:
            simulator.stop()
        if stop_file_log is not None:
            stop_file_log()
    return checker.status if checker is not None else 0


def open_file_log(early: EarlyRecords) -> tuple[Callable[[], None] | None, str]:
    """Start the diagnostic log file with what ``early`` held; returns how to
    stop it, or None and why there is none."""
    try:
        return start_file_logging(log_dir(), earlier=early.release()), ""
    except OSError as exc:
        problem = f"no diagnostic log file in {log_dir()}: {exc}"
        print(f"tether-monitor: {problem}", file=sys.stderr)
        return None, problem


class _ExitOnFirstPaint(QObject):
    """For the start-up benchmark: say when the window is first painted, and
    close it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            print("first paint", flush=True)
            QTimer.singleShot(0, watched.close)
        return False


class _Shown(QObject):
    """Waits for the window's first paint, so that the event loop and the
    network side (qasync, httpx, the watchers) load once it is on screen."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._painted = False
        self._waiting: QEventLoop | None = None
        self._closed = False
        window.installEventFilter(self)
        window.destroyed.connect(self._close)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.lastWindowClosed.connect(self._close)

    def _close(self) -> None:
        self._closed = True
        self._done()

    def _done(self) -> None:
        self._painted = True
        if self._waiting is not None:
            self._waiting.quit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self._done()
        return False

    def wait(self) -> None:
        """Run Qt's event loop until the window is painted or closed; a window
        that is not painted (hidden at once) is waited for a second at most."""
        if self._painted:
            return
        self._waiting = QEventLoop(self)
        QTimer.singleShot(1000, self._waiting.quit)
        self._waiting.exec()
        self._waiting = None

    async def then(self, job: Coroutine[Any, Any, None]) -> None:
        """Run ``job`` unless the window was closed while it was being shown."""
        if self._closed:
            job.close()  # closed before it was shown: nothing to watch for
        else:
            await job
