"""Record a session's raw event streams and REST answers to a JSON Lines file,
and read such a file back. No Qt.

The file's first line is a header::

    {"format": "tether-monitor-recording", "version": 1, "started": ISO time,
     "app": version, "servers": [URL, ...]}

then one record per line, each with ``t`` (seconds since the recording started),
``kind`` and ``server``:

- ``event``: ``stream`` (``*`` or a camera id), ``event`` (the name as sent),
  ``data`` (as sent), and ``dropped`` (why) for an event dropped for its size;
- ``rest``: ``path``, ``asked`` (seconds, when the question was sent), and
  ``body`` (the JSON object answered) or ``error`` with ``error_type``;
- ``stream``: ``stream``, ``state`` (connecting, open, retrying, closed),
  ``reason``, ``retry_in``.

Records are written by a thread, each batch flushed at once, so that a recording
is usable up to its last whole line even when the monitor is killed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

import msgspec

from .protocol import events as ev
from .protocol.errors import ServerError
from .protocol.stream import ALL_CAMERAS
from .rig import LinkState

if TYPE_CHECKING:
    from .monitor import ServerWatcher

log = logging.getLogger(__name__)

FORMAT = "tether-monitor-recording"
VERSION = 1
KINDS = ("event", "rest", "stream")
_STATES = {str(state) for state in LinkState}


class RecordingError(Exception):
    """The file is not a recording this version can play; the message says why."""


class Header(msgspec.Struct, frozen=True):
    started: str
    app: str
    servers: list[str]


class BadLine(msgspec.Struct, frozen=True):
    """A line of a recording that could not be read, and why."""

    number: int
    problem: str

    def __str__(self) -> str:
        return f"line {self.number}: {self.problem}" if self.number else self.problem


class Recording(msgspec.Struct):
    """An opened recording: its header, and its records to read in batches."""

    path: Path
    header: Header
    _file: IO[str]
    _line: int = 1

    def read(self, limit: int = 500) -> list[dict[str, Any] | BadLine]:
        """The next records (at most ``limit``), or [] at the end. Blocking: call
        it off the UI thread (asyncio.to_thread)."""
        out: list[dict[str, Any] | BadLine] = []
        while len(out) < limit:
            line = self._file.readline(MAX_LINE)
            if not line:
                break
            self._line += 1
            if len(line) == MAX_LINE and not line.endswith("\n"):
                while (rest := self._file.readline(MAX_LINE)) and rest[-1] != "\n":
                    pass  # the rest of an overlong line, never held whole
                out.append(BadLine(self._line, f"longer than {MAX_LINE:,} characters; "
                                   "skipped"))  # fmt: skip
                continue
            if not line.strip():
                continue
            out.append(_parse_record(line, self._line))
        return out

    def close(self) -> None:
        self._file.close()


MAX_LINE = 40 * 2**20
"""The longest line read (a REST answer may hold up to 16 MiB, escaped)."""
MAX_TIME = 7 * 24 * 3600.0
"""The latest time (seconds from the start) a record may have: a week."""

def open_recording(path: Path) -> Recording:
    """Open a recording and read its header; RecordingError says what is wrong.
    Blocking (one line is read)."""
    try:
        # utf-8-sig: a recording saved again by an editor may start with a BOM.
        file = open(path, encoding="utf-8-sig", errors="replace", newline="\n")  # noqa: SIM115
    except OSError as exc:
        raise RecordingError(f"cannot open {path}: {exc.strerror or exc}") from exc
    try:
        header = _parse_header(path, file.readline(1_000_000))
    except BaseException:
        file.close()
        raise
    return Recording(path, header, file)


def _parse_header(path: Path, line: str) -> Header:
    what = f"{path} is not a Tether Monitor recording"
    if not line.strip():
        raise RecordingError(f"{what}: the file is empty")
    try:
        head = json.loads(line)
    except (ValueError, RecursionError):
        raise RecordingError(f"{what}: its first line is not JSON") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise RecordingError(f"{what}: its first line is not a recording's header")
    version = head.get("version")
    if version != VERSION:
        from . import __version__  # importlib.metadata: only when it is said

        raise RecordingError(
            f"{path} is a recording of version {version!r}; this Tether Monitor "
            f"({__version__}) plays version {VERSION}"
        )
    servers = head.get("servers")
    if not isinstance(servers, list) or not all(isinstance(s, str) for s in servers):
        servers = []
    return Header(str(head.get("started", "")), str(head.get("app", "?")), servers)


def _parse_record(line: str, number: int) -> dict[str, Any] | BadLine:
    if not line.endswith("\n"):
        # Only the last line can lack its end: the recording was interrupted.
        try:
            json.loads(line)
        except (ValueError, RecursionError):
            return BadLine(number, "the last line is cut off (the recording was "
                                   "interrupted there)")  # fmt: skip
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return BadLine(number, "not JSON")
    if not isinstance(record, dict):
        return BadLine(number, "not a JSON object")
    t, kind, server = record.get("t"), record.get("kind"), record.get("server")
    if isinstance(t, bool) or not isinstance(t, int | float) or not t >= 0:
        return BadLine(number, "no time (t) in seconds")
    if not t <= MAX_TIME:  # infinity, or a recording of centuries
        return BadLine(number, f"a time (t) of {t:g} s, past any recording")
    if kind not in KINDS:
        return BadLine(number, f"unknown kind {kind!r}")
    if not isinstance(server, str) or not server:
        return BadLine(number, "no server")
    match kind:
        case "event":
            fields = ("stream", "event", "data")
        case "rest":
            fields = ("path",)
        case _:
            fields = ("stream", "state")
    for name in fields:
        if not isinstance(record.get(name), str):
            return BadLine(number, f"a {kind} record without {name}")
    if kind == "stream" and record["state"] not in _STATES:
        return BadLine(number, f"unknown stream state {record['state']!r}")
    if kind == "rest" and not isinstance(record.get("body"), dict | None):
        return BadLine(number, "a rest record whose body is not an object")
    return record


class SessionRecorder:
    """Writes what the watchers receive to a recording; a ``WatchRecorder``.

    Called on the event loop's thread; the file is written by a thread of its
    own. ``on_error`` is called (on the writer's thread) if writing fails.
    """

    def __init__(
        self,
        path: Path,
        servers: list[str],
        *,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.servers = list(servers)
        self.on_error = on_error
        self.error: str | None = None
        self.records = 0
        self._t0 = time.monotonic()
        self._queue: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._opened = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def started(self) -> float:
        """The time.monotonic() of the recording's 0."""
        return self._t0

    def start(self, timeout: float = 5.0) -> None:
        """Create the file and start writing; raises RecordingError if it cannot
        be written."""
        from . import __version__  # importlib.metadata: not before a recording

        self._t0 = time.monotonic()
        header = {
            "format": FORMAT,
            "version": VERSION,
            "started": datetime.now().astimezone().isoformat(timespec="milliseconds"),
            "app": __version__,
            "servers": self.servers,
        }
        self._thread = threading.Thread(
            target=self._write, args=(header,), name="recorder", daemon=True
        )
        self._thread.start()
        if not self._opened.wait(timeout):
            raise RecordingError(f"{self.path} could not be created in {timeout:g} s")
        if self.error is not None:
            raise RecordingError(self.error)

    def stop(self, timeout: float = 5.0) -> None:
        """Write what is queued and close the file (waits at most ``timeout``)."""
        if self._stopped:
            return
        self._stopped = True
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    # -- what the watcher tells ---------------------------------------------------

    def _put(self, record: dict[str, Any]) -> None:
        if self._stopped or self.error is not None:
            return
        self.records += 1
        self._queue.put({"t": round(time.monotonic() - self._t0, 4), **record})

    def stream_data(
        self, url: str, subscription: str, event: ev.Event, data: str
    ) -> None:
        record = {"kind": "event", "server": url, "stream": subscription,
                  "event": event.name, "data": data}  # fmt: skip
        if isinstance(event, ev.BadEvent) and event.name == "?":
            record["dropped"] = event.error  # over the size limit: no data kept
        self._put(record)

    def rest_answer(
        self,
        url: str,
        path: str,
        asked: float,
        body: dict[str, Any] | None,
        error: ServerError | None,
    ) -> None:
        record: dict[str, Any] = {"kind": "rest", "server": url, "path": path,
                                  "asked": round(asked - self._t0, 4)}  # fmt: skip
        if error is not None:
            record["error"] = str(error)
            record["error_type"] = type(error).__name__
        else:
            record["body"] = body
        self._put(record)

    def stream_changed(
        self,
        url: str,
        subscription: str,
        state: LinkState,
        reason: str,
        retry_in: float | None,
    ) -> None:
        record: dict[str, Any] = {"kind": "stream", "server": url,
                                  "stream": subscription, "state": str(state),
                                  "reason": reason}  # fmt: skip
        if retry_in is not None:
            record["retry_in"] = retry_in
        self._put(record)

    def event_received(self, url: str, camera_id: str | None, event: ev.Event) -> None:
        """Decoded events are not recorded: their raw form is (stream_data)."""

    # -- the writer thread --------------------------------------------------------

    def _write(self, header: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            file = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            self.error = f"cannot write {self.path}: {exc.strerror or exc}"
            self._opened.set()
            return
        with file:
            try:
                file.write(json.dumps(header) + "\n")
                file.flush()
                self._opened.set()
                for batch in self._batches():
                    lines = [json.dumps(r, default=str) + "\n" for r in batch]
                    file.write("".join(lines))
                    file.flush()
            except (OSError, ValueError) as exc:
                self.error = f"writing {self.path} failed: {exc}"
                self._opened.set()
                log.error("Recording stopped: %s", self.error)
                if self.on_error is not None:
                    with contextlib.suppress(Exception):
                        self.on_error(self.error)

    def _batches(self) -> Iterator[list[dict[str, Any]]]:
        while True:
            item = self._queue.get()
            batch: list[dict[str, Any]] = []
            while item is not None:
                batch.append(item)
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                yield batch
            if item is None:
                return


def start_recorder(path: Path, servers: list[str]) -> SessionRecorder | None:
    """Start recording to ``path`` for the command line's ``--record``; None
    (having said why on stderr) when the file cannot be written."""
    recorder = SessionRecorder(path, servers)
    try:
        recorder.start()
    except RecordingError as exc:
        print(f"tether-monitor: --record: {exc}", file=sys.stderr)
        return None
    return recorder


def begin_mid_session(recorder: SessionRecorder, watcher: ServerWatcher) -> None:
    """Start recording a watcher that is already running: first what it knows
    (its open streams and its last answers), as if just received, then all
    that comes. Focus and frames from before are not in the recording."""
    url = watcher.url
    server = watcher.rig.servers.get(url)
    opened = server is not None and server.state == LinkState.OPEN
    answers = watcher.last_answers
    why = "open when the recording started"

    def answer(path: str) -> None:
        if path in answers:
            asked, body = answers[path]
            recorder.rest_answer(url, path, min(asked, recorder.started), body, None)

    recorder.stream_changed(url, ALL_CAMERAS, LinkState.CONNECTING, why, None)
    answer("/api/server/status")
    if opened:
        recorder.stream_changed(url, ALL_CAMERAS, LinkState.OPEN, why, None)
        answer("/api/cameras")
        for camera_id in sorted(watcher._open_streams):
            quoted = quote(camera_id, safe="")
            recorder.stream_changed(url, camera_id, LinkState.CONNECTING, why, None)
            recorder.stream_changed(url, camera_id, LinkState.OPEN, why, None)
            answer(f"/api/cameras/{quoted}/connection")
            answer(f"/api/cameras/{quoted}/properties/all")
    watcher.recorder = recorder
