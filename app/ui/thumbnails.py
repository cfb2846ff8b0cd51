"""Decode pictures on worker threads and hand them to the window by signal."""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Hashable

import msgspec
from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from ..imaging import Decoded, ImageError, Problem, decode_when_ready, local_path

log = logging.getLogger(__name__)


class _Job(msgspec.Struct, order=True):
    """A decode waiting for a worker. Jobs are queued in (priority, seq) order;
    ``seq`` is unique, so the fields after it never take part."""

    priority: int
    seq: int
    path: str
    edge: int
    cancelled: bool = False
    wanted_by: set[Hashable] = msgspec.field(default_factory=set)
    """The groups waiting for it; None stands for a request of no group, which
    is never taken back. The job is cancelled when the last one moves on."""


class Picture(msgspec.Struct, frozen=True):
    """A decoded picture and what is known of the file."""

    image: QImage
    width: int
    height: int
    file_bytes: int


CACHE_BYTES = 64 * 1024 * 1024
"""Decoded pictures kept for reuse: about 350 card thumbnails, or 20 pictures
at the large view's size. A long shoot's memory levels off there (5,000
frames: tests/benchmarks/bench_long_shoot.py); older frames are decoded again
when asked for."""


class ThumbnailLoader(QObject):
    """Decodes pictures off the UI thread, at most ``threads`` at a time, and
    keeps recent ones in a cache bounded in bytes.

    A request may name a *group* (a card's latest frame, the large view): a newer
    request in the same group cancels the older one if it has not finished, since
    only the newest frame is worth showing there. Worker threads are daemons, so
    closing the window never waits for a decode.

    Signals:
        ready(str, int, object): the path as the server named it, the edge size,
            and the :class:`Picture`.
        failed(str, int, str, str): the path, the edge, the :class:`Problem` and
            the reason in plain words.
    """

    # The path as the frame has it (object, not str: Qt's strings would turn
    # a lone surrogate into another character, and no frame would match).
    ready = Signal(object, int, object)
    failed = Signal(object, int, str, str)
    _finished = Signal(object, object, object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        threads: int | None = None,
        cache_bytes: int = CACHE_BYTES,
        mappings: list[tuple[str, str]] | None = None,
        wait: float = 10.0,
    ) -> None:
        super().__init__(parent)
        self.mappings = list(mappings or [])
        self.wait = wait
        self._cache: OrderedDict[tuple[str, int], Picture] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._used = 0
        self._pending: dict[tuple[str, int], _Job] = {}
        self._groups: dict[Hashable, _Job] = {}
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._seq = itertools.count()
        # Workers emit only while holding this lock and while the loader is
        # open: shutdown() takes it, so no emit can race the object's deletion.
        self._emit_lock = threading.Lock()
        self._open = True
        self._threads = 0
        self._finished.connect(self._on_finished)
        if threads is None:
            # Leave a core to the UI thread: with every core decoding, the
            # window stalled for 150 ms when 20 large frames landed at once
            # (tests/benchmarks/bench_pictures.py on 2 cores); with one, 40 ms.
            threads = max(1, min(4, (os.cpu_count() or 2) - 1))
        self._threads = threads
        for n in range(threads):
            threading.Thread(
                target=self._work, name=f"thumbnails-{n}", daemon=True
            ).start()

    @property
    def cache_used(self) -> int:
        return self._used

    def cached(self, path: str, edge: int) -> Picture | None:
        key = (path, edge)
        picture = self._cache.get(key)
        if picture is not None:
            self._cache.move_to_end(key)
        return picture

    def request(
        self, path: str, edge: int, *, group: Hashable = None, priority: int = 1
    ) -> Picture | None:
        """The cached picture now, or None and ``ready``/``failed`` later.

        Lower ``priority`` numbers are decoded first.
        """
        picture = self.cached(path, edge)
        if group is not None:
            older = self._groups.pop(group, None)
            if older is not None and (older.path, older.edge) != (path, edge):
                older.wanted_by.discard(group)
                if not older.wanted_by:  # e.g. the viewer and studio shared it
                    older.cancelled = True
                    if self._pending.get((older.path, older.edge)) is older:
                        del self._pending[(older.path, older.edge)]
        if picture is not None:
            return picture
        key = (path, edge)
        job = self._pending.get(key)
        if job is None or job.cancelled:
            job = _Job(priority, next(self._seq), path, edge)
            self._pending[key] = job
            self._queue.put(job)
        job.wanted_by.add(group)
        if group is not None:
            self._groups[group] = job
        return None

    def shutdown(self) -> None:
        """Forget queued work and let the workers end; a decode under way ends
        on its own thread and its result is dropped. Call before deleting."""
        with self._emit_lock:
            self._open = False
        for job in self._pending.values():
            job.cancelled = True
        self._pending.clear()
        self._groups.clear()
        for _ in range(self._threads):  # one "stop" per worker, after the rest
            self._queue.put(_Job(1 << 30, next(self._seq), "", 0, cancelled=True))

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if not self._open:
                return
            if job.cancelled:
                continue
            try:
                local = local_path(job.path, self.mappings)
                decoded: Decoded | ImageError = decode_when_ready(
                    local, job.edge, wait=self.wait, cancelled=lambda j=job: j.cancelled
                )
            except ImageError as exc:
                decoded = exc
            except Exception as exc:  # a bad file must never take a worker down
                log.exception("Decoding %s failed", job.path)
                decoded = ImageError(Problem.UNREADABLE, f"could not be read ({exc!r})")
            with self._emit_lock:
                if not self._open:
                    return
                self._finished.emit(job, job.path, decoded)

    @Slot(object, object, object)
    def _on_finished(self, job: _Job, path: str, result: Decoded | ImageError) -> None:
        key = (job.path, job.edge)
        if self._pending.get(key) is job:
            del self._pending[key]
        for group in job.wanted_by:  # every group that waited for it
            if group is not None and self._groups.get(group) is job:
                del self._groups[group]
        if job.cancelled:
            return
        if isinstance(result, ImageError):
            self.failed.emit(path, job.edge, str(result.problem), str(result))
            return
        picture = Picture(result.image, result.width, result.height, result.file_bytes)
        self._cache[key] = picture
        self._used += picture.image.sizeInBytes()
        while self._used > self._cache_bytes and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._used -= old.image.sizeInBytes()
        self.ready.emit(path, job.edge, picture)


def fitted(image: QImage, size: QSize, ratio: float) -> QPixmap:
    """``image`` scaled smoothly to fit in ``size`` (device-independent
    pixels) on a screen of device pixel ratio ``ratio``: sharp on high DPI."""
    pixmap = QPixmap.fromImage(image).scaled(
        size * ratio,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    pixmap.setDevicePixelRatio(ratio)
    return pixmap
