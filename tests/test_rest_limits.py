"""REST answers a camera server would never send: too large, or sent a byte at
a time. Over a real socket, against a small hostile server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from app.protocol.errors import BadAnswer, ServerUnreachable
from app.protocol.rest import MAX_ANSWER, RestClient, http_client


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


async def _serve() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/api/server/status", _trickle)
    app.router.add_get("/api/cameras", _huge)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def test_an_answer_too_large_is_refused_and_one_too_slow_gives_up() -> None:
    async def scenario() -> None:
        async for url in _serve():
            async with http_client() as client:
                rest = RestClient(url, client, timeout=0.5)
                with pytest.raises(BadAnswer, match="over 16 MiB"):
                    await rest.cameras()
                with pytest.raises(ServerUnreachable, match="did not finish answering"):
                    await rest.status()

    asyncio.run(scenario())
