"""Shared fixtures: offscreen Qt, a qasync loop per test, the simulator."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from app.simulator import SimulatorThread
from app.ui.collector import MainThreadCollector

from .support import Runner

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    """Qt's own settings too (a file dialog's last folder goes to
    QtProject.conf): the run's XDG folders are its own, so the user's are
    never written."""
    home = tempfile.mkdtemp(prefix="tether-monitor-tests-")
    config.stash[_HOME] = home
    for kind in ("CONFIG", "DATA", "CACHE", "STATE"):
        os.environ[f"XDG_{kind}_HOME"] = os.path.join(home, kind.lower())


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash.get(_HOME, ""), ignore_errors=True)


_HOME = pytest.StashKey[str]()


@pytest.fixture
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"the shared camera files are not at {FIXTURES}")
    return FIXTURES


@pytest.fixture(autouse=True, scope="session")
def _collect_on_qt_thread(qapp: QApplication) -> Iterator[None]:
    """As the application does: cycles freed on the Qt thread only (see
    app/ui/collector.py); without it, windows of earlier tests were freed by
    the simulator's thread and the run crashed."""
    collector = MainThreadCollector()
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def _own_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no stored preferences and leaves the user's alone
    (the data folder with the session and diagnostic logs too)."""
    monkeypatch.setenv("TETHER_MONITOR_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("TETHER_MONITOR_DATA", str(tmp_path / "data"))


@pytest.fixture
def run(qapp: QApplication) -> Iterator[Runner]:
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield Runner(loop)
    finally:
        # A failed test may leave tasks behind: end them while the loop can run.
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            # Bounded: a task that ignores cancellation must not hang the suite.
            loop.run_until_complete(asyncio.wait(pending, timeout=10))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[SimulatorThread]:
    """A quiet simulator (no autonomous script) with a short keepalive."""
    sim = SimulatorThread(
        auto=False, keepalive=1.0, tempo=0.2, session_dir=tmp_path / "session"
    )
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Slow tests (the packaged build, soaks) run only when asked for with
    ``-m slow``, as .ci/run does; the everyday run leaves them out."""
    if "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow (.ci/run does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
