"""The alerts in the window: a banner at the top, flashing cards and tiles, and
optionally a desktop notification and a sound.

The model is :class:`app.alerts.Alerts`; :class:`AlertPresenter` drives it on a
timer (for the time-based conditions), coalesces its changes for the banner, and
runs the one flash timer that every flagged card and tile follows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from ..alerts import Alert, AlertKind, Alerts
from ..rig import CameraKey

CHECK_MS = 500
FLASH_MS = 500
SHOWN_ROWS = 4
"""The banner lists this many alerts; the rest are counted ("and 5 more")."""

ALERT_WORDS = {
    AlertKind.CAMERA_LOST: "LOST",
    AlertKind.CAMERA_ERROR: "ERROR",
    AlertKind.CAMERA_WARNING: "CAUTION",
    AlertKind.TRANSFER_STALLED: "STALLED",
    AlertKind.SERVER_OFFLINE: "OFFLINE",
    AlertKind.CARD_LOW: "CARD",
    AlertKind.BATTERY_LOW: "BATTERY",
}


def describe(alert: Alert) -> str:
    """The banner's line for an alert: a mark and a word (not colour alone)."""
    mark = "✖" if alert.is_error else "⚠"
    when = f"{alert.raised:%H:%M:%S}"
    again = f" (×{alert.count}, last {alert.last:%H:%M:%S})" if alert.count > 1 else ""
    text = f"{mark} {ALERT_WORDS[alert.kind]}  {when}  {alert.message}{again}"
    if alert.resolved is not None:
        text += f"  ✓ resolved {alert.resolved:%H:%M:%S}"
    return text


class AlertRow(QFrame):
    """One alert: what, when, and its Acknowledge button."""

    def __init__(self, alert: Alert, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AlertRow")
        self.alert_id = alert.id
        self.text = QLabel(objectName="AlertText")
        # A long message wraps: it must never push the window past the screen
        # (and the Acknowledge button out of sight).
        self.text.setWordWrap(True)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored,
                                QSizePolicy.Policy.Preferred)  # fmt: skip
        self.button = QPushButton("Acknowledge", objectName="AlertAck")
        self.button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 2, 6, 2)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.show_alert(alert)

    def show_alert(self, alert: Alert) -> None:
        self.text.setText(describe(alert))
        self.text.setToolTip(alert.message)
        level = "error" if alert.is_error else "warning"
        self.setProperty("level", "resolved" if alert.resolved else level)
        self.style().polish(self)
        self.button.setAccessibleName(f"Acknowledge: {alert.message}")


class AlertBanner(QFrame):
    """The active alerts at the top of the window; hidden when there are none.

    Signals:
        acknowledged(int): the user acknowledged the alert of this id.
        acknowledged_all(): the user acknowledged every alert.
    """

    acknowledged = Signal(int)
    acknowledged_all = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AlertBanner")
        self.setAccessibleName("Alerts")
        self.heading = QLabel(objectName="AlertHeading")
        self.more = QLabel(objectName="AlertMore")
        self.ack_all = QPushButton("Acknowledge all", objectName="AlertAckAll")
        self.ack_all.setAccessibleName("Acknowledge all alerts")
        self.ack_all.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.ack_all.clicked.connect(self.acknowledged_all)
        head = QHBoxLayout()
        head.setContentsMargins(10, 4, 6, 0)
        head.addWidget(self.heading, 1)
        head.addWidget(self.more)
        head.addWidget(self.ack_all)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addLayout(self._rows_layout)
        self._rows: list[AlertRow] = []
        self.hide()

    def rows(self) -> list[AlertRow]:
        return list(self._rows)

    def set_large(self, large: bool) -> None:
        """Large print, for studio mode (read from across the room)."""
        self.setProperty("large", large)
        for widget in [self, *self.findChildren(QWidget)]:
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def show_alerts(self, alerts: list[Alert]) -> None:
        """Show the newest unresolved first, then the resolved ones."""
        ordered = sorted(alerts, key=lambda a: (a.resolved is not None, -a.id))
        shown = ordered[:SHOWN_ROWS]
        while len(self._rows) > len(shown):
            row = self._rows.pop()
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        for index, alert in enumerate(shown):
            if index < len(self._rows):
                row = self._rows[index]
                row.alert_id = alert.id
                row.show_alert(alert)
            else:
                row = AlertRow(alert)
                row.button.clicked.connect(self._on_row_ack)
                self._rows.append(row)
                self._rows_layout.addWidget(row)
        open_ = sum(a.resolved is None for a in alerts)
        count = len(alerts)
        self.heading.setText(
            f"⚠ {count} alert{'s' if count != 1 else ''}"
            + (f" · {open_} still active" if open_ != count else "")
            + ("   (Acknowledge to silence)" if open_ else "   (Acknowledge to clear)")
        )
        hidden = count - len(shown)
        self.more.setText(f"and {hidden} more" if hidden else "")
        self.ack_all.setVisible(count > 1)
        self.setVisible(bool(alerts))

    @Slot()
    def _on_row_ack(self) -> None:
        button = self.sender()
        for row in self._rows:
            if row.button is button:
                self.acknowledged.emit(row.alert_id)


