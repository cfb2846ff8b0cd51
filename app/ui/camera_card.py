"""One camera's card: who it is, whether it is alive, focus, transfer, last frame."""

from __future__ import annotations

import time

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QIcon,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..rig import RECENT_FRAMES, Camera, Frame, file_name
from .af_indicator import AfIndicator
from .thumbnails import fitted

THUMB_EDGE = 256
FULL_WIDTH = 290
COMPACT_WIDTH = 248
STRIP_EDGE = 72
_DONE_SHOWN_S = 2.0  # a finished transfer's bar stays this long

_EXPOSURE = ("exposure-program-mode", "shutter-speed", "aperture", "iso",
             "exposure-compensation")  # fmt: skip


class CameraCard(QFrame):
    """Shows one :class:`Camera`.

    Signals:
        frame_activated(object): the :class:`Frame` of the thumbnail double-clicked.
        rename_requested(object): the user asked to give the camera of this key
            a nickname (F2).
        dismiss_requested(object): the user has read the warning of the camera
            of this key (Delete).
        navigate(object, int, int): an arrow key on the card of this key: move
            the focus by (rows, columns).
    """

    frame_activated = Signal(object)
    rename_requested = Signal(object)
    dismiss_requested = Signal(object)
    navigate = Signal(object, int, int)

    def __init__(
        self,
        camera: Camera,
        parent: QWidget | None = None,
        *,
        strip_edge: int = STRIP_EDGE,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CameraCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedWidth(FULL_WIDTH)
        self.key = camera.key
        self._compact = False
        self._camera: Camera | None = None
        self._nickname = ""
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
        self.media.setWordWrap(True)
        self.alerts = QLabel(objectName="CardAlerts")
        self.alerts.setWordWrap(True)
        self.alerts.setAccessibleName("Camera state warnings")
        self.alerts.hide()
        self.notice = QLabel(objectName="CardNotice")
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Camera's last warning")
        self.dismiss = QToolButton(objectName="CardDismiss")
        self.dismiss.setText("✕")
        self.dismiss.setToolTip("Dismiss this warning (Delete); it stays in the log")
        self.dismiss.setAccessibleName("Dismiss the warning")
        self.dismiss.clicked.connect(self._ask_dismiss)
        self._notice_row = QWidget()
        notice_layout = QHBoxLayout(self._notice_row)
        notice_layout.setContentsMargins(0, 0, 0, 0)
        notice_layout.addWidget(self.notice, 1)
        notice_layout.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self._notice_row.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFormat("Transfer %p%")
        self.progress.setAccessibleName("Transfer progress")
        # The bar's room is kept while it is hidden: cards do not jump when a
        # transfer starts, and the grid's rows stay put.
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
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
        self.set_strip_edge(strip_edge)
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
        layout.addWidget(self._notice_row)
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

    @property
    def nickname(self) -> str:
        return self._nickname

    def set_nickname(self, name: str) -> None:
        self._nickname = name
        if self._camera is not None:
            self.show_camera(self._camera)

    @property
    def compact(self) -> bool:
        return self._compact

    def set_compact(self, compact: bool) -> None:
        """The dense layout for many cameras: who, alive, focus, exposure, alerts;
        the pictures and the finer settings are left out."""
        self._compact = compact
        for widget in (self.thumb, self.caption, self.settings_line, self.ident):
            widget.setVisible(not compact)
        self.strip.setVisible(not compact and self.strip.count() > 0)
        self.counter.setVisible(not compact and self.strip.count() > 0)
        self.setFixedWidth(COMPACT_WIDTH if compact else FULL_WIDTH)
        self.layout().setSpacing(3 if compact else 6)
        # Dense cards keep one line (their height must be known to lay out the
        # grid); full ones may wrap.
        self.media.setWordWrap(not compact)
        self.af.setFixedHeight(40 if compact else 48)
        if self._camera is not None:
            self.show_camera(self._camera)

    def show_camera(self, camera: Camera) -> None:
        self._camera = camera
        model = camera.model or "Camera"
        self.title.setText(_cut(self._nickname or model, 40))
        self.title.setToolTip(f"{model} {camera.id}\nF2 or right-click to rename")
        self.badge.setText(camera.connection_type or "?")
        who = [model] if self._nickname else []
        who += [camera.id] + ([camera.mode] if camera.mode else [])
        self.ident.setText(_cut(" · ".join(who), 60))
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
        self.media.setText(_media(camera, short=self._compact))
        alerts = _alerts(camera)
        self.alerts.setText("\n".join(alerts))
        self.alerts.setVisible(bool(alerts))
        notice = _notice(camera)
        self.notice.setText(notice)
        self._notice_row.setVisible(bool(notice))
        self._show_transfer(camera)
        name = f"{self._nickname} ({model})" if self._nickname else model
        self.setAccessibleName(
            f"{name} {camera.id}: {self.state.text()}, {self.af.text().lower()}"
        )

    def _show_transfer(self, camera: Camera) -> None:
        transfer = camera.transfer
        if transfer is None:
            self._hide_timer.stop()
            self.progress.hide()
            return
        # setValue() repaints at once, and with it the whole window: without
        # updates it is painted with the rest, once a refresh is done.
        self.progress.setUpdatesEnabled(False)
        self.progress.setValue(int(transfer.percent))
        self.progress.setUpdatesEnabled(True)
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
        self.thumb.setPixmap(fitted(image, self.thumb.size(), ratio))
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
        self.strip.setVisible(not self._compact)
        self.counter.setVisible(not self._compact)
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

    def set_strip_edge(self, edge: int) -> None:
        """The filmstrip's pictures ``edge`` pixels wide (3:2)."""
        self.strip.setIconSize(QSize(edge, edge * 2 // 3))
        self.strip.setFixedHeight(edge * 2 // 3 + 34)

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

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1),
                 Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}  # fmt: skip
        if key in moves:
            self.navigate.emit(self.key, *moves[key])
        elif key == Qt.Key.Key_F2:
            self._ask_rename()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            if self._notice_row.isVisible():
                self._ask_dismiss()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self._show_latest()
        else:
            super().keyPressEvent(event)

    def _ask_rename(self) -> None:
        self.rename_requested.emit(self.key)

    def _ask_dismiss(self) -> None:
        self.dismiss_requested.emit(self.key)

    def _show_latest(self) -> None:
        if self._frame is not None:
            self.frame_activated.emit(self._frame)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction("Rename…", self._ask_rename).setShortcut("F2")
        show = menu.addAction("Show latest frame", self._show_latest)
        show.setEnabled(self._frame is not None)
        dismiss = menu.addAction("Dismiss warning", self._ask_dismiss)
        dismiss.setEnabled(self._notice_row.isVisible())
        menu.popup(event.globalPos())


_SETTINGS = ("focus-mode", "focus-area", "file-format", "drive-mode", "white-balance")
_QUIET = {"", "normal", "not recording", "ok", "off", "none", "not overheating"}


def _join(camera: Camera, names: tuple[str, ...], sep: str) -> str:
    values = (camera.formatted(name) for name in names)
    return sep.join(v for v in values if v)


def _media(camera: Camera, *, short: bool = False) -> str:
    parts = []
    battery = camera.formatted("battery-remain")
    if battery:
        parts.append(f"Batt. {battery}" if short else f"Battery {battery}")
    for slot in camera.media_slots():
        n = slot.number
        if not slot.usable:
            parts.append(f"Slot {n}: {slot.status}")
        else:
            parts.append(f"Slot {n}: {slot.left} left" if slot.left else f"Slot {n}")
    if short:
        parts = [p.replace("Slot ", "S").replace(":", "").replace(" left", "")
                 for p in parts]  # fmt: skip
    return " · ".join(parts) if short else "  ·  ".join(parts)


def _alerts(camera: Camera) -> list[str]:
    """What on the camera needs a look, most urgent first."""
    alerts = []
    recording = camera.formatted("recording-state")
    if recording and recording.strip().lower() not in _QUIET:
        alerts.append(f"● {recording.upper()}")
    heat = camera.formatted("overheating-state")
    if heat and heat.strip().lower() not in _QUIET:
        alerts.append(f"⚠ {heat}")
    return alerts


def _notice(camera: Camera) -> str:
    """The last warning or error the camera reported, until dismissed."""
    notice = camera.notice
    if notice is None:
        return ""
    kind = "Error" if notice.is_error else "Warning"
    code = f" {notice.code}" if notice.code else ""
    message = _cut(notice.message, 160)
    return f"⚠ {kind}{_cut(code, 20)} at {notice.time:%H:%M:%S}: {message}"


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, one line: a card is no place for an essay
    (the log keeps the longer text)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
