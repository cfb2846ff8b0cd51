"""REST answers a camera server would never send: too large, or sent a byte at
a time. Over a real socket, against a small hostile server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from app.protocol.errors import BadAnswer, ServerUnreachable
from app.protocol.rest import MAX_ANSWER, RestClient, http_client

from .support import wait_until
from .test_watcher import watching


async def _huge(_: web.Request) -> web.Response:
    body = b'{"success": true, "pad": "' + b"x" * (MAX_ANSWER + 10) + b'"}'
    return web.Response(body=body, content_type="application/json")


async def _trickle(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    for byte in b'{"success": true, "server": {}}':
        await response.write(bytes([byte]))
        await asyncio.sleep(0.2)
    return response


async def _long_number(_: web.Request) -> web.Response:
    body = b'{"success": true, "properties": {"battery": ' + b"9" * 5000 + b"}}"
    return web.Response(body=body, content_type="application/json")


async def _sse(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    camera = request.match_info.get("id", "*")
    greeting = f'event: connected\ndata: {{"cameraId":"{camera}"}}\n\n'
    await response.write(greeting.encode())
    await asyncio.sleep(30)
    return response


LISTS = web.AppKey("lists", list)
"""How often the camera list was asked for (one entry each)."""


LISTED = web.AppKey("listed", list)
"""The ids the camera list names now (the test changes it)."""


async def _status(_: web.Request) -> web.Response:
    return web.json_response({"success": True, "server": {"version": "3.0.0"}})


async def _refused(_: web.Request) -> web.Response:
    return web.json_response({"success": False, "message": "not connected"})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def hostile_server(
    cameras: Handler,
    events: Handler | None = None,
    *,
    status: Handler | None = None,
    properties: Handler | None = None,
    listed: list[str] | None = None,
) -> AsyncIterator[tuple[str, web.Application]]:
    """A camera server on loopback answering the camera list with ``cameras``
    and the stream of all cameras with ``events``; each camera's stream only
    greets, and its connection and properties are refused unless given.
    Yields its URL and the application (``LISTS``, ``LISTED`` inside)."""
    app = web.Application()
    app[LISTS] = []
    app[LISTED] = list(listed or [])
    app.router.add_get("/api/server/status", status or _status)
    app.router.add_get("/api/events", events or _sse)
    app.router.add_get("/api/cameras", cameras)
    app.router.add_get("/api/cameras/{id}/events", _sse)
    app.router.add_get("/api/cameras/{id}/connection", _refused)
    app.router.add_get("/api/cameras/{id}/properties/all", properties or _refused)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", app
    finally:
        await runner.cleanup()


def test_answers_too_large_too_slow_or_unreadable_are_refused() -> None:
    async def scenario() -> None:
        server = hostile_server(_huge, status=_trickle, properties=_long_number)
        async with server as (url, _), http_client() as client:
            rest = RestClient(url, client, timeout=0.5)
            with pytest.raises(BadAnswer, match="over 16 MiB"):
                await rest.cameras()
            with pytest.raises(ServerUnreachable, match="did not finish answering"):
                await rest.status()
            # Valid JSON that json.loads refuses (int() takes 4,300 digits):
            # a bad answer like any other, not an internal error.
            with pytest.raises(BadAnswer, match=r"cannot read .*4300 digits"):
                await rest.properties("A")

    asyncio.run(scenario())


async def _all_cameras(request: web.Request) -> web.StreamResponse:
    """The stream of all cameras, busy with a camera past the limit."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    await response.write(b'event: connected\ndata: {"cameraId":"*"}\n\n')
    for _ in range(60):
        await asyncio.sleep(0.05)
        await response.write(
            b'event: afStatus\ndata: {"cameraId":"CAM0299","state":"focused"}\n\n'
        )
    await asyncio.sleep(30)
    return response


async def _many(request: web.Request) -> web.Response:
    request.app[LISTS].append(1)
    cameras = [{"id": f"CAM{n:04d}", "model": "ILCE-7M4", "connectionType": "USB",
                "connected": True} for n in range(300)]  # fmt: skip
    return web.json_response({"success": True, "cameras": cameras})


def test_a_server_listing_hundreds_of_cameras_gets_a_bounded_watch() -> None:
    from app.rig import MAX_CAMERAS

    async def scenario() -> None:
        async with (
            hostile_server(_many, _all_cameras) as (url, app),
            watching(url, poll_interval=0.3) as (rig, _, _),
        ):
            await wait_until(lambda: rig.cameras, what="cameras listed")
            await asyncio.sleep(3.0)  # 60 events of a camera left out
            assert len(rig.cameras) == MAX_CAMERAS
            assert len(app[LISTS]) <= 12, "polled, not asked again per event"
            lone = [e for e in rig.log if "not attributed" in e.summary]
            assert lone == [], "a camera left out is not a flood in the log"
            said = [e.summary for e in rig.log if "300 cameras" in e.summary]
            assert len(said) == 1, "said once, not at every discovery"

    asyncio.run(scenario())


