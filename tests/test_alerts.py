"""Alerts: raised when something needs the photographer, shown loud in the
window (banner, flashing card), kept until acknowledged, noted in the log."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QApplication

from app.alerts import AlertKind, Alerts, Thresholds
from app.protocol import events as ev
from app.protocol.rest import CameraInfo, Property
from app.rig import LinkState, Rig, Transfer
from app.simulator import SimulatorThread
from app.ui.alerts import FlashFrame

from .support import Runner, sim_call, wait_until
from .test_window import ILCE_1, ILCE_7M4, cameras_up, close, open_window

URL = "http://studio:8080"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def rig_with(*ids: str) -> Rig:
    rig = Rig()
    rig.set_link(URL, LinkState.OPEN)
    rig.update_cameras(URL, [CameraInfo(i, "ILCE-7M4", "USB", True) for i in ids])
    return rig


def kinds(alerts: Alerts) -> list[AlertKind]:
    return [a.kind for a in alerts.active]


def props(**values: str) -> dict[str, Property]:
    return {k.replace("_", "-"): Property(v, 0, False) for k, v in values.items()}


# -- the model's rules, no socket needed ----------------------------------------


def test_a_lost_camera_raises_after_a_grace_and_stays_resolved_until_acked(
    clock: Clock,
) -> None:
    rig = rig_with("A")
    alerts = Alerts(rig, clock=clock)
    rig.apply(URL, "A", ev.CameraDisconnected(name="disconnected"))
    assert alerts.active == [], "a camera gone for a moment is no alarm yet"
    clock.now += 2.5
    alerts.check()
    [alert] = alerts.active
    assert alert.kind == AlertKind.CAMERA_LOST and alert.camera == "A"
    assert "lost since" in alert.message and alert.resolved is None
    assert alerts.flagged_cameras() == {(URL, "A")}

    rig.apply(URL, "A", ev.CameraConnected(name="connected", model="ILCE-7M4"))
    [alert] = alerts.active
    assert alert.resolved is not None, "back again: shown as resolved, not dropped"
    assert alerts.flagged_cameras() == set(), "a camera that is fine does not flash"
    assert alerts.acknowledge(alert.id)
    assert alerts.active == [] and alerts.flagged_cameras() == set()
    notes = [e.summary for e in rig.log if e.type == "alert"]
    assert [n.split(":")[0] for n in notes] == ["raised", "resolved", "acknowledged"]


def test_a_condition_acknowledged_while_it_holds_comes_back_only_when_it_recurs(
    clock: Clock,
) -> None:
    rig = rig_with("A")
    alerts = Alerts(rig, clock=clock)
    rig.update_properties(URL, "A", props(battery_remain="12%"))
    [alert] = alerts.active
    assert alert.kind == AlertKind.BATTERY_LOW and "12 %" in alert.message
    alerts.acknowledge_all()
    rig.update_properties(URL, "A", props(battery_remain="11%"))
    assert alerts.active == [], "acknowledged: still low is not news"
    rig.update_properties(URL, "A", props(battery_remain="100%"))  # a fresh battery
    rig.update_properties(URL, "A", props(battery_remain="14%"))
    assert kinds(alerts) == [AlertKind.BATTERY_LOW], "low again: raised again"


def test_a_condition_that_recurs_unacknowledged_updates_its_alert(
    clock: Clock,
) -> None:
    rig = rig_with("A")
    alerts = Alerts(rig, clock=clock)
    rig.update_properties(URL, "A", props(battery_remain="10%"))
    rig.update_properties(URL, "A", props(battery_remain="90%"))
    assert alerts.active[0].resolved is not None
    rig.update_properties(URL, "A", props(battery_remain="9%"))
    [alert] = alerts.active
    assert alert.resolved is None and alert.count == 2 and "9 %" in alert.message


def test_cards_nearly_full_per_slot_but_not_an_empty_slot(clock: Clock) -> None:
    rig = rig_with("A")
    alerts = Alerts(rig, Thresholds(card_shots=50), clock=clock)
    rig.update_properties(URL, "A", props(
        media_slot1_status="OK", media_slot1_remaining_photos="49",
        media_slot2_status="No Card", media_slot2_remaining_photos="0",
        battery_remain="80%",
    ))  # fmt: skip
    [alert] = alerts.active
    assert alert.kind == AlertKind.CARD_LOW and "slot 1" in alert.message
    assert "49 shots left" in alert.message


def test_the_card_nearly_full_is_the_one_the_studio_tile_names(clock: Clock) -> None:
    """One reading of the slots: "9999+" shots left is more than 40, on the
    studio tile as in the alert (the tile once read "9999+" as 0)."""
    from app.ui.studio import _card_line

    rig = rig_with("A")
    alerts = Alerts(rig, Thresholds(card_shots=50), clock=clock)
    rig.update_properties(URL, "A", props(
        media_slot1_status="OK", media_slot1_remaining_photos="9999+",
        media_slot2_status="OK", media_slot2_remaining_photos="40",
    ))  # fmt: skip
    [alert] = alerts.active
    assert "slot 2" in alert.message
    assert _card_line(rig.cameras[(URL, "A")]) == "Card 40 left"


def test_errors_and_cautions_raise_but_the_shutter_does_not(clock: Clock) -> None:
    rig = rig_with("A", "B")
    alerts = Alerts(rig, clock=clock)
    shutter = ev.CameraWarning(name="warning", code="0x20011", message="Shutter",
                               is_error=False)  # fmt: skip
    rig.apply(URL, "A", shutter)
    assert alerts.active == []
    lens = ev.CameraWarning(name="error", code="0x8001", message="Lens error",
                            is_error=True)  # fmt: skip
    rig.apply(URL, "A", lens)
    caution = ev.OtherEvent(name="cautionDisplay", data={"success": False,
                            "caution": "media full"}, known=True)  # fmt: skip
    rig.apply(URL, "B", caution)
    rig.apply(URL, "B", ev.OtherEvent(name="focusResult", data={}, known=True))
    error, warning = alerts.active
    assert error.kind == AlertKind.CAMERA_ERROR and "Lens error" in error.message
    assert warning.kind == AlertKind.CAMERA_WARNING and "media full" in warning.message
    rig.apply(URL, "B", caution)
    assert alerts.active[1].count == 2, "the same caution again counts, not piles up"


def test_a_transfer_without_progress_stalls(clock: Clock) -> None:
    rig = rig_with("A")
    alerts = Alerts(rig, Thresholds(transfer_stall=15.0), clock=clock)
    rig.cameras[(URL, "A")].transfer = Transfer(40.0, "/x/DSC1.ARW", clock.now)
    clock.now += 14
    alerts.check()
    assert alerts.active == []
    clock.now += 2
    alerts.check()
    [alert] = alerts.active
    assert alert.kind == AlertKind.TRANSFER_STALLED and "40 %" in alert.message
    rig.cameras[(URL, "A")].transfer = Transfer(100.0, "/x/DSC1.ARW", clock.now)
    alerts.check()
    assert alerts.active[0].resolved is not None


def test_a_server_offline_briefly_is_no_alarm_and_its_cameras_raise_nothing(
    clock: Clock,
) -> None:
    rig = rig_with("A", "B")
    alerts = Alerts(rig, Thresholds(server_offline=5.0), clock=clock)
    rig.set_link(URL, LinkState.RETRYING, reason="connection refused")
    clock.now += 3
    alerts.check()
    rig.set_link(URL, LinkState.OPEN)  # a quick reconnect
    rig.update_cameras(URL, [CameraInfo(i, "ILCE-7M4", "USB", True) for i in "AB"])
    clock.now += 10
    alerts.check()
    assert alerts.active == []

    rig.set_link(URL, LinkState.RETRYING, reason="connection refused")
    clock.now += 6
    alerts.check()
    [alert] = alerts.active
    assert alert.kind == AlertKind.SERVER_OFFLINE and alert.camera is None
    assert "connection refused" in alert.message, "one alert, not one per camera"

    rig.set_link(URL, LinkState.OPEN)  # back, but the camera list is slow
    clock.now += 3
    alerts.check()
    assert kinds(alerts) == [AlertKind.SERVER_OFFLINE], "the cameras get a moment"
    assert alerts.active[0].resolved is not None
    rig.update_cameras(URL, [CameraInfo("A", "ILCE-7M4", "USB", True)])  # B is gone
    clock.now += 10
    alerts.check()
    clock.now += 2.5
    alerts.check()
    lost = [(a.kind, a.camera) for a in alerts.active][1:]
    assert lost == [(AlertKind.CAMERA_LOST, "B")], "still missing after the settle"


# -- in the window, over the simulator --------------------------------------------


def banner_texts(window) -> list[str]:
    return [row.text.text() for row in window.alert_banner.rows()]


def fast(window) -> None:
    window.alerts.thresholds = Thresholds(
        transfer_stall=1.0, server_offline=1.0, camera_lost=0.5, reconnect_settle=0.5
    )


def test_an_unplugged_camera_shows_in_the_banner_and_its_card_flashes_until_acked(
    qapp: QApplication, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        fast(window)
        await cameras_up(window)
        banner = window.alert_banner
        assert not banner.isVisible()
        card = window.cards[(simulator.url, ILCE_7M4)]
        await sim_call(simulator, simulator.simulator.unplug, ILCE_7M4)
        await wait_until(lambda: banner.isVisible(), what="the alert banner")
        [text] = banner_texts(window)
        assert "ILCE-7M4" in text and "LOST" in text
        looks, sizes = set(), set()

        def flashing() -> bool:
            looks.add(card.property("alert"))
            sizes.add(card.size().toTuple())
            return len(looks) >= 2

        await wait_until(flashing, what="the card flashing")
        assert looks <= {"a", "b"}, "both phases of the flash are loud"
        assert len(sizes) == 1, "nothing in the grid moves while it flashes"
        flash = card.findChild(FlashFrame)
        assert flash.isVisible() and flash.geometry() == card.rect()
        other = window.cards[(simulator.url, ILCE_1)]
        assert not other.property("alert"), "only the lost camera's card flashes"

        await sim_call(simulator, simulator.simulator.plug, ILCE_7M4)
        [row] = banner.rows()
        await wait_until(lambda: "resolved" in row.text.text(), what="resolved")
        assert row.property("level") == "resolved"
        await wait_until(lambda: not card.property("alert"),
                         what="the card calm again: the camera is back")  # fmt: skip
        row.button.click()
        await wait_until(lambda: not banner.isVisible(), what="the banner gone")
        assert banner.rows() == [] and window.alerts.active == []
        assert not flash.isVisible()
        notes = [e.summary for e in window.rig.log if e.type == "alert"]
        assert any(n.startswith("acknowledged") and "ILCE-7M4" in n for n in notes)
        await close(window, task)

    run(scenario())


def test_low_battery_and_a_stalled_transfer_raise_alerts(
    qapp: QApplication, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        fast(window)
        await cameras_up(window)
        sim = simulator.simulator
        await sim_call(simulator, sim.change_property, ILCE_7M4, "battery-remain", "9%")
        await wait_until(lambda: any("battery 9 %" in t for t in banner_texts(window)),
                         what="the battery alert")  # fmt: skip
        progress = {"percent": 30, "cameraId": ILCE_1, "contentId": 1, "fileId": 1}
        await sim_call(simulator, sim.emit, ILCE_1, "transferProgress", progress)
        await wait_until(lambda: any("transfer stalled at 30 %" in t
                                     for t in banner_texts(window)),
                         what="the stalled transfer alert")  # fmt: skip
        assert window.alerts.flagged_cameras() == {
            (simulator.url, ILCE_7M4), (simulator.url, ILCE_1)}  # fmt: skip
        window.alert_banner.ack_all.click()
        await wait_until(lambda: not window.alert_banner.isVisible(), what="all acked")
        await close(window, task)

    run(scenario())


def test_an_absurd_battery_value_is_shown_and_the_watching_goes_on(
    qapp: QApplication, run: Runner, simulator: SimulatorThread
) -> None:
    """A battery of 5,000 digits (int() refuses more than 4,300) raised in the
    alerts and once stopped the watching of the whole server."""
    absurd = "9" * 5000 + "%"

    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        fast(window)
        await cameras_up(window)
        change = simulator.simulator.change_property
        await sim_call(simulator, change, ILCE_7M4, "battery-remain", absurd)
        key = (simulator.url, ILCE_7M4)
        await wait_until(
            lambda: window.rig.cameras[key].formatted("battery-remain") == absurd,
            what="the absurd value read",
        )
        await sim_call(simulator, change, ILCE_7M4, "battery-remain", "9%")
        await wait_until(lambda: any("battery 9 %" in t for t in banner_texts(window)),
                         what="the next value's alert: still watching")  # fmt: skip
        assert window.rig.servers[simulator.url].state == LinkState.OPEN
        await close(window, task)

    run(scenario())


def test_a_server_offline_raises_one_alert(
    qapp: QApplication, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        fast(window)
        await wait_until(lambda: len(window.cards) == 3, what="three cards")
        await asyncio.to_thread(simulator.stop)
        await wait_until(lambda: banner_texts(window), timeout=15, what="an alert")
        [text] = banner_texts(window)
        assert "offline" in text and simulator.url in text
        assert window.alert_banner.isVisible()
        await close(window, task)

    run(scenario())


def test_the_stored_alert_choices_reach_the_alerts(qtbot) -> None:
    # The thresholds chosen in Settings are the ones the alerts fire at, from
    # the start and after a change.
    from app.config import Alerts as AlertChoices
    from app.rig import Rig
    from app.settings import Preferences
    from app.ui.main_window import MainWindow

    preferences = Preferences()
    config = preferences.config()
    chosen = AlertChoices(desktop=False, sound=True, battery_percent=30,
                          card_shots=120, transfer_stall=40.0)  # fmt: skip
    preferences.save_config(config.replace(alerts=chosen))
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    thresholds = window.alerts.thresholds
    assert (thresholds.battery_percent, thresholds.card_shots) == (30, 120)
    assert thresholds.transfer_stall == 40.0
    assert window.alert_presenter.sound and not window.alert_presenter.notify_desktop
    window.apply_config(
        preferences.config(), preferences.config().replace(alerts=AlertChoices())
    )
    assert window.alerts.thresholds.battery_percent == AlertChoices().battery_percent
    assert window.alert_presenter.notify_desktop


def test_a_server_never_reached_is_no_alarm(clock: Clock) -> None:
    # A first start with the server not running: the window's calm message
    # says so; an OFFLINE alarm with a notification on top would be noise.
    rig = Rig()
    alerts = Alerts(rig, Thresholds(server_offline=5.0), clock=clock)
    rig.set_link(URL, LinkState.RETRYING, reason="connection refused")
    clock.now += 60
    alerts.check()
    assert alerts.active == []
    rig.set_link(URL, LinkState.OPEN)
    rig.set_link(URL, LinkState.RETRYING, reason="connection refused")
    clock.now += 6
    alerts.check()
    assert kinds(alerts) == [AlertKind.SERVER_OFFLINE], "once it has answered, it is"


def test_a_server_no_longer_watched_takes_its_alerts_along(clock: Clock) -> None:
    rig = rig_with("A")
    rig.update_properties(URL, "A", props(battery_remain="5%"))
    alerts = Alerts(rig, Thresholds(server_offline=5.0), clock=clock)
    rig.set_link(URL, LinkState.RETRYING, reason="connection refused")
    clock.now += 6
    alerts.check()
    assert set(kinds(alerts)) == {AlertKind.SERVER_OFFLINE, AlertKind.BATTERY_LOW}
    rig.forget_server(URL)  # removed in Settings
    clock.now += 60
    alerts.check()
    assert alerts.active == [], "nothing stays behind for a server let go"
