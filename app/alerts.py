"""Alerts: what needs the photographer now, kept until acknowledged. No Qt here.

An :class:`Alerts` model watches a :class:`~app.rig.Rig` and raises an
:class:`Alert` when a camera is lost, reports an error or a caution, a transfer
makes no progress, a server is offline, a card is nearly full or a battery
nearly empty. Conditions that last (all but the events) are re-checked on every
change of the rig and by :meth:`Alerts.check`, which a view calls on a timer
for the ones that depend on time.

Rules:

- An alert stays until acknowledged. Acknowledging one clears it.
- A condition that ends while its alert is unacknowledged leaves the alert
  shown, marked resolved (with the time): a camera that was lost for a minute
  and came back may have missed frames, which the photographer wants to know
  about even if they looked away; the banner shows that it is fine now.
- A condition that comes back while its alert is still shown updates that
  alert (not resolved any more, counted again) rather than adding another.
- A condition that still holds when its alert is acknowledged is not raised
  again until it has ended and come back: acknowledging means "I know".
- Errors and cautions are events, not states: each one raises (or counts on the
  camera's unacknowledged alert of the same kind).
- A camera lost while its server is offline gives one server alert, not one
  per camera; short outages (a reconnect) raise nothing (the grace times).
"""

from __future__ import annotations

import enum
import itertools
import math
import time
from collections.abc import Callable
from datetime import datetime

import msgspec

from .config import BATTERY_PERCENT, CARD_SHOTS, TRANSFER_STALL
from .protocol import events as ev
from .rig import Camera, CameraKey, LinkState, Rig, RigListener, Server, whole_number

CAUTION_EVENTS = frozenset({"cautionDisplay"})
"""Event names (besides ``warning`` and ``error``) that raise a caution alert."""


class AlertKind(enum.StrEnum):
    CAMERA_LOST = "camera lost"
    CAMERA_ERROR = "camera error"
    CAMERA_WARNING = "camera warning"
    TRANSFER_STALLED = "transfer stalled"
    SERVER_OFFLINE = "server offline"
    CARD_LOW = "card nearly full"
    BATTERY_LOW = "battery low"


ERRORS = frozenset({AlertKind.CAMERA_LOST, AlertKind.CAMERA_ERROR,
                    AlertKind.SERVER_OFFLINE, AlertKind.TRANSFER_STALLED})  # fmt: skip
"""The kinds shown as errors; the others are warnings."""


class Thresholds(msgspec.Struct, frozen=True):
    """When a condition becomes an alert. Times in seconds; the defaults of
    the three the settings offer are the settings' own."""

    transfer_stall: float = TRANSFER_STALL.default
    """A transfer with no progress for this long has stalled."""
    server_offline: float = 5.0
    """A server offline for this long (one quick reconnect is no alarm)."""
    camera_lost: float = 2.0
    """A camera lost for this long while its server answers."""
    reconnect_settle: float = 10.0
    """After a server comes back, its cameras have this long to be listed again
    before one that is still missing counts as lost."""
    card_shots: int = int(CARD_SHOTS.default)
    """A card slot with this many shots left or fewer is nearly full."""
    battery_percent: int = int(BATTERY_PERCENT.default)
    """A battery at this percentage or below is nearly empty."""


AlertKey = tuple[AlertKind, str, str | None, str]
"""(kind, server URL, camera id or None, detail such as the card slot)."""


class Alert(msgspec.Struct):
    id: int
    kind: AlertKind
    server: str
    camera: str | None
    message: str
    raised: datetime
    detail: str = ""
    count: int = 1
    resolved: datetime | None = None
    last: datetime = msgspec.field(default_factory=datetime.now)

    @property
    def key(self) -> AlertKey:
        return (self.kind, self.server, self.camera, self.detail)

    @property
    def camera_key(self) -> CameraKey | None:
        return (self.server, self.camera) if self.camera is not None else None

    @property
    def is_error(self) -> bool:
        return self.kind in ERRORS


def _camera_name(camera: Camera) -> str:
    return f"{camera.model or 'Camera'} {camera.id}"


