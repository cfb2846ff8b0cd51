"""The session's log on disk, and the application's own diagnostic log. No Qt here.

:class:`SessionLog` is a :class:`~app.rig.RigListener`: every log entry of the
rig is queued (never blocking the caller) and one writer thread appends it as
a JSON line to ``<folder>/YYYY-MM-DD_HHMMSS.jsonl``, flushed at least every
second. A folder that cannot be written or a full disk is reported once through
``on_problem`` (called on the writer thread) and the session goes on without
the file. The newest :data:`KEEP_SESSIONS` files are kept, older ones removed.

:func:`start_file_logging` sends Python logging to a rotating file as well,
written by a :class:`logging.handlers.QueueListener` thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from .rig import LogEntry, RigListener

KEEP_SESSIONS = 50
"""Session files kept in the folder (the newest; older ones are removed at start)."""
FLUSH_SECONDS = 0.5
"""At most this long between an entry being queued and it reaching the file."""
QUEUE_LIMIT = 200_000
"""Entries waiting for a slow disk beyond this are dropped (and counted)."""
SESSION_FILE_BYTES = 1024**3
"""A session file stops growing here (a long shoot writes some 30 MB an hour;
a server flooding events writes gigabytes), saying so in its last line."""
LOG_FILE = "tether-monitor.log"
LOG_FILE_BYTES = 2_000_000
LOG_FILE_BACKUPS = 3
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger(__name__)

_STOP = object()


def entry_time(entry: LogEntry) -> str:
    """ISO 8601 with milliseconds and the UTC offset, as headless mode writes it."""
    return entry.time.astimezone().isoformat(timespec="milliseconds")


def entry_record(entry: LogEntry) -> dict[str, Any]:
    """A log entry as one JSON object; the names match headless ``--json``."""
    return {
        "time": entry_time(entry),
        "server": entry.server,
        "camera": entry.camera,
        "type": entry.type,
        "summary": entry.summary,
        "level": entry.level,
    }


def entry_line(entry: LogEntry) -> str:
    # ASCII escapes: no character a server sends can break the file.
    return json.dumps(entry_record(entry)) + "\n"


def session_file_name(when: datetime) -> str:
    return f"{when:%Y-%m-%d_%H%M%S}.jsonl"


def prune_sessions(folder: Path, keep: int = KEEP_SESSIONS) -> list[Path]:
    """Remove all but the newest ``keep`` session files; returns those removed."""
    files = sorted(folder.glob("????-??-??_??????*.jsonl"))
    removed = []
    for path in files[: max(0, len(files) - keep)]:
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


class SessionLog(RigListener):
    """Appends every log entry to this session's file, on its own thread.

    ``folder`` is where session files go (made if missing). ``path`` names
    the file to append to instead of a new one in ``folder``.
    """

    def __init__(
        self,
        folder: Path,
        *,
        path: Path | None = None,
        keep: int = KEEP_SESSIONS,
        limit: int = SESSION_FILE_BYTES,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.folder = folder
        self.path = path
        self.keep = keep
        self.limit = limit
        self.problem: str | None = None
        self.dropped = 0
        self._on_problem = on_problem
        self._queue: queue.Queue[object] = queue.Queue(QUEUE_LIMIT)
        self._thread = threading.Thread(
            target=self._run, name="session-log", daemon=True
        )
        self._closed = False

    # -- the caller's side (the UI thread) -------------------------------------

    def start(self) -> SessionLog:
        self._thread.start()
        return self

    def logged(self, entry: LogEntry) -> None:
        self.write(entry)

    def write(self, entry: LogEntry) -> None:
        """Queue ``entry``; returns at once whatever the disk does."""
        if self._closed or self.problem is not None:
            return
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1

    def write_many(self, entries: Iterable[LogEntry]) -> None:
        for entry in entries:
            self.write(entry)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, close the file and end the thread."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            # Blocking put: the stop marker must get in even behind a full queue.
            with contextlib.suppress(queue.Full):
                self._queue.put(_STOP, timeout=timeout)
            self._thread.join(timeout)

    # -- the writer thread -----------------------------------------------------

    def _run(self) -> None:
        out = self._open()
        written = 0
        dirty = False
        last_flush = time.monotonic()
        while True:
            wait = max(0.0, last_flush + FLUSH_SECONDS - time.monotonic())
            try:
                item = self._queue.get(timeout=wait if dirty else None)
            except queue.Empty:
                item = None
            if item is _STOP:
                break
            if isinstance(item, LogEntry) and out is not None:
                try:
                    if self.dropped:
                        out.write(self._dropped_line())
                    line = entry_line(item)
                    out.write(line)
                    written += len(line)
                    dirty = True
                    if written > self.limit:  # an event flood: the disk is kept
                        why = f"{self.path} reached its limit of {self.limit:,} bytes"
                        out.write(_own_line(f"the session log stopped: {why}"))
                        out = self._fail(out, why)
                except (OSError, ValueError) as exc:
                    out = self._fail(out, f"could not write to {self.path}: {exc}")
            if (
                dirty
                and out is not None
                and (item is None or time.monotonic() - last_flush >= FLUSH_SECONDS)
            ):
                try:
                    out.flush()
                except OSError as exc:
                    out = self._fail(out, f"could not write to {self.path}: {exc}")
                dirty = False
                last_flush = time.monotonic()
            elif item is None:
                dirty = False
        if out is not None:
            try:
                if self.dropped:
                    out.write(self._dropped_line())
                out.close()
            except OSError as exc:
                self._fail(out, f"could not write to {self.path}: {exc}")

    def _open(self) -> TextIO | None:
        try:
            if self.path is not None:
                return self.path.open("a", encoding="utf-8")
            self.folder.mkdir(parents=True, exist_ok=True)
            now = datetime.now()
            for attempt in range(1, 100):
                name = session_file_name(now)
                if attempt > 1:  # two sessions started in the same second
                    name = name.replace(".jsonl", f"-{attempt}.jsonl")
                self.path = self.folder / name
                try:
                    out = self.path.open("x", encoding="utf-8")
                except FileExistsError:
                    continue
                prune_sessions(self.folder, self.keep)
                return out
            raise FileExistsError(f"too many session files named {name}")
        except OSError as exc:
            where = self.path or self.folder
            return self._fail(None, f"could not open {where}: {exc}")

    def _fail(self, out: TextIO | None, message: str) -> None:
        """Say once what went wrong; the session goes on without the file."""
        if out is not None:
            with contextlib.suppress(OSError, ValueError):
                out.close()
        if self.problem is None:
            self.problem = f"the session log stopped: {message}"
            log.warning("%s", self.problem)
            if self._on_problem is not None:
                try:
                    self._on_problem(self.problem)
                except Exception:  # e.g. the loop it posts to has closed
                    log.exception("could not report the session log's problem")

    def _dropped_line(self) -> str:
        count, self.dropped = self.dropped, 0
        return _own_line(f"{count} entries not written: the disk was too slow")


def _own_line(summary: str) -> str:
    """A warning of the session log's own, as a line of its file."""
    return entry_line(
        LogEntry(datetime.now(), "", None, "session log", summary, "warning")
    )


