"""REST calls to the Alpha Camera REST server, answered as plain records."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote

import httpx

from .errors import BadAnswer, RequestRefused, ServerError, ServerUnreachable
from .events import CONTROL_CHARACTERS
from .models import CameraInfo, ConnectionInfo, Property, ServerStatus, normalize_url

log = logging.getLogger(__name__)

AnswerHook = Callable[[str, float, "dict[str, Any] | None", "ServerError | None"], None]
"""Told of every answer: path, time.monotonic() when asked, the body or the error."""


def describe_http_error(exc: httpx.HTTPError, url: str) -> str:
    """One plain sentence for what went wrong reaching the server."""
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        # With several addresses to try, the reason is only down the chain
        # ("All connection attempts failed").
        causes = _causes(exc)
        if "refused" in text or _any_of(causes, ConnectionRefusedError):
            return f"{url} refused the connection (is the server running?)"
        named = "name" in text and ("resolution" in text or "not known" in text)
        if named or _any_of(causes, socket.gaierror):
            return f"{url}: host name not found"
        return f"could not connect to {url}"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"{url} did not accept the connection in time"
    if isinstance(exc, httpx.ReadTimeout):
        return f"{url} stopped answering"
    if isinstance(exc, httpx.TimeoutException):
        return f"{url} did not answer in time"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{url} closed the connection"
    if isinstance(exc, httpx.ReadError):
        return f"the connection to {url} was cut"
    return f"could not talk to {url} ({type(exc).__name__})"


def _causes(exc: BaseException) -> list[BaseException]:
    """What led to ``exc``: its causes and contexts, nearest first."""
    found: list[BaseException] = []
    cause = exc.__cause__ or exc.__context__
    while cause is not None and cause not in found and len(found) < 10:
        found.append(cause)
        cause = cause.__cause__ or cause.__context__
    return found


def _any_of(causes: list[BaseException], kind: type[BaseException]) -> bool:
    return any(isinstance(cause, kind) for cause in causes)


def describe_status(response: httpx.Response) -> str:
    """Why a non-200 answer is not what was expected, in one sentence."""
    kind = response.headers.get("content-type", "").partition(";")[0].strip()
    page = " (an HTML page, perhaps from a proxy)" if kind == "text/html" else ""
    phrase = response.reason_phrase or ""
    return f"expected HTTP 200, got {response.status_code} {phrase}".rstrip() + page


MAX_ANSWER = 16 * 2**20
"""The largest REST answer read: all of a camera's properties are about 40 KB."""


