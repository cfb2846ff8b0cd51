"""The main window: camera cards, the latest frame large, the event log, the status."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QAction, QImage, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..imaging import local_path
from ..rig import CameraKey, Frame, LinkState, LogEntry, Rig, Server, file_name
from .bridge import RigBridge
from .camera_card import STRIP_EDGE, THUMB_EDGE, CameraCard
from .placeholder import placeholder
from .thumbnails import Picture, ThumbnailLoader
from .viewer import FrameViewer

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


class MainWindow(QMainWindow):
    """Everything the photographer looks at."""

    def __init__(
        self,
        rig: Rig,
        *,
        on_retry: Callable[[], None] | None = None,
        mappings: list[tuple[str, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tether Monitor")
        self.rig = rig
        self.bridge = RigBridge(rig, self)
        self.loader = ThumbnailLoader(self, mappings=mappings)
        self.cards: dict[CameraKey, CameraCard] = {}
        self._on_retry = on_retry

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

        self.viewer = FrameViewer()
        self.viewer.wanted.connect(self._on_viewer_wants)
        right = self.viewer

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
        self.loader.ready.connect(self._on_picture)
        self.loader.failed.connect(self._on_picture_failed)
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
                card.frame_activated.connect(self.viewer.show_frame)
                self.cards[key] = card
                added = True
            else:
                card.show_camera(camera)
        if added:
            self._relayout()
        self._refresh_status()

    @Slot(object, object)
    def _on_frame_added(self, key: CameraKey, frame: Frame) -> None:
        card = self.cards.get(key)
        if card is not None:
            icon = self.loader.cached(frame.path, STRIP_EDGE)
            card.add_frame(frame, icon.image if icon else _loading(frame))
            self._request_card(card, frame)
            if icon is None:
                self.loader.request(frame.path, STRIP_EDGE, priority=2)
        self.viewer.add(frame)

    def _request_card(self, card: CameraCard, frame: Frame) -> None:
        picture = self.loader.request(frame.path, THUMB_EDGE, group=("card", card.key))
        if picture is not None:
            card.show_frame(frame, picture.image)
        elif card.frame is None or card.frame.path != frame.path:
            card.show_frame(frame, _loading(frame), loading=True)

    @Slot(object, int)
    def _on_viewer_wants(self, frame: Frame, edge: int) -> None:
        camera = self.rig.cameras.get(frame.camera_key)
        self.viewer.camera_name = camera.model if camera and camera.model else ""
        picture = self.loader.request(frame.path, edge, group="viewer", priority=0)
        if picture is not None:
            self._show_in_viewer(frame.path, picture)
        else:
            small = self.loader.cached(frame.path, THUMB_EDGE)
            if small is not None:  # something to look at while the large one decodes
                self._show_in_viewer(frame.path, small)

    def _show_in_viewer(self, path: str, picture: Picture) -> None:
        self.viewer.set_picture(
            path,
            picture.image,
            local_path=local_path(path, self.loader.mappings),
            full_size=(picture.width, picture.height),
            file_bytes=picture.file_bytes,
        )

    @Slot(str, int, object)
    def _on_picture(self, path: str, edge: int, picture: Picture) -> None:
        if edge == STRIP_EDGE:
            for card in self.cards.values():
                card.set_strip_icon(path, picture.image)
        elif edge == THUMB_EDGE:
            for card in self.cards.values():
                camera = self.rig.cameras.get(card.key)
                latest = camera.latest if camera else None
                if latest is not None and latest.path == path:
                    card.show_frame(latest, picture.image)
            if self.viewer.frame is not None and self.viewer.full_size is None:
                self._show_in_viewer(path, picture)
        frame = self.viewer.frame
        if frame is not None and frame.path == path and edge == self.viewer.edge():
            self._show_in_viewer(path, picture)

    @Slot(str, int, str, str)
    def _on_picture_failed(
        self, path: str, edge: int, problem: str, error: str
    ) -> None:
        name = file_name(path)
        if edge == STRIP_EDGE:
            icon = placeholder(name, problem, STRIP_EDGE * 2, STRIP_EDGE * 4 // 3)
            for card in self.cards.values():
                card.set_strip_icon(path, icon)
            return
        frame = self.viewer.frame
        if frame is not None and frame.path == path:
            self.viewer.set_picture(
                path, placeholder(name, problem, 960, 640),
                local_path=local_path(path, self.loader.mappings), error=error,
            )  # fmt: skip
        if edge != THUMB_EDGE:
            return
        for card in self.cards.values():
            camera = self.rig.cameras.get(card.key)
            latest = camera.latest if camera else None
            if latest is not None and latest.path == path:
                card.show_frame(latest, placeholder(name, problem, 480, 320), error)
                self.rig.note(
                    card.key[0], card.key[1], "picture",
                    f"no picture for {latest.name}: {error}", level="warning",
                )  # fmt: skip

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


def _loading(frame: Frame) -> QImage:
    return placeholder(frame.name, "still being written", 240, 160)
