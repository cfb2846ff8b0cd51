"""Start the window on a qasync loop with its watchers (and the demo simulator)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .monitor import ServerWatcher
from .protocol.rest import DEFAULT_URL, http_client
from .resources import resource
from .rig import Rig
from .settings import Preferences
from .ui.collector import MainThreadCollector
from .ui.main_window import MainWindow
from .ui.theme import apply_theme


def make_app() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Tether Monitor")
    app.setOrganizationName("Tether Monitor")
    app.setDesktopFileName("tether-monitor")
    apply_theme(app, Preferences().theme)
    icon = resource("icons/tether-monitor.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


async def watch(
    window: MainWindow,
    urls: list[str],
    *,
    poll_interval: float = 5.0,
    stall_timeout: float = 45.0,
) -> None:
    """Keep the window's rig fed from ``urls`` until the window is closed."""
    closed = asyncio.Event()
    window.destroyed.connect(closed.set)
    app = QApplication.instance()
    assert app is not None
    app.lastWindowClosed.connect(closed.set)
    async with http_client() as client:
        watchers = [
            ServerWatcher(
                window.rig,
                url,
                client,
                poll_interval=poll_interval,
                stall_timeout=stall_timeout,
            )
            for url in urls
        ]
        window._on_retry = lambda: [w.retry_now() for w in watchers]
        tasks = [asyncio.ensure_future(w.run()) for w in watchers]
        try:
            await closed.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def run_window(
    *,
    servers: list[str],
    demo: Path | bool | None = None,
    demo_cameras: int = 3,
    poll_interval: float = 5.0,
    stall_timeout: float = 45.0,
    mappings: list[tuple[str, str]] | None = None,
    studio: bool = False,
) -> int:
    app = make_app()
    app.setQuitOnLastWindowClosed(False)
    simulator = None
    urls = list(servers)
    if demo is not None:
        from .simulator import SimulatorThread, make_cameras

        simulator = SimulatorThread(
            folder=demo if isinstance(demo, Path) else None,
            cameras=make_cameras(demo_cameras),
        )
        urls.insert(0, simulator.start())
    if not urls:
        urls = [DEFAULT_URL]
    collector = MainThreadCollector()
    rig = Rig()
    window = MainWindow(rig, mappings=mappings)
    if simulator is not None:
        window.setWindowTitle("Tether Monitor — demo (simulated cameras)")

    # Ctrl+C in the terminal closes the window; the timer lets Python see the signal.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    with contextlib.suppress(ValueError, AttributeError):
        signal.signal(signal.SIGTERM, lambda *_: window.close())
    pulse = QTimer()
    pulse.timeout.connect(lambda: None)
    pulse.start(200)

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window.show()
    if studio:
        window.set_studio(True)
    try:
        with loop:
            loop.run_until_complete(
                watch(
                    window,
                    urls,
                    poll_interval=poll_interval,
                    stall_timeout=stall_timeout,
                )
            )
    except RuntimeError as exc:
        # Qt left its event loop on its own: the display went away (an X server
        # closed, a remote session dropped). Nothing is left to show.
        print(
            f"tether-monitor: the window system closed the application ({exc})",
            file=sys.stderr,
        )
        return 1
    finally:
        collector.stop()
        if simulator is not None:
            simulator.stop()
    return 0