class AlertPresenter(QObject):
    """Connects the alert model to the window.

    Attributes the settings may change:
        notify_desktop: a system-tray message for each new alert (only where a
            system tray exists).
        sound: a beep for each new alert.

    Signals:
        flash(set, bool): the cameras whose cards flash now, and the phase.
        changed(): the alerts changed (already shown in the banner).
    """

    flash = Signal(set, bool)
    changed = Signal()

    def __init__(
        self, alerts: Alerts, banner: AlertBanner, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.alerts = alerts
        self.banner = banner
        self.notify_desktop = True
        self.sound = False
        self._seen: set[int] = {a.id for a in alerts.active}
        self._counts: dict[int, int] = {}
        self._tray: QSystemTrayIcon | None = None
        self._phase = False
        self._flagged: set[CameraKey] = set()
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(40)
        self._refresh.timeout.connect(self._show)
        self._checker = QTimer(self)
        self._checker.setInterval(CHECK_MS)
        self._checker.timeout.connect(self._check)
        self._checker.start()
        self._flasher = QTimer(self)
        self._flasher.setInterval(FLASH_MS)
        self._flasher.timeout.connect(self._toggle)
        self._unsubscribe = alerts.subscribe(self._schedule)
        banner.acknowledged.connect(self._acknowledge)
        banner.acknowledged_all.connect(self._acknowledge_all)
        self._show()

    def close(self) -> None:
        self._unsubscribe()
        self._checker.stop()
        self._flasher.stop()
        self._refresh.stop()
        if self._tray is not None:
            self._tray.hide()

    def _schedule(self) -> None:
        if not self._refresh.isActive():
            self._refresh.start()

    @Slot()
    def _check(self) -> None:
        self.alerts.check()

    @Slot(int)
    def _acknowledge(self, alert_id: int) -> None:
        self.alerts.acknowledge(alert_id)

    @Slot()
    def _acknowledge_all(self) -> None:
        self.alerts.acknowledge_all()

    @Slot()
    def _show(self) -> None:
        active = self.alerts.active
        self.banner.show_alerts(active)
        fresh = [
            a for a in active
            if a.id not in self._seen
            or (a.resolved is None and self._counts.get(a.id) != a.count)
        ]  # fmt: skip
        self._seen = {a.id for a in active}
        self._counts = {a.id: a.count for a in active}
        if fresh:
            self._announce(fresh)
        flagged = self.alerts.flagged_cameras()
        if flagged and not self._flasher.isActive():
            self._phase = True
            self._flasher.start()
        elif not flagged:
            self._flasher.stop()
        if flagged != self._flagged or not flagged:
            self._flagged = flagged
            self.flash.emit(set(flagged), self._phase)
        self.changed.emit()

    @Slot()
    def _toggle(self) -> None:
        self._phase = not self._phase
        self.flash.emit(set(self._flagged), self._phase)

    def _announce(self, alerts: list[Alert]) -> None:
        if self.sound:
            QApplication.beep()
        if not self.notify_desktop or not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            self._tray = QSystemTrayIcon(QApplication.windowIcon(), self)
            self._tray.setToolTip("Tether Monitor")
            self._tray.show()
        first = alerts[0]
        body = first.message + (f" (and {len(alerts) - 1} more)" if len(alerts) > 1
                                else "")  # fmt: skip
        icon = (QSystemTrayIcon.MessageIcon.Critical if first.is_error
                else QSystemTrayIcon.MessageIcon.Warning)  # fmt: skip
        self._tray.showMessage(f"Tether Monitor: {first.kind}", body, icon, 8000)


class FlashFrame(QWidget):
    """A loud frame drawn over a card or tile while it has an alert.

    Drawn on top rather than restyling the card, so nothing in the card moves
    or changes size while it flashes (the grid stays put), and clicks and keys
    still go to the card.
    """

    COLOUR = QColor("#ff3b30")

    def __init__(self, target: QWidget) -> None:
        super().__init__(target)
        self.setObjectName("AlertFlash")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.phase = True
        target.installEventFilter(self)
        self.setGeometry(target.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        if self.phase:
            tint = QColor(self.COLOUR)
            tint.setAlphaF(0.30)
            p.fillRect(self.rect(), tint)
        p.setPen(QPen(self.COLOUR, 4))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(rect, 8, 8)
        p.end()


def set_flash(widget: QWidget, on: bool, phase: bool) -> None:
    """Flash ``widget`` (a card or tile) in ``phase``, or stop. Its ``alert``
    property says which: "a" or "b" (the two phases, both loud) or ""."""
    value = ("a" if phase else "b") if on else ""
    if widget.property("alert") == value:
        return
    widget.setProperty("alert", value)
    frame = widget.findChild(
        FlashFrame, options=Qt.FindChildOption.FindDirectChildrenOnly
    )
    if not on:
        if frame is not None:
            frame.hide()
        return
    if frame is None:
        frame = FlashFrame(widget)
    frame.phase = phase
    frame.setGeometry(widget.rect())
    frame.raise_()
    frame.show()
    frame.update()
