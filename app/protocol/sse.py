"""Read a text/event-stream body into events, with httpx-sse doing the field parsing.

httpx-sse 0.4 follows the WHATWG event-stream rules except in a few places; the
guard in front of it mends those (each is marked NOTE below and has a named test
in tests/test_sse.py):

- a leading byte-order mark is kept and spoils the first field name;
- a block with no ``data:`` line is still dispatched (the rules drop it);
- nothing bounds the size of a line or of an event.

https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
"""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator

import httpx
import msgspec
from httpx_sse import EventSource, ServerSentEvent

MAX_EVENT_BYTES = 1024 * 1024
"""An event larger than this (all its lines together) is dropped and reported."""

_BOM = b"\xef\xbb\xbf"
# The name of the stand-in for a dropped event: random, so no server can send it.
_DROP_MARK = f"tether-monitor.dropped.{secrets.token_hex(8)}"


class RawEvent(msgspec.Struct, frozen=True):
    """One dispatched event: its name (``message`` when unnamed) and data."""

    name: str
    data: str
    id: str = ""


class OversizeEvent(msgspec.Struct, frozen=True):
    """An event dropped because it was larger than the limit."""

    size: int
    head: str


class _Guard:
    """Splits the bytes into blocks and passes on only the well-formed ones."""

    def __init__(self, max_event_bytes: int) -> None:
        self._max = max_event_bytes
        self._pending = bytearray()  # the line being read, not yet ended
        self._skip_lf = False
        self._block: list[bytes] = []
        self._block_size = 0
        self._has_data = False
        self._oversize = False
        self._started = False
        self.dropped: deque[OversizeEvent] = deque()

    def feed(self, chunk: bytes) -> bytes:
        if not self._started:
            # NOTE: the rules strip one leading U+FEFF; httpx-sse keeps it. Wait
            # for three bytes so that a mark split across chunks is still seen.
            chunk = bytes(self._pending) + chunk
            self._pending.clear()
            if len(chunk) < len(_BOM) and _BOM.startswith(chunk):
                self._pending += chunk
                return b""
            self._started = True
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        if self._skip_lf and chunk:
            # The last chunk ended in CR, already taken as a line end: an LF
            # now is the second half of that CRLF.
            self._skip_lf = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        if b"\n" not in chunk and b"\r" not in chunk:
            self._pending += chunk  # amortised: no rescan of the line so far
            out: list[bytes] = []
            self._check_pending(out)
            return b"".join(out)
        text = bytes(self._pending) + chunk if self._pending else chunk
        self._pending.clear()
        out = []
        if (self._block_size or self._oversize) and b"\r" not in text:
            # Finish the event in progress line by line, then take the next
            # ones whole if they allow.
            blank = text.find(b"\n\n")
            cut = 1 if text.startswith(b"\n") else blank + 2 if blank >= 0 else 0
            if cut:
                self._lines(text[:cut], out)
                text = text[cut:]
        whole = self._whole_blocks(text)
        if whole:
            out.append(text[:whole])
            text = text[whole:]
        if text:
            self._lines(text, out)
        self._check_pending(out)
        return b"".join(out)

    def _lines(self, text: bytes, out: list[bytes]) -> None:
        # bytes.splitlines ends lines at CRLF, CR and LF: exactly the rules' ends.
        lines = text.splitlines(keepends=True)
        if not lines[-1].endswith((b"\n", b"\r")):
            self._pending += lines.pop()
        elif lines[-1].endswith(b"\r"):
            self._skip_lf = True
        for line in lines:
            self._line(line.rstrip(b"\r\n"), out)

    def _whole_blocks(self, text: bytes) -> int:
        """How many leading bytes of ``text`` are whole events that pass as they
        are (the common case, checked at C speed instead of line by line): no
        CR, no comment, no empty block, each with a data line, none too large."""
        if self._block_size or self._oversize:
            return 0  # within a block
        end = text.rfind(b"\n\n") + 2
        if (
            end < 2
            or end > self._max
            or text.startswith((b"\n", b":"))
            or text.find(b"\r", 0, end) >= 0
            or text.find(b"\n:", 0, end) >= 0
            or text.find(b"\n\n\n", 0, end) >= 0
        ):
            return 0
        for block in text[: end - 2].split(b"\n\n"):
            if not block.startswith(b"data:") and b"\ndata:" not in block:
                return 0
        return end

    def _check_pending(self, out: list[bytes]) -> None:
        """Bound the memory a line without an end can take."""
        if len(self._pending) > 1 and self._block_size + len(self._pending) > self._max:
            if not self._oversize:
                size = self._block_size + len(self._pending)
                self._overflow(out, size, bytes(self._pending[:300]))
            # Keep one byte so the rest of this line is not read as a new line.
            self._block_size += len(self._pending) - 1
            self._pending = bytearray(b"#")

    def flush(self) -> bytes:
        """End of stream: a line or event the stream did not finish is cut off."""
        self._pending.clear()
        return b""

    def _line(self, line: bytes, out: list[bytes]) -> None:
        if not line:
            self._end_block(out)
        elif self._oversize:
            self._block_size += len(line) + 1
        else:
            # Comments count towards the size too, so that where the chunks
            # happen to split a long line changes nothing.
            self._block_size += len(line) + 1
            if not line.startswith(b":"):  # a comment, such as the keepalive
                self._block.append(line)
                if line.startswith(b"data:") or line == b"data":
                    self._has_data = True
            if self._block_size > self._max:
                self._overflow(out, self._block_size)

    def _overflow(self, out: list[bytes], size: int, partial: bytes = b"") -> None:
        """The event in progress passed the limit: it is said now, in its place
        among the others (the rest of it may take long to come, or never end),
        and its remaining lines are skipped."""
        head = b"\n".join([*self._block, partial]).strip()[:300]
        text = head.decode("utf-8", "replace")
        self.dropped.append(OversizeEvent(size=size, head=text))
        out.append(f"event: {_DROP_MARK}\ndata: -\n\n".encode())
        self._oversize = True
        self._block = []

    def _end_block(self, out: list[bytes]) -> None:
        if self._oversize:
            pass  # said when it passed the limit
        elif self._has_data:
            out.extend(line + b"\n" for line in self._block)
            out.append(b"\n")
        # NOTE: a block with no data line is no event under the rules, while
        # httpx-sse would dispatch it with empty data: it is dropped here.
        self._block = []
        self._block_size = 0
        self._has_data = False
        self._oversize = False