class RestClient:
    """The REST side of one server. Errors come out as :mod:`.errors` types."""

    def __init__(
        self,
        base_url: str,
        client: httpx.AsyncClient,
        *,
        timeout: float = 15.0,
        on_answer: AnswerHook | None = None,
    ) -> None:
        self.base_url = normalize_url(base_url)
        self._client = client
        self._timeout = timeout
        self.on_answer = on_answer

    async def _get(self, path: str, **params: Any) -> dict[str, Any]:
        asked = time.monotonic()
        try:
            body = await self._fetch(path, **params)
        except ServerError as exc:
            if self.on_answer is not None:
                self.on_answer(path, asked, None, exc)
            raise
        if self.on_answer is not None:
            self.on_answer(path, asked, body, None)
        return body

    async def _fetch(self, path: str, **params: Any) -> dict[str, Any]:
        url = self.base_url + path
        try:
            # The timeout is per read; the deadline bounds a server that
            # answers a byte at a time.
            async with asyncio.timeout(self._timeout * 2):
                response, data = await self._read(url, path, params)
        except TimeoutError:
            raise ServerUnreachable(
                f"GET {path}: {self.base_url} did not finish answering in "
                f"{self._timeout * 2:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise ServerUnreachable(describe_http_error(exc, self.base_url)) from exc
        try:
            body = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            kind = response.headers.get("content-type", "no content type")
            raise BadAnswer(f"GET {path}: expected JSON, got {kind}") from exc
        except (ValueError, RecursionError) as exc:  # 5,000 digits; deep nesting
            raise BadAnswer(
                f"GET {path}: JSON this monitor cannot read ({str(exc)[:60]})"
            ) from exc
        if not isinstance(body, dict):
            raise BadAnswer(
                f"GET {path}: expected a JSON object, got {type(body).__name__}"
            )
        if body.get("success") is False:
            raise RequestRefused(str(body.get("message") or f"GET {path} failed"))
        return body

    async def _read(
        self, url: str, path: str, params: dict[str, Any]
    ) -> tuple[httpx.Response, bytes]:
        """The answer and its body, which may not be larger than MAX_ANSWER."""
        request = self._client.build_request(
            "GET", url, params=params, timeout=self._timeout
        )
        response = await self._client.send(request, stream=True)
        try:
            if response.status_code != 200:
                raise BadAnswer(f"GET {path}: {describe_status(response)}")
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > MAX_ANSWER:
                    raise BadAnswer(
                        f"GET {path}: the answer is over {MAX_ANSWER // 2**20} MiB, "
                        "far more than a camera server sends; not read"
                    )
            return response, bytes(data)
        finally:
            await response.aclose()

    async def status(self) -> ServerStatus:
        body = await self._get("/api/server/status")
        server = _dict(body.get("server"))
        cams = _dict(body.get("cameras"))
        return ServerStatus(
            version=str(server.get("version", "?")),
            sdk_version=str(server.get("sdkVersion", "?")),
            uptime=_number(server.get("uptime")),
            platform=str(server.get("platform", "")),
            cameras_connected=int(_number(cams.get("connected")) or 0),
            cameras_discovered=int(_number(cams.get("discovered")) or 0),
        )

    async def cameras(self) -> list[CameraInfo]:
        body = await self._get("/api/cameras")
        items = body.get("cameras")
        if not isinstance(items, list):
            raise BadAnswer("GET /api/cameras: expected a list of cameras, got none")
        found = []
        for item in items:
            camera_id = _camera_id(item.get("id") if isinstance(item, dict) else None)
            if camera_id is None:
                log.warning("Skipped a camera entry without a usable id: %.200r", item)
                continue
            found.append(
                CameraInfo(
                    id=camera_id,
                    model=str(item.get("model") or ""),
                    connection_type=str(item.get("connectionType") or ""),
                    connected=_flag(item.get("connected")),
                )
            )
        return found

    async def connection(self, camera_id: str) -> ConnectionInfo:
        body = await self._get(f"/api/cameras/{quote(camera_id, safe='')}/connection")
        camera = _dict(body.get("camera"))
        data = _dict(body.get("data"))
        mode = data.get("mode")
        return ConnectionInfo(
            connected=_flag(camera.get("connected")),
            model=str(camera.get("model") or ""),
            mode=str(mode) if mode else None,
        )

    async def properties(self, camera_id: str) -> dict[str, Property]:
        path = f"/api/cameras/{quote(camera_id, safe='')}/properties/all"
        body = await self._get(path)
        props = _dict(_dict(body.get("data")).get("properties"))
        result = {}
        for name, item in props.items():
            if not isinstance(item, dict):
                continue
            formatted = item.get("current_formatted")
            value = item.get("current_value")
            result[str(name)] = Property(
                formatted=str(formatted if formatted is not None else value or ""),
                value=value,
                writable=_flag(item.get("writable")),
            )
        return result


@contextlib.asynccontextmanager
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    """The shared HTTP client: no proxies from the environment for a LAN server."""
    # No cap on connections: every camera's stream holds one for as long as it
    # lives, and a capped pool would make REST calls queue behind the streams
    # (the watcher bounds the streams: rig.MAX_CAMERAS a server).
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=20)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:
        yield client


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float | None:
    """A finite number, or None for anything else (text, NaN, infinity)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _camera_id(value: object) -> str | None:
    """A camera id that names one camera in a URL path, or None: not ``*`` (all
    cameras), ``.`` or ``..`` (which a URL resolves away), blank, longer than
    200, with control characters, or not encodable (a lone surrogate)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    if (
        not text.strip()
        or text in ("*", ".", "..")
        or len(text) > 200
        or CONTROL_CHARACTERS.search(text)
    ):
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return text



def _flag(value: Any) -> bool:
    """A boolean that the server may also send as the text "true"/"false"."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)
