"""The main window: camera cards, the latest frame large, the event log, the status."""

from __future__ import annotations

import functools
import logging
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import shiboken6
from PySide6.QtCore import Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QDesktopServices,
    QGuiApplication,
    QImage,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..alerts import Alerts
from ..config import Alerts as AlertChoices
from ..config import Config
from ..imaging import local_path
from ..protocol.events import AfState
from ..protocol.models import DEFAULT_URL
from ..rig import CameraKey, Frame, LinkState, LogEntry, Rig, Server, file_name
from ..settings import Preferences
from .alerts import AlertBanner, AlertPresenter, set_flash
from .bridge import RigBridge
from .camera_card import THUMB_EDGE, CameraCard
from .event_log import EventLog
from .placeholder import placeholder
from .server_views import UNREACHABLE_AFTER, ServerHeader, UnreachableBanner
from .theme import apply_theme
from .thumbnails import Picture, ThumbnailLoader
from .viewer import FrameViewer

log = logging.getLogger(__name__)

# The dialogs, the studio view and some Qt classes load when first wanted:
# PySide6 builds a class (and its enums) on first use, and QStyle alone costs
# about 5 ms of the start-up.
if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QInputDialog

    from ..watchers import Watchers
    from .about_dialog import AboutDialog
    from .settings_dialog import SettingsDialog
    from .studio import StudioView


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
        self.replaying = False
        """Whether the window shows a recording (set by a replay)."""
        self._no_picture: set[str] = set()  # paths whose failure was logged
        self.order = self.preferences.card_order
        self._columns = 1

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

        self.log_view = EventLog()
        self.log_view.add_entries(list(rig.log))  # any logged before the window

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
        self._add_log_menu()
        self._init_servers()

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
        self.set_alert_choices(self.preferences.config().alerts)
        self._place_window()

    def _build_menus(self) -> None:
        menu = self.file_menu = self.menuBar().addMenu("&File")
        self._add_settings_action(menu)
        menu.addSeparator()
        quit_action = self.quit_action = menu.addAction("Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self._add_quit_key(quit_action)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)  # also in studio mode, with no menu bar

        view = self.view_menu = self.menuBar().addMenu("&View")
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
        self._add_help_menu()

    def _add_log_menu(self) -> None:
        """File → Open Log Folder (the session logs) and the diagnostic log's."""
        file_menu, quit_action = self.file_menu, self.quit_action
        self.log_folders: dict[str, Path] = {}
        self.log_folder_actions: dict[str, QAction] = {}
        labels = {"sessions": "Open &Log Folder",
                  "diagnostics": "Open &Diagnostic Log Folder"}  # fmt: skip
        for kind, label in labels.items():
            action = QAction(label, self)
            action.setData(kind)
            action.setEnabled(False)
            action.triggered.connect(self._open_log_folder)
            file_menu.insertAction(quit_action, action)
            self.log_folder_actions[kind] = action
        file_menu.insertSeparator(quit_action)

    def set_log_folders(self, sessions: Path, diagnostics: Path) -> None:
        """Where File → Open Log Folder… go."""
        self.log_folders = {"sessions": sessions, "diagnostics": diagnostics}
        for action in self.log_folder_actions.values():
            action.setEnabled(True)

    @Slot()
    def _open_log_folder(self) -> None:
        action = self.sender()
        folder = self.log_folders.get(action.data()) if action else None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _place_window(self) -> None:
        """Where the user left it, or the whole screen the first time (a
        monitor is kept open beside the shoot: it wants the room)."""
        saved = self.preferences.geometry
        self.first_start = saved is None
        if saved is not None and self.restoreGeometry(saved):
            self._restore_splitters()
            return
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        if area is None or area.width() < 800:
            self.resize(1600, 960)
        else:
            self.setGeometry(area)
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
        if self.watchers is not None:
            self.watchers.retry_now()

    @Slot(list)
    def _on_servers_changed(self, urls: list[str]) -> None:
        self._sync_servers()
        self._refresh_status()

    @Slot(list)
    def _on_cameras_changed(self, keys: list[CameraKey]) -> None:
        added = removed = False
        for key in keys:
            camera = self.rig.cameras.get(key)
            if camera is None:  # forgotten, or its server is no longer watched
                removed |= self._drop_card(key)
                continue
            card = self.cards.get(key)
            if card is None:
                card = CameraCard(camera, strip_edge=self.strip_edge)
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
        if added or removed:
            self._schedule_relayout()

    @Slot(object)
    def ask_nickname(self, key: CameraKey) -> QInputDialog | None:
        """Ask for a nickname for the camera of ``key`` (not modal: events keep
        flowing while the photographer types)."""
        card = self.cards.get(key)
        camera = self.rig.cameras.get(key)
        if card is None or camera is None:
            return None
        from PySide6.QtWidgets import QInputDialog  # loaded when first wanted

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
        if self.studio is not None:
            self.studio.refresh_names()

    @Slot(object, int, int)
    def _move_focus(self, key: CameraKey, rows: int, columns: int) -> None:
        cards = self.ordered_cards()
        keys = [card.key for card in cards]
        if key not in keys or key not in self._positions:
            return
        target = None
        if columns:  # along the order, across rows and servers
            index = keys.index(key) + columns
            target = cards[index] if 0 <= index < len(cards) else None
        elif rows:  # the same column of the next row of cards, or its last card
            row, column = self._positions[key]
            lines: dict[int, dict[int, CameraCard]] = {}
            for card in cards:
                r, c = self._positions.get(card.key, (-1, -1))
                lines.setdefault(r, {})[c] = card
            below = sorted(r for r in lines if (r - row) * rows > 0)
            if below:
                line = lines[below[0] if rows > 0 else below[-1]]
                target = line.get(column) or line[max(line)]
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            self._scroll.ensureWidgetVisible(target)

    @Slot(object, object)
    def _on_frame_added(self, key: CameraKey, frame: Frame) -> None:
        if key not in self.cards:  # the camera is newer than the last refresh
            self._on_cameras_changed([key])
        card = self.cards.get(key)
        if card is not None:
            icon = self.loader.cached(frame.path, self.strip_edge)
            card.add_frame(frame, icon.image if icon else _loading(frame))
            self._request_card(card, frame)
            if icon is None:
                self.loader.request(frame.path, self.strip_edge, priority=2)
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

    @Slot(object, int, object)
    def _on_picture(self, path: str, edge: int, picture: Picture) -> None:
        if edge == self.strip_edge:
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

    @Slot(object, int, str, str)
    def _on_picture_failed(
        self, path: str, edge: int, problem: str, error: str
    ) -> None:
        name = file_name(path)
        self._note_no_picture(path, error)
        if edge == self.strip_edge:
            strip = self.strip_edge
            icon = placeholder(name, problem, strip * 2, strip * 4 // 3)
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

    def _note_no_picture(self, path: str, error: str) -> None:
        """Say once in the log why a frame has no picture, whatever is shown
        now (a newer frame may already have taken its place)."""
        if path in self._no_picture:
            return
        if len(self._no_picture) > 10_000:
            self._no_picture.clear()
        self._no_picture.add(path)
        key = next((c.key for c in self.rig.cameras.values()
                    if any(f.path == path for f in c.frames)), None)  # fmt: skip
        server, camera = key if key is not None else ("", None)
        self.rig.note(server, camera, "picture",
                      f"no picture for {file_name(path)}: {error}",
                      level="warning")  # fmt: skip

    @Slot(list)
    def _on_logged(self, entries: list[LogEntry]) -> None:
        self.log_view.add_entries(entries)

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
        """Place the cards in as many columns as fit, under a header per server
        when several are watched; when full cards would need scrolling, all of
        them switch to the compact layout."""
        cards = self.ordered_cards()
        groups = self._card_groups(cards)
        if not cards and len(groups) < 2:
            return
        space = self._scroll.viewport().size()
        gap = self._grid.spacing()
        margins = self._grid.contentsMargins()
        width_left = space.width() - margins.left() - margins.right()
        height_left = space.height() - margins.top() - margins.bottom()
        height_left -= sum(h.sizeHint().height() + gap for h, _ in groups if h)
        columns = 1
        for compact in (False, True):
            if not cards:
                break
            for card in cards:
                card.set_compact(compact)
            height = max(card.sizeHint().height() for card in cards)
            columns = max(1, (width_left + gap) // (cards[0].width() + gap))
            rows = sum(-(-len(group) // columns) for _, group in groups)
            if rows * (height + gap) - gap <= height_left:
                break
        else:
            columns = self._widen_grid(len(cards), columns, height, width_left)
        self._place(groups, columns)
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
        from PySide6.QtWidgets import QStyle  # loaded when first wanted

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
        """Cards by server (as listed), then by name (nickname or model) or by
        camera id."""
        keys = _order_keys(
            self.rig, self.preferences, list(self.cards), by_id=self.order == "id"
        )
        return [self.cards[key] for key in keys]

    def _refresh_status(self) -> None:
        self._refresh_servers()
        servers = list(self.rig.servers.values())
        if not servers:
            self.status_label.setText("No server configured")
            return
        text = self._status_text(servers)
        if self.replaying:  # what a recording says, not a live link
            text = f"Replay (recorded): {text}"
        self.status_label.setText(text)
        retrying = any(s.state == LinkState.RETRYING for s in servers)
        self.retry_button.setVisible(retrying)
        self.summary.setText(rig_summary(self.rig))
        cameras = list(self.rig.cameras.values())
        # While the banner says the server cannot be reached, it is the one message.
        self.empty.setVisible(not cameras and self.banner.isHidden())
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

    # -- servers, settings, about -----------------------------------------------

    def _init_servers(self) -> None:
        self.watchers: Watchers | None = None
        """Set by ``app.gui.watch`` while the servers are watched."""
        self.fixed_servers: list[str] = []
        """Watched whatever the settings say (the demo's simulator)."""
        self.run_overrides: dict[str, str] = {}
        """Settings the command line overrode for this run (name → option)."""
        self.strip_edge: int = self.preferences.thumbnail_size
        self.server_headers: dict[str, ServerHeader] = {}
        self._positions: dict[CameraKey, tuple[int, int]] = {}
        self._started = time.monotonic()
        self._settings_dialog: SettingsDialog | None = None
        self._server_change: asyncio.Future[None] | None = None
        self.banner = UnreachableBanner()
        self.banner.settings_requested.connect(self.open_settings)
        self.banner.retry_requested.connect(self._retry)
        self._top_splitter.widget(0).layout().insertWidget(0, self.banner)

    def _add_settings_action(self, menu: QMenu) -> None:
        action = menu.addAction("&Settings…")
        action.setMenuRole(QAction.MenuRole.PreferencesRole)
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        comma = QKeySequence("Ctrl+,")
        action.setShortcuts(keys + ([] if comma in keys else [comma]))
        action.triggered.connect(self.open_settings)
        self.addAction(action)  # also in studio mode, with no menu bar
        self.settings_action = action

    @staticmethod
    def _add_quit_key(action: QAction) -> None:
        """Ctrl+Q everywhere, also where the platform binds no Quit key."""
        keys = action.shortcuts()
        ctrl_q = QKeySequence("Ctrl+Q")
        if ctrl_q not in keys:
            action.setShortcuts([*keys, ctrl_q])

    def _add_help_menu(self) -> None:
        menu = self.menuBar().addMenu("&Help")
        about = menu.addAction("&About Tether Monitor")
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.open_about)

    def _restore_splitters(self) -> None:
        states = self.preferences.splitters
        if len(states) == 2:
            self._top_splitter.restoreState(states[0])
            self._outer_splitter.restoreState(states[1])

    @Slot()
    def open_settings(self) -> SettingsDialog:
        """Show the settings (not modal; one at a time)."""
        dialog = self._settings_dialog
        if dialog is None or not shiboken6.isValid(dialog):
            from .settings_dialog import SettingsDialog

            dialog = SettingsDialog(
                self.preferences, overrides=self.run_overrides, parent=self
            )
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.applied.connect(self.apply_config)
            self._settings_dialog = dialog
        if dialog.isVisible():  # asked again: bring it to the front
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.show()
        return dialog

    @Slot(object, object)
    def apply_config(self, old: Config, new: Config) -> None:
        """What changed in the settings takes effect now; what did not change
        keeps this run's values (e.g. from the command line)."""
        if new.servers != old.servers:
            self.watch_servers(new.servers)
        if self.watchers is not None and (
            new.poll_interval != old.poll_interval
            or new.stall_timeout != old.stall_timeout
        ):
            watchers = self.watchers
            watchers.set_intervals(
                new.poll_interval if new.poll_interval != old.poll_interval
                else watchers.poll_interval,
                new.stall_timeout if new.stall_timeout != old.stall_timeout
                else watchers.stall_timeout,
            )  # fmt: skip
        if new.mappings != old.mappings:
            self.loader.mappings = list(new.mappings)
        if new.theme != old.theme:
            self.set_theme(new.theme)
        if new.thumbnail_size != old.thumbnail_size:
            self.set_strip_edge(new.thumbnail_size)
        if new.alerts != old.alerts:
            self.set_alert_choices(new.alerts)

    def set_alert_choices(self, choices: AlertChoices) -> None:
        """What alerts may do (notification, sound) and when they fire."""
        self.alerts.thresholds = msgspec.structs.replace(
            self.alerts.thresholds,
            battery_percent=choices.battery_percent,
            card_shots=choices.card_shots,
            transfer_stall=choices.transfer_stall,
        )
        self.alert_presenter.notify_desktop = choices.desktop
        self.alert_presenter.sound = choices.sound
        self.alerts.check()

    def set_strip_edge(self, edge: int) -> None:
        """Filmstrip pictures ``edge`` pixels wide from now on: the frames
        already in the strips are decoded again at that size."""
        self.strip_edge = edge
        for card in self.cards.values():
            card.set_strip_edge(edge)
            for path in dict.fromkeys(card.strip_paths()):
                picture = self.loader.request(path, edge, priority=2)
                if picture is not None:
                    card.set_strip_icon(path, picture.image)
        self._schedule_relayout()

    def watch_servers(self, urls: list[str]) -> None:
        """Watch ``urls`` (and the fixed servers) from now on: servers no longer
        listed are let go with their cards, new ones are connected to."""
        wanted = [*self.fixed_servers, *urls] or [DEFAULT_URL]
        if self.watchers is not None:
            import asyncio  # loaded once the window shows (see app.gui)

            self._server_change = asyncio.ensure_future(self.watchers.set_urls(wanted))
            self._server_change.add_done_callback(_log_failure)

    @Slot()
    def open_about(self) -> AboutDialog:
        from .about_dialog import AboutDialog

        dialog = AboutDialog(self.rig, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    @Slot(str)
    def _retry_server(self, url: str) -> None:
        if self.watchers is not None:
            self.watchers.retry_now(url)

    def _drop_card(self, key: CameraKey) -> bool:
        """Take a camera's card out of the grid; whether it had one."""
        card = self.cards.pop(key, None)
        if card is None:
            return False
        self._grid.removeWidget(card)
        card.deleteLater()
        return True

    def _sync_servers(self) -> None:
        """Headers for the servers watched (when more than one); the cards of
        servers no longer watched go."""
        changed = False
        for key in [k for k in self.cards if k[0] not in self.rig.servers]:
            changed |= self._drop_card(key)
        wanted = list(self.rig.servers) if len(self.rig.servers) > 1 else []
        changed = changed or list(self.server_headers) != wanted
        for url in [u for u in self.server_headers if u not in wanted]:
            header = self.server_headers.pop(url)
            self._grid.removeWidget(header)
            header.deleteLater()
            changed = True
        for url in wanted:
            if url not in self.server_headers:
                name = "Simulator (demo)" if url in self.fixed_servers else ""
                header = ServerHeader(url, name=name)
                header.retry_requested.connect(self._retry_server)
                self.server_headers[url] = header
        self.server_headers = {url: self.server_headers[url] for url in wanted}
        if changed:
            self._schedule_relayout()

    def _card_groups(
        self, cards: list[CameraCard]
    ) -> list[tuple[ServerHeader | None, list[CameraCard]]]:
        """The cards under their server's header; one group without a header
        when only one server is watched."""
        if not self.server_headers:
            return [(None, cards)]
        return [
            (header, [card for card in cards if card.key[0] == url])
            for url in self.rig.servers
            if (header := self.server_headers.get(url)) is not None
        ]

    def _place(
        self,
        groups: list[tuple[ServerHeader | None, list[CameraCard]]],
        columns: int,
    ) -> None:
        for header, group in groups:
            if header is not None:
                self._grid.removeWidget(header)
            for card in group:
                self._grid.removeWidget(card)
        top = Qt.AlignmentFlag.AlignTop
        row = 0
        self._positions = {}
        for header, group in groups:
            if header is not None:
                self._grid.addWidget(header, row, 0, 1, columns)
                row += 1
            for index, card in enumerate(group):
                place = (row + index // columns, index % columns)
                self._grid.addWidget(card, *place, top)
                card.show()  # now, not when the layout's queued show comes round
                self._positions[card.key] = place
            row += -(-len(group) // columns)

    @staticmethod
    def _status_text(servers: list[Server]) -> str:
        """One server: its sentence. Several (each has its header in the grid):
        how many are connected, and the sentence of each that is not."""
        if len(servers) == 1:
            return describe_server(servers[0])
        up = sum(s.state == LinkState.OPEN for s in servers)
        text = f"{up}/{len(servers)} servers connected"
        down = [s for s in servers if s.state == LinkState.RETRYING]
        return "   |   ".join([text, *(describe_server(s) for s in down)])

    def _refresh_servers(self) -> None:
        """The headers' states, and the message for servers that have not
        answered once since the start."""
        for url, server in self.rig.servers.items():
            header = self.server_headers.get(url)
            if header is not None:
                header.show_server(server, len(self.rig.cameras_of(url)))
        waited = time.monotonic() - self._started >= UNREACHABLE_AFTER
        servers = self.rig.servers.values()
        never = [s for s in servers if not s.answered and s.state != LinkState.CLOSED]
        self.banner.show_servers(
            never if waited else [], others_answer=any(s.answered for s in servers)
        )

    def closeEvent(self, event) -> None:
        if self.studio_mode:  # keep the normal window's geometry
            self.set_studio(False)
        self.preferences.geometry = self.saveGeometry()
        self.preferences.splitters = [
            self._top_splitter.saveState(),
            self._outer_splitter.saveState(),
        ]
        self._ticker.stop()
        self.alert_presenter.close()
        self.alerts.close()
        self.loader.shutdown()
        self.bridge.close()
        super().closeEvent(event)

    # -- alerts and studio mode -----------------------------------------------

    def _install_alerts_and_studio(self) -> None:
        """The alert banner above everything, and a stack for the studio view
        to be swapped in for the normal layout (built when first asked for)."""
        self.alerts = Alerts(self.rig)
        self.alert_banner = AlertBanner()
        self.alert_presenter = AlertPresenter(self.alerts, self.alert_banner, self)
        self.alert_presenter.flash.connect(self._on_alert_flash)
        self.alert_presenter.changed.connect(self._on_alerts_changed)
        self.studio: StudioView | None = None
        self.studio_mode = False
        self._state_before_studio = self.windowState()
        self._geometry_before_studio = self.saveGeometry()
        self._stack = QStackedWidget()
        self._normal_view = self.takeCentralWidget()
        self._stack.addWidget(self._normal_view)
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.alert_banner)
        layout.addWidget(self._stack, 1)
        self.setCentralWidget(host)

        self.studio_action = self.view_menu.addAction("&Studio Mode")
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
        studio = self._studio_view()
        studio.active = on
        self._stack.setCurrentWidget(studio if on else self._normal_view)
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

    def _studio_view(self) -> StudioView:
        """The studio view, made the first time studio mode is asked for: most
        sessions never use it, and it would follow every event meanwhile."""
        if self.studio is None:
            from .studio import StudioView

            self.studio = StudioView(
                self.rig, self.bridge, self.loader,
                # Plain functions of the rig and the choices, not of the window:
                # a view holding the window would make a reference cycle (see
                # the slots' note above).
                nickname=functools.partial(_nickname_of, self.preferences),
                order=functools.partial(_order_keys, self.rig, self.preferences),
                summary=functools.partial(rig_summary, self.rig),
            )  # fmt: skip
            self.studio.show_alerts(self.alerts.active)
            self._stack.addWidget(self.studio)
        return self.studio

    @Slot()
    def _on_leave_studio(self) -> None:
        self.set_studio(False)

    @Slot(set, bool)
    def _on_alert_flash(self, flagged: set, phase: bool) -> None:
        for key, card in self.cards.items():
            set_flash(card, key in flagged, phase)
        if self.studio is not None:
            self.studio.set_flash(flagged, phase)

    @Slot()
    def _on_alerts_changed(self) -> None:
        if self.studio is not None:
            self.studio.show_alerts(self.alerts.active)


def _nickname_of(preferences: Preferences, key: CameraKey) -> str:
    return preferences.nickname(key[1])


def _log_failure(done: asyncio.Future[None]) -> None:
    """A change of the watched servers that failed is said, not lost."""
    if not done.cancelled() and done.exception() is not None:
        log.error("Changing the watched servers failed", exc_info=done.exception())


def _order_keys(
    rig: Rig,
    preferences: Preferences,
    keys: list[CameraKey],
    *,
    by_id: bool | None = None,
) -> list[CameraKey]:
    """The cameras in the cards' order: by server (as listed), then by name
    (nickname or model) or by camera id. The grid and the studio tiles share it."""
    servers = {url: index for index, url in enumerate(rig.servers)}
    if by_id is None:
        by_id = preferences.card_order == "id"

    def key(camera_key: CameraKey) -> tuple[int, str, str, str]:
        camera = rig.cameras.get(camera_key)
        name = preferences.nickname(camera_key[1]) or (camera.model if camera else "")
        server = servers.get(camera_key[0], len(servers))
        if by_id:
            return (server, camera_key[0], camera_key[1], name)
        return (server, camera_key[0], name.lower(), camera_key[1])

    return sorted(keys, key=key)


class _ScrollArea(QScrollArea):
    """A scroll area that says when it was resized."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()


def _loading(frame: Frame) -> QImage:
    return placeholder(frame.name, "still being written", 240, 160)