async def _new_ids_each_time(request: web.Request) -> web.Response:
    """Each answer names 64 cameras never named before."""
    start = len(request.app[LISTS]) * 64
    request.app[LISTS].append(1)
    cameras = [{"id": f"ROT{n:05d}", "model": "ILCE-7M4", "connectionType": "USB",
                "connected": True} for n in range(start, start + 64)]  # fmt: skip
    return web.json_response({"success": True, "cameras": cameras})


def test_a_server_naming_new_cameras_in_every_answer_stays_bounded() -> None:
    """Streams of cameras no longer listed end, and past 64 cards on a server
    the cameras lost longest ago are forgotten, saying so."""
    from app.rig import MAX_CAMERAS

    async def scenario() -> None:
        async with (
            hostile_server(_new_ids_each_time) as (url, app),
            watching(url, poll_interval=0.2) as (rig, watcher, _),
        ):
            await wait_until(lambda: len(app[LISTS]) >= 6,
                             what="six answers, 384 names in all")  # fmt: skip
            assert len(rig.cameras) <= MAX_CAMERAS
            running = [t for t in watcher._streams.values() if not t.done()]
            assert len(running) <= MAX_CAMERAS
            assert any("forgot 64 lost camera(s)" in e.summary for e in rig.log)

    asyncio.run(scenario())


async def _ghost_events(request: web.Request) -> web.StreamResponse:
    """The stream of all cameras, busy with a camera the list never names."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    await response.write(b'event: connected\ndata: {"cameraId":"*"}\n\n')
    for _ in range(600):
        await asyncio.sleep(0.005)
        await response.write(
            b'event: afStatus\ndata: {"cameraId":"GHOST","state":"focused"}\n\n'
        )
    await asyncio.sleep(30)
    return response


async def _none_listed(request: web.Request) -> web.Response:
    request.app[LISTS].append(1)
    return web.json_response({"success": True, "cameras": []})


def test_events_of_an_unknown_camera_ask_for_the_list_at_most_once_a_second() -> None:
    async def scenario() -> None:
        async with (
            hostile_server(_none_listed, _ghost_events) as (url, app),
            watching(url, poll_interval=30) as (rig, _, _),
        ):
            await asyncio.sleep(3.5)  # hundreds of GHOST events meanwhile
            assert 2 <= len(app[LISTS]) <= 5, len(app[LISTS])
            assert any("not attributed" in e.summary for e in rig.log)

    asyncio.run(scenario())


async def _odd_ids(_: web.Request) -> web.Response:
    ids: list[object] = ["*", "..", ".", "A\nFAKE", "A\x85", " ", "x" * 201, True,
                         None, "A\ud800", 0, "OK1"]
    cameras = [{"id": i, "model": "ILCE-1", "connected": True} for i in ids]
    return web.json_response({"success": True, "cameras": cameras})


def test_camera_ids_that_would_not_name_one_camera_in_a_url_are_skipped() -> None:
    """``*`` is every camera's stream, ``..`` resolves /api/cameras/../events to
    it too, and a newline would forge a line of headless output."""

    async def scenario() -> None:
        async with hostile_server(_odd_ids) as (url, _), http_client() as client:
            found = await RestClient(url, client).cameras()
            assert [info.id for info in found] == ["0", "OK1"]

    asyncio.run(scenario())


async def _listed(request: web.Request) -> web.Response:
    cameras = [{"id": i, "model": "ILCE-1", "connectionType": "USB", "connected": True}
               for i in request.app[LISTED]]  # fmt: skip
    return web.json_response({"success": True, "cameras": cameras})


def test_a_camera_no_longer_listed_has_its_stream_closed_until_listed_again() -> None:
    async def scenario() -> None:
        async with (
            hostile_server(_listed, listed=["A", "B"]) as (url, app),
            watching(url, poll_interval=0.2) as (rig, _, _),
        ):

            def streaming(camera_id: str) -> bool:
                camera = rig.cameras.get((url, camera_id))
                return camera is not None and camera.streaming

            await wait_until(lambda: streaming("A") and streaming("B"),
                             what="both streams open")  # fmt: skip
            app[LISTED][:] = ["B"]
            await wait_until(lambda: not streaming("A"), what="A's stream closed")
            assert not rig.cameras[(url, "A")].connected, "A shown as lost"
            app[LISTED][:] = ["A", "B"]
            await wait_until(lambda: streaming("A"), what="A's stream open again")
            await asyncio.sleep(0.5)  # the cancelled stream ended long ago
            assert streaming("A") and streaming("B")

    asyncio.run(scenario())
