"""The event log pane: every log entry in a table; filters, pause, export.

The rows live in :class:`EventLogModel`, a ring of at most :data:`CAPACITY`
entries (the oldest go first) that also does the filtering: the rows shown are
a list kept beside the ring, recomputed in one pass when a filter changes and
extended by each batch, so inserts and removals reach the view once per batch.
"""

from __future__ import annotations

import contextlib
import csv
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..rig import LogEntry
from ..session_log import entry_line, entry_record, entry_time
from .server_views import host_of

if TYPE_CHECKING:  # loaded when first wanted (a class costs ~2 ms on first use)
    from PySide6.QtWidgets import QFileDialog

MENU_TYPES = 300
"""The most event types the type menu lists (a server inventing names without
end would otherwise grow it without end); the text filter finds the others."""
MENU_CAMERAS = 300
"""The most cameras the camera menu lists (ids named by events no camera's
stream carried, or by cameras forgotten, could otherwise grow it without end)."""
CAPACITY = 20_000
"""Rows the window keeps; the whole session is in the session file."""
COLUMNS = ("Time", "Server", "Camera", "Type", "Summary")
CSV_FIELDS = ("time", "server", "camera", "type", "level", "summary")
MARKS = {"warning": "⚠", "error": "✖"}
PROBLEMS = "\x00problems"
"""The type filter's "Warnings and errors" choice."""
TEXT_DELAY_MS = 150
"""Typing in the text filter is applied after this pause."""
_COLOURS = {
    True: {"warning": QColor("#ffb347"), "error": QColor("#ff6b6b")},  # dark
    False: {"warning": QColor("#8a5100"), "error": QColor("#b3212b")},  # light
}

Index = QModelIndex | QPersistentModelIndex


# A row is a plain tuple of strings, numbers and a datetime: such tuples are
# not tracked by the cycle collector, so a full ring costs it nothing (the
# application runs it on the UI thread). LogEntry fields first, then what the
# table shows and the text filter searches, worked out once.
_Row = tuple[int, datetime, str, "str | None", str, str, str, str, str, str]
_SEQ, _TIME, _SERVER, _CAMERA, _TYPE, _SUMMARY, _LEVEL = range(7)
_TIME_TEXT, _SERVER_TEXT, _HAYSTACK = range(7, 10)


def _row(entry: LogEntry, seq: int) -> _Row:
    when = f"{entry.time:%H:%M:%S.%f}"[:-3]
    fields = (when, entry.server, entry.camera or "", entry.type, entry.level,
              entry.summary)  # fmt: skip
    return (seq, entry.time, entry.server, entry.camera, entry.type, entry.summary,
            entry.level, when, short_server(entry.server),
            "\t".join(fields).casefold())  # fmt: skip


def _entry(row: _Row) -> LogEntry:
    return LogEntry(row[_TIME], row[_SERVER], row[_CAMERA], row[_TYPE],
                    row[_SUMMARY], row[_LEVEL])  # fmt: skip


def short_server(url: str) -> str:
    """``http://studio-pc:8080`` → ``studio-pc:8080``; no server: a dash."""
    return host_of(url) if url else "—"


