"""The event path without a window: the watcher and the rig against the simulator.

Plain asyncio, real loopback sockets; no Qt.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from app.monitor import ServerWatcher
from app.protocol.events import AfState
from app.protocol.rest import http_client
from app.rig import LinkState, Rig
from app.simulator import SimulatorThread, make_cameras

from .support import wait_until


class Recorder:
    """A WatchObserver that keeps everything it is told."""

    def __init__(self) -> None:
        self.events: list[tuple[str | None, Any]] = []
        self.streams: list[tuple[str, LinkState, str]] = []

    def event_received(self, url: str, camera_id: str | None, event: Any) -> None:
        self.events.append((camera_id, event))

    def stream_changed(
        self, url: str, sub: str, state: LinkState, reason: str, retry_in: float | None
    ) -> None:
        self.streams.append((sub, state, reason))


@asynccontextmanager
async def watching(
    url: str, **kw: Any
) -> AsyncIterator[tuple[Rig, ServerWatcher, Recorder]]:
    rig = Rig()
    recorder = Recorder()
    kw.setdefault("poll_interval", 0.3)
    async with http_client() as client:
        watcher = ServerWatcher(rig, url, client, observers=[recorder], **kw)
        task = asyncio.create_task(watcher.run())
        try:
            yield rig, watcher, recorder
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def on_sim(
    sim: SimulatorThread, fn: Callable[..., Awaitable[Any]], *args: Any, **kw: Any
) -> Any:
    return await asyncio.wrap_future(sim.submit(fn, *args, **kw))


def start_sim(tmp_path: Path, **kw: Any) -> SimulatorThread:
    kw.setdefault("auto", False)
    kw.setdefault("keepalive", 0.5)
    sim = SimulatorThread(session_dir=tmp_path / "session", **kw)
    sim.start()
    return sim


async def all_streaming(rig: Rig, count: int) -> None:
    await wait_until(
        lambda: (
            len(rig.cameras) == count and all(c.streaming for c in rig.cameras.values())
        ),
        what=f"{count} camera streams open",
    )


def unattributed(rig: Rig) -> list[str]:
    return [e.summary for e in rig.log if "not attributed" in e.summary]


@pytest.mark.parametrize("payloads", ["binary", "documented"])
def test_sixteen_cameras_at_once_each_event_on_its_own_card(
    tmp_path: Path, payloads: str
) -> None:
    """Sixteen bodies shooting at the same moment: every frame on its own card,
    although the binary's payloads name no camera."""
    cameras = make_cameras(16)
    sim = start_sim(tmp_path, cameras=cameras, payloads=payloads)

    async def scenario() -> None:
        async with watching(sim.url) as (rig, _, _):
            await all_streaming(rig, 16)
            for round_ in range(3):
                await asyncio.gather(
                    *(
                        on_sim(sim, sim.simulator.emit, cam.id, "downloadComplete",
                               _download(payloads, cam.id, round_))
                        for cam in cameras
                    ),
                    *(
                        on_sim(sim, sim.simulator.set_af, cam.id,
                               ["focused", "tracking", "unlocked"][(i + round_) % 3])
                        for i, cam in enumerate(cameras)
                    ),
                )  # fmt: skip

            def final_af(i: int) -> AfState:
                return AfState(["focused", "tracking", "unlocked"][(i + 2) % 3])

            def done() -> bool:
                return all(
                    rig.cameras[(sim.url, cam.id)].shots == 3
                    and rig.cameras[(sim.url, cam.id)].af == final_af(i)
                    for i, cam in enumerate(cameras)
                )

            await wait_until(done, what="48 frames and the last AF states")
            for cam in cameras:
                camera = rig.cameras[(sim.url, cam.id)]
                expected = [_path(cam.id, r) for r in (2, 1, 0)]
                assert [f.path for f in camera.frames] == expected
            await asyncio.sleep(2.0)  # past the matching window
            assert unattributed(rig) == []

    try:
        asyncio.run(scenario())
    finally:
        sim.stop()


def _path(camera_id: str, n: int) -> str:
    return f"/shoot/{camera_id}/DSC{n:05d}.JPG"


def _download(payloads: str, camera_id: str, n: int) -> dict[str, Any]:
    if payloads == "binary":
        return {"filename": _path(camera_id, n), "type": "image"}
    return {"cameraId": camera_id, "filename": f"DSC{n:05d}.JPG",
            "savedPath": _path(camera_id, n)}  # fmt: skip


