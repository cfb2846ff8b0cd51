"""One camera's card: who it is, whether it is alive, focus, transfer, last frame."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..rig import Camera, Frame, file_name
from .af_indicator import AfIndicator

THUMB_EDGE = 256
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
        self.battery = QLabel(objectName="CardBattery")
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

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.badge)
        settings = QHBoxLayout()
        settings.addWidget(self.exposure, 1)
        settings.addWidget(self.battery)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.ident)
        layout.addWidget(self.state)
        layout.addWidget(self.af)
        layout.addLayout(settings)
        layout.addWidget(self.progress)
        layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption)

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
        if camera.connected:
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
        values = [camera.formatted(name) for name in _EXPOSURE]
        line = "  ".join(v for v in values if v)
        if camera.properties_stale and line:
            line += "  (stale)"
        self.exposure.setText(line)
        battery = camera.formatted("battery-remain")
        self.battery.setText(f"Battery {battery}" if battery else "")
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

    def show_frame(self, frame: Frame, image: QImage | None, error: str = "") -> None:
        self._frame = frame
        when = f"{frame.time:%H:%M:%S}"
        self.caption.setText(f"#{frame.number}  {frame.name}  {when}")
        if image is not None:
            pixmap = QPixmap.fromImage(image).scaled(
                self.thumb.size() * self.devicePixelRatioF(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            pixmap.setDevicePixelRatio(self.devicePixelRatioF())
            self.thumb.setPixmap(pixmap)
            self.thumb.setToolTip(frame.path)
        else:
            self.thumb.setPixmap(QPixmap())
            self.thumb.setText(f"{frame.name}\n{error}")
            self.thumb.setToolTip(f"{frame.path}\n{error}")
        self.thumb.setAccessibleDescription(f"Frame {frame.number}: {frame.name}")

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._frame is not None:
            self.frame_activated.emit(self._frame)
        super().mouseDoubleClickEvent(event)


def age(moment: datetime) -> str:
    seconds = int((datetime.now() - moment).total_seconds())
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"
