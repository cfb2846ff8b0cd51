"""End to end: the real window watching the simulator over loopback sockets."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.gui import watch
from app.protocol.events import AfState
from app.rig import LinkState, Rig
from app.simulator import SimulatorThread
from app.ui.main_window import MainWindow

from .support import Runner, sim_call, wait_until

ILCE_7M4 = "D06CE05E3323"
ILCE_1 = "4A1B9C7E2F10"


def open_window(
    qapp: QApplication, url: str, **kw: float
) -> tuple[MainWindow, asyncio.Future]:
    window = MainWindow(Rig())
    window.resize(1600, 960)  # a laptop's window; the offscreen screen is tiny
    window.reset_layout()
    window.show()
    task = asyncio.ensure_future(watch(window, [url], poll_interval=0.5, **kw))
    return window, task


def state(window: MainWindow, url: str) -> LinkState | None:
    server = window.rig.servers.get(url)
    return server.state if server else None


async def cameras_up(window: MainWindow, count: int = 3) -> None:
    """Wait until the window has a card for each of ``count`` cameras and every
    camera's own stream is open (its events are attributed)."""
    cameras = window.rig.cameras
    await wait_until(lambda: len(window.cards) == count, what=f"{count} cards")
    await wait_until(lambda: len(cameras) == count and all(
        c.streaming for c in cameras.values()), what="camera streams")  # fmt: skip


async def close(window: MainWindow, task: asyncio.Future) -> None:
    window.close()
    window.deleteLater()
    QApplication.instance().lastWindowClosed.emit()  # type: ignore[union-attr]
    await asyncio.wait_for(task, 5)


def test_cards_focus_transfer_and_thumbnail(
    qapp, run: Runner, simulator: SimulatorThread
) -> None:
    """The photographer's first minute: cameras show up, focus, shoot, frames land."""

    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        await wait_until(lambda: len(window.cards) == 3, what="three camera cards")
        server = window.rig.servers[simulator.url]
        assert server.state == LinkState.OPEN
        assert "server 3.0.0" in window.status_label.text()

        card = window.cards[(simulator.url, ILCE_7M4)]
        await wait_until(lambda: "Connected" in card.state.text(), what="7M4 connected")
        cameras = window.rig.cameras
        await wait_until(
            lambda: all(c.streaming for c in cameras.values()), what="camera streams"
        )
        assert card.af.state == AfState.UNKNOWN
        await sim_call(simulator, simulator.simulator.set_af, ILCE_7M4, "focused")
        await wait_until(lambda: card.af.state == AfState.FOCUSED, what="AF focused")
        await sim_call(simulator, simulator.simulator.set_af, ILCE_7M4, "tracking")
        await wait_until(lambda: card.af.state == AfState.TRACKING, what="AF tracking")
        assert card.af.text() == "TRACKING"

        transfer_card = window.cards[(simulator.url, ILCE_1)]
        seen: list[int] = []
        transfer_card.progress.valueChanged.connect(seen.append)
        path: Path = await sim_call(simulator, simulator.simulator.shoot, ILCE_1)
        await wait_until(lambda: 100 in seen, what="the transfer bar reaching 100")
        assert seen == sorted(seen), "the bar went backwards"
        thumb = transfer_card.thumb
        await wait_until(
            lambda: thumb.accessibleDescription() == f"Frame 1: {path.name}",
            what="the ILCE-1 thumbnail",
        )
        assert not thumb.pixmap().isNull()
        assert path.name in transfer_card.caption.text()
        assert transfer_card.strip.count() == 1
        await wait_until(
            lambda: "×" in window.viewer.caption.text(), what="the large view"
        )
        assert path.name in window.viewer.caption.text()
        assert "ILCE-1" in window.viewer.caption.text()
        assert not window.viewer.pixmap().isNull()
        await close(window, task)

    run(scenario())


def test_handshake_after_reconnect_is_not_a_camera(
    qapp, run: Runner, tmp_path: Path
) -> None:
    """A restarted server greets again with 'connected': no phantom camera appears."""
    sim = SimulatorThread(
        auto=False, keepalive=1.0, session_dir=tmp_path / "s", cameras=[]
    )
    url = sim.start()
    port = int(url.rsplit(":", 1)[1])

    async def scenario() -> None:
        window, task = open_window(qapp, url)
        await wait_until(
            lambda: "No camera attached" in window.empty.text(), what="calm empty state"
        )
        assert "Connected to" in window.status_label.text()
        assert window.cards == {}
        sim.stop()
        await wait_until(
            lambda: "Offline" in window.status_label.text(), what="offline shown"
        )
        assert state(window, url) == LinkState.RETRYING
        assert window.retry_button.isVisible()
        again = SimulatorThread(
            auto=False,
            keepalive=1.0,
            port=port,
            cameras=[],
            session_dir=tmp_path / "s2",
        )
        again.start()
        try:
            window.retry_button.click()
            await wait_until(
                lambda: "Connected to" in window.status_label.text(),
                what="connected again",
            )
            await asyncio.sleep(0.5)
            assert window.cards == {}
            assert window.empty.isVisible()
        finally:
            again.stop()
        await close(window, task)

    run(scenario())


def test_card_shows_server_formatted_values_and_keeps_them_when_stale(
    qapp, run: Runner, simulator: SimulatorThread
) -> None:
    """A property change reaches the card; a failed refresh keeps the last known
    values, marked stale, rather than blanking them."""

    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        await wait_until(lambda: (simulator.url, ILCE_7M4) in window.cards)
        card = window.cards[(simulator.url, ILCE_7M4)]
        await wait_until(lambda: "ISO" in card.exposure.text(), what="exposure line")
        assert "Battery" in card.media.text() and "Slot 1" in card.media.text()
        await sim_call(simulator, simulator.simulator.change_property, ILCE_7M4,
                       "iso", "ISO 3200")  # fmt: skip
        await wait_until(lambda: "ISO 3200" in card.exposure.text(), what="new ISO")
        simulator.simulator.fail_requests(
            f"/api/cameras/{ILCE_7M4}/properties", count=-1
        )
        await sim_call(simulator, simulator.simulator.change_property, ILCE_7M4,
                       "iso", "ISO 6400")  # fmt: skip
        await wait_until(lambda: "(stale)" in card.exposure.text(), what="stale mark")
        assert "ISO 3200" in card.exposure.text()
        simulator.simulator.clear_failures()
        await sim_call(simulator, simulator.simulator.change_property, ILCE_7M4,
                       "overheating-state", "Overheating")  # fmt: skip
        await wait_until(lambda: "Overheating" in card.alerts.text(), what="heat alert")
        assert "(stale)" not in card.exposure.text()
        await close(window, task)

    run(scenario())