def test_event_only_on_all_cameras_stream_is_logged_not_guessed(tmp_path: Path) -> None:
    """With two cameras, an event without an id that no camera's stream carried
    cannot be placed: it goes to the log as unattributed, on no card."""
    sim = start_sim(tmp_path, cameras=make_cameras(2))

    async def scenario() -> None:
        async with watching(sim.url) as (rig, _, recorder):
            await all_streaming(rig, 2)
            await on_sim(
                sim, sim.simulator.emit, None, "afStatus", {"state": "focused"}
            )
            await wait_until(
                lambda: unattributed(rig), what="an unattributed log entry"
            )
            assert "focus focused" in unattributed(rig)[0]  # decoded, if late
            assert all(c.af == AfState.UNKNOWN for c in rig.cameras.values())
            assert (None, "afStatus") in [(c, e.name) for c, e in recorder.events]

    try:
        asyncio.run(scenario())
    finally:
        sim.stop()


def test_event_only_on_all_cameras_stream_naming_a_camera_goes_to_it(
    tmp_path: Path,
) -> None:
    cameras = make_cameras(2)
    sim = start_sim(tmp_path, cameras=cameras)

    async def scenario() -> None:
        async with watching(sim.url) as (rig, _, _):
            await all_streaming(rig, 2)
            data = {"cameraId": cameras[1].id, "state": "tracking"}
            await on_sim(sim, sim.simulator.emit, None, "afStatus", data)
            second = rig.cameras[(sim.url, cameras[1].id)]
            await wait_until(lambda: second.af == AfState.TRACKING, what="tracking")
            assert rig.cameras[(sim.url, cameras[0].id)].af == AfState.UNKNOWN
            assert unattributed(rig) == []

    try:
        asyncio.run(scenario())
    finally:
        sim.stop()


def test_disconnected_camera_is_lost_with_time_and_comes_back_on_same_card(
    tmp_path: Path,
) -> None:
    cameras = make_cameras(2)
    sim = start_sim(tmp_path, cameras=cameras)

    async def scenario() -> None:
        async with watching(sim.url) as (rig, _, _):
            await all_streaming(rig, 2)
            first = rig.cameras[(sim.url, cameras[0].id)]
            await on_sim(sim, sim.simulator.shoot, cameras[0].id)
            await wait_until(lambda: first.shots == 1, what="a frame")
            await on_sim(sim, sim.simulator.disconnect_camera, cameras[0].id)
            await wait_until(lambda: first.lost_at is not None, what="camera lost")
            assert not first.connected and first.af == AfState.UNKNOWN
            await on_sim(sim, sim.simulator.connect_camera, cameras[0].id)
            await wait_until(lambda: first.connected, what="camera back")
            assert rig.cameras[(sim.url, cameras[0].id)] is first
            assert first.shots == 1 and first.lost_at is None
            assert len(rig.cameras) == 2

    try:
        asyncio.run(scenario())
    finally:
        sim.stop()


def test_server_restart_resynchronises_and_marks_the_gap(tmp_path: Path) -> None:
    """After the server comes back, the log marks the gap; cameras are read anew
    by REST; the greeting on the new streams makes no new camera."""
    cameras = make_cameras(2)
    sim = start_sim(tmp_path, cameras=cameras)
    port = int(sim.url.rsplit(":", 1)[1])

    async def scenario() -> None:
        nonlocal sim
        async with watching(sim.url) as (rig, watcher, recorder):
            await all_streaming(rig, 2)
            sim.stop()
            server = rig.servers[watcher.url]
            await wait_until(lambda: server.state == LinkState.RETRYING, what="offline")
            assert all(not c.connected for c in rig.cameras.values())
            sim = start_sim(tmp_path, cameras=cameras, port=port)
            watcher.retry_now()
            await all_streaming(rig, 2)
            await wait_until(lambda: all(c.connected for c in rig.cameras.values()))
            assert len(rig.cameras) == 2
            assert any(e.summary.startswith("gap:") for e in rig.log)
            assert not [e for c, e in recorder.events if e.name == "connected"]

    try:
        asyncio.run(scenario())
    finally:
        sim.stop()


def test_server_first_reached_late_is_connected_without_a_gap(tmp_path: Path) -> None:
    """A server that is down when the monitor starts and answers later: the log
    says connected, and claims no gap, since nothing had been received before."""
    import socket

    with socket.socket() as probe:  # a free port, nothing listening yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    sim: SimulatorThread | None = None

    async def scenario() -> None:
        nonlocal sim
        async with watching(url) as (rig, watcher, _):
            await wait_until(
                lambda: rig.servers[watcher.url].state == LinkState.RETRYING
                if watcher.url in rig.servers
                else False,
                what="the first attempt failing",
            )
            sim = start_sim(tmp_path, cameras=make_cameras(1), port=port)
            watcher.retry_now()
            await all_streaming(rig, 1)
            summaries = [e.summary for e in rig.log]
            assert any(s.startswith("connected") for s in summaries), summaries
            assert not [s for s in summaries if s.startswith("gap:")], summaries

    try:
        asyncio.run(scenario())
    finally:
        if sim is not None:
            sim.stop()
