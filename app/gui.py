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

from .config import for_run
from .protocol.rest import DEFAULT_URL, http_client
from .resources import resource
from .rig import Rig
from .settings import Preferences
from .ui.collector import MainThreadCollector
from .ui.main_window import MainWindow
from .ui.theme import apply_theme
from .watchers import Watchers


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
        # One watcher per server, each with its own reconnects; the settings
        # dialog changes the set while it runs (window.watch_servers).
        watchers = Watchers(
            window.rig, client, poll_interval=poll_interval, stall_timeout=stall_timeout
        )
        window.watchers = watchers
        window._on_retry = watchers.retry_now
        await watchers.set_urls(urls)
        try:
            await closed.wait()
        finally:
            window.watchers = None
            await watchers.close()


def run_window(
    *,
    servers: list[str],
    demo: Path | bool | None = None,
    demo_cameras: int = 3,
    poll_interval: float | None = None,
    stall_timeout: float | None = None,
    mappings: list[tuple[str, str]] | None = None,
) -> int:
    """Show the window; what is given here overrides the stored settings for
    this run only (None: as stored)."""
    app = make_app()
    app.setQuitOnLastWindowClosed(False)
    run, overrides = for_run(
        Preferences().config(),
        servers=servers,
        demo=demo is not None,
        poll_interval=poll_interval,
        stall_timeout=stall_timeout,
        mappings=mappings,
    )
    simulator = None
    urls = list(run.servers)
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
    window = MainWindow(rig, mappings=run.mappings)
    window.run_overrides = overrides
    if simulator is not None:
        window.setWindowTitle("Tether Monitor — demo (simulated cameras)")
        window.fixed_servers = urls[:1]

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
    try:
        with loop:
            loop.run_until_complete(
                watch(
                    window,
                    urls,
                    poll_interval=run.poll_interval,
                    stall_timeout=run.stall_timeout,
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
