"""The event-stream rules (WHATWG HTML, 'Interpreting an event stream'), one test each.

Hand-made byte streams, fed in chunks, through app.protocol.sse.iter_events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from hypothesis import given, settings
from hypothesis import strategies as st

from app.protocol.sse import OversizeEvent, RawEvent, iter_events


async def _chunks(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def decode(*parts: bytes, limit: int = 1024 * 1024) -> list[RawEvent | OversizeEvent]:
    async def run() -> list[RawEvent | OversizeEvent]:
        return [
            e async for e in iter_events(_chunks(list(parts)), max_event_bytes=limit)
        ]

    return asyncio.run(run())


def pairs(events: list[RawEvent | OversizeEvent]) -> list[tuple[str, str]]:
    return [(e.name, e.data) for e in events if isinstance(e, RawEvent)]


def test_lf_line_ends() -> None:
    assert pairs(decode(b"event: a\ndata: 1\n\n")) == [("a", "1")]


def test_crlf_line_ends() -> None:
    assert pairs(decode(b"event: a\r\ndata: 1\r\n\r\n")) == [("a", "1")]


def test_bare_cr_line_ends() -> None:
    assert pairs(decode(b"event: a\rdata: 1\r\r")) == [("a", "1")]


def test_crlf_split_between_chunks_is_one_line_end() -> None:
    """A CR at a chunk's end followed by LF must not make an extra blank line."""
    assert pairs(decode(b"event: a\r", b"\ndata: 1\r", b"\n\r", b"\n")) == [("a", "1")]


def test_leading_byte_order_mark_is_stripped() -> None:
    """httpx-sse alone keeps the BOM, which spoils the first field name."""
    assert pairs(decode(b"\xef\xbb\xbfevent: a\ndata: 1\n\n")) == [("a", "1")]


def test_byte_order_mark_split_across_chunks() -> None:
    assert pairs(decode(b"\xef", b"\xbb", b"\xbfevent: a\ndata: 1\n\n")) == [("a", "1")]


def test_only_one_leading_byte_order_mark_is_stripped() -> None:
    events = pairs(decode(b"\xef\xbb\xbf\xef\xbb\xbfevent: a\ndata: 1\n\n"))
    # The second BOM makes the field name "\ufeffevent", which is ignored.
    assert events == [("message", "1")]


def test_data_without_space_after_colon() -> None:
    assert pairs(decode(b"data:1\n\n")) == [("message", "1")]


def test_only_one_space_after_colon_is_removed() -> None:
    assert pairs(decode(b"data:  1\n\n")) == [("message", " 1")]


def test_several_data_lines_are_joined_by_newlines() -> None:
    assert pairs(decode(b"data: a\ndata: b\ndata:\n\n")) == [("message", "a\nb\n")]


def test_unnamed_event_is_message() -> None:
    assert pairs(decode(b"data: x\n\n")) == [("message", "x")]


def test_comment_lines_are_ignored() -> None:
    assert pairs(decode(b": keepalive\n\n: hi\ndata: x\n\n")) == [("message", "x")]


def test_id_and_retry_lines_do_not_disturb_data() -> None:
    events = decode(b"id: 7\nretry: 3000\nevent: a\ndata: x\n\n")
    assert pairs(events) == [("a", "x")]
    assert isinstance(events[0], RawEvent) and events[0].id == "7"


def test_block_without_data_is_not_dispatched() -> None:
    """httpx-sse alone would dispatch 'event: a' with empty data."""
    assert pairs(decode(b"event: a\n\nid: 3\n\nretry: 10\n\ndata: x\n\n")) == [
        ("message", "x")
    ]


def test_event_cut_off_by_closed_socket_is_not_delivered() -> None:
    assert pairs(decode(b"data: 1\n\nevent: b\ndata: 2")) == [("message", "1")]
    assert pairs(decode(b"data: 1\n\nevent: b\ndata: 2\n")) == [("message", "1")]


def test_final_blank_line_as_bare_cr_at_end_of_stream_dispatches() -> None:
    assert pairs(decode(b"data: 1\r\r")) == [("message", "1")]


def test_utf8_character_split_between_chunks() -> None:
    raw = "data: Café ☕ 📷\n\n".encode()
    parts = [raw[i : i + 1] for i in range(len(raw))]
    assert pairs(decode(*parts)) == [("message", "Café ☕ 📷")]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert pairs(decode(b"data: a\xffb\n\n")) == [("message", "a\ufffdb")]


def test_field_without_colon_is_a_field_with_empty_value() -> None:
    assert pairs(decode(b"data\n\n")) == [("message", "")]


def test_unknown_fields_are_ignored() -> None:
    assert pairs(decode(b"foo: bar\ndata: x\n\n")) == [("message", "x")]


def test_oversize_event_is_dropped_and_reported_then_stream_goes_on() -> None:
    big = b"data: " + b"x" * 5000 + b"\n"
    events = decode(
        b"event: a\n", big, big, b"\n", b"event: b\ndata: ok\n\n", limit=4096
    )
    assert isinstance(events[0], OversizeEvent)
    assert events[0].size > 4096
    assert events[0].head.startswith("event: a")
    assert pairs(events) == [("b", "ok")]


