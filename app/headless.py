"""Headless mode: one line per decoded event and per stream state change.

Text lines read ``TIME SERVER CAMERA TYPE SUMMARY``; with ``--json`` each line is
one JSON object (the fields are listed in README.md, "Headless mode").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import IO, Any

from .monitor import ServerWatcher, WatchRecorder
from .protocol import events as ev
from .protocol.rest import http_client
from .protocol.stream import stream_path
from .rig import LinkState, Rig, summarize


def event_fields(event: ev.Event) -> dict[str, Any]:
    """The decoded fields of an event, as headless JSON reports them."""
    fields: dict[str, Any] = {}
    match event:
        case ev.AfChanged(state=state, source=source):
            fields = {"state": str(state), "source": source}
        case ev.DownloadCompleted(path=path, kind=kind):
            fields = {"path": path, "kind": kind}
        case ev.TransferProgressed(percent=percent, path=path, synthetic=synthetic):
            fields = {"percent": percent, "path": path, "synthetic": synthetic}
        case ev.PropertiesChanged(codes=codes):
            fields = {"codes": list(codes)}
        case ev.CameraConnected(model=model):
            fields = {"model": model}
        case ev.CameraDisconnected(reason=reason):
            fields = {"reason": reason}
        case ev.CameraWarning(code=code, message=message):
            fields = {"code": code, "message": message}
        case ev.BadEvent(error=error, raw=raw):
            fields = {"error": error, "raw": raw}
        case ev.OtherEvent(data=data, known=known):
            fields = {"data": data, "known": known}
    if event.note:
        fields["note"] = event.note
    return fields


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities made None (JSON has no word for them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


class LinePrinter:
    """Writes the lines; a :class:`WatchObserver`."""

    def __init__(
        self,
        out: IO[str],
        *,
        as_json: bool,
        on_closed: Callable[[], None] | None = None,
    ) -> None:
        self._out = out
        self._json = as_json
        self._on_closed = on_closed
        self.closed = False

    def _write(self, record: dict[str, Any], text: str) -> None:
        if self.closed:
            return
        # ASCII escapes for JSON, and backslash escapes for text, so that no
        # character a server sends (a lone surrogate, a newline that would forge
        # a line, a terminal's escape sequence) can break the output.
        if self._json:
            try:
                line = json.dumps(record, default=str, allow_nan=False)
            except ValueError:  # NaN or infinity (from a recording): not JSON
                line = json.dumps(_finite(record), default=str)
        else:
            text = ev.CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
            line = text.encode("utf-8", "backslashreplace").decode("utf-8")
        try:
            self._out.write(line + "\n")
            self._out.flush()
        except BrokenPipeError:  # piped into `head`, which has had enough
            self.closed = True
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), self._out.fileno())
            if self._on_closed is not None:
                self._on_closed()

    def event_received(self, url: str, camera_id: str | None, event: ev.Event) -> None:
        now = datetime.now().astimezone()
        record = {
            "time": now.isoformat(timespec="milliseconds"),
            "server": url,
            "camera": camera_id,
            "type": event.name,
            **event_fields(event),
        }
        who = camera_id or "(unattributed)"
        self._write(
            record,
            f"{now:%H:%M:%S.%f}"[:-3] + f" {url} {who} {event.name}: "
            f"{summarize(event)}",
        )

    def stream_changed(
        self,
        url: str,
        subscription: str,
        state: LinkState,
        reason: str,
        retry_in: float | None,
    ) -> None:
        now = datetime.now().astimezone()
        record: dict[str, Any] = {
            "time": now.isoformat(timespec="milliseconds"),
            "server": url,
            "camera": None if subscription == "*" else subscription,
            "type": "stream",
            "stream": stream_path(subscription),
            "state": str(state),
            "reason": reason,
        }
        if retry_in is not None:
            record["retry_in"] = round(retry_in, 2)
        extra = f" (retry in {retry_in:.1f} s)" if retry_in is not None else ""
        why = f": {reason}" if reason else ""
        self._write(
            record,
            f"{now:%H:%M:%S.%f}"[:-3]
            + f" {url} {stream_path(subscription)} stream {state}{why}{extra}",
        )


async def watch_headless(
    urls: list[str],
    *,
    as_json: bool,
    poll_interval: float,
    stall_timeout: float,
    out: IO[str] = sys.stdout,
    recorder: WatchRecorder | None = None,
) -> None:
    task = asyncio.current_task()
    printer = LinePrinter(
        out, as_json=as_json, on_closed=task.cancel if task is not None else None
    )
    rig = Rig()
    async with http_client() as client:
        watchers = [
            ServerWatcher(
                rig,
                url,
                client,
                poll_interval=poll_interval,
                stall_timeout=stall_timeout,
                observers=[printer],
                recorder=recorder,
            )
            for url in urls
        ]
        await asyncio.gather(*(w.run() for w in watchers))


def run_until_signalled(work: Coroutine[Any, Any, object]) -> None:
    """Run ``work`` on a new event loop until it ends, or until Ctrl+C or
    SIGTERM cancels it (then it stops within a moment)."""

    async def main() -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await work

    asyncio.run(main())


def run_headless(
    urls: list[str],
    *,
    as_json: bool,
    poll_interval: float,
    stall_timeout: float,
    recorder: WatchRecorder | None = None,
) -> int:
    """Run until Ctrl+C or SIGTERM, then stop within a moment."""
    work = watch_headless(
        urls, as_json=as_json, poll_interval=poll_interval,
        stall_timeout=stall_timeout, recorder=recorder,
    )  # fmt: skip
    run_until_signalled(work)
    return 0
