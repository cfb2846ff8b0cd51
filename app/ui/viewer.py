"""The large view: the latest frame from any camera, fitted or at 100 %."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import (
    QDesktopServices,
    QImage,
    QKeySequence,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..imaging import is_image_name
from ..rig import Frame
from .thumbnails import fitted


class _Canvas(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("LatestView")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)


_WAITING = "The latest frame appears here"
SWAP_GRACE_MS = 250
"""How long the picture before stays up, under its own caption, while the next
one decodes: a frame ready by then replaces it without a blink; one that is not
is said to be loading. Each new frame restarts the wait, so a burst shows the
last picture decoded until the frames stop coming."""


class FrameViewer(QWidget):
    """Shows one frame large; steps through the session's frames, newest first.

    While the newest frame is shown, each new frame replaces it; after stepping
    back, the view stays put and *Next* says how many newer frames there are.

    Signals:
        wanted(object, int): a :class:`Frame` and the edge size to decode it at.
        open_requested(str): a local file to open in the system's viewer.
        reveal_requested(str): a local folder to show.
    """

    wanted = Signal(object, int)

    FIT_EDGE = 2048

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frames: list[Frame] = []  # newest first
        self.index = 0
        self.actual_size = False
        self._image: QImage | None = None
        self._before: QImage | None = None  # shown while the next one decodes
        self._local_path = ""
        self.full_size: tuple[int, int] | None = None
        self.file_bytes: int | None = None
        self.camera_name = ""
        self._swap = QTimer(self)
        self._swap.setSingleShot(True)
        self._swap.setInterval(SWAP_GRACE_MS)
        self._swap.timeout.connect(self._show_loading)

        self.canvas = _Canvas()
        self.canvas.setText(_WAITING)
        self.canvas.setAccessibleName("Latest frame, large")
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(objectName="LatestCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )

        self.prev_button = QPushButton("◀ Older")
        self.prev_button.setAccessibleName("Show the older frame")
        self.prev_button.setShortcut(QKeySequence(Qt.Key.Key_Left))
        self.next_button = QPushButton("Newer ▶")
        self.next_button.setAccessibleName("Show the newer frame")
        self.next_button.setShortcut(QKeySequence(Qt.Key.Key_Right))
        self.zoom_button = QPushButton("100 %")
        self.zoom_button.setCheckable(True)
        self.zoom_button.setAccessibleName("Show at 100 percent")
        self.zoom_button.setToolTip("Show every pixel (Z); again to fit")
        self.zoom_button.setShortcut(QKeySequence(Qt.Key.Key_Z))
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open in the system's image viewer")
        self.reveal_button = QPushButton("Show in folder")
        for button in (self.prev_button, self.next_button, self.zoom_button,
                       self.open_button, self.reveal_button):  # fmt: skip
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.prev_button.clicked.connect(self.older)
        self.next_button.clicked.connect(self.newer)
        self.zoom_button.toggled.connect(self._on_zoom)
        self.open_button.clicked.connect(self._open)
        self.reveal_button.clicked.connect(self._reveal)

        bar = QHBoxLayout()
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(self.zoom_button)
        bar.addWidget(self.open_button)
        bar.addWidget(self.reveal_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.caption)
        layout.addLayout(bar)
        self._update_buttons()

    @property
    def frame(self) -> Frame | None:
        return self.frames[self.index] if self.frames else None

    def edge(self) -> int:
        if self.actual_size and self.full_size is not None:
            return max(self.full_size)
        return self.FIT_EDGE

    def add(self, frame: Frame) -> None:
        """A frame landed: show it if the newest is being shown."""
        following = self.index == 0
        self.frames.insert(0, frame)
        if following:
            self.show_index(0)
        else:
            self.index += 1
            self._update_buttons()

    def show_frame(self, frame: Frame) -> None:
        if frame in self.frames:
            self.show_index(self.frames.index(frame))

    def show_index(self, index: int) -> None:
        self.index = max(0, min(index, len(self.frames) - 1))
        self.full_size = None
        self.file_bytes = None
        if self._image is not None:
            self._before = self._image
        self._image = None
        self._local_path = ""
        if self._before is not None:  # kept up a moment, under its own caption
            self._swap.start()
        self.zoom_button.setChecked(False)
        self._update_buttons()
        if self._before is None:
            self._show_loading()
        frame = self.frame
        if frame is not None:
            self.wanted.emit(frame, self.edge())

    @Slot()
    def _show_loading(self) -> None:
        self._swap.stop()
        self._before = None
        self._caption()
        self._fit()

    @Slot()
    def older(self) -> None:
        if self.index + 1 < len(self.frames):
            self.show_index(self.index + 1)

    @Slot()
    def newer(self) -> None:
        if self.index > 0:
            self.show_index(self.index - 1)

    def set_picture(
        self,
        path: str,
        image: QImage,
        *,
        local_path: str = "",
        full_size: tuple[int, int] | None = None,
        file_bytes: int | None = None,
        error: str = "",
    ) -> None:
        """The decoded picture (or a placeholder) for the frame at ``path``."""
        frame = self.frame
        if frame is None or frame.path != path:
            return
        self._swap.stop()
        self._before = None
        self._image = image
        self._local_path = local_path
        self.full_size = full_size
        self.file_bytes = file_bytes
        self._caption(error)
        self._fit()
        self._update_buttons()

    def _caption(self, error: str = "") -> None:
        frame = self.frame
        if frame is None:
            self.caption.setText("")
            return
        parts = [
            frame.name,
            self.camera_name or frame.camera_key[1],
            f"{frame.time:%H:%M:%S}",
        ]
        if self.full_size:
            parts.append(f"{self.full_size[0]}×{self.full_size[1]}")
        if self.file_bytes is not None:
            parts.append(f"{self.file_bytes / 1e6:.1f} MB")
        if error:
            parts.append(error)
        self.caption.setText("  ·  ".join(parts))

    def _update_buttons(self) -> None:
        newer = self.index
        self.next_button.setText(f"Newer ({newer}) ▶" if newer else "Newer ▶")
        self.next_button.setEnabled(newer > 0)
        self.prev_button.setEnabled(self.index + 1 < len(self.frames))
        usable = bool(self._local_path) and is_image_name(self._local_path)
        self.open_button.setEnabled(usable)
        self.reveal_button.setEnabled(bool(self._local_path))
        self.zoom_button.setEnabled(self.full_size is not None)

    @Slot(bool)
    def _on_zoom(self, actual: bool) -> None:
        self.actual_size = actual
        self.scroll.setWidgetResizable(not actual)
        frame = self.frame
        if frame is not None and self.full_size is not None:
            self.wanted.emit(frame, self.edge())
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        image = self._image if self._image is not None else self._before
        if image is None:  # text, not an empty pixmap: that hid the text
            frame = self.frame
            self.canvas.setText(f"Loading {frame.name}…" if frame else _WAITING)
            return
        if not self.isVisible():
            return  # hidden behind the studio view: scaled once shown again
        ratio = self.devicePixelRatioF()
        if self.actual_size:
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            self.canvas.setPixmap(pixmap)
            self.canvas.resize(pixmap.deviceIndependentSize().toSize())
            return
        space = self.scroll.viewport().size()
        if space.width() < 10 or space.height() < 10:
            space = QSize(640, 480)
        self.canvas.setPixmap(fitted(image, space, ratio))

    @Slot()
    def _open(self) -> None:
        # Only pictures are handed to the system, and only to open: never run.
        if self._local_path and is_image_name(self._local_path):
            QDesktopServices.openUrl(QUrl.fromLocalFile(self._local_path))

    @Slot()
    def _reveal(self) -> None:
        if self._local_path:
            from pathlib import Path

            QDesktopServices.openUrl(
                QUrl.fromLocalFile(str(Path(self._local_path).parent))
            )

    def pixmap(self) -> QPixmap:
        return self.canvas.pixmap()
