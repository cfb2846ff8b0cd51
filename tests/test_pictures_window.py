"""Pictures in the window: placeholders that say why, the loader's cancelling."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.ui.thumbnails import ThumbnailLoader

from .support import Runner, sim_call, wait_until
from .test_window import cameras_up, close, open_window

CAMERA = "D06CE05E3323"


def test_frame_that_is_no_image_gets_a_placeholder_and_a_log_line(
    qapp: QApplication, run: Runner, simulator, tmp_path: Path
) -> None:
    """Garbage saved under a camera's name: the card says so, nothing breaks,
    and the next good frame shows normally."""
    bad = tmp_path / "DSC00001.JPG"
    bad.write_bytes(os.urandom(20_000))

    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        await cameras_up(window)
        data = {"filename": str(bad), "type": "image"}
        await sim_call(
            simulator, simulator.simulator.emit, CAMERA, "downloadComplete", data
        )
        card = window.cards[(simulator.url, CAMERA)]
        await wait_until(
            lambda: "not an image" in card.thumb.accessibleDescription(),
            what="a placeholder saying 'not an image'",
        )
        assert any("no picture for DSC00001.JPG" in e.summary for e in window.rig.log)
        good = await sim_call(simulator, simulator.simulator.shoot, CAMERA)
        await wait_until(
            lambda: card.thumb.accessibleDescription() == f"Frame 2: {good.name}",
            what="the next good frame",
        )
        assert card.strip.count() == 2
        await close(window, task)

    run(scenario())


def test_newer_frame_in_the_same_place_cancels_the_older_decode(
    qapp: QApplication, run: Runner, tmp_path: Path
) -> None:
    """A frame still being written when a newer one lands is not decoded for a
    place that now shows the newer one."""
    growing = tmp_path / "DSC00001.JPG"
    growing.write_bytes(b"")  # stays empty: the decode keeps waiting
    newer = tmp_path / "DSC00002.PNG"
    from PIL import Image

    Image.new("RGB", (64, 48), (0, 128, 0)).save(newer, "PNG")
    loader = ThumbnailLoader(threads=1, wait=30.0)
    ready: list[str] = []
    failed: list[str] = []
    loader.ready.connect(lambda path, edge, picture: ready.append(path))
    loader.failed.connect(lambda path, edge, problem, why: failed.append(path))

    async def scenario() -> None:
        assert loader.request(str(growing), 64, group="card") is None
        await asyncio.sleep(0.3)  # the worker is now waiting on the empty file
        assert loader.request(str(newer), 64, group="card") is None
        await wait_until(lambda: ready == [str(newer)], what="the newer frame")
        await asyncio.sleep(0.3)
        assert failed == [] and ready == [str(newer)]

    run(scenario())
    loader.shutdown()


def test_a_decode_two_places_wait_for_survives_one_moving_on(
    qapp: QApplication, run: Runner, tmp_path: Path
) -> None:
    """The large view and the studio view ask for the same picture; when one
    steps to another frame, the other still gets it."""
    from PIL import Image

    growing = tmp_path / "DSC00001.JPG"
    growing.write_bytes(b"")  # still being written
    other = tmp_path / "DSC00000.PNG"
    Image.new("RGB", (64, 48), (0, 0, 128)).save(other, "PNG")
    loader = ThumbnailLoader(threads=1, wait=30.0)
    ready: list[str] = []
    loader.ready.connect(lambda path, edge, picture: ready.append(path))

    async def scenario() -> None:
        assert loader.request(str(growing), 64, group="viewer") is None
        assert loader.request(str(growing), 64, group="studio") is None
        await asyncio.sleep(0.3)
        assert loader.request(str(other), 64, group="viewer") is None  # steps back
        Image.new("RGB", (64, 48), (0, 128, 0)).save(growing, "JPEG")  # written
        await wait_until(lambda: str(growing) in ready, what="the studio's picture")

    run(scenario())
    loader.shutdown()


def test_every_frame_without_a_picture_is_said_once_even_when_overtaken(
    qapp: QApplication, run: Runner, simulator, tmp_path: Path
) -> None:
    """Bad files landing back to back: each one is in the log once, though
    newer frames took their place on the card before they failed."""
    bad = []
    for n in range(4):
        path = tmp_path / f"DSC0000{n}.JPG"
        path.write_bytes(os.urandom(5_000 + n))
        bad.append(path)

    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        await cameras_up(window)
        for path in bad:
            data = {"filename": str(path), "type": "image"}
            await sim_call(
                simulator, simulator.simulator.emit, CAMERA, "downloadComplete", data
            )

        def said() -> list[str]:
            return [e.summary for e in window.rig.log if e.type == "picture"]

        await wait_until(lambda: all(any(p.name in s for s in said()) for p in bad),
                         what="every bad frame in the log")  # fmt: skip
        await asyncio.sleep(0.5)
        for path in bad:
            assert sum(path.name in s for s in said()) == 1, said()
        assert all(e.camera == CAMERA for e in window.rig.log if e.type == "picture")
        await close(window, task)

    run(scenario())


def test_before_the_first_frame_the_large_view_says_where_it_will_be(
    qapp: QApplication, qtbot
) -> None:
    from app.rig import Rig
    from app.ui.main_window import MainWindow

    window = MainWindow(Rig())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.resize(window.width() - 40, window.height() - 40)  # laid out again
    qapp.processEvents()
    assert window.viewer.canvas.text() == "The latest frame appears here"


def test_a_frame_still_loading_never_shows_the_picture_before_it(
    qapp: QApplication, run: Runner, simulator, tmp_path: Path
) -> None:
    """A good frame, then one whose file is not written yet: within a moment the
    large view says the new one is loading, under its own name, and Open no
    longer opens the frame before."""
    waiting = tmp_path / "DSC09999.JPG"  # not there yet: waited for 10 s

    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        await cameras_up(window)
        viewer = window.viewer
        good = await sim_call(simulator, simulator.simulator.shoot, CAMERA)
        await wait_until(
            lambda: not viewer.pixmap().isNull() and good.name in viewer.caption.text(),
            what="the good frame large",
        )
        assert viewer.open_button.isEnabled()
        data = {"filename": str(waiting), "type": "image"}
        await sim_call(
            simulator, simulator.simulator.emit, CAMERA, "downloadComplete", data
        )
        await wait_until(lambda: viewer.canvas.text() == "Loading DSC09999.JPG…",
                         what="the new frame said to be loading")  # fmt: skip
        assert viewer.pixmap().isNull(), "the frame before is no longer shown"
        assert viewer.caption.text().startswith("DSC09999.JPG")
        assert not viewer.open_button.isEnabled()
        await close(window, task)

    run(scenario())


def test_a_path_with_a_lone_surrogate_gets_its_placeholder_and_log_line(
    qapp: QApplication, run: Runner, simulator, tmp_path: Path
) -> None:
    """JSON may carry "\\udcff", which no Qt string can hold: the answer for the
    frame must still find the frame (it was left 'still being written')."""
    odd = str(tmp_path / "DSC\udcff0001.JPG")

    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        window.loader.wait = 1.0  # a missing file is not waited for 10 s here
        await cameras_up(window)
        data = {"filename": odd, "type": "image"}
        await sim_call(
            simulator, simulator.simulator.emit, CAMERA, "downloadComplete", data
        )
        card = window.cards[(simulator.url, CAMERA)]
        await wait_until(
            lambda: "not found" in card.thumb.accessibleDescription().lower(),
            timeout=20,
            what="the placeholder of a file that is not there",
        )
        assert any("no picture for DSC" in e.summary for e in window.rig.log)
        await close(window, task)

    run(scenario(), timeout=40)


def test_the_large_view_swaps_pictures_without_a_blink_and_holds_through_a_burst(
    qtbot,
) -> None:
    """A picture ready within the grace replaces the one before directly; frames
    landing faster than they decode keep the last picture up, under its own
    caption, and once they stop the newest is said to be loading."""
    from datetime import datetime

    from PySide6.QtGui import QColor, QImage

    from app.rig import Frame
    from app.ui.viewer import SWAP_GRACE_MS, FrameViewer

    viewer = FrameViewer()
    qtbot.addWidget(viewer)
    viewer.resize(800, 600)
    viewer.show()
    qtbot.waitExposed(viewer)

    def frame(n: int) -> Frame:
        return Frame(("http://h:8080", "A"), f"/x/DSC{n:05d}.JPG", n, datetime.now())

    def picture(colour: str) -> QImage:
        image = QImage(300, 200, QImage.Format.Format_RGB32)
        image.fill(QColor(colour))
        return image

    first, second = frame(1), frame(2)
    viewer.add(first)
    viewer.set_picture(first.path, picture("red"), local_path="/x/DSC00001.JPG")
    viewer.add(second)
    assert not viewer.pixmap().isNull(), "the picture before stays up"
    assert viewer.caption.text().startswith("DSC00001.JPG"), "under its own name"
    viewer.set_picture(second.path, picture("blue"))
    assert viewer.caption.text().startswith("DSC00002.JPG")
    qtbot.wait(SWAP_GRACE_MS + 100)
    assert not viewer.pixmap().isNull(), "no 'Loading' after the picture came"

    for n in range(3, 8):  # a burst: a frame every 50 ms, none decoded in time
        viewer.add(frame(n))
        qtbot.wait(50)
        assert not viewer.pixmap().isNull()
        assert viewer.caption.text().startswith("DSC00002.JPG")
    qtbot.waitUntil(lambda: viewer.canvas.text() == "Loading DSC00007.JPG…",
                    timeout=2000)  # fmt: skip
    assert viewer.caption.text().startswith("DSC00007.JPG")