class EarlyRecords(logging.Handler):
    """Holds what is logged until the log file opens (made at once, it takes
    only the logging module, which is loaded anyway)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        logging.getLogger().addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def release(self) -> list[logging.LogRecord]:
        """Stop holding; returns what was held."""
        logging.getLogger().removeHandler(self)
        return self.records


def start_file_logging(
    folder: Path, earlier: Iterable[logging.LogRecord] = ()
) -> Callable[[], None]:
    """Copy Python logging to ``folder/tether-monitor.log`` (rotated at 2 MB, three
    old files kept), written on a thread, after the ``earlier`` records. Returns
    the function that stops it.

    Raises OSError when the folder or the file cannot be made.
    """
    import logging.handlers  # 10 ms: not before the window is on screen

    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        folder / LOG_FILE,
        maxBytes=LOG_FILE_BYTES,
        backupCount=LOG_FILE_BACKUPS,
        encoding="utf-8",
        errors="backslashreplace",
    )
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    for record in earlier:
        records.put(record)
    into_queue = logging.handlers.QueueHandler(records)
    listener = logging.handlers.QueueListener(records, handler)
    root = logging.getLogger()
    root.addHandler(into_queue)
    listener.start()

    def stop() -> None:
        root.removeHandler(into_queue)
        listener.stop()
        handler.close()

    return stop
