"""What a photographer does with the cards: names them, orders them, moves
between them with the keyboard, dismisses warnings, and sees focus change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from app.protocol import events as ev
from app.protocol.rest import CameraInfo
from app.rig import Rig
from app.ui.af_indicator import AfIndicator
from app.ui.camera_card import CameraCard
from app.ui.main_window import MainWindow
from app.ui.theme import apply_theme

URL = "http://studio:8080"
BODIES = [CameraInfo("B2", "ILCE-1", "Network", True),
          CameraInfo("A9", "ILCE-9M3", "USB", True),
          CameraInfo("C1", "ILCE-7M4", "USB", True),
          CameraInfo("D4", "ILCE-7RM5", "USB", True)]  # fmt: skip


@pytest.fixture
def windows(qtbot: QtBot) -> Iterator[list[MainWindow]]:
    """Windows over a rig of four bodies, deleted on this thread at the end."""
    made: list[MainWindow] = []
    yield made
    for window in made:
        window.close()
        shiboken6.delete(window)


def open_rig_window(windows: list[MainWindow], qtbot: QtBot) -> MainWindow:
    rig = Rig()
    window = MainWindow(rig)
    windows.append(window)
    window.resize(1600, 960)
    window.reset_layout()
    window.show()
    qtbot.waitExposed(window)
    rig.update_cameras(URL, BODIES)
    qtbot.waitUntil(lambda: len(window.cards) == len(BODIES), timeout=5000)
    # Placed in the grid (a card can take the keyboard focus once it shows).
    qtbot.waitUntil(lambda: all(c.isVisible() for c in window.cards.values()))
    return window


def card_of(window: MainWindow, camera_id: str) -> CameraCard:
    return window.cards[(URL, camera_id)]


def test_a_nickname_is_shown_and_kept_for_that_camera(
    qtbot: QtBot, windows: list[MainWindow]
) -> None:
    window = open_rig_window(windows, qtbot)
    window.rename((URL, "C1"), "  Left   35mm ")
    card = card_of(window, "C1")
    assert card.title.text() == "Left 35mm"
    assert "ILCE-7M4" in card.ident.text(), "the model is still shown under it"
    assert "Left 35mm" in card.accessibleName()

    again = open_rig_window(windows, qtbot)  # the next day, same camera id
    assert card_of(again, "C1").title.text() == "Left 35mm"
    assert card_of(again, "B2").title.text() == "ILCE-1"
    again.rename((URL, "C1"), "")
    assert card_of(again, "C1").title.text() == "ILCE-7M4"


def test_rename_dialog_from_f2(qtbot: QtBot, windows: list[MainWindow]) -> None:
    window = open_rig_window(windows, qtbot)
    card = card_of(window, "A9")
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.findChild(QInputDialog) is not None, timeout=5000)
    dialog = window.findChild(QInputDialog)
    assert "ILCE-9M3 A9" in dialog.labelText()
    dialog.setTextValue("Overhead")
    dialog.accept()
    qtbot.waitUntil(lambda: card.title.text() == "Overhead", timeout=5000)


def test_the_card_order_is_kept(qtbot: QtBot, windows: list[MainWindow]) -> None:
    window = open_rig_window(windows, qtbot)
    names = [c.title.text() for c in window.ordered_cards()]
    assert names == ["ILCE-1", "ILCE-7M4", "ILCE-7RM5", "ILCE-9M3"]
    window.order_actions["id"].trigger()
    assert [c.key[1] for c in window.ordered_cards()] == ["A9", "B2", "C1", "D4"]

    again = open_rig_window(windows, qtbot)
    assert again.order_actions["id"].isChecked()
    assert [c.key[1] for c in again.ordered_cards()] == ["A9", "B2", "C1", "D4"]


def test_arrow_keys_move_between_cards_in_the_grid(
    qtbot: QtBot, windows: list[MainWindow]
) -> None:
    window = open_rig_window(windows, qtbot)
    qtbot.waitUntil(lambda: window._columns >= 2, timeout=5000)
    cards = window.ordered_cards()
    cards[0].setFocus()
    qtbot.waitUntil(cards[0].hasFocus, timeout=5000)
    qtbot.keyClick(cards[0], Qt.Key.Key_Right)
    assert cards[1].hasFocus()
    qtbot.keyClick(cards[1], Qt.Key.Key_Left)
    assert cards[0].hasFocus()
    qtbot.keyClick(cards[0], Qt.Key.Key_Down)
    assert cards[window._columns].hasFocus()
    qtbot.keyClick(cards[window._columns], Qt.Key.Key_Down)  # no row below: stays
    assert cards[window._columns].hasFocus()


def test_a_warning_shows_until_dismissed_and_stays_in_the_log(
    qtbot: QtBot, windows: list[MainWindow]
) -> None:
    window = open_rig_window(windows, qtbot)
    card = card_of(window, "B2")
    warning = ev.CameraWarning(name="cameraWarning", code="0x2007",
                               message="Card full", is_error=False)  # fmt: skip
    window.rig.apply(URL, "B2", warning)
    qtbot.waitUntil(lambda: "Card full" in card.notice.text(), timeout=5000)
    assert card.dismiss.isVisibleTo(card)
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: not card.notice.isVisibleTo(card), timeout=5000)
    assert any("Card full" in entry.summary for entry in window.rig.log)

    window.rig.apply(URL, "B2", warning)  # the camera says it again: shown again
    qtbot.waitUntil(lambda: card.notice.isVisibleTo(card), timeout=5000)
    qtbot.mouseClick(card.dismiss, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not card.notice.isVisibleTo(card), timeout=5000)


def test_a_change_of_focus_flashes_then_settles(
    qtbot: QtBot, windows: list[MainWindow]
) -> None:
    window = open_rig_window(windows, qtbot)
    af = card_of(window, "D4").af
    assert not af.flashing
    window.rig.apply(URL, "D4", ev.AfChanged(name="afStatus", state=ev.AfState.FOCUSED))
    qtbot.waitUntil(lambda: af.text() == "FOCUSED", timeout=5000)
    assert af.flashing
    qtbot.waitUntil(lambda: not af.flashing, timeout=5000)
    assert af.accessibleName() == "Autofocus: focused"


def test_the_light_theme_is_kept(
    qtbot: QtBot, qapp: QApplication, windows: list[MainWindow]
) -> None:
    window = open_rig_window(windows, qtbot)
    try:
        window.theme_actions["light"].trigger()
        assert "light theme" in qapp.styleSheet()
        again = open_rig_window(windows, qtbot)
        assert again.theme_actions["light"].isChecked()
    finally:
        apply_theme(qapp, "dark")
    assert "dark theme" in qapp.styleSheet()


def test_a_theme_change_repaints_the_af_indicators_on_screen(
    qtbot: QtBot, qapp: QApplication, windows: list[MainWindow]
) -> None:
    """The AF disc on screen takes the light theme's darker green at once."""
    window = open_rig_window(windows, qtbot)
    af = card_of(window, "D4").af
    window.rig.apply(URL, "D4", ev.AfChanged(name="afStatus", state=ev.AfState.FOCUSED))
    qtbot.waitUntil(lambda: af.text() == "FOCUSED", timeout=5000)
    qtbot.waitUntil(lambda: not af.flashing, timeout=5000)

    def disc_colour() -> str:  # as shown: the window's pixels, not a fresh render
        side = af.height() - 8
        at = af.mapTo(window, QPoint(4 + side // 2, 4 + side // 5))
        shown = QGuiApplication.primaryScreen().grabWindow(window.winId()).toImage()
        return shown.pixelColor(at * shown.devicePixelRatio()).name()

    qtbot.waitUntil(lambda: disc_colour() == "#2ecc71", timeout=5000)
    try:
        window.theme_actions["light"].trigger()
        qtbot.waitUntil(lambda: disc_colour() == "#137a3c", timeout=5000)
    finally:
        apply_theme(qapp, "dark")


def test_every_control_has_a_name_a_screen_reader_can_say(
    qtbot: QtBot, windows: list[MainWindow]
) -> None:
    window = open_rig_window(windows, qtbot)
    controls = window.findChildren(QAbstractButton) + window.findChildren(AfIndicator)
    controls += [card for card in window.cards.values()]
    controls = [c for c in controls if not c.objectName().startswith("qt_")]  # Qt's
    assert len(controls) >= 10
    unnamed = [c for c in controls if not (c.accessibleName() or getattr(c, "text",
               lambda: "")())]  # fmt: skip
    assert not unnamed, f"controls without a name: {unnamed}"