class EventLogModel(QAbstractTableModel):
    """The last ``capacity`` log entries, and the ones the filters let through."""

    def __init__(self, capacity: int = CAPACITY, parent: Any = None) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self.dark = True
        self._all: list[_Row] = []
        self._shown: list[_Row] = []
        self._seq = 0
        self._camera: tuple[str, str] | None = None
        self._type: str | None = None
        self._words: list[str] = []

    # -- Qt's model interface ----------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._shown):
            return None
        row = self._shown[index.row()]
        column = index.column()
        level = row[_LEVEL]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row[_TIME_TEXT]
            if column == 1:
                return row[_SERVER_TEXT]
            if column == 2:
                return row[_CAMERA] or "—"
            if column == 3:
                return row[_TYPE]
            mark = MARKS.get(level)
            return f"{mark} {row[_SUMMARY]}" if mark else row[_SUMMARY]
        if role == Qt.ItemDataRole.ForegroundRole:
            return _COLOURS[self.dark].get(level)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return entry_time(_entry(row))
            if column == 1:
                return row[_SERVER]
            if column == 4:
                summary = row[_SUMMARY]
                return summary if level == "info" else f"{level}: {summary}"
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    # -- ours ----------------------------------------------------------------------

    @property
    def total(self) -> int:
        """Entries kept, shown or not."""
        return len(self._all)

    def entry(self, row: int) -> LogEntry:
        return _entry(self._shown[row])

    def snapshot(self) -> list[_Row]:
        """The rows shown now, cheaply (for a worker to turn into entries)."""
        return list(self._shown)

    def shown_entries(self) -> list[LogEntry]:
        """The rows the filters let through, oldest first."""
        return [_entry(row) for row in self._shown]

    def add(self, entries: Sequence[LogEntry]) -> tuple[int, int]:
        """Append a batch; drop the oldest beyond capacity. Returns how many shown
        rows were dropped from the top and how many were added at the bottom."""
        entries = entries[-self.capacity :] if self.capacity else []
        if not entries:
            return 0, 0
        rows = []
        for entry in entries:
            rows.append(_row(entry, self._seq))
            self._seq += 1
        self._all.extend(rows)
        gone = 0
        excess = len(self._all) - self.capacity
        if excess > 0:
            first_kept = self._all[excess][_SEQ]
            del self._all[:excess]
            gone = bisect_left(self._shown, first_kept, key=_seq)
            if gone:
                self.beginRemoveRows(QModelIndex(), 0, gone - 1)
                del self._shown[:gone]
                self.endRemoveRows()
        new = [row for row in rows if self._accepts(row)]
        if new:
            start = len(self._shown)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._shown.extend(new)
            self.endInsertRows()
        return gone, len(new)

    def set_camera_filter(self, camera: tuple[str, str] | None) -> None:
        """Only the entries of this (server, camera id); None: every entry."""
        if camera != self._camera:
            self._camera = camera
            self._refilter()

    def set_type_filter(self, kind: str | None) -> None:
        """Only entries of this type (:data:`PROBLEMS`: warnings and errors)."""
        if kind != self._type:
            self._type = kind
            self._refilter()

    def set_text_filter(self, text: str) -> None:
        """Only entries holding every word of ``text`` in any column, in any case."""
        words = text.casefold().split()
        if words != self._words:
            self._words = words
            self._refilter()

    def set_dark(self, dark: bool) -> None:
        if dark != self.dark:
            self.dark = dark
            if self._shown:
                self.dataChanged.emit(
                    self.index(0, 0),
                    self.index(len(self._shown) - 1, len(COLUMNS) - 1),
                    [Qt.ItemDataRole.ForegroundRole],
                )

    def _accepts(self, row: _Row) -> bool:
        if self._camera is not None and (
            row[_CAMERA] != self._camera[1] or row[_SERVER] != self._camera[0]
        ):
            return False
        if self._type == PROBLEMS:
            if row[_LEVEL] == "info":
                return False
        elif self._type is not None and row[_TYPE] != self._type:
            return False
        haystack = row[_HAYSTACK]
        return all(word in haystack for word in self._words)

    def _refilter(self) -> None:
        self.beginResetModel()
        if self._camera is None and self._type is None and not self._words:
            self._shown = list(self._all)
        else:
            self._shown = [row for row in self._all if self._accepts(row)]
        self.endResetModel()


def _seq(row: _Row) -> int:
    return row[_SEQ]


def export_format(path: Path) -> str:
    """``"csv"`` for a .csv file, else ``"jsonl"``."""
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def write_entries(entries: Iterable[LogEntry], path: Path, fmt: str = "jsonl") -> int:
    """Write ``entries`` as JSON Lines (headless mode's field names) or CSV with a
    header row. Returns how many were written."""
    count = 0
    with path.open("w", encoding="utf-8", errors="backslashreplace", newline="") as f:
        if fmt == "csv":
            writer = csv.writer(f)
            writer.writerow(CSV_FIELDS)
            for entry in entries:
                record = entry_record(entry)
                writer.writerow([_cell(record[name]) for name in CSV_FIELDS])
                count += 1
        else:
            for entry in entries:
                f.write(entry_line(entry))
                count += 1
    return count