class Alerts(RigListener):
    """The active alerts of a rig, oldest first.

    ``clock`` gives seconds on the same scale as :func:`time.monotonic` (the
    rig's transfer times use it); tests may pass their own.
    """

    def __init__(
        self,
        rig: Rig,
        thresholds: Thresholds | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rig = rig
        self.thresholds = thresholds if thresholds is not None else Thresholds()
        self._clock = clock
        self._alerts: dict[AlertKey, Alert] = {}
        self._holding: set[AlertKey] = set()  # conditions true now
        self._pending: dict[AlertKey, float] = {}  # condition true since (clock)
        self._states: dict[str, LinkState] = {}
        self._reopened: dict[str, float] = {}  # server open again since (clock)
        self._ids = itertools.count(1)
        self._listeners: list[Callable[[], None]] = []
        self._unsubscribe = rig.subscribe(self)
        self.check()

    def close(self) -> None:
        self._unsubscribe()

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` after each change of the alerts."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback)

    @property
    def active(self) -> list[Alert]:
        return sorted(self._alerts.values(), key=lambda a: a.id)

    def flagged_cameras(self) -> set[CameraKey]:
        """Cameras with an alert whose cause lasts (their cards flash). One
        that has resolved stays in the banner until acknowledged, but a camera
        that is fine again does not flash: it would look still in trouble."""
        return {
            a.camera_key
            for a in self._alerts.values()
            if a.camera_key and a.resolved is None
        }

    # -- acknowledging -----------------------------------------------------------

    def acknowledge(self, alert_id: int) -> bool:
        for key, alert in list(self._alerts.items()):
            if alert.id == alert_id:
                del self._alerts[key]
                self._note(alert, f"acknowledged: {alert.message}", "info")
                self._changed()
                return True
        return False

    def acknowledge_all(self) -> int:
        alerts = self.active
        self._alerts.clear()
        for alert in alerts:
            self._note(alert, f"acknowledged: {alert.message}", "info")
        if alerts:
            self._changed()
        return len(alerts)

    # -- conditions --------------------------------------------------------------

    def check(self, now: float | None = None) -> None:
        """Re-check every condition; the time-based ones need this now and then."""
        now = self._clock() if now is None else now
        changed = False
        for server in list(self.rig.servers.values()):
            changed |= self._check_server(server, now)
        for camera in list(self.rig.cameras.values()):
            changed |= self._check_camera(camera, now)
        if changed:
            self._changed()

    def server_changed(self, server: Server) -> None:
        if server.url not in self.rig.servers:
            self._forget(server.url)  # no longer watched: nothing to alert
            return
        now = self._clock()
        changed = self._check_server(server, now)
        for camera in self.rig.cameras_of(server.url):
            changed |= self._check_camera(camera, now)
        if changed:
            self._changed()

    def camera_changed(self, camera: Camera) -> None:
        if camera.key not in self.rig.cameras:
            if camera.server in self.rig.servers:  # forgotten: lost too long ago
                self._forget(camera.server, camera.id)
            return  # (a server no longer watched: see server_changed)
        if self._check_camera(camera, self._clock()):
            self._changed()

    def event_applied(self, camera: Camera, event: ev.Event) -> None:
        # Errors and cautions are events, not states: each one raises.
        match event:
            case ev.CameraWarning(is_error=is_error) if not event.shutter_released:
                kind = AlertKind.CAMERA_ERROR if is_error else AlertKind.CAMERA_WARNING
                word = "error" if is_error else "warning"
                code = f" {event.code}" if event.code else ""
                text = f"{word}{code}: {event.message or 'no message'}"
            case ev.OtherEvent(name=name, data=data) if name in CAUTION_EVENTS:
                kind = AlertKind.CAMERA_WARNING
                body = ", ".join(f"{k}={v}" for k, v in list(data.items())[:4])
                text = f"caution: {body or 'no details'}"
            case _:
                return
        message = f"{_camera_name(camera)}: {ev.excerpt(text, 200)}"
        self._raise(kind, camera.server, camera.id, message)
        self._changed()

    def _forget(self, url: str, camera_id: str | None = None) -> None:
        """Drop every alert and condition of a server that is no longer watched,
        or of one of its cameras that the rig forgot."""

        def mine(key: AlertKey) -> bool:
            return key[1] == url and (camera_id is None or key[2] == camera_id)

        gone = [key for key in self._alerts if mine(key)]
        for key in gone:
            del self._alerts[key]
        self._holding = {key for key in self._holding if not mine(key)}
        self._pending = {k: v for k, v in self._pending.items() if not mine(k)}
        if camera_id is None:
            self._states.pop(url, None)
            self._reopened.pop(url, None)
        if gone:
            self._changed()

    def _check_server(self, server: Server, now: float) -> bool:
        was = self._states.get(server.url)
        self._states[server.url] = server.state
        if server.state == LinkState.OPEN and was not in (None, LinkState.OPEN):
            self._reopened[server.url] = now
        # A server never reached since the start is the window's one calm
        # message (the unreachable banner), not an alarm on top of it.
        offline = server.answered and server.state in (
            LinkState.CONNECTING, LinkState.RETRYING
        )
        reason = f": {server.reason}" if server.reason else ""
        return self._condition(
            (AlertKind.SERVER_OFFLINE, server.url, None, ""),
            offline,
            now,
            self.thresholds.server_offline,
            f"Server {server.url} offline{reason}",
        )

    def _check_camera(self, camera: Camera, now: float) -> bool:
        t = self.thresholds
        url, cid, who = camera.server, camera.id, _camera_name(camera)
        changed = False
        server = self.rig.servers.get(url)
        is_open = server is None or server.state == LinkState.OPEN
        settled = now - self._reopened.get(url, -math.inf) >= t.reconnect_settle
        if is_open and (settled or camera.connected):
            # While the server is offline every camera looks lost: that is the
            # server's alert, and the cameras' own state is not known; once it
            # is back they are given a moment to be listed again.
            lost = not camera.connected and camera.lost_at is not None
            since = f" since {camera.lost_at:%H:%M:%S}" if camera.lost_at else ""
            changed |= self._condition(
                (AlertKind.CAMERA_LOST, url, cid, ""), lost, now, t.camera_lost,
                f"{who} lost{since}",
            )  # fmt: skip
        else:
            self._pending.pop((AlertKind.CAMERA_LOST, url, cid, ""), None)

        transfer = camera.transfer
        stalled = (
            transfer is not None
            and not transfer.done
            and now - transfer.updated >= t.transfer_stall
        )
        percent = f" at {transfer.percent:.0f} %" if transfer else ""
        changed |= self._condition(
            (AlertKind.TRANSFER_STALLED, url, cid, ""), stalled, now, 0.0,
            f"{who}: transfer stalled{percent}, no progress for"
            f" {t.transfer_stall:.0f} s",
        )  # fmt: skip

        battery = whole_number(camera.formatted("battery-remain"))
        low = battery is not None and battery <= t.battery_percent
        changed |= self._condition(
            (AlertKind.BATTERY_LOW, url, cid, ""), low, now, 0.0,
            f"{who}: battery {battery} %",
        )  # fmt: skip

        for slot in (camera.media_slot(1), camera.media_slot(2)):
            left = slot.shots_left
            full = slot.usable and left is not None and left <= t.card_shots
            where = f"slot {slot.number}"
            changed |= self._condition(
                (AlertKind.CARD_LOW, url, cid, where), full, now, 0.0,
                f"{who}: card in {where} nearly full, {left} shots left",
            )  # fmt: skip
        return changed

    def _condition(
        self, key: AlertKey, holds: bool, now: float, grace: float, message: str
    ) -> bool:
        """Follow one condition; returns whether the alerts changed."""
        if not holds:
            self._pending.pop(key, None)
            if key in self._holding:
                self._holding.discard(key)
                alert = self._alerts.get(key)
                if alert is not None and alert.resolved is None:
                    alert.resolved = datetime.now()
                    self._note(alert, f"resolved: {alert.message}", "info")
                    return True
            return False
        if key in self._holding:
            alert = self._alerts.get(key)
            if alert is not None and alert.message != message and not alert.resolved:
                alert.message = message  # e.g. the battery went lower still
                return True
            return False
        since = self._pending.setdefault(key, now)
        if now - since < grace:
            return False
        self._pending.pop(key, None)
        self._holding.add(key)
        kind, url, camera, detail = key
        self._raise(kind, url, camera, message, detail)
        return True

    def _raise(
        self, kind: AlertKind, url: str, camera: str | None, message: str,
        detail: str = "",
    ) -> None:  # fmt: skip
        key = (kind, url, camera, detail)
        alert = self._alerts.get(key)
        when = datetime.now()
        if alert is None:
            alert = Alert(next(self._ids), kind, url, camera, message, when, detail)
            self._alerts[key] = alert
        else:
            self._alerts[key] = msgspec.structs.replace(
                alert, message=message, count=alert.count + 1, resolved=None, last=when
            )
            alert = self._alerts[key]
        level = "error" if alert.is_error else "warning"
        self._note(alert, f"raised: {message}", level)

    def _note(self, alert: Alert, text: str, level: str) -> None:
        self.rig.note(alert.server, alert.camera, "alert", text, level=level)

    def _changed(self) -> None:
        for callback in list(self._listeners):
            callback()
