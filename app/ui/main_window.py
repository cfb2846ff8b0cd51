"""The main window: camera cards, the latest frame large, the event log, the status."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QGuiApplication,
    QImage,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..alerts import Alerts
from ..imaging import local_path
from ..protocol.events import AfState
from ..rig import CameraKey, Frame, LinkState, LogEntry, Rig, Server, file_name
from ..settings import Preferences
from .alerts import AlertBanner, AlertPresenter, set_flash
from .bridge import RigBridge
from .camera_card import STRIP_EDGE, THUMB_EDGE, CameraCard
from .placeholder import placeholder
from .studio import StudioView
from .theme import apply_theme
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


def rig_summary(rig: Rig, now: datetime | None = None) -> str:
    """One line for the whole rig: "6/8 connected · 5 focused · 312 frames ·
    last 2 s ago"."""
    cameras = list(rig.cameras.values())
    if not cameras:
        return ""
    connected = sum(c.connected for c in cameras)
    focused = sum(c.af in (AfState.FOCUSED, AfState.TRACKING) for c in cameras)
    frames = sum(c.shots for c in cameras)
    parts = [f"{connected}/{len(cameras)} connected", f"{focused} focused",
             f"{frames} frame{'s' if frames != 1 else ''}"]  # fmt: skip
    latest = max((c.latest.time for c in cameras if c.latest), default=None)
    if latest is not None:
        seconds = int(((now or datetime.now()) - latest).total_seconds())
        if seconds < 90:
            parts.append(f"last {seconds} s ago")
        elif seconds < 5400:
            parts.append(f"last {seconds // 60} min ago")
        else:
            parts.append(f"last at {latest:%H:%M}")
    return " · ".join(parts)


