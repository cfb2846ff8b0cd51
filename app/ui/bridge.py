"""Turns the rig's callbacks into Qt signals, coalesced so widgets keep up."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

from ..rig import Camera, CameraKey, Frame, LogEntry, Rig, RigListener, Server

REFRESH_MS = 30
"""The shortest time between two refreshes of the widgets: 33 a second at most."""


class RigBridge(QObject):
    """A Qt face for a :class:`Rig`.

    Signals:
        cameras_changed(list): keys of the cameras that changed since the last one.
        servers_changed(list): URLs of the servers that changed.
        frame_added(object, object): the camera key and the :class:`Frame` that landed.
        logged(list): the new :class:`LogEntry` items, oldest first.
    """

    cameras_changed = Signal(list)
    servers_changed = Signal(list)
    frame_added = Signal(object, object)
    logged = Signal(list)

    def __init__(self, rig: Rig, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rig = rig
        self._cameras: dict[CameraKey, None] = {}
        self._servers: dict[str, None] = {}
        self._entries: list[LogEntry] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._flush)
        self._since_flush = QElapsedTimer()
        self._unsubscribe = rig.subscribe(_Listener(self))

    def close(self) -> None:
        self._unsubscribe()
        self._timer.stop()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            # The first change after a quiet spell is shown as soon as the events
            # being read now are in; changes that follow wait for the next
            # refresh, REFRESH_MS after the last one. (Waiting the whole
            # REFRESH_MS after the first change made a burst wait for nothing.)
            since = self._since_flush
            wait = REFRESH_MS - since.elapsed() if since.isValid() else 0
            self._timer.start(max(0, wait))

    def _flush(self) -> None:
        self._since_flush.start()
        if self._servers:
            servers, self._servers = list(self._servers), {}
            self.servers_changed.emit(servers)
        if self._cameras:
            cameras, self._cameras = list(self._cameras), {}
            self.cameras_changed.emit(cameras)
        if self._entries:
            entries, self._entries = self._entries, []
            self.logged.emit(entries)


class _Listener(RigListener):
    def __init__(self, bridge: RigBridge) -> None:
        self._bridge = bridge

    def server_changed(self, server: Server) -> None:
        self._bridge._servers[server.url] = None
        self._bridge._schedule()

    def camera_changed(self, camera: Camera) -> None:
        self._bridge._cameras[camera.key] = None
        self._bridge._schedule()

    def frame_added(self, camera: Camera, frame: Frame) -> None:
        # Frames are rare and each one matters: not coalesced.
        self._bridge.frame_added.emit(camera.key, frame)

    def logged(self, entry: LogEntry) -> None:
        self._bridge._entries.append(entry)
        self._bridge._schedule()