class EventLog(QWidget):
    """The log pane: a table of entries with filters, *Pause* and *Export…*.

    Signals:
        exported(str, int, str): the file, the rows written, and the error
            (empty when it worked), once an export has finished.
    """

    exported = Signal(str, int, str)
    _export_done = Signal(str, int, str)

    def __init__(self, capacity: int = CAPACITY, parent: QWidget | None = None,
                 objectName: str = "EventLog") -> None:  # fmt: skip
        super().__init__(parent, objectName=objectName)
        self._style_timer = QTimer(self)
        self._style_timer.setSingleShot(True)
        self._style_timer.setInterval(0)
        self._style_timer.timeout.connect(self._restyle)
        self.model = EventLogModel(capacity, self)
        self._held: deque[LogEntry] = deque(maxlen=max(1, capacity))
        self._held_count = 0
        self._cameras: set[tuple[str, str]] = set()
        self._camera_order: list[tuple[str, str]] = []  # the menu's, sorted
        self._servers: set[str] = set()
        self._types: set[str] = set()
        self._type_order: list[str] = []  # the menu's, sorted
        self._exporting = False
        self._message = ""
        self.setAccessibleName("Event log")

        self.table = _Table(objectName="EventLogTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Event log entries")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setCornerButtonEnabled(False)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._sized = False
        # Following the newest row is the reader's choice, made by scrolling:
        # a pane that gets shorter (an alert banner appears) keeps following.
        self._follow = True
        bar = self.table.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

        self.pause_button = QPushButton("Pause", objectName="EventLogPause")
        self.pause_button.setCheckable(True)
        self.pause_button.setAccessibleName("Pause the event log")
        self.pause_button.setToolTip(
            "Hold new entries (none is lost) so the log stops moving"
        )
        self.pause_button.toggled.connect(self.set_paused)
        self.camera_filter = QComboBox(objectName="EventLogCamera")
        self.camera_filter.setAccessibleName("Show the events of camera")
        self.camera_filter.addItem("All cameras", None)
        self.camera_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToContents
        )
        self.camera_filter.currentIndexChanged.connect(self._on_camera_chosen)
        self.type_filter = QComboBox(objectName="EventLogType")
        self.type_filter.setAccessibleName("Show the events of type")
        self.type_filter.addItem("All types", None)
        self.type_filter.addItem("Warnings and errors", PROBLEMS)
        self.type_filter.insertSeparator(2)
        self.type_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToContents
        )
        self.type_filter.currentIndexChanged.connect(self._on_type_chosen)
        self.text_filter = QLineEdit(objectName="EventLogText")
        self.text_filter.setAccessibleName("Show the events containing text")
        self.text_filter.setPlaceholderText("Filter: text in any column")
        self.text_filter.setClearButtonEnabled(True)
        for button in self.text_filter.findChildren(QToolButton):  # Qt's own
            button.setAccessibleName("Clear the text filter")
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(TEXT_DELAY_MS)
        self._text_timer.timeout.connect(self._apply_text)
        self.text_filter.textChanged.connect(self._text_timer.start)
        self.count_label = QLabel(objectName="EventLogCount")
        self.count_label.setAccessibleName("Event log status")
        self.export_button = QPushButton("Export…", objectName="EventLogExport")
        self.export_button.setAccessibleName("Export the shown events")
        self.export_button.setToolTip("Save the rows shown as JSON Lines or CSV")
        self.export_button.clicked.connect(self.export_dialog)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.pause_button)
        bar.addWidget(self.camera_filter)
        bar.addWidget(self.type_filter)
        bar.addWidget(self.text_filter, 1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self.table.copy_requested.connect(self.copy_selection)
        self._export_done.connect(self._on_export_done)
        self._update_count()

    # -- entries -------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.pause_button.isChecked()

    @property
    def held(self) -> int:
        """Entries that arrived while paused (shown on resume, up to capacity)."""
        return self._held_count

    def add_entries(self, entries: Sequence[LogEntry]) -> None:
        """A batch of new entries, oldest first (the bridge's ``logged`` signal)."""
        if not entries:
            return
        self._learn(entries)
        if self.paused:
            self._held.extend(entries)
            self._held_count += len(entries)
            self._update_count()
            return
        self._append(entries)

    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.table.verticalScrollBar().maximum()

    @Slot(int, int)
    def _on_range_changed(self, _low: int, high: int) -> None:
        if self._follow:
            self.table.verticalScrollBar().setValue(high)

    def _append(self, entries: Sequence[LogEntry]) -> None:
        bar = self.table.verticalScrollBar()
        follow = self._follow
        before = bar.value()
        gone, _ = self.model.add(entries)
        if follow:
            self.table.scrollToBottom()
        elif gone:  # keep the rows the reader is looking at in place
            bar.setValue(max(0, before - gone))
        self._update_count()

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        """Hold new entries while paused; on resume they are all added."""
        if self.pause_button.isChecked() != paused:
            self.pause_button.setChecked(paused)  # comes back here
            return
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setAccessibleName(
            "Resume the event log" if paused else "Pause the event log"
        )
        if not paused and self._held:
            held = list(self._held)
            self._held.clear()
            self._held_count = 0
            self._append(held)
        self._held_count = 0
        self._update_count()

    def following(self) -> bool:
        """Whether the log scrolls along with the newest row (it does unless
        the reader has scrolled up)."""
        return self._follow

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        noun = "event" if total == 1 else "events"
        text = f"{total:,} {noun}" if shown == total else f"{shown:,} of {total:,}"
        if self.paused:
            text = f"Paused · {self._held_count:,} new"
            if self._held_count > len(self._held):
                text += f" (newest {len(self._held):,} kept)"
        elif self._message:
            text += f" · {self._message}"
        self.count_label.setText(text)

    # -- filters -------------------------------------------------------------------

    def _learn(self, entries: Sequence[LogEntry]) -> None:
        """Grow the filter menus with cameras and types not seen before."""
        for entry in entries:
            if entry.type not in self._types and len(self._types) < MENU_TYPES:
                self._types.add(entry.type)
                at = _place(self._type_order, entry.type.casefold())
                self.type_filter.insertItem(3 + at, entry.type, entry.type)
            if entry.camera is not None and len(self._cameras) < MENU_CAMERAS:
                key = (entry.server, entry.camera)
                if key not in self._cameras:
                    self._cameras.add(key)
                    self._servers.add(entry.server)
                    at = _place(self._camera_order, (key[1].casefold(), key[0]))
                    self.camera_filter.insertItem(1 + at, self._camera_label(key),
                                                  _camera_data(key))  # fmt: skip
                    if len(self._servers) == 2:  # now say which server, for all
                        self._relabel_cameras()

    def _camera_label(self, key: tuple[str, str]) -> str:
        if len(self._servers) > 1:
            return f"{key[1]} · {short_server(key[0])}"
        return key[1]

    def _relabel_cameras(self) -> None:
        for index in range(1, self.camera_filter.count()):
            key = _camera_key(self.camera_filter.itemData(index))
            if key is not None:
                self.camera_filter.setItemText(index, self._camera_label(key))

    def choose_camera(self, server: str, camera: str) -> None:
        """Show only this camera's entries (as choosing it in the menu does)."""
        index = self.camera_filter.findData(_camera_data((server, camera)))
        if index < 0:
            raise KeyError(f"no entries seen from camera {camera} on {server}")
        self.camera_filter.setCurrentIndex(index)

    def choose_type(self, kind: str | None) -> None:
        """Show only entries of this type (None: all; :data:`PROBLEMS`)."""
        index = self.type_filter.findData(kind)
        if index < 0:
            raise KeyError(f"no entries of type {kind} seen")
        self.type_filter.setCurrentIndex(index)

    @Slot(int)
    def _on_camera_chosen(self, index: int) -> None:
        key = _camera_key(self.camera_filter.itemData(index))
        self._refilter(lambda: self.model.set_camera_filter(key))

    @Slot(int)
    def _on_type_chosen(self, index: int) -> None:
        kind = self.type_filter.itemData(index)
        self._refilter(lambda: self.model.set_type_filter(kind))

    @Slot()
    def _apply_text(self) -> None:
        self._refilter(lambda: self.model.set_text_filter(self.text_filter.text()))

    def _refilter(self, change: Any) -> None:
        follow = self.following()
        change()
        if follow:
            self.table.scrollToBottom()
        self._update_count()

    # -- copy and export -------------------------------------------------------------

    @Slot()
    def copy_selection(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        lines = []
        for row in rows:
            record = entry_record(self.model.entry(row))
            lines.append("\t".join(str(record[name] or "") for name in CSV_FIELDS))
        if lines:
            QGuiApplication.clipboard().setText("\n".join(lines))

    @Slot()
    def export_dialog(self) -> QFileDialog:
        """Ask where to save the rows shown (not modal: events keep flowing)."""
        from PySide6.QtWidgets import QFileDialog  # loaded when first wanted

        dialog = QFileDialog(self, "Export the shown events")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["JSON Lines (*.jsonl)", "CSV (*.csv)"])
        dialog.setDefaultSuffix("jsonl")
        dialog.filterSelected.connect(self._on_export_filter)
        dialog.fileSelected.connect(self._on_export_file)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    @Slot(str)
    def _on_export_filter(self, name_filter: str) -> None:
        from PySide6.QtWidgets import QFileDialog

        dialog = self.sender()
        if isinstance(dialog, QFileDialog):
            dialog.setDefaultSuffix("csv" if "csv" in name_filter else "jsonl")

    @Slot(str)
    def _on_export_file(self, path: str) -> None:
        if path:
            self.export(Path(path))

    def export(self, path: Path, fmt: str | None = None) -> bool:
        """Write the rows shown now to ``path`` on a worker thread (JSON Lines,
        or CSV for a .csv name or ``fmt="csv"``); ``exported`` says when done.
        Returns False when an export is already running."""
        if self._exporting:
            return False
        self._exporting = True
        self.export_button.setEnabled(False)
        rows = self.model.snapshot()
        fmt = fmt or export_format(path)

        def work() -> None:
            try:
                entries = (_entry(row) for row in rows)
                count, error = write_entries(entries, path, fmt), ""
            except (OSError, ValueError) as exc:
                count, error = 0, str(exc)
            with contextlib.suppress(RuntimeError):  # the window was closed
                self._export_done.emit(str(path), count, error)

        threading.Thread(target=work, name="event-log-export", daemon=True).start()
        return True

    @Slot(str, int, str)
    def _on_export_done(self, path: str, count: int, error: str) -> None:
        self._exporting = False
        self.export_button.setEnabled(True)
        name = Path(path).name
        if error:
            self._message = f"could not export: {error}"
        else:
            self._message = f"{count:,} rows saved to {name}"
        self._update_count()
        self.exported.emit(path, count, error)

    # -- theme ---------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            self._style_timer.start()  # once the table has its new style too

    @Slot()
    def _restyle(self) -> None:
        base = self.table.palette().color(QPalette.ColorRole.Base)
        self.model.set_dark(base.lightness() < 128)
        metrics = self.table.fontMetrics()
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 6)
        if not self._sized:  # once the style's font is known; then the user's
            self._sized = True
            samples = ("00:00:00.000", "studio-host-1:8080", "D06CE05E3323",
                       "downloadComplete")  # fmt: skip
            for column, sample in enumerate(samples):
                width = metrics.horizontalAdvance(sample) + 28
                self.table.setColumnWidth(column, width)


class _Table(QTableView):
    """A table whose Ctrl+C asks for the selected rows, not just one cell."""

    copy_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


def _camera_data(key: tuple[str, str]) -> str:
    return f"{key[0]}\n{key[1]}"  # a URL has no line break


def _camera_key(data: Any) -> tuple[str, str] | None:
    if not isinstance(data, str):
        return None
    server, _, camera = data.partition("\n")
    return server, camera


def _place(order: list[Any], key: Any) -> int:
    """Put ``key`` in the sorted list ``order``; returns where it went."""
    at = bisect_left(order, key)
    order.insert(at, key)
    return at


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: what a server sent must not
    become a formula (=, +, -, @ first)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
