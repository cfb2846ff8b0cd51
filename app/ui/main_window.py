"""The main window: camera cards, the latest frame large, the event log, the status."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..rig import CameraKey, Frame, LinkState, LogEntry, Rig, Server
from .bridge import RigBridge
from .camera_card import THUMB_EDGE, CameraCard
from .thumbnails import ThumbnailLoader

LARGE_EDGE = 2048
LOG_LINES = 1000


def describe_server(server: Server) -> str:
    """The status bar's sentence for a server's link."""
    match server.state:
        case LinkState.CONNECTING:
            return f"Connecting to {server.url}…"
        case LinkState.OPEN:
            status = server.status
            if status is None:
                return f"Connected to {server.url}"
            return (
                f"Connected to {server.url} · server {status.version}"
                f" · SDK {status.sdk_version}"
            )
        case LinkState.RETRYING:
            wait = server.retry_in()
            when = (
                f"retrying in {wait:.0f} s" if wait and wait >= 0.5 else "retrying now"
            )
            return f"Offline: {server.reason} · {when}"
        case _:
            return f"Stopped watching {server.url}"


class LatestView(QLabel):
    """The latest frame, fitted to the space it has."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LatestView")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(QSize(320, 220))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Latest frame, large")
        self._image: QImage | None = None
        self.setText("The latest frame appears here")

    def show_image(self, image: QImage | None, message: str = "") -> None:
        self._image = image
        if image is None:
            self.setPixmap(QPixmap())
            self.setText(message)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._image is None:
            return
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap.fromImage(self._image).scaled(
            self.size() * ratio,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        pixmap.setDevicePixelRatio(ratio)
        self.setPixmap(pixmap)


class MainWindow(QMainWindow):
    """Everything the photographer looks at."""

    def __init__(
        self,
        rig: Rig,
        *,
        on_retry: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tether Monitor")
        self.rig = rig
        self.bridge = RigBridge(rig, self)
        self.loader = ThumbnailLoader(self)
        self.cards: dict[CameraKey, CameraCard] = {}
        self._on_retry = on_retry
        self._latest: Frame | None = None

        self.summary = QLabel(objectName="Summary")
        self.empty = QLabel(objectName="EmptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._grid_host)
        self._scroll = scroll

        self.latest = LatestView()
        self.latest_caption = QLabel(objectName="LatestCaption")
        self.latest_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.latest, 1)
        right_layout.addWidget(self.latest_caption)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.summary)
        left_layout.addWidget(self.empty)
        left_layout.addWidget(scroll, 1)

        self.log_view = QPlainTextEdit(objectName="EventLog")
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(LOG_LINES)
        self.log_view.setAccessibleName("Event log")
        self.log_view.setPlaceholderText("Events appear here")

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(left)
        top.addWidget(right)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(top)
        outer.addWidget(self.log_view)
        outer.setStretchFactor(0, 4)
        outer.setStretchFactor(1, 1)
        self.setCentralWidget(outer)
        self._top_splitter = top
        self._outer_splitter = outer

        self.status_label = QLabel(objectName="ServerStatus")
        self.status_label.setAccessibleName("Server status")
        self.retry_button = QPushButton("Retry now")
        self.retry_button.setAccessibleName("Retry connecting now")
        self.retry_button.clicked.connect(self._retry)
        self.retry_button.hide()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.retry_button)

        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)

        self.bridge.cameras_changed.connect(self._on_cameras_changed)
        self.bridge.servers_changed.connect(self._on_servers_changed)
        self.bridge.frame_added.connect(self._on_frame_added)
        self.bridge.logged.connect(self._on_logged)
        self.loader.ready.connect(self._on_thumbnail)
        self.loader.failed.connect(self._on_thumbnail_failed)
        self._ticker = QTimer(self)
        self._ticker.setInterval(250)
        self._ticker.timeout.connect(self._refresh_status)
        self._ticker.start()
        self._refresh_status()
        self.resize(1600, 960)
        top.setSizes([900, 700])
        outer.setSizes([780, 180])

    # -- slots -------------------------------------------------------------------

    @Slot()
    def _retry(self) -> None:
        if self._on_retry is not None:
            self._on_retry()

    @Slot(list)
    def _on_servers_changed(self, urls: list[str]) -> None:
        self._refresh_status()

    @Slot(list)
    def _on_cameras_changed(self, keys: list[CameraKey]) -> None:
        added = False
        for key in keys:
            camera = self.rig.cameras.get(key)
            if camera is None:
                continue
            card = self.cards.get(key)
            if card is None:
                card = CameraCard(camera)
                card.frame_activated.connect(self._show_large)
                self.cards[key] = card
                added = True
            else:
                card.show_camera(camera)
        if added:
            self._relayout()
        self._refresh_status()

    @Slot(object, object)
    def _on_frame_added(self, key: CameraKey, frame: Frame) -> None:
        self._latest = frame
        image = self.loader.request(frame.path, THUMB_EDGE)
        if image is not None:
            self._on_thumbnail(frame.path, THUMB_EDGE, image)
        self._show_large(frame)

    @Slot(object)
    def _show_large(self, frame: Frame) -> None:
        self._latest = frame
        camera = self.rig.cameras.get(frame.camera_key)
        who = camera.model if camera and camera.model else frame.camera_key[1]
        self.latest_caption.setText(f"{frame.name} · {who} · {frame.time:%H:%M:%S}")
        image = self.loader.request(frame.path, LARGE_EDGE)
        if image is not None:
            self.latest.show_image(image)

    @Slot(str, int, QImage)
    def _on_thumbnail(self, path: str, edge: int, image: QImage) -> None:
        if edge == LARGE_EDGE:
            if self._latest is not None and self._latest.path == path:
                self.latest.show_image(image)
            return
        for card in self.cards.values():
            camera = self.rig.cameras.get(card.key)
            latest = camera.latest if camera else None
            if latest is not None and latest.path == path:
                card.show_frame(latest, image)

    @Slot(str, int, str)
    def _on_thumbnail_failed(self, path: str, edge: int, error: str) -> None:
        if edge == LARGE_EDGE:
            if self._latest is not None and self._latest.path == path:
                self.latest.show_image(None, f"{self._latest.name}\n{error}")
            return
        for card in self.cards.values():
            camera = self.rig.cameras.get(card.key)
            latest = camera.latest if camera else None
            if latest is not None and latest.path == path:
                card.show_frame(latest, None, error)
                self.rig.note(
                    card.key[0],
                    card.key[1],
                    "thumbnail",
                    f"no picture for {latest.name}: {error}",
                    level="warning",
                )

    @Slot(list)
    def _on_logged(self, entries: list[LogEntry]) -> None:
        lines = []
        for entry in entries:
            camera = entry.camera or "—"
            mark = {"warning": "⚠ ", "error": "✖ "}.get(entry.level, "")
            when = f"{entry.time:%H:%M:%S}"
            lines.append(f"{when}  {camera:<14} {entry.type:<18} {mark}{entry.summary}")
        self.log_view.appendPlainText("\n".join(lines))

    # -- layout and status -------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        width = self._scroll.viewport().width()
        columns = max(1, width // (THUMB_EDGE + 40))
        for index, card in enumerate(self.cards.values()):
            self._grid.addWidget(card, index // columns, index % columns)

    def _refresh_status(self) -> None:
        servers = list(self.rig.servers.values())
        if not servers:
            self.status_label.setText("No server configured")
            return
        self.status_label.setText("   |   ".join(describe_server(s) for s in servers))
        retrying = any(s.state == LinkState.RETRYING for s in servers)
        self.retry_button.setVisible(retrying)
        cameras = list(self.rig.cameras.values())
        connected = sum(c.connected for c in cameras)
        frames = sum(c.shots for c in cameras)
        self.summary.setText(
            f"{connected}/{len(cameras)} cameras connected · {frames} frames"
            if cameras
            else ""
        )
        self.empty.setVisible(not cameras)
        if not cameras:
            self.empty.setText(self._empty_text(servers))

    @staticmethod
    def _empty_text(servers: list[Server]) -> str:
        if any(s.state == LinkState.OPEN for s in servers):
            return (
                "No camera attached.\n\nThe server is running and answering. "
                "Connect a camera by USB or on the network, and it appears here."
            )
        if any(s.state == LinkState.RETRYING for s in servers):
            return "Cannot reach the server yet; retrying. See the status bar below."
        return "Connecting to the server…"

    def closeEvent(self, event) -> None:
        self._ticker.stop()
        self.loader.shutdown()
        self.bridge.close()
        super().closeEvent(event)
