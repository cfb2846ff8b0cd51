"""The rig alone: plain Python, no Qt, no sockets."""

from __future__ import annotations

import time

import pytest

from app.protocol import events as ev
from app.protocol.rest import CameraInfo, ConnectionInfo
from app.rig import Camera, LinkState, Rig

URL = "http://host:8080"


def test_slow_discovery_answer_does_not_undo_a_newer_disconnect() -> None:
    """Regression: the camera list, asked before a camera's 'disconnected' event
    and answered after it, marked the camera connected again for seconds."""
    rig = Rig()
    rig.update_cameras(URL, [CameraInfo("A", "ILCE-1", "USB", True)])
    asked = time.monotonic()
    rig.apply(URL, "A", ev.CameraDisconnected(name="disconnected"))
    rig.update_cameras(URL, [CameraInfo("A", "ILCE-1", "USB", True)], asked=asked)
    rig.update_connection(
        URL, "A", ConnectionInfo(True, "ILCE-1", "remote"), asked=asked
    )
    camera = rig.cameras[(URL, "A")]
    assert not camera.connected and camera.lost_at is not None
    # A question asked after the event is believed.
    rig.update_cameras(
        URL, [CameraInfo("A", "ILCE-1", "USB", True)], asked=time.monotonic()
    )
    assert camera.connected


def test_camera_stream_lost_makes_focus_and_transfer_unknown() -> None:
    rig = Rig()
    rig.update_cameras(URL, [CameraInfo("A", "ILCE-1", "USB", True)])
    rig.set_streaming(URL, "A", True)
    rig.apply(URL, "A", ev.AfChanged(name="afStatus", state=ev.AfState.FOCUSED))
    rig.apply(URL, "A", ev.TransferProgressed(name="transferProgress", percent=40))
    rig.set_streaming(URL, "A", False)
    camera = rig.cameras[(URL, "A")]
    assert camera.af == ev.AfState.UNKNOWN and camera.transfer is None
    assert camera.connected  # still connected as far as the server said


def test_server_offline_marks_cameras_lost_and_logs_each_reason_once() -> None:
    rig = Rig()
    rig.update_cameras(URL, [CameraInfo("A", "ILCE-1", "USB", True)])
    rig.set_link(URL, LinkState.OPEN)
    for _ in range(5):
        rig.set_link(URL, LinkState.CONNECTING)
        rig.set_link(URL, LinkState.RETRYING, reason="refused")
    assert not rig.cameras[(URL, "A")].connected
    assert sum("offline: refused" in e.summary for e in rig.log) == 1


def test_huge_payload_is_cut_down_in_the_log() -> None:
    """Regression: unknown events kept their whole payload in the log's summary."""
    rig = Rig()
    rig.apply(URL, "A", ev.OtherEvent(name="lensData", data={"blob": "x" * 900_000}))
    assert len(rig.log[-1].summary) < 500


def test_a_server_is_offline_since_it_was_lost_not_since_its_last_retry() -> None:
    rig = Rig()
    url = "http://h:8080"
    rig.set_link(url, LinkState.OPEN)
    rig.set_link(url, LinkState.RETRYING, reason="refused")
    lost = rig.servers[url].offline_since
    assert lost is not None
    time.sleep(0.01)
    for _ in range(3):  # retries come and go
        rig.set_link(url, LinkState.CONNECTING)
        rig.set_link(url, LinkState.RETRYING, reason="refused")
    assert rig.servers[url].offline_since == lost
    assert rig.servers[url].since > lost, "the state's own time moves on"
    rig.set_link(url, LinkState.OPEN)
    assert rig.servers[url].offline_since is None


def test_past_64_cameras_only_ones_no_longer_listed_are_forgotten() -> None:
    """Cameras the server still lists (even unconnected, never connected) keep
    their cards; the one it stopped naming goes."""
    from app.protocol.rest import CameraInfo
    from app.rig import MAX_CAMERAS

    url = "http://h:8080"
    rig = Rig()
    rig.update_cameras(url, [CameraInfo("OLD", "ILCE-1", "USB", True)])
    listed = [CameraInfo(f"C{n:02d}", "ILCE-1", "USB", False) for n in range(63)]
    listed.append(CameraInfo("ON", "ILCE-1", "USB", True))
    rig.update_cameras(url, listed)
    assert len(rig.cameras) == MAX_CAMERAS
    assert (url, "OLD") not in rig.cameras
    assert any("forgot 1 lost camera(s)" in e.summary for e in rig.log)


def test_a_listener_that_fails_stops_neither_the_others_nor_the_rig(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The window, the alerts and the session log are all listeners: one that
    raised once ended the watching of a whole server."""
    from app.rig import RigListener

    class Broken(RigListener):
        def camera_changed(self, camera: Camera) -> None:
            raise ValueError("a bug")

    class Counting(RigListener):
        seen = 0

        def camera_changed(self, camera: Camera) -> None:
            Counting.seen += 1

    rig = Rig()
    rig.subscribe(Broken())
    rig.subscribe(Counting())
    url = "http://h:8080"
    rig.update_cameras(url, [CameraInfo("A", "ILCE-1", "USB", True)])
    for state in (ev.AfState.FOCUSED, ev.AfState.TRACKING, ev.AfState.UNLOCKED):
        rig.apply(url, "A", ev.AfChanged(name="afStatus", state=state))
    assert rig.cameras[(url, "A")].af == ev.AfState.UNLOCKED
    assert Counting.seen == 4
    told = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(told) == 1 and "Broken" in told[0].getMessage(), "said once"
