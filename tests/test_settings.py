"""Settings that last: kept with QSettings (in tmp_path, see conftest), edited in
the dialog with inline messages, applied while watching, overridden by the
command line for one run and never written back."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.config import Config, check_server_url, for_run
from app.rig import Rig
from app.settings import Preferences
from app.simulator import SimulatorThread
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog

from .support import Runner, sim_call, wait_until
from .test_headless import Lines, headless, stop
from .test_servers import open_on, quiet_simulator
from .test_window import cameras_up, close, open_window

ILCE_7M4 = "D06CE05E3323"


def settings_file() -> Path:
    return Path(os.environ["TETHER_MONITOR_SETTINGS"])


def click(dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> None:
    dialog.buttons.button(which).click()


Apply = QDialogButtonBox.StandardButton.Apply
Ok = QDialogButtonBox.StandardButton.Ok
Cancel = QDialogButtonBox.StandardButton.Cancel


def test_settings_last_across_new_preferences() -> None:
    prefs = Preferences()
    assert prefs.config() == Config(), "a first start has the defaults"
    prefs.servers = ["studio-a:8080", "http://studio-b:8080/"]
    prefs.path_mappings = [("C:\\Users\\ph\\Shoot", "/Volumes/Shoot")]
    prefs.poll_interval = 2.5
    prefs.stall_timeout = 60
    prefs.thumbnail_size = 96
    prefs.alert_desktop = False
    prefs.alert_sound = True
    prefs.alert_battery_percent = 20
    prefs.alert_card_shots = 100
    prefs.alert_transfer_stall = 45
    again = Preferences()  # as on the next start: read from the file
    assert again.servers == ["http://studio-a:8080", "http://studio-b:8080"]
    assert again.path_mappings == [("C:\\Users\\ph\\Shoot", "/Volumes/Shoot")]
    assert (again.poll_interval, again.stall_timeout) == (2.5, 60)
    assert again.thumbnail_size == 96
    alerts = again.config().alerts
    assert (alerts.desktop, alerts.sound) == (False, True)
    assert (alerts.battery_percent, alerts.card_shots) == (20, 100)
    assert alerts.transfer_stall == 45
    assert settings_file().is_file()


def test_bad_values_are_refused_and_bad_stored_ones_read_as_defaults() -> None:
    prefs = Preferences()
    with pytest.raises(ValueError, match=r"from 0\.2 to 300"):
        prefs.poll_interval = 0
    with pytest.raises(ValueError, match="from 31 to 3600 s, got 5"):
        prefs.stall_timeout = 5
    with pytest.raises(ValueError, match="line 2: 'http://': the address names no"):
        prefs.servers = ["ok:8080", "http://"]
    with pytest.raises(ValueError, match="SERVER=LOCAL"):
        prefs.path_mappings = [("", "/x")]
    with pytest.raises(ValueError, match="listed twice"):
        prefs.servers = ["a:1", "http://a:1/"]
    assert prefs.servers == [] and prefs.poll_interval == 5.0  # nothing stored
    raw = QSettings(str(settings_file()), QSettings.Format.IniFormat)
    raw.setValue("watch/pollInterval", "soon")
    raw.setValue("alerts/batteryPercent", 500)
    raw.setValue("alerts/sound", "perhaps")
    raw.beginWriteArray("servers", 2)
    raw.setArrayIndex(0)
    raw.setValue("url", "http://good:8080")
    raw.setArrayIndex(1)
    raw.setValue("url", "not a url at all")
    raw.endArray()
    raw.sync()
    again = Preferences()
    assert again.poll_interval == 5.0
    assert again.alert_battery_percent == 15
    assert again.alert_sound is False
    assert again.servers == ["http://good:8080"]


def test_server_addresses_are_normalized_or_refused_with_a_reason() -> None:
    assert check_server_url(" studio:8080/ ") == "http://studio:8080"
    assert check_server_url("https://10.0.0.2:8443") == "https://10.0.0.2:8443"
    for bad, why in (("ftp://x", "http"), ("http://x:99999", "valid"),
                     ("http://my host", "spaces"), ("", "empty")):  # fmt: skip
        with pytest.raises(ValueError, match=why):
            check_server_url(bad)


def test_dialog_says_what_is_wrong_inline_and_stores_nothing(qtbot: QtBot) -> None:
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    dialog = window.open_settings()
    qtbot.waitExposed(dialog)
    assert not dialog.isModal(), "events keep flowing while it is open"
    dialog.servers_edit.setPlainText("studio-a:8080\nhttp://studio b:8080")
    assert dialog.servers_error.isVisible(), "said while typing"
    click(dialog, Apply)
    assert "Line 2" in dialog.servers_error.text()
    assert "spaces" in dialog.servers_error.text()
    assert Preferences().servers == []
    dialog.servers_edit.setPlainText("studio-a:8080\nstudio-b:8080")
    assert not dialog.servers_error.isVisible()
    dialog.mappings_edit.setPlainText("C:\\Shoot /Volumes/Shoot")
    click(dialog, Ok)
    assert dialog.isVisible(), "OK with a bad field keeps the dialog open"
    assert "SERVER=LOCAL" in dialog.mappings_error.text()
    assert Preferences().servers == [], "nothing stored while any field is wrong"
    dialog.mappings_edit.setPlainText("C:\\Shoot=/Volumes/Shoot")
    click(dialog, Ok)
    assert not dialog.isVisible()
    assert Preferences().servers == ["http://studio-a:8080", "http://studio-b:8080"]
    assert Preferences().path_mappings == [("C:\\Shoot", "/Volumes/Shoot")]
    assert window.loader.mappings == [("C:\\Shoot", "/Volumes/Shoot")], "at once"


def test_dialog_stores_each_choice_and_cancel_stores_none(qtbot: QtBot) -> None:
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    dialog = window.open_settings()
    dialog.poll_spin.setValue(2)
    dialog.stall_spin.setValue(90)
    dialog.thumb_spin.setValue(120)
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("light"))
    dialog.desktop_check.setChecked(False)
    dialog.sound_check.setChecked(True)
    dialog.battery_spin.setValue(25)
    dialog.card_spin.setValue(200)
    dialog.transfer_spin.setValue(60)
    click(dialog, Apply)
    prefs = Preferences()
    assert (prefs.poll_interval, prefs.stall_timeout) == (2, 90)
    assert prefs.thumbnail_size == 120
    assert prefs.theme == "light" and window.theme_actions["light"].isChecked()
    assert (prefs.alert_desktop, prefs.alert_sound) == (False, True)
    assert (prefs.alert_battery_percent, prefs.alert_card_shots) == (25, 200)
    assert prefs.alert_transfer_stall == 60
    dialog.poll_spin.setValue(9)
    click(dialog, Cancel)
    assert Preferences().poll_interval == 2
    # The next window (the next start) uses the thumbnail size.
    again = MainWindow(Rig())
    qtbot.addWidget(again)
    assert again.strip_edge == 120
    reopened = again.open_settings()
    assert reopened.poll_spin.value() == 2 and reopened.thumb_spin.value() == 120
    window.set_theme("dark")


def test_thumbnail_size_applies_to_the_filmstrips_at_once(
    qapp, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        await cameras_up(window)
        key = (simulator.url, ILCE_7M4)
        card = await wait_until(lambda: window.cards.get(key), what="the 7M4 card")
        await sim_call(simulator, simulator.simulator.shoot, ILCE_7M4)
        await wait_until(lambda: card.strip.count() == 1, what="a frame in the strip")
        path = card.strip_paths()[0]
        await wait_until(lambda: window.loader.cached(path, 72), what="72 px icon")
        assert card.strip.iconSize().width() == 72
        dialog = window.open_settings()
        dialog.thumb_spin.setValue(120)
        click(dialog, Ok)
        assert card.strip.iconSize().width() == 120
        await wait_until(
            lambda: (
                max(s.width() for s in card.strip.item(0).icon().availableSizes()) > 72
            ),
            what="the frame decoded again, larger",
        )
        assert window.loader.cached(path, 120) is not None
        await close(window, task)

    run(scenario())


def test_window_layout_is_restored_in_a_new_window(qtbot: QtBot) -> None:
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    window.resize(760, 700)  # the offscreen screen is small
    window.show()
    qtbot.waitExposed(window)
    window._top_splitter.setSizes([200, 540])
    window._outer_splitter.setSizes([300, 320])
    top, outer = window._top_splitter.sizes(), window._outer_splitter.sizes()
    window.close()
    again = MainWindow(Rig())
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.size() == window.size()
    assert again._top_splitter.sizes() == top
    assert again._outer_splitter.sizes() == outer


def test_changing_servers_in_the_dialog_changes_what_is_watched(
    qapp, run: Runner, simulator: SimulatorThread, tmp_path: Path
) -> None:
    """Add a server: its cameras appear under it; remove the first: its watcher
    stops and its cards go, while the other keeps its connection."""
    other = quiet_simulator(tmp_path, "other")

    async def scenario() -> None:
        window, task = open_on(qapp, [simulator.url])
        await wait_until(lambda: len(window.cards) == 3, what="three cards")
        dialog = window.open_settings()
        dialog.servers_edit.setPlainText(f"{simulator.url}\n{other.url}")
        click(dialog, Apply)
        await wait_until(lambda: len(window.cards) == 6, what="the new server's")
        assert list(window.server_headers) == [simulator.url, other.url]
        opened_at = window.rig.servers[other.url].since
        dialog.servers_edit.setPlainText(other.url)
        click(dialog, Ok)
        await wait_until(lambda: len(window.cards) == 3, what="first server's gone")
        assert all(key[0] == other.url for key in window.cards)
        assert list(window.rig.servers) == [other.url]
        assert window.watchers is not None and window.watchers.urls == [other.url]
        assert window.rig.servers[other.url].since == opened_at, "not reconnected"
        await wait_until(lambda: not window.server_headers, what="headers gone")
        await asyncio.sleep(0.3)
        assert "● Connected" in window.cards[(other.url, ILCE_7M4)].state.text()
        assert Preferences().servers == [other.url]
        # Two changes in quick succession are made one after the other.
        window.watch_servers([simulator.url])
        window.watch_servers([other.url, simulator.url])
        await wait_until(lambda: len(window.cards) == 6, what="both servers again")
        assert window.watchers.urls == [other.url, simulator.url]
        await wait_until(
            lambda: list(window.server_headers) == [other.url, simulator.url],
            what="the groups in the order listed",
        )
        first = window.ordered_cards()[0]
        assert first.key[0] == other.url
        await asyncio.sleep(0.5)
        assert len(window.rig.servers) == 2
        # Intervals apply to the running watchers.
        dialog = window.open_settings()
        dialog.poll_spin.setValue(3)
        click(dialog, Ok)
        assert window.watchers.watcher(other.url).poll_interval == 3
        assert window.watchers.watcher(simulator.url).stall_timeout == 45
        await close(window, task)

    try:
        run(scenario())
    finally:
        other.stop()


def test_command_line_values_win_for_one_run_and_are_not_stored() -> None:
    stored = Config(servers=["http://a:8080"], poll_interval=7.0)
    run, overrides = for_run(stored, servers=["http://b:8080"], stall_timeout=60)
    assert run.servers == ["http://b:8080"] and run.stall_timeout == 60
    assert run.poll_interval == 7.0, "not given: as stored"
    assert overrides == {"servers": "--server", "stall_timeout": "--stall-timeout"}
    run, overrides = for_run(stored, demo=True)
    assert run.servers == [] and overrides == {"servers": "--demo"}


def test_headless_uses_stored_servers_unless_given_and_never_writes_back(
    simulator: SimulatorThread, tmp_path: Path
) -> None:
    other = quiet_simulator(tmp_path, "other")
    prefs = Preferences()
    prefs.servers = [simulator.url]
    prefs.poll_interval = 20
    before = settings_file().read_bytes()
    # Given on the command line: only that server this run.
    proc = headless(other.url)
    lines = Lines(proc)
    try:
        lines.wait_for(lambda rs: any(r.get("state") == "open" for r in rs))
        other.call(other.simulator.set_af, ILCE_7M4, "focused")
        records = lines.wait_for(lambda rs: any(r["type"] == "afStatus" for r in rs))
        assert {r["server"] for r in records} == {other.url}
    finally:
        stop(proc)
    assert settings_file().read_bytes() == before, "the command line wrote back"
    # Not given: the stored server.
    proc = headless_stored()
    lines = Lines(proc)
    try:
        records = lines.wait_for(lambda rs: any(r.get("state") == "open" for r in rs))
        assert {r["server"] for r in records} == {simulator.url}
    finally:
        stop(proc)
        other.stop()
    assert settings_file().read_bytes() == before


def test_dialog_notes_what_the_command_line_overrides(qtbot: QtBot) -> None:
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    window.run_overrides = {"servers": "--server", "poll_interval": "--poll-interval"}
    dialog = window.open_settings()
    qtbot.waitExposed(dialog)
    notes = [label.text() for label in dialog.findChildren(type(dialog.servers_error))
             if label.isVisible()]  # fmt: skip
    assert any("--server from the command line" in note for note in notes)
    assert any("--poll-interval given for this run" in note for note in notes)


def headless_stored():  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "app", "--headless", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_a_stored_list_claiming_millions_of_entries_reads_quickly(
    tmp_path: Path,
) -> None:
    # A damaged settings file must not hang the start.
    path = tmp_path / "damaged.ini"
    path.write_text("[servers]\nsize=100000000\n1\\url=http://127.0.0.1:9\n")
    from PySide6.QtCore import QSettings

    preferences = Preferences(QSettings(str(path), QSettings.Format.IniFormat))
    assert preferences.servers == ["http://127.0.0.1:9"]


def test_apply_keeps_a_theme_chosen_in_the_view_menu_meanwhile(qtbot: QtBot) -> None:
    # The dialog is not modal: the theme may change in the View menu while it
    # is open. Applying another change must not put the old theme back.
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    dialog = window.open_settings()
    window.theme_actions["light"].trigger()
    dialog.poll_spin.setValue(3)
    click(dialog, Apply)
    prefs = Preferences()
    assert prefs.poll_interval == 3
    assert prefs.theme == "light", "the View menu's choice stands"
    window.set_theme("dark")