class _GuardedStream(httpx.AsyncByteStream):
    def __init__(self, source: AsyncIterable[bytes], guard: _Guard) -> None:
        self._source = source
        self._guard = guard

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._source:
            out = self._guard.feed(chunk)
            if out:
                yield out
        out = self._guard.flush()
        if out:
            yield out


class GuardedSource:
    """httpx-sse reading an event-stream body (byte chunks) behind the guard.

    ``events`` yields httpx-sse's events; one of them may stand for an event
    dropped for its size, which :meth:`dropped` says. For a stream read at a
    high rate (:func:`app.protocol.stream.subscribe`); :func:`iter_events` is
    the plain form.
    """

    def __init__(
        self, chunks: AsyncIterable[bytes], *, max_event_bytes: int = MAX_EVENT_BYTES
    ) -> None:
        self._guard = _Guard(max_event_bytes)
        response = httpx.Response(
            200,
            headers={"content-type": "text/event-stream; charset=utf-8"},
            stream=_GuardedStream(chunks, self._guard),
        )
        self.events: AsyncIterator[ServerSentEvent] = EventSource(response).aiter_sse()

    def dropped(self, sse: ServerSentEvent) -> OversizeEvent | None:
        """The event dropped for its size that ``sse`` stands in for, if any."""
        if sse.event == _DROP_MARK and self._guard.dropped:
            return self._guard.dropped.popleft()
        return None


async def iter_events(
    chunks: AsyncIterable[bytes], *, max_event_bytes: int = MAX_EVENT_BYTES
) -> AsyncIterator[RawEvent | OversizeEvent]:
    """Decode an event-stream body given as byte chunks.

    Yields each dispatched event, and an :class:`OversizeEvent` in place of each
    event dropped for its size. An event that the stream did not finish with a
    blank line (a socket closed mid-event) is not delivered.
    """
    source = GuardedSource(chunks, max_event_bytes=max_event_bytes)
    async for sse in source.events:
        dropped = source.dropped(sse)
        yield dropped if dropped is not None else RawEvent(sse.event, sse.data, sse.id)
