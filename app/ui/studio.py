"""Studio mode: what a screen across the room shows. The latest frame as large
as the screen allows, one compact tile per camera (name, alive, big focus
indicator, battery and card), the rig in one large line. Readable at three
metres on a 1080p screen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..alerts import Alert
from ..rig import Camera, CameraKey, Frame, Rig, file_name
from .af_indicator import AfIndicator
from .alerts import ALERT_WORDS, set_flash
from .bridge import RigBridge
from .placeholder import placeholder
from .thumbnails import Picture, ThumbnailLoader, fitted
from .viewer import FrameViewer

PICTURE_EDGE = FrameViewer.FIT_EDGE
"""The large picture is decoded at this edge: the normal large view's, so the
two share one decode."""
ONE_ROW = 8
"""Up to this many cameras the tiles take one row; more take two."""
TILE_MAX_WIDTH = 420
TILE_GAP = 10


class StudioTile(QFrame):
    """One camera, compact and large: who, alive, focus, battery and card."""

    def __init__(self, camera: Camera, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StudioTile")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.key = camera.key
        self.name = QLabel(objectName="TileName")
        self.state = QLabel(objectName="TileState")
        self.af = AfIndicator()
        self.af.setFixedHeight(54)
        self.battery = QLabel(objectName="TileMedia")
        self.card = QLabel(objectName="TileMedia")
        self.alert = QLabel(objectName="TileAlert")
        for label in (self.name, self.state, self.battery, self.card, self.alert):
            label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 8, 8)
        layout.setSpacing(2)
        layout.addWidget(self.name)
        layout.addWidget(self.state)
        layout.addWidget(self.af)
        layout.addWidget(self.battery)
        layout.addWidget(self.card)
        layout.addWidget(self.alert)
        self._nickname = ""
        self.show_camera(camera)

    def show_camera(self, camera: Camera, nickname: str | None = None) -> None:
        if nickname is not None:
            self._nickname = nickname
        self.name.setText(self._nickname or camera.model or camera.id)
        self.name.setToolTip(f"{camera.model} {camera.id}")
        if camera.connected:
            self.state.setText("● Connected")
            lost = False
        elif camera.lost_at is not None:
            self.state.setText(f"✕ LOST {camera.lost_at:%H:%M}")
            lost = True
        else:
            self.state.setText("○ Not connected")
            lost = False
        if self.state.property("lost") != lost:
            self.state.setProperty("lost", lost)
            self.state.style().polish(self.state)
        self.af.set_state(camera.af)
        battery = camera.formatted("battery-remain")
        self.battery.setText(f"Battery {battery}" if battery else "Battery ?")
        self.card.setText(_card_line(camera))
        self.setAccessibleName(
            f"{self.name.text()}: {self.state.text()}, {self.af.text().lower()},"
            f" {self.battery.text()}, {self.card.text()}"
        )

    def show_alerts(self, alerts: list[Alert]) -> None:
        if not alerts:
            self.alert.setText("")
            return
        first = max(alerts, key=lambda a: (a.resolved is None, a.is_error, a.id))
        more = f" +{len(alerts) - 1}" if len(alerts) > 1 else ""
        word = ALERT_WORDS[first.kind]
        if first.resolved is None:
            self.alert.setText(f"⚠ {word}{more}")
        else:
            self.alert.setText(f"✓ {word} (over){more}")


def _card_line(camera: Camera) -> str:
    """The card with the fewest shots left (the one that fills first)."""
    usable = [s for s in camera.media_slots() if s.usable and s.left]
    if not usable:
        return "Card ?"
    first = min(usable, key=lambda s: (s.shots_left is None, s.shots_left or 0))
    return f"Card {first.left} left"


class _Picture(QLabel):
    resized = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("StudioPicture")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setAccessibleName("Latest frame, studio view")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()


class StudioView(QWidget):
    """The studio layout over the same rig and thumbnail loader as the window.

    ``nickname(key)`` names a camera (empty: its model); ``order(keys)`` puts
    the cameras in the window's card order; ``summary()`` is the rig's line.
    """

    def __init__(
        self,
        rig: Rig,
        bridge: RigBridge,
        loader: ThumbnailLoader,
        *,
        nickname: Callable[[CameraKey], str],
        order: Callable[[list[CameraKey]], list[CameraKey]],
        summary: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Studio")
        self.rig = rig
        self.loader = loader
        self._nickname = nickname
        self._order = order
        self._summary = summary
        self.tiles: dict[CameraKey, StudioTile] = {}
        self.active = False
        """Whether studio mode is on: the view lays itself out only then (a
        stack shows it on its own while the window is torn down)."""
        self.frame: Frame | None = None
        self._image: QImage | None = None

        self.summary = QLabel(objectName="StudioSummary")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture = _Picture()
        self.picture.setText("The latest frame appears here")
        self.picture.resized.connect(self._show_image)
        self.caption = QLabel(objectName="StudioCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._tiles_host = QWidget(objectName="StudioTiles")
        self._grid = QGridLayout(self._tiles_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(TILE_GAP)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(TILE_GAP, 6, TILE_GAP, TILE_GAP)
        layout.setSpacing(6)
        layout.addWidget(self.summary)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self._tiles_host)

        self._relayout_timer = QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(30)
        self._relayout_timer.timeout.connect(self._relayout)
        self._ticker = QTimer(self)
        self._ticker.setInterval(500)
        self._ticker.timeout.connect(self._refresh_summary)
        self._ticker.start()

        bridge.cameras_changed.connect(self._on_cameras_changed)
        bridge.frame_added.connect(self._on_frame_added)
        loader.ready.connect(self._on_picture)
        loader.failed.connect(self._on_picture_failed)
        self._on_cameras_changed(list(rig.cameras))
        latest = max((c.latest for c in rig.cameras.values() if c.latest),
                     key=lambda f: f.time, default=None)  # fmt: skip
        if latest is not None:
            self._on_frame_added(latest.camera_key, latest)

    def ordered_tiles(self) -> list[StudioTile]:
        return [self.tiles[k] for k in self._order(list(self.tiles)) if k in self.tiles]

    # -- the rig -------------------------------------------------------------

    @Slot(list)
    def _on_cameras_changed(self, keys: list[CameraKey]) -> None:
        added = False
        removed = False
        for key in keys:
            camera = self.rig.cameras.get(key)
            if camera is None:  # its server is no longer watched
                tile = self.tiles.pop(key, None)
                if tile is not None:
                    tile.deleteLater()
                    removed = True
                continue
            tile = self.tiles.get(key)
            if tile is None:
                self.tiles[key] = StudioTile(camera)
                self.tiles[key].show_camera(camera, self._nickname(key))
                added = True
            else:
                tile.show_camera(camera, self._nickname(key))
        if added or removed:
            self._relayout_timer.start()
        self._refresh_summary()

    def refresh_names(self) -> None:
        """After a rename: names and order again."""
        for key, tile in self.tiles.items():
            camera = self.rig.cameras.get(key)
            if camera is not None:
                tile.show_camera(camera, self._nickname(key))
        self._relayout()

    @Slot(object, object)
    def _on_frame_added(self, key: CameraKey, frame: Frame) -> None:
        self.frame = frame
        if not self.active:
            return  # decoded when studio mode comes on, not for nobody
        picture = self.loader.request(
            frame.path, PICTURE_EDGE, group="studio", priority=0
        )
        if picture is not None:
            self._set_image(picture.image)

    @Slot(object, int, object)
    def _on_picture(self, path: str, edge: int, picture: Picture) -> None:
        if not self.active or self.frame is None or path != self.frame.path:
            return
        if edge == PICTURE_EDGE or (self._image is None and edge < PICTURE_EDGE):
            self._set_image(picture.image)  # a thumbnail will do until then

    @Slot(object, int, str, str)
    def _on_picture_failed(self, path: str, edge: int, problem: str, _: str) -> None:
        if not self.active:
            return
        if self.frame is not None and path == self.frame.path and edge == PICTURE_EDGE:
            self._set_image(placeholder(file_name(path), problem, 960, 640))

    def _set_image(self, image: QImage) -> None:
        """Show the picture of ``self.frame`` (the caption goes with it: the
        one before stays until the new picture is decoded)."""
        self._image = image
        frame = self.frame
        if frame is not None:
            key = frame.camera_key
            camera = self.rig.cameras.get(key)
            name = self._nickname(key) or (camera.model if camera else "") or key[1]
            self.caption.setText(
                f"{name}  ·  #{frame.number}  {frame.name}  ·  {frame.time:%H:%M:%S}"
            )
            self.picture.setAccessibleDescription(self.caption.text())
        self._show_image()

    def _show_image(self) -> None:
        if self._image is None:
            return
        ratio = self.devicePixelRatioF()
        size = self.picture.size()
        if size.width() < 2 or size.height() < 2:
            return
        self.picture.setPixmap(fitted(self._image, size, ratio))

    # -- alerts --------------------------------------------------------------

    def set_flash(self, flagged: set[CameraKey], phase: bool) -> None:
        for key, tile in self.tiles.items():
            set_flash(tile, key in flagged, phase)

    def show_alerts(self, alerts: list[Alert]) -> None:
        for key, tile in self.tiles.items():
            tile.show_alerts([a for a in alerts if a.camera_key == key])

    # -- layout --------------------------------------------------------------

    @Slot()
    def _refresh_summary(self) -> None:
        if self.isVisible():
            self.summary.setText(self._summary() or "No camera yet")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.active:
            self._refresh_summary()
            self._relayout()
            if self.frame is not None:  # the latest, decoded now
                self._on_frame_added(self.frame.camera_key, self.frame)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout_timer.start()

    def _relayout(self) -> None:
        tiles = self.ordered_tiles()
        if not tiles or not self.active:
            return
        rows = 1 if len(tiles) <= ONE_ROW else 2
        columns = -(-len(tiles) // rows)
        margins = self.layout().contentsMargins()
        width = self.width() - margins.left() - margins.right()
        tile_width = min(TILE_MAX_WIDTH, (width - (columns - 1) * TILE_GAP) // columns)
        for tile in tiles:
            self._grid.removeWidget(tile)
            tile.setFixedWidth(max(120, tile_width))
        for index, tile in enumerate(tiles):
            self._grid.addWidget(tile, index // columns, index % columns)
        self._show_image()
