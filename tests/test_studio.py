"""Studio mode: the screen across the room, over the simulator and the real window."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from app.alerts import Thresholds
from app.cli import build_parser
from app.protocol.events import AfState
from app.simulator import SimulatorThread, make_cameras
from app.ui.main_window import MainWindow
from app.ui.theme import apply_theme

from .support import Runner, sim_call, wait_until
from .test_window import ILCE_1, ILCE_7M4, close, open_window


def studio_on(window: MainWindow) -> None:
    window.resize(1920, 1080)
    window.set_studio(True, full_screen=False)  # the offscreen screen is tiny


def test_studio_tiles_follow_the_cameras_and_the_picture_follows_downloads(
    qapp: QApplication, run: Runner, simulator: SimulatorThread
) -> None:
    apply_theme(qapp, "dark")  # as the application does: the sizes are the theme's

    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        window.alerts.thresholds = Thresholds(camera_lost=0.5, reconnect_settle=0.5)
        await wait_until(lambda: len(window.cards) == 3, what="three cards")
        studio_on(window)
        studio = window.studio
        assert studio.isVisible() and not window._normal_view.isVisible()
        assert not window.menuBar().isVisible() and not window.statusBar().isVisible()
        await wait_until(lambda: len(studio.tiles) == 3, what="a tile per camera")
        assert {t.name.text() for t in studio.tiles.values()} == {
            c.model for c in window.rig.cameras.values()}  # fmt: skip
        cameras = window.rig.cameras
        await wait_until(lambda: all(c.streaming for c in cameras.values()),
                         what="camera streams")  # fmt: skip
        await wait_until(lambda: "3/3 connected" in studio.summary.text(),
                         what="the rig's line")  # fmt: skip

        tile = studio.tiles[(simulator.url, ILCE_7M4)]
        await sim_call(simulator, simulator.simulator.set_af, ILCE_7M4, "focused")
        await wait_until(lambda: tile.af.state == AfState.FOCUSED, what="AF focused")
        await sim_call(simulator, simulator.simulator.set_af, ILCE_7M4, "tracking")
        await wait_until(lambda: tile.af.text() == "TRACKING", what="AF tracking")
        other = studio.tiles[(simulator.url, ILCE_1)]
        assert other.af.state == AfState.UNKNOWN, "the other tiles keep their own"

        for camera_id, model in ((ILCE_7M4, "ILCE-7M4"), (ILCE_1, "ILCE-1")):
            path: Path = await sim_call(simulator, simulator.simulator.shoot, camera_id)
            await wait_until(
                lambda path=path, model=model: (
                    f"{model}  ·  #1  {path.name}"
                    in studio.picture.accessibleDescription()
                    and studio.picture.pixmap() is not None
                    and not studio.picture.pixmap().isNull()
                ),
                what=f"{path.name} large in the studio view",
            )
        assert "#1" in studio.caption.text() and "ILCE-1" in studio.caption.text()
        picture = studio.picture.pixmap().deviceIndependentSize()
        assert picture.width() > 1000, "the latest frame is shown large"

        await sim_call(simulator, simulator.simulator.unplug, ILCE_1)
        await wait_until(lambda: "LOST" in other.state.text(), what="LOST on the tile")
        await wait_until(lambda: other.property("alert") in ("a", "b"),
                         what="the lost camera's tile flashing")  # fmt: skip
        await wait_until(lambda: "LOST" in other.alert.text(), what="the alert word")
        [row] = window.alert_banner.rows()
        assert window.alert_banner.isVisible(), "the alerts stay in studio mode"
        assert row.text.fontInfo().pixelSize() >= 24, "alerts readable from afar"

        window.set_studio(False)
        assert row.text.fontInfo().pixelSize() < 24, "normal print again"
        assert window._normal_view.isVisible() and not studio.isVisible()
        assert window.menuBar().isVisible() and window.statusBar().isVisible()
        assert all(card.isVisible() for card in window.cards.values())
        assert window.viewer.frame is not None and window.viewer.frame.path == str(path)
        await close(window, task)

    run(scenario())


def test_sixteen_tiles_fit_a_1080p_screen_with_the_picture_large(
    qapp: QApplication, run: Runner, tmp_path: Path
) -> None:
    sim = SimulatorThread(auto=False, keepalive=1.0, cameras=make_cameras(16),
                          session_dir=tmp_path / "s")  # fmt: skip
    sim.start()

    apply_theme(qapp, "dark")  # as the application does: the sizes are the theme's

    async def scenario() -> None:
        window, task = open_window(qapp, sim.url)
        studio_on(window)
        studio = window.studio
        await wait_until(lambda: len(studio.tiles) == 16, what="16 tiles")
        tiles = studio.tiles.values()
        await wait_until(lambda: all("Battery" in t.battery.text()
                                     and "?" not in t.battery.text() for t in tiles),
                         what="properties on every tile")  # fmt: skip
        await asyncio.sleep(0.2)  # let the layout settle
        screen = studio.rect()
        assert screen.width() >= 1900, "the studio view takes the whole width"
        rects: list[QRect] = []
        for tile in tiles:
            rect = QRect(tile.mapTo(studio, tile.rect().topLeft()), tile.size())
            assert screen.contains(rect), f"{tile.name.text()} is cut off"
            assert all(not rect.intersects(r) for r in rects), "tiles overlap"
            rects.append(rect)
            assert tile.name.fontInfo().pixelSize() >= 24, "names readable from afar"
            assert tile.af.height() >= 48, "a big focus indicator"
            words = tile.af.fontMetrics()
            assert words.horizontalAdvance(tile.name.text()) < tile.width()
        assert len({r.top() for r in rects}) == 2, "16 cameras take two rows"
        assert studio.summary.fontInfo().pixelSize() >= 30
        assert studio.picture.height() >= 400, "room left for the picture"
        await close(window, task)

    try:
        run(scenario())
    finally:
        sim.stop()


def test_keys_enter_and_leave_studio_mode(
    qapp: QApplication, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        window.activateWindow()
        await wait_until(lambda: QApplication.activeWindow() is window,
                         what="the window active")  # fmt: skip
        modifiers = (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
        QTest.keyClick(window, Qt.Key.Key_S, modifiers)
        await wait_until(lambda: window.studio_mode, what="studio mode from the keys")
        assert window.studio_action.isChecked()
        assert window.isFullScreen()
        QTest.keyClick(window, Qt.Key.Key_Escape)
        await wait_until(lambda: not window.studio_mode, what="Esc leaving it")
        assert not window.isFullScreen() and window.menuBar().isVisible()
        window.studio_action.trigger()  # View → Studio Mode
        assert window.studio_mode
        QTest.keyClick(window, Qt.Key.Key_F11)
        await wait_until(lambda: not window.studio_mode, what="F11 leaving it")
        assert not window.isFullScreen()
        QTest.keyClick(window, Qt.Key.Key_Escape)  # Esc outside studio: nothing
        assert not window.studio_mode
        QTest.keyClick(window, Qt.Key.Key_F11)  # outside studio: full screen
        await wait_until(window.isFullScreen, what="F11 going full screen")
        assert not window.studio_mode and window.menuBar().isVisible()
        QTest.keyClick(window, Qt.Key.Key_F11)
        await wait_until(lambda: not window.isFullScreen(), what="F11 back")
        await close(window, task)

    run(scenario())


def test_studio_on_the_command_line() -> None:
    assert build_parser().parse_args(["--studio"]).studio
    assert not build_parser().parse_args([]).studio


def test_quit_and_settings_keys_work_in_studio_mode(qapp: QApplication, qtbot) -> None:
    # Studio mode hides the menu bar; its keys must not go with it.
    from app.rig import Rig

    window = MainWindow(Rig())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    studio_on(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    QTest.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.findChild(QDialog) is not None, timeout=3000)
    window.findChild(QDialog).close()
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)


def test_tiles_of_a_server_no_longer_watched_go(
    qapp: QApplication, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        await wait_until(lambda: len(window.cards) == 3, what="three cards")
        studio_on(window)
        await wait_until(lambda: len(window.studio.tiles) == 3, what="three tiles")
        await window.watchers.set_urls([])  # the server removed in Settings
        await wait_until(lambda: not window.studio.tiles, what="the tiles gone")
        await close(window, task)

    run(scenario())
