"""Several servers in one window, the message for a server that cannot be
reached, and the About dialog: real windows, real simulators, real sockets."""

from __future__ import annotations

import asyncio
import platform
import socket
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QKeySequence, QTextDocumentFragment
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from app import __version__
from app.rig import LinkState, Rig
from app.simulator import SimulatorThread
from app.simulator.server import SDK_VERSION
from app.ui.main_window import MainWindow

from .support import Runner, wait_until
from .test_headless import Lines, headless, stop
from .test_window import close, open_window

ILCE_7M4 = "D06CE05E3323"


def quiet_simulator(tmp_path: Path, name: str, **kw: object) -> SimulatorThread:
    sim = SimulatorThread(
        auto=False, keepalive=1.0, tempo=0.2, session_dir=tmp_path / name, **kw
    )
    sim.start()
    return sim


def free_port() -> int:
    """A port nothing listens on (just closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def open_on(qapp: QApplication, urls: list[str]) -> tuple[MainWindow, asyncio.Future]:
    from app.gui import watch

    window = MainWindow(Rig())
    window.resize(1600, 960)
    window.reset_layout()
    window.show()
    return window, asyncio.ensure_future(watch(window, urls, poll_interval=0.5))


def test_two_servers_grouped_each_with_its_own_state(
    qapp, run: Runner, simulator: SimulatorThread, tmp_path: Path
) -> None:
    """Cameras of two hosts in one grid, under a header per server; the same
    camera id on both is two cards; one server stopping leaves the other be."""
    other = quiet_simulator(tmp_path, "other")
    urls = [simulator.url, other.url]

    async def scenario() -> None:
        window, task = open_on(qapp, urls)
        await wait_until(lambda: len(window.cards) == 6, what="six cards")
        # The same body id on both servers: two cards, one per server.
        assert (simulator.url, ILCE_7M4) in window.cards
        assert (other.url, ILCE_7M4) in window.cards
        assert list(window.server_headers) == urls
        await wait_until(
            lambda: all(
                "● Connected" in h.state.text() and "3 cameras" in h.state.text()
                for h in window.server_headers.values()
            ),
            what="both headers connected",
        )
        assert "SDK" in window.server_headers[other.url].state.text()
        await wait_until(lambda: window.status_label.text() == "2/2 servers connected")
        await wait_until(lambda: window._positions.keys() == window.cards.keys())
        # Each server's cards sit below its own header and above the next one.
        grid = window._grid
        header_rows = [
            grid.getItemPosition(grid.indexOf(window.server_headers[url]))[0]
            for url in urls
        ]
        assert header_rows[0] == 0
        for key, (row, _) in window._positions.items():
            if key[0] == simulator.url:
                assert header_rows[0] < row < header_rows[1]
            else:
                assert row > header_rows[1]
        keys = [card.key[0] for card in window.ordered_cards()]
        assert keys == [simulator.url] * 3 + [other.url] * 3
        # Down from the first server's cards goes past the header to the next
        # server's, in the same column.
        top = window.ordered_cards()[1]
        top.setFocus()
        await wait_until(top.hasFocus, what="focus on a card")
        QTest.keyClick(top, Qt.Key.Key_Down)
        below = window.ordered_cards()[4]
        assert below.key[0] == other.url and below.hasFocus()
        QTest.keyClick(below, Qt.Key.Key_Up)
        assert top.hasFocus()

        other.stop()
        header = window.server_headers[other.url]
        await wait_until(lambda: "Offline" in header.state.text(), what="B offline")
        assert header.retry.isVisibleTo(window)
        status = window.status_label.text()
        assert status.startswith("1/2 servers connected") and other.url in status
        await wait_until(
            lambda: "LOST" in window.cards[(other.url, ILCE_7M4)].state.text(),
            what="B's cards lost",
        )
        await asyncio.sleep(1.0)  # the first server is not disturbed meanwhile
        first = window.server_headers[simulator.url]
        assert "● Connected" in first.state.text()
        assert not first.retry.isVisibleTo(window)
        assert window.rig.servers[simulator.url].state == LinkState.OPEN
        assert "● Connected" in window.cards[(simulator.url, ILCE_7M4)].state.text()
        assert not window.banner.isVisible(), "B answered once: no start message"
        await close(window, task)

    try:
        run(scenario())
    finally:
        other.stop()


def test_one_server_has_no_group_header(
    qapp, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        await wait_until(lambda: len(window.cards) == 3, what="three cards")
        await asyncio.sleep(0.2)
        assert window.server_headers == {}
        assert "server 3.0.0" in window.status_label.text()
        await close(window, task)

    run(scenario())


def test_server_that_cannot_be_reached_at_start_is_said_once_until_it_answers(
    qapp, run: Runner, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    async def scenario() -> None:
        window, task = open_on(qapp, [url])
        banner = window.banner
        await wait_until(banner.isVisible, what="the unreachable message")
        text = QTextDocumentFragment.fromHtml(banner.text.text()).toPlainText()
        assert f"Cannot reach the server at {url}" in text
        assert "refused" in text
        assert "Settings" in text and "--demo" in text
        assert qapp.activeModalWidget() is None, "no modal dialog"
        assert not window.empty.isVisible(), "one message, not two"
        sim = quiet_simulator(tmp_path, "late", port=port)
        try:
            banner.retry.click()
            await wait_until(lambda: not banner.isVisible(), what="message gone")
            assert window.rig.servers[url].state == LinkState.OPEN
            await wait_until(lambda: len(window.cards) == 3, what="cards")
            # Later drops are the status bar's business, not the start message's.
            sim.stop()
            await wait_until(lambda: "Offline" in window.status_label.text())
            await asyncio.sleep(0.5)
            assert not banner.isVisible()
        finally:
            sim.stop()
        await close(window, task)

    run(scenario())


def test_about_shows_versions_of_everything(
    qapp, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        rig = window.rig
        await wait_until(
            lambda: simulator.url in rig.servers and rig.servers[simulator.url].status
        )
        about = window.open_about()
        text = about.table.text()
        for version in (__version__, qVersion(), PySide6.__version__,
                        platform.python_version(), "3.0.0", SDK_VERSION):  # fmt: skip
            assert version in text
        assert simulator.url in text
        about.copy()
        assert f"Tether Monitor: {__version__}" in QApplication.clipboard().text()
        about.close()
        await close(window, task)

    run(scenario())


def test_keyboard_shortcuts_for_settings_quit_and_full_screen(qtbot) -> None:

    window = MainWindow(Rig())
    qtbot.addWidget(window)
    assert QKeySequence("Ctrl+,") in window.settings_action.shortcuts()
    shortcuts = {
        action.text(): action.shortcuts()
        for menu in window.menuBar().findChildren(QMenu)
        for action in menu.actions()
    }
    assert QKeySequence("Ctrl+Q") in shortcuts["Quit"]
    assert QKeySequence("F11") in shortcuts["&Full Screen"]
    assert "&About Tether Monitor" in shortcuts


def test_headless_watches_two_servers(
    simulator: SimulatorThread, tmp_path: Path
) -> None:
    other = quiet_simulator(tmp_path, "other")
    proc = headless(simulator.url, "--server", other.url)
    lines = Lines(proc)
    try:
        camera = f"/api/cameras/{ILCE_7M4}/events"
        lines.wait_for(
            lambda rs: {
                r["server"] for r in rs if r.get("state") == "open"
                and r["stream"] == camera
            } == {simulator.url, other.url}
        )  # fmt: skip
        other.call(other.simulator.set_af, ILCE_7M4, "focused")
        records = lines.wait_for(lambda rs: any(r["type"] == "afStatus" for r in rs))
        focused = [r for r in records if r["type"] == "afStatus"]
        assert focused[0]["server"] == other.url
        assert focused[0]["camera"] == ILCE_7M4
    finally:
        stop(proc)
        other.stop()


def test_a_server_added_again_while_it_does_not_answer_is_said(
    qapp, run: Runner, tmp_path: Path
) -> None:
    """Once removed in Settings, a server's past answers count for nothing: added
    back while it is down, it gets the calm start message, not silence."""
    sim = quiet_simulator(tmp_path, "once")

    async def scenario() -> None:
        window, task = open_on(qapp, [sim.url])
        banner = window.banner
        await wait_until(lambda: len(window.cards) == 3, what="cards")
        await window.watchers.set_urls([])  # removed in Settings
        await asyncio.to_thread(sim.stop)
        await window.watchers.set_urls([sim.url])  # added back, down now
        await wait_until(banner.isVisible, timeout=10, what="the message")
        text = QTextDocumentFragment.fromHtml(banner.text.text()).toPlainText()
        assert f"Cannot reach the server at {sim.url}" in text
        assert window.alerts.active == [], "one message, not an alarm as well"
        await close(window, task)

    try:
        run(scenario())
    finally:
        sim.stop()


def test_why_a_server_cannot_be_reached_is_said_in_plain_words() -> None:
    import httpx

    from app.protocol.rest import describe_http_error
    from app.rig import Server
    from app.ui.server_views import why_unreachable

    url = "http://studio:8080"
    refused = httpx.ConnectError("All connection attempts failed")
    refused.__context__ = ConnectionRefusedError(111, "Connect call failed")
    unknown = httpx.ConnectError("All connection attempts failed")
    unknown.__context__ = socket.gaierror(-2, "Name or service not known")
    for error, said in (
        (refused, "the connection was refused"),
        (unknown, "the host name was not found"),
        (httpx.ConnectTimeout("timed out"), "it did not answer in time"),
    ):
        reason = describe_http_error(error, url)
        server = Server(url, state=LinkState.RETRYING, reason=reason)
        assert why_unreachable(server).startswith(said), reason
    answer = "GET /api/server/status: expected HTTP 200, got 404 Not Found"
    wrong = Server(url, state=LinkState.RETRYING, reason=answer)
    assert "not the camera server" in why_unreachable(wrong)
    assert why_unreachable(Server(url)) == "no answer yet"
    # The next attempt is under way: the latest failure still says why.
    rig = Rig()
    rig.set_link(url, LinkState.RETRYING, reason=describe_http_error(refused, url))
    rig.set_link(url, LinkState.CONNECTING)
    assert why_unreachable(rig.servers[url]).startswith("the connection was refused")
