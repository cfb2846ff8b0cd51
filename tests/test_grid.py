"""The grid of cards: how many fit, in which layout, in which order."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.protocol import events as ev
from app.protocol.rest import CameraInfo
from app.rig import Frame, Rig
from app.simulator import SimulatorThread, make_cameras
from app.ui.main_window import MainWindow, rig_summary

from .support import Runner, wait_until
from .test_window import close, open_window


@pytest.mark.parametrize("count", [1, 3, 8, 16])
def test_one_to_sixteen_cameras_fit_a_1080p_screen_without_scrolling(
    qapp: QApplication, run: Runner, tmp_path: Path, count: int
) -> None:
    sim = SimulatorThread(auto=False, keepalive=1.0, cameras=make_cameras(count),
                          session_dir=tmp_path / "s")  # fmt: skip
    sim.start()

    async def scenario() -> None:
        window, task = open_window(qapp, sim.url)
        window.resize(1920, 1080)
        window.reset_layout()  # as a new window opens on such a screen
        await wait_until(lambda: len(window.cards) == count, what=f"{count} cards")
        cards = window.cards.values()
        await wait_until(lambda: all("ISO" in c.exposure.text() for c in cards),
                         what="properties on every card")  # fmt: skip
        window._relayout()
        await asyncio.sleep(0.2)  # let the layout settle
        viewport = window._scroll.viewport()
        assert window._scroll.verticalScrollBar().maximum() == 0, "the grid scrolls"
        for card in window.cards.values():
            corner = card.mapTo(viewport, card.rect().bottomRight())
            assert viewport.rect().contains(corner), f"{card.title.text()} is cut off"
        compact = {card.compact for card in window.cards.values()}
        if count <= 3:
            assert compact == {False}, "a few cameras get full cards with pictures"
        if count == 16:
            assert compact == {True}, "sixteen cameras get the dense layout"
        await close(window, task)

    try:
        run(scenario())
    finally:
        sim.stop()


def test_cards_are_ordered_by_name_or_by_id(qapp: QApplication) -> None:
    rig = Rig()
    url = "http://h:8080"
    window = MainWindow(rig)
    rig.update_cameras(url, [CameraInfo("B2", "ILCE-1", "USB", True),
                             CameraInfo("A9", "ILCE-9M3", "USB", True),
                             CameraInfo("C1", "ILCE-7M4", "USB", True)])  # fmt: skip
    window.bridge._flush()
    assert [c.key[1] for c in window.ordered_cards()] == ["B2", "C1", "A9"]
    window.order = "id"
    assert [c.key[1] for c in window.ordered_cards()] == ["A9", "B2", "C1"]
    window.close()


def test_rig_summary_line() -> None:
    rig = Rig()
    url = "http://h:8080"
    rig.update_cameras(
        url, [CameraInfo(str(n), "ILCE-1", "USB", n < 6) for n in range(8)]
    )
    for n in range(5):
        rig.apply(url, str(n), ev.AfChanged(name="afStatus", state=ev.AfState.FOCUSED))
    camera = rig.cameras[(url, "0")]
    camera.shots = 312
    now = datetime.now()
    camera.frames.appendleft(
        Frame(camera.key, "/x/DSC1.JPG", 312, now - timedelta(seconds=2))
    )
    assert (
        rig_summary(rig, now) == "6/8 connected · 5 focused · 312 frames · last 2 s ago"
    )


def test_cameras_a_server_stops_naming_leave_the_grid_and_the_alerts(
    qapp: QApplication, run: Runner
) -> None:
    """A server naming 64 new cameras in every answer: the window keeps at most
    64 cards from it, the cards of forgotten cameras go, and so do their alerts."""
    from app.alerts import Thresholds
    from app.rig import MAX_CAMERAS

    from .test_rest_limits import LISTS, _new_ids_each_time, hostile_server

    async def scenario() -> None:
        async with hostile_server(_new_ids_each_time) as (url, app):
            window, task = open_window(qapp, url)
            window.alerts.thresholds = Thresholds(camera_lost=0.0, reconnect_settle=0.0)
            await wait_until(lambda: len(app[LISTS]) >= 5, timeout=20,
                             what="five camera lists")  # fmt: skip
            await wait_until(lambda: set(window.cards) == set(window.rig.cameras),
                             what="the grid as the rig")  # fmt: skip
            assert len(window.cards) <= MAX_CAMERAS
            window.alerts.check()
            flagged = window.alerts.flagged_cameras()
            assert flagged <= set(window.rig.cameras), "alerts of forgotten cameras"
            await close(window, task)

    run(scenario(), timeout=60)
