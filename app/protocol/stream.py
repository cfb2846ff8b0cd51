"""One subscription to a server's event stream, as typed events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from urllib.parse import quote

import httpx

from .errors import BadAnswer, ServerUnreachable
from .events import BadEvent, Event, decode, decode_copy, excerpt
from .rest import describe_http_error, describe_status
from .sse import MAX_EVENT_BYTES, GuardedSource

ALL_CAMERAS = "*"


Received = tuple[Event, str]
"""A decoded event with its data as sent (to match copies across streams). A
plain tuple: one is made for every event."""


def too_large(
    name: str, size: int, text: str, limit: int = MAX_EVENT_BYTES
) -> BadEvent:
    """An event dropped for being over ``limit`` bytes, ``size`` of them read."""
    return BadEvent(
        name=name,
        error=f"an event went over the {limit // 1024} KiB limit ({size} bytes "
        "read) and is dropped",
        raw=excerpt(text),
    )


def stream_path(subscription: str) -> str:
    """The path of the stream of all cameras (``*``) or of one camera."""
    if subscription == ALL_CAMERAS:
        return "/api/events"
    return f"/api/cameras/{quote(subscription, safe='')}/events"


async def subscribe(
    client: httpx.AsyncClient,
    base_url: str,
    subscription: str = ALL_CAMERAS,
    *,
    stall_timeout: float = 45.0,
    on_open: Callable[[], None] | None = None,
    max_event_bytes: int = MAX_EVENT_BYTES,
    lazy: bool = False,
) -> AsyncIterator[Received]:
    """Yield the events of one connection, with their data, until it ends.

    With ``lazy`` (for the stream of all cameras), events are read by
    :func:`decode_copy`: one whose decoding can wait is yielded
    :class:`Undecoded`.

    A stream that sends no byte for ``stall_timeout`` seconds is taken for dead.
    Every way the connection can end (refused, cut, closed, stalled, a wrong
    answer) raises a :class:`ServerError` whose message says which; cancelling
    the consumer closes the socket.
    """
    url = base_url + stream_path(subscription)
    # The read timeout is the liveness check: the server writes at least a
    # keepalive every 30 s, so silence past stall_timeout means a dead link.
    timeout = httpx.Timeout(10.0, read=stall_timeout)
    headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
    try:
        async with client.stream(
            "GET", url, headers=headers, timeout=timeout
        ) as response:
            if response.status_code != 200:
                raise BadAnswer(f"event stream: {describe_status(response)}")
            kind = response.headers.get("content-type", "").partition(";")[0].strip()
            if kind != "text/event-stream":
                got = kind or "no content type"
                raise BadAnswer(f"expected an event stream, got {got}")
            if on_open is not None:
                on_open()
            first = True
            source = GuardedSource(
                response.aiter_bytes(), max_event_bytes=max_event_bytes
            )
            async for sse in source.events:
                dropped = source.dropped(sse)
                if dropped is not None:
                    bad = too_large("?", dropped.size, dropped.head, max_event_bytes)
                    yield bad, dropped.head
                    continue
                name, data = sse.event, sse.data
                if lazy:
                    event: Event = decode_copy(name, data, first=first)
                else:
                    event = decode(name, data, first=first, subscription=subscription)
                yield event, data
                first = False
    except httpx.ReadTimeout as exc:
        raise ServerUnreachable(
            f"no data from {base_url} for {stall_timeout:g} s: the link is dead"
        ) from exc
    except httpx.HTTPError as exc:
        raise ServerUnreachable(describe_http_error(exc, base_url)) from exc
    raise ServerUnreachable(f"{base_url} closed the event stream")