class MainWindow(QMainWindow):
    """Everything the photographer looks at."""

    def __init__(
        self,
        rig: Rig,
        *,
        on_retry: Callable[[], None] | None = None,
        mappings: list[tuple[str, str]] | None = None,
        preferences: Preferences | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tether Monitor")
        self.rig = rig
        self.preferences = preferences if preferences is not None else Preferences()
        self.bridge = RigBridge(rig, self)
        self.loader = ThumbnailLoader(self, mappings=mappings)
        self.cards: dict[CameraKey, CameraCard] = {}
        self.order = self.preferences.card_order
        self._columns = 1
        self._on_retry = on_retry

        self.summary = QLabel(objectName="Summary")
        self.empty = QLabel(objectName="EmptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = _ScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._grid_host)
        self._scroll = scroll
        self._relayout_timer = QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(30)
        self._relayout_timer.timeout.connect(self._relayout)
        scroll.resized.connect(self._schedule_relayout)  # e.g. the splitter moved

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

        self._build_menus()

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
        self._install_alerts_and_studio()
        self._place_window()

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        quit_action = menu.addAction("Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)

        view = self.menuBar().addMenu("&View")
        self.order_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for order, label in (("name", "Order Cards by &Name"),
                             ("id", "Order Cards by Camera &Id")):  # fmt: skip
            action = view.addAction(label)
            action.setCheckable(True)
            action.setChecked(order == self.order)
            action.setData(order)
            group.addAction(action)
            self.order_actions[order] = action
        group.triggered.connect(self._on_order_chosen)
        view.addSeparator()
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        current = self.preferences.theme
        for theme, label in (("dark", "&Dark Theme"), ("light", "&Light Theme")):
            action = view.addAction(label)
            action.setCheckable(True)
            action.setChecked(theme == current)
            action.setData(theme)
            group.addAction(action)
            self.theme_actions[theme] = action
        group.triggered.connect(self._on_theme_chosen)
        view.addSeparator()
        view.addAction("&Reset Layout", self.reset_layout)
        full = view.addAction("&Full Screen")
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.FullScreen)
        # F11 once: listed twice (it is the platform's own key on Linux) it
        # was an ambiguous shortcut, which Qt ignores.
        f11 = QKeySequence("F11")
        full.setShortcuts([*keys, f11] if f11 not in keys else keys)
        full.triggered.connect(self._toggle_full_screen)
        self.addAction(full)

    def _place_window(self) -> None:
        """Where the user left it, or most of the screen the first time."""
        saved = self.preferences.geometry
        if saved is not None and self.restoreGeometry(saved):
            return
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        if area is None or area.width() < 800:
            self.resize(1600, 960)
        else:
            self.resize(int(area.width() * 0.94), int(area.height() * 0.92))
            self.move(area.center() - self.rect().center())
        self.reset_layout()

    def reset_layout(self) -> None:
        """Cards three fifths of the width, the large picture the rest; the
        event log a fifth of the height."""
        width, height = self.width(), self.height()
        self._top_splitter.setSizes([width * 3 // 5, width * 2 // 5])
        self._outer_splitter.setSizes([height * 4 // 5, height // 5])

    # Slots are bound methods, not lambdas holding ``self``: a lambda makes a
    # reference cycle, and the cycle collector may then free the window on
    # whichever thread it runs, which Qt does not survive.
    @Slot(QAction)
    def _on_order_chosen(self, action: QAction) -> None:
        self.set_order(action.data())

    @Slot(QAction)
    def _on_theme_chosen(self, action: QAction) -> None:
        self.set_theme(action.data())

    def set_order(self, order: str) -> None:
        """Order the cards by ``"name"`` or ``"id"``; the choice is kept."""
        self.preferences.card_order = order
        self.order = order
        self.order_actions[order].setChecked(True)
        self._relayout()

    def set_theme(self, theme: str) -> None:
        """Switch to the ``"dark"`` or ``"light"`` theme; the choice is kept."""
        self.preferences.theme = theme
        self.theme_actions[theme].setChecked(True)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    def _toggle_full_screen(self) -> None:
        if self.studio_mode:  # F11 leaves studio mode (and its full screen)
            self.set_studio(False)
            return
        self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)

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
                card.set_nickname(self.preferences.nickname(camera.id))
                card.frame_activated.connect(self.viewer.show_frame)
                card.rename_requested.connect(self.ask_nickname)
                card.dismiss_requested.connect(self._dismiss_notice)
                card.navigate.connect(self._move_focus)
                self.cards[key] = card
                added = True
            else:
                card.show_camera(camera)
        self._refresh_status()
        if added:
            self._schedule_relayout()

    @Slot(object)
    def ask_nickname(self, key: CameraKey) -> QInputDialog | None:
        """Ask for a nickname for the camera of ``key`` (not modal: events keep
        flowing while the photographer types)."""
        card = self.cards.get(key)
        camera = self.rig.cameras.get(key)
        if card is None or camera is None:
            return None
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename camera")
        dialog.setLabelText(
            f"Nickname for {camera.model or 'the camera'} {camera.id}\n"
            "(kept for this camera; leave empty to show the model)"
        )
        dialog.setTextValue(card.nickname)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setProperty("cameraKey", list(key))
        dialog.textValueSelected.connect(self._on_nickname_chosen)
        dialog.open()
        return dialog

    @Slot(str)
    def _on_nickname_chosen(self, text: str) -> None:
        dialog = self.sender()
        key = dialog.property("cameraKey") if dialog is not None else None
        if key:
            self.rename((key[0], key[1]), text)

    @Slot(object)
    def _dismiss_notice(self, key: CameraKey) -> None:
        self.rig.dismiss_notice(key)

    def rename(self, key: CameraKey, nickname: str) -> None:
        """Give a camera a nickname (empty: none); kept per camera id."""
        stored = self.preferences.set_nickname(key[1], nickname)
        for card_key, card in self.cards.items():
            if card_key[1] == key[1]:
                card.set_nickname(stored)
        self._relayout()
        self.studio.refresh_names()

    @Slot(object, int, int)
    def _move_focus(self, key: CameraKey, rows: int, columns: int) -> None:
        cards = self.ordered_cards()
        keys = [card.key for card in cards]
        if key not in keys:
            return
        index = keys.index(key) + rows * self._columns + columns
        if 0 <= index < len(cards):
            cards[index].setFocus(Qt.FocusReason.OtherFocusReason)
            self._scroll.ensureWidgetVisible(cards[index])

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
        self._schedule_relayout()

    def _schedule_relayout(self) -> None:
        # After the pending layout work: sizes read then are the settled ones,
        # and a burst of new cards or resize steps costs one pass. The scroll
        # area is resized while the window is torn down too, when the timer
        # may be gone already (starting it then crashed the process).
        if shiboken6.isValid(self._relayout_timer):
            self._relayout_timer.start()

    def _relayout(self) -> None:
        """Place the cards in as many columns as fit; when full cards would
        need scrolling, all of them switch to the compact layout."""
        cards = self.ordered_cards()
        if not cards:
            return
        space = self._scroll.viewport().size()
        gap = self._grid.spacing()
        margins = self._grid.contentsMargins()
        width_left = space.width() - margins.left() - margins.right()
        height_left = space.height() - margins.top() - margins.bottom()
        for compact in (False, True):
            for card in cards:
                card.set_compact(compact)
            height = max(card.sizeHint().height() for card in cards)
            columns = max(1, (width_left + gap) // (cards[0].width() + gap))
            rows = -(-len(cards) // columns)
            if rows * (height + gap) - gap <= height_left:
                break
        else:
            columns = self._widen_grid(len(cards), columns, height, width_left)
        for card in cards:
            self._grid.removeWidget(card)
        top = Qt.AlignmentFlag.AlignTop
        for index, card in enumerate(cards):
            self._grid.addWidget(card, index // columns, index % columns, top)
            card.show()  # now, not when the layout's queued show comes round
        self._columns = columns

    def _widen_grid(self, count: int, columns: int, height: int, width: int) -> int:
        """Many cameras: give the grid room from the large picture (up to two
        thirds of the window) when more columns would avoid scrolling."""
        gap = self._grid.spacing()
        viewport = self._scroll.viewport()
        if not self.isVisible() or viewport.height() < 2 * height:
            return columns  # not laid out yet: nothing to go by
        rows_fit = max(1, (viewport.height() + gap) // (height + gap))
        wanted = -(-count // rows_fit)
        if wanted <= columns:
            return columns
        card_width = next(iter(self.cards.values())).width()
        # Worked out from the widgets' fixed parts, not from the viewport,
        # which is resized only later: the same answer however often asked.
        pane = self._top_splitter.widget(0).layout().contentsMargins()
        grid = self._grid.contentsMargins()
        style = self._scroll.style()
        scrollbar = style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        chrome = (pane.left() + pane.right() + grid.left() + grid.right()
                  + 2 * self._scroll.frameWidth() + scrollbar + 2)  # fmt: skip
        left, right = self._top_splitter.sizes()
        target = chrome + wanted * (card_width + gap) - gap
        target = min(target, (left + right) * 2 // 3)
        if target <= left:
            return columns
        self._top_splitter.setSizes([target, left + right - target])
        return max(columns, (target - chrome + gap) // (card_width + gap))

    def ordered_cards(self) -> list[CameraCard]:
        """Cards by server, then by name (nickname or model) or by camera id."""

        def key(card: CameraCard) -> tuple[str, str, str]:
            camera = self.rig.cameras.get(card.key)
            name = card.nickname or (camera.model if camera else "") or ""
            if self.order == "id":
                return (card.key[0], card.key[1], name)
            return (card.key[0], name.lower(), card.key[1])

        return sorted(self.cards.values(), key=key)

    def _refresh_status(self) -> None:
        servers = list(self.rig.servers.values())
        if not servers:
            self.status_label.setText("No server configured")
            return
        self.status_label.setText("   |   ".join(describe_server(s) for s in servers))
        retrying = any(s.state == LinkState.RETRYING for s in servers)
        self.retry_button.setVisible(retrying)
        self.summary.setText(rig_summary(self.rig))
        cameras = list(self.rig.cameras.values())
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
        if self.studio_mode:  # keep the normal window's geometry
            self.set_studio(False)
        self.preferences.geometry = self.saveGeometry()
        self._ticker.stop()
        self.alert_presenter.close()
        self.alerts.close()
        self.loader.shutdown()
        self.bridge.close()
        super().closeEvent(event)

    # -- alerts and studio mode -----------------------------------------------

    def _install_alerts_and_studio(self) -> None:
        """The alert banner above everything, and the studio view swapped in
        for the normal layout (a stack) on demand."""
        self.alerts = Alerts(self.rig)
        self.alert_banner = AlertBanner()
        self.alert_presenter = AlertPresenter(self.alerts, self.alert_banner, self)
        self.alert_presenter.flash.connect(self._on_alert_flash)
        self.alert_presenter.changed.connect(self._on_alerts_changed)
        self.studio = StudioView(
            self.rig, self.bridge, self.loader,
            # Plain functions of the rig and the choices, not of the window:
            # a view holding the window would make a reference cycle (see the
            # slots' note above).
            nickname=functools.partial(_nickname_of, self.preferences),
            order=functools.partial(_order_keys, self.rig, self.preferences),
            summary=functools.partial(rig_summary, self.rig),
        )  # fmt: skip
        self.studio_mode = False
        self._state_before_studio = self.windowState()
        self._geometry_before_studio = self.saveGeometry()
        self._stack = QStackedWidget()
        self._normal_view = self.takeCentralWidget()
        self._stack.addWidget(self._normal_view)
        self._stack.addWidget(self.studio)
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.alert_banner)
        layout.addWidget(self._stack, 1)
        self.setCentralWidget(host)

        view = next((a.menu() for a in self.menuBar().actions()
                     if a.menu() and a.text() == "&View"), None)  # fmt: skip
        view = view if view is not None else self.menuBar().addMenu("&View")
        self.studio_action = view.addAction("&Studio Mode")
        self.studio_action.setCheckable(True)
        self.studio_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.studio_action.setToolTip(
            "Full screen, the latest frame large and a tile per camera"
            " (Esc, F11 or Ctrl+Shift+S to leave)"
        )
        self.studio_action.toggled.connect(self.set_studio)
        self.addAction(self.studio_action)  # works with the menu bar hidden
        self._leave_studio = QAction("Leave Studio Mode", self)
        self._leave_studio.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self._leave_studio.setEnabled(False)
        self._leave_studio.triggered.connect(self._on_leave_studio)
        self.addAction(self._leave_studio)

    @Slot(bool)
    def set_studio(self, on: bool, *, full_screen: bool = True) -> None:
        """Studio mode (``on``): the studio view, no menu or status bar, full
        screen; off: the normal layout and window state as before."""
        if on == self.studio_mode:
            return
        self.studio_mode = on
        self.studio_action.setChecked(on)
        self._leave_studio.setEnabled(on)
        self._stack.setCurrentWidget(self.studio if on else self._normal_view)
        self.menuBar().setVisible(not on)
        self.statusBar().setVisible(not on)
        self.alert_banner.set_large(on)
        if on:
            self._state_before_studio = self.windowState()
            self._geometry_before_studio = self.saveGeometry()
            if full_screen:
                screen = self.screen()
                if screen is not None:  # the whole screen without a window manager
                    self.setGeometry(screen.geometry())
                full = Qt.WindowState.WindowFullScreen
                self.setWindowState(self.windowState() | full)
        else:
            self.setWindowState(self._state_before_studio)
            self.restoreGeometry(self._geometry_before_studio)
            self._schedule_relayout()

    @Slot()
    def _on_leave_studio(self) -> None:
        self.set_studio(False)

    @Slot(set, bool)
    def _on_alert_flash(self, flagged: set, phase: bool) -> None:
        for key, card in self.cards.items():
            set_flash(card, key in flagged, phase)
        self.studio.set_flash(flagged, phase)

    @Slot()
    def _on_alerts_changed(self) -> None:
        self.studio.show_alerts(self.alerts.active)


def _nickname_of(preferences: Preferences, key: CameraKey) -> str:
    return preferences.nickname(key[1])


def _order_keys(
    rig: Rig, preferences: Preferences, keys: list[CameraKey]
) -> list[CameraKey]:
    """The cameras in the cards' order: by server, then name or camera id."""

    def key(camera_key: CameraKey) -> tuple[str, str, str]:
        camera = rig.cameras.get(camera_key)
        name = preferences.nickname(camera_key[1]) or (camera.model if camera else "")
        if preferences.card_order == "id":
            return (camera_key[0], camera_key[1], name)
        return (camera_key[0], name.lower(), camera_key[1])

    return sorted(keys, key=key)


class _ScrollArea(QScrollArea):
    """A scroll area that says when it was resized."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()


def _loading(frame: Frame) -> QImage:
    return placeholder(frame.name, "still being written", 240, 160)
