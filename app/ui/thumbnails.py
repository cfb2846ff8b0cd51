"""Decode thumbnails on worker threads and hand them to the window by signal."""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader

log = logging.getLogger(__name__)

MAX_PIXELS = 200_000_000
"""Declared image sizes above this are refused before decoding."""


class ThumbnailError(Exception):
    """Why a file gave no thumbnail, in words fit for the user."""


def read_thumbnail(path: str, edge: int, *, wait: float = 5.0) -> QImage:
    """Decode ``path`` scaled so its longer side is ``edge`` pixels, upright.

    A file that is still being written (its size changes, or a JPEG without its
    end marker) is read again until it settles, for at most ``wait`` seconds.
    Raises :class:`ThumbnailError`.
    """
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return _read_once(path, edge)
        except _NotReady as exc:
            if time.monotonic() + delay > deadline:
                raise ThumbnailError(str(exc)) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


class _NotReady(Exception):
    pass


def _read_once(path: str, edge: int) -> QImage:
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        raise _NotReady(f"file not found where expected: {path}") from None
    except OSError as exc:
        raise ThumbnailError(f"cannot read {path}: {exc.strerror}") from None
    if size == 0:
        raise _NotReady("the file is empty (still being written?)")
    if path.lower().endswith((".jpg", ".jpeg")) and not _has_jpeg_end(path, size):
        raise _NotReady("the JPEG is truncated (no end marker)")
    reader = QImageReader(path)
    reader.setAutoTransform(True)  # applies the EXIF orientation
    declared = reader.size()
    if not declared.isValid():
        raise ThumbnailError(f"not an image Qt can read ({reader.errorString()})")
    if declared.width() * declared.height() > MAX_PIXELS:
        megapixels = declared.width() * declared.height() / 1e6
        raise ThumbnailError(f"too large to show ({megapixels:.0f} MP)")
    # Scaling while decoding lets the JPEG decoder skip most of the work.
    scaled = declared.scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio)
    reader.setScaledSize(scaled)
    image = reader.read()
    if image.isNull():
        raise ThumbnailError(f"could not decode the image ({reader.errorString()})")
    return image


def _has_jpeg_end(path: str, size: int) -> bool:
    with open(path, "rb") as f:
        f.seek(max(0, size - 64))
        return b"\xff\xd9" in f.read()


class _Job(QRunnable):
    def __init__(self, loader: ThumbnailLoader, path: str, edge: int) -> None:
        super().__init__()
        self._loader = loader
        self._path = path
        self._edge = edge

    def run(self) -> None:
        try:
            image = read_thumbnail(self._path, self._edge)
        except ThumbnailError as exc:
            self._loader._finished.emit(self._path, self._edge, None, str(exc))
        except Exception as exc:  # never let a bad file take a worker down
            log.exception("Thumbnail of %s failed", self._path)
            self._loader._finished.emit(self._path, self._edge, None, repr(exc))
        else:
            self._loader._finished.emit(self._path, self._edge, image, "")


class ThumbnailLoader(QObject):
    """Decodes thumbnails off the UI thread and keeps the recent ones.

    Signals:
        ready(str, int, QImage): a path's thumbnail at an edge size.
        failed(str, int, str): a path gave none; the reason in plain words.
    """

    ready = Signal(str, int, QImage)
    failed = Signal(str, int, str)
    _finished = Signal(str, int, object, str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        threads: int = 2,
        cache_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._cache: OrderedDict[tuple[str, int], QImage] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._used = 0
        self._pending: set[tuple[str, int]] = set()
        self._finished.connect(self._on_finished)

    def request(self, path: str, edge: int) -> QImage | None:
        """The cached thumbnail, or None and ``ready``/``failed`` later."""
        key = (path, edge)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if key not in self._pending:
            self._pending.add(key)
            self._pool.start(_Job(self, path, edge))
        return None

    def shutdown(self) -> None:
        """Drop queued work; running decodes finish on their own threads."""
        self._pool.clear()

    def _on_finished(
        self, path: str, edge: int, image: QImage | None, error: str
    ) -> None:
        key = (path, edge)
        self._pending.discard(key)
        if image is None:
            self.failed.emit(path, edge, error)
            return
        self._cache[key] = image
        self._used += image.sizeInBytes()
        while self._used > self._cache_bytes and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._used -= old.sizeInBytes()
        self.ready.emit(path, edge, image)