def test_oversize_single_line_across_many_chunks_keeps_memory_bounded() -> None:
    parts = [b"data: "] + [b"y" * 1000] * 50 + [b"\n\ndata: next\n\n"]
    events = decode(*parts, limit=2048)
    assert isinstance(events[0], OversizeEvent)
    assert pairs(events) == [("message", "next")]


def test_an_event_that_never_ends_is_said_once_it_passes_the_limit() -> None:
    """A data line that goes on and on (a server bug): memory stays bounded, and
    the drop is said as soon as the limit is passed, not when (if ever) the
    line ends; the stream looked healthy meanwhile."""

    async def run() -> RawEvent | OversizeEvent:
        gate = asyncio.Event()

        async def chunks() -> AsyncIterator[bytes]:
            yield b"event: a\ndata: 1\n\nevent: b\ndata: "
            for _ in range(10):
                yield b"z" * 1000
            await gate.wait()  # ...and more, some day

        events = iter_events(chunks(), max_event_bytes=4096)
        try:
            first = await asyncio.wait_for(anext(events), 1.0)
            assert isinstance(first, RawEvent) and first.name == "a"
            return await asyncio.wait_for(anext(events), 1.0)
        finally:
            gate.set()
            await events.aclose()

    dropped = asyncio.run(run())
    assert isinstance(dropped, OversizeEvent)
    assert dropped.size > 4096 and dropped.head.startswith("event: b")


_name = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC", min_size=1, max_size=12)
_data = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(
        st.tuples(_name, st.lists(_data, min_size=1, max_size=3)), max_size=6
    ),
    newline=st.sampled_from([b"\n", b"\r\n", b"\r"]),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=12),
    bom=st.booleans(),
)
def test_any_chunking_gives_the_same_events(
    events: list[tuple[str, list[str]]], newline: bytes, cuts: list[int], bom: bool
) -> None:
    body = b"\xef\xbb\xbf" if bom else b""
    for name, lines in events:
        body += b": comment" + newline
        body += b"event: " + name.encode() + newline
        for line in lines:
            body += b"data: " + line.encode() + newline
        body += newline
    points = sorted({c % (len(body) + 1) for c in cuts})
    parts = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]
    expected = [(name, "\n".join(lines)) for name, lines in events]
    assert pairs(decode(*[p for p in parts if p])) == expected


def test_event_ended_by_bare_cr_is_delivered_without_waiting_for_more() -> None:
    """Regression: a CR at the end of a chunk was held back in case an LF
    followed, so the event waited for the next chunk (up to a 30 s keepalive)."""

    async def run() -> RawEvent | OversizeEvent:
        gate = asyncio.Event()

        async def chunks() -> AsyncIterator[bytes]:
            yield b"event: a\rdata: 1\r\r"
            await gate.wait()  # the server says nothing more for now
            yield b""

        events = iter_events(chunks())
        try:
            return await asyncio.wait_for(anext(events), 1.0)
        finally:
            gate.set()
            await events.aclose()

    event = asyncio.run(run())
    assert isinstance(event, RawEvent) and (event.name, event.data) == ("a", "1")


def test_lf_after_a_chunk_ending_in_cr_is_not_an_extra_blank_line() -> None:
    assert pairs(decode(b"data: 1\r", b"\ndata: 2\r", b"\n\r", b"\n")) == [
        ("message", "1\n2")
    ]


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.sampled_from([b": " + b"c" * 30, b"data: " + b"d" * 12, b"event: e", b""]),
        max_size=12,
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=600), max_size=10),
)
def test_size_limit_does_not_depend_on_where_chunks_split(
    lines: list[bytes], cuts: list[int]
) -> None:
    """Regression: a long comment line counted towards the limit only when a
    chunk ended inside it."""
    body = b"\n".join(lines) + b"\n\n"
    points = sorted({c % (len(body) + 1) for c in cuts})
    parts = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]

    def summary(events: list[RawEvent | OversizeEvent]) -> list[tuple[str, str]]:
        return [
            (e.name, e.data) if isinstance(e, RawEvent) else ("drop", "")
            for e in events
        ]

    whole = summary(decode(body, limit=60))
    assert summary(decode(*[p for p in parts if p], limit=60)) == whole


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.sampled_from(
            [
                b"data: d",
                b"data",
                b"data:",
                b"event: e",
                b"id: 7",
                b"retry: 1",
                b": c",
                b"datum: x",
                b"",
            ]
        ),
        max_size=24,
    ),
    newline=st.sampled_from([b"\n", b"\r\n"]),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8),
)
def test_events_are_the_same_in_large_chunks_as_byte_by_byte(
    lines: list[bytes], newline: bytes, cuts: list[int]
) -> None:
    """Whole events in a chunk are passed on in one piece (the fast way); a
    stream fed a byte at a time is read line by line. Both say the same."""
    body = newline.join(lines) + newline + newline
    points = sorted({c % (len(body) + 1) for c in cuts})
    parts = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]

    def seen(events: list[RawEvent | OversizeEvent]) -> list[tuple[str, str, str]]:
        return [(e.name, e.data, e.id) for e in events if isinstance(e, RawEvent)]

    one_by_one = seen(decode(*[body[i : i + 1] for i in range(len(body))]))
    assert seen(decode(*[p for p in parts if p])) == one_by_one
    assert seen(decode(body)) == one_by_one
