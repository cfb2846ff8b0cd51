"""One camera's card: who it is, whether it is alive, focus, transfer, last frame."""

from __future__ import annotations

import time

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..rig import RECENT_FRAMES, Camera, Frame, file_name
from .af_indicator import AfIndicator

THUMB_EDGE = 256
STRIP_EDGE = 72
_DONE_SHOWN_S = 2.0  # a finished transfer's bar stays this long

_EXPOSURE = ("exposure-program-mode", "shutter-speed", "aperture", "iso",
             "exposure-compensation")  # fmt: skip


class CameraCard(QFrame):
    """Shows one :class:`Camera`.

    Signals:
        frame_activated(object): the :class:`Frame` of the thumbnail double-clicked.
    """

    frame_activated = Signal(object)

    def __init__(self, camera: Camera, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CameraCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.key = camera.key
        self._frame: Frame | None = None
        self._transfer_done_at: float | None = None

        self.title = QLabel(objectName="CardTitle")
        self.badge = QLabel(objectName="CardBadge")
        self.ident = QLabel(objectName="CardId")
        self.ident.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel(objectName="CardState")
        self.af = AfIndicator()
        self.exposure = QLabel(objectName="CardExposure")
        self.exposure.setAccessibleName("Exposure")
        self.settings_line = QLabel(objectName="CardSettings")
        self.settings_line.setAccessibleName("Focus and file settings")
        self.media = QLabel(objectName="CardMedia")
        self.media.setAccessibleName("Battery and memory cards")
        self.alerts = QLabel(objectName="CardAlerts")
        self.alerts.setWordWrap(True)
        self.alerts.setAccessibleName("Camera warnings")
        self.alerts.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFormat("Transfer %p%")
        self.progress.setAccessibleName("Transfer progress")
        self.progress.hide()
        self.thumb = QLabel(objectName="CardThumb")
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setFixedSize(240, 160)
        self.thumb.setText("No frame yet")
        self.thumb.setAccessibleName("Latest frame")
        self.caption = QLabel(objectName="CardCaption")
        self.counter = QLabel(objectName="CardCounter")
        self.strip = QListWidget(objectName="Filmstrip")
        self.strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.strip.setFlow(QListWidget.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setMovement(QListWidget.Movement.Static)
        self.strip.setIconSize(QSize(STRIP_EDGE, STRIP_EDGE * 2 // 3))
        self.strip.setFixedHeight(STRIP_EDGE * 2 // 3 + 34)
        self.strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip.setAccessibleName("Recent frames, newest first")
        self.strip.itemActivated.connect(self._on_strip_activated)
        self.strip.hide()

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.badge)
        settings = QHBoxLayout()
        settings.addWidget(self.exposure, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.ident)
        layout.addWidget(self.state)
        layout.addWidget(self.af)
        layout.addLayout(settings)
        layout.addWidget(self.settings_line)
        layout.addWidget(self.media)
        layout.addWidget(self.alerts)
        layout.addWidget(self.progress)
        layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption)
        layout.addWidget(self.strip)
        layout.addWidget(self.counter)

        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.progress.hide)
        self.show_camera(camera)

    @property
    def frame(self) -> Frame | None:
        return self._frame

    def show_camera(self, camera: Camera) -> None:
        self.title.setText(camera.model or "Camera")
        link = camera.connection_type or "?"
        self.badge.setText(link if not camera.mode else f"{link} · {camera.mode}")
        self.ident.setText(camera.id)
        if camera.connected and not camera.streaming:
            # Known to be connected, but its events are not reaching us.
            self.state.setText("● Connected · live events paused")
            self.state.setProperty("lost", False)
        elif camera.connected:
            self.state.setText("● Connected")
            self.state.setProperty("lost", False)
        elif camera.lost_at is not None:
            self.state.setText(f"✕ LOST since {camera.lost_at:%H:%M:%S}")
            self.state.setProperty("lost", True)
        else:
            self.state.setText("○ Not connected")
            self.state.setProperty("lost", False)
        self.state.style().polish(self.state)
        self.af.set_state(camera.af)
        stale = "  (stale)" if camera.properties_stale else ""
        self.exposure.setText(_join(camera, _EXPOSURE, "  ") + stale)
        self.settings_line.setText(_join(camera, _SETTINGS, " · "))
        self.media.setText(_media(camera))
        alerts = _alerts(camera)
        self.alerts.setText("\n".join(alerts))
        self.alerts.setVisible(bool(alerts))
        self._show_transfer(camera)
        self.setAccessibleName(
            f"{camera.model or 'Camera'} {camera.id}: {self.state.text()}, "
            f"{self.af.text().lower()}"
        )

    def _show_transfer(self, camera: Camera) -> None:
        transfer = camera.transfer
        if transfer is None:
            self._hide_timer.stop()
            self.progress.hide()
            return
        self.progress.setValue(int(transfer.percent))
        name = file_name(transfer.path) if transfer.path else ""
        self.progress.setFormat(f"{name} %p%" if name else "Transfer %p%")
        if transfer.done:
            if not self._hide_timer.isActive() and self.progress.isVisible():
                remaining = _DONE_SHOWN_S - (time.monotonic() - transfer.updated)
                self._hide_timer.start(max(0, int(remaining * 1000)))
        else:
            self._hide_timer.stop()
            self.progress.show()

    def show_frame(
        self, frame: Frame, image: QImage, error: str = "", *, loading: bool = False
    ) -> None:
        """Show ``frame`` as the latest: its picture, or a placeholder saying why."""
        self._frame = frame
        when = f"{frame.time:%H:%M:%S}"
        self.caption.setText(f"#{frame.number}  {frame.name}  {when}")
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap.fromImage(image).scaled(
            self.thumb.size() * ratio,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        pixmap.setDevicePixelRatio(ratio)
        self.thumb.setPixmap(pixmap)
        self.thumb.setToolTip(f"{frame.path}\n{error}" if error else frame.path)
        what = f"Frame {frame.number}: {frame.name}"
        if loading:
            what += " (loading)"
        self.thumb.setAccessibleDescription(f"{what}, {error}" if error else what)

    def add_frame(self, frame: Frame, icon: QImage) -> None:
        """Put a frame at the head of the filmstrip (newest first)."""
        item = QListWidgetItem(QIcon(QPixmap.fromImage(icon)), f"#{frame.number}")
        item.setData(Qt.ItemDataRole.UserRole, frame)
        item.setToolTip(f"{frame.name}  {frame.time:%H:%M:%S}")
        self.strip.insertItem(0, item)
        while self.strip.count() > RECENT_FRAMES:
            self.strip.takeItem(self.strip.count() - 1)
        self.strip.show()
        shots = frame.number
        self.counter.setText(f"{shots} frame{'s' if shots != 1 else ''} this session")

    def set_strip_icon(self, path: str, image: QImage) -> bool:
        """Give the filmstrip's frames at ``path`` their picture."""
        found = False
        for row in range(self.strip.count()):
            item = self.strip.item(row)
            frame = item.data(Qt.ItemDataRole.UserRole)
            if frame is not None and frame.path == path:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
                found = True
        return found

    def strip_paths(self) -> list[str]:
        return [
            self.strip.item(row).data(Qt.ItemDataRole.UserRole).path
            for row in range(self.strip.count())
        ]

    def _on_strip_activated(self, item: QListWidgetItem) -> None:
        frame = item.data(Qt.ItemDataRole.UserRole)
        if frame is not None:
            self.frame_activated.emit(frame)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._frame is not None:
            self.frame_activated.emit(self._frame)
        super().mouseDoubleClickEvent(event)


_SETTINGS = ("focus-mode", "focus-area", "file-format", "drive-mode", "white-balance")
_QUIET = {"", "normal", "not recording", "ok", "off", "none", "not overheating"}


def _join(camera: Camera, names: tuple[str, ...], sep: str) -> str:
    values = (camera.formatted(name) for name in names)
    return sep.join(v for v in values if v)


def _media(camera: Camera) -> str:
    parts = []
    battery = camera.formatted("battery-remain")
    if battery:
        parts.append(f"Battery {battery}")
    for slot in (1, 2):
        status = camera.formatted(f"media-slot{slot}-status")
        left = camera.formatted(f"media-slot{slot}-remaining-photos")
        if status is None and left is None:
            continue
        if status and status.strip().lower() not in ("ok", ""):
            parts.append(f"Slot {slot}: {status}")
        else:
            parts.append(f"Slot {slot}: {left} left" if left else f"Slot {slot}")
    return "  ·  ".join(parts)


def _alerts(camera: Camera) -> list[str]:
    """What on the camera needs a look, most urgent first."""
    alerts = []
    recording = camera.formatted("recording-state")
    if recording and recording.strip().lower() not in _QUIET:
        alerts.append(f"● {recording.upper()}")
    heat = camera.formatted("overheating-state")
    if heat and heat.strip().lower() not in _QUIET:
        alerts.append(f"⚠ {heat}")
    notice = camera.notice
    if notice is not None:
        kind = "Error" if notice.is_error else "Warning"
        code = f" {notice.code}" if notice.code else ""
        alerts.append(f"⚠ {kind}{code} at {notice.time:%H:%M:%S}: {notice.message}")
    return alerts
