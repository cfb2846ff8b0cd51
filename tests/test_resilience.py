"""What a network and a buggy server can do, over real sockets with the simulator:
stalls, drops, garbage, error pages, slow discovery, cameras unplugged."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.protocol.events import AfState, BadEvent, DownloadCompleted, OtherEvent
from app.rig import LinkState
from app.simulator import (
    BAD_GATEWAY,
    HTML_INSTEAD_OF_EVENTS,
    INTERNAL_ERROR,
    SimulatorThread,
    make_cameras,
)

from .support import wait_until
from .test_watcher import Recorder, all_streaming, on_sim, start_sim, watching


def states(recorder: Recorder, sub: str = "*") -> list[LinkState]:
    return [state for s, state, _ in recorder.streams if s == sub]


def reasons(recorder: Recorder, sub: str = "*") -> list[str]:
    return [
        r
        for s, state, r in recorder.streams
        if s == sub and state == LinkState.RETRYING
    ]


def run_with(sim: SimulatorThread, scenario) -> None:
    try:
        asyncio.run(scenario())
    finally:
        sim.stop()


def test_quiet_stream_with_keepalives_is_not_reconnected(tmp_path: Path) -> None:
    """Nothing but keepalives for several stall timeouts: no false reconnect."""
    sim = start_sim(tmp_path, cameras=make_cameras(1), keepalive=0.3)

    async def scenario() -> None:
        async with watching(sim.url, stall_timeout=1.0) as (rig, _, recorder):
            await all_streaming(rig, 1)
            await asyncio.sleep(3.5)
            assert LinkState.RETRYING not in states(recorder)
            assert all(c.streaming for c in rig.cameras.values())

    run_with(sim, scenario)


def test_stalled_link_is_replaced_after_stall_timeout(tmp_path: Path) -> None:
    """A half-open link (socket open, no byte) is given up after the stall
    timeout and replaced; events sent afterwards arrive again."""
    cameras = make_cameras(1)
    sim = start_sim(tmp_path, cameras=cameras, keepalive=0.3)

    async def scenario() -> None:
        async with watching(sim.url, stall_timeout=1.0) as (rig, _, recorder):
            await all_streaming(rig, 1)
            await on_sim(sim, sim.simulator.stall_streams, 30.0)
            await wait_until(lambda: reasons(recorder), timeout=5, what="stall noticed")
            assert "no data" in reasons(recorder)[0]
            await wait_until(
                lambda: states(recorder)[-1] == LinkState.OPEN, what="stream replaced"
            )
            await all_streaming(rig, 1)
            await on_sim(sim, sim.simulator.set_af, cameras[0].id, "focused")
            camera = rig.cameras[(sim.url, cameras[0].id)]
            await wait_until(
                lambda: camera.af == AfState.FOCUSED, what="AF after stall"
            )

    run_with(sim, scenario)


def test_stream_dropped_mid_event_reconnects_and_marks_the_gap(tmp_path: Path) -> None:
    """A server that dies mid-event: the half event is not delivered (not even as
    a bad event), the monitor reconnects, and the log marks the gap."""
    cameras = make_cameras(2)
    sim = start_sim(tmp_path, cameras=cameras)

    async def scenario() -> None:
        async with watching(sim.url) as (rig, _, recorder):
            await all_streaming(rig, 2)
            camera = rig.cameras[(sim.url, cameras[1].id)]
            await on_sim(sim, sim.simulator.set_af, cameras[1].id, "focused")
            await wait_until(lambda: camera.af == AfState.FOCUSED, what="focused")
            await on_sim(sim, sim.simulator.drop_streams)
            await wait_until(lambda: LinkState.RETRYING in states(recorder))
            await wait_until(lambda: states(recorder)[-1] == LinkState.OPEN)
            await all_streaming(rig, 2)
            # What focus did while the stream was down is not known.
            assert camera.af == AfState.UNKNOWN
            await on_sim(sim, sim.simulator.set_af, cameras[1].id, "tracking")
            await wait_until(
                lambda: camera.af == AfState.TRACKING, what="AF after drop"
            )
            assert not [e for _, e in recorder.events if isinstance(e, BadEvent)]
            assert any(e.summary.startswith("gap:") for e in rig.log)

    run_with(sim, scenario)


GARBAGE = [
    (b"event: afStatus\ndata: not json\n\n", "invalid JSON"),
    (b"event: afStatus\ndata: [1, 2, 3]\n\n", "got a JSON array"),
    (b'event: transferProgress\ndata: {"percent": "50"}\n\n', 'got "50"'),
    (b'event: transferProgress\ndata: {"percent": -5}\n\n', "got -5"),
    (b'event: transferProgress\ndata: {"percent": 150}\n\n', "got 150"),
    (b"event: afStatus\ndata: " + b"x" * (1024 * 1024 + 10) + b"\n\n", "KiB limit"),
]


def test_bad_input_is_logged_with_reason_and_next_event_processed(
    tmp_path: Path,
) -> None:
    cameras = make_cameras(1)
    sim = start_sim(tmp_path, cameras=cameras)
    cam = cameras[0].id

    async def scenario() -> None:
        async with watching(sim.url) as (rig, _, recorder):
            await all_streaming(rig, 1)
            camera = rig.cameras[(sim.url, cam)]
            for i, (raw, reason) in enumerate(GARBAGE):
                await on_sim(sim, sim.simulator.send_raw, raw, camera_id=cam)
                state = ["focused", "tracking"][i % 2]
                await on_sim(sim, sim.simulator.set_af, cam, state)
                await wait_until(lambda s=state: camera.af == AfState(s),
                                 what=f"the event after {raw[:40]!r}")  # fmt: skip
                bad = [e for c, e in recorder.events if isinstance(e, BadEvent)]
                assert len(bad) == i + 1 and bad[-1].camera_id in (None, cam)
                assert reason in bad[-1].error, bad[-1].error
                entry = [e for e in rig.log if e.level == "error"][-1]
                assert reason in entry.summary and entry.camera == cam
                assert len(entry.summary) < 600, "raw data not cut down"

            path = "C:\\Users\\ph\\Shoot\\DSC00007.JPG"
            unescaped = '{"filename":"' + path + '","type":"image"}'
            await on_sim(sim, sim.simulator.emit, cam, "downloadComplete", unescaped)
            await on_sim(sim, sim.simulator.emit, cam, "lensChanged", {"lens": "50mm"})
            await wait_until(
                lambda: any(isinstance(e, OtherEvent) for _, e in recorder.events)
            )
            saved = [e for _, e in recorder.events if isinstance(e, DownloadCompleted)]
            assert saved[-1].path == path and saved[-1].note
            assert camera.latest is not None and camera.latest.path == path
            other = [e for _, e in recorder.events if isinstance(e, OtherEvent)]
            assert other[0].name == "lensChanged" and not other[0].known
            assert rig.servers[sim.url].state == LinkState.OPEN

    run_with(sim, scenario)


def test_crlf_and_multiline_data_over_a_socket(tmp_path: Path) -> None:
    cameras = make_cameras(1)
    sim = start_sim(tmp_path, cameras=cameras)
    cam = cameras[0].id

    async def scenario() -> None:
        async with watching(sim.url) as (rig, _, _):
            await all_streaming(rig, 1)
            camera = rig.cameras[(sim.url, cam)]
            # Two data lines join with a newline, which JSON reads as white space.
            parts = [b"event: afSt", b"atus\r\ndata: {\"sta", b"te\":\r\ndata:",
                     b'"trackin', b'g"}\r\n\r', b"\n"]  # fmt: skip
            for part in parts:
                await on_sim(sim, sim.simulator.send_raw, part, camera_id=cam)
            await wait_until(lambda: camera.af == AfState.TRACKING, what="split event")

    run_with(sim, scenario)


def test_error_pages_and_wrong_content_type_are_said_plainly_then_recovered(
    tmp_path: Path,
) -> None:
    sim = start_sim(tmp_path, cameras=make_cameras(1))

    async def scenario() -> None:
        async with watching(sim.url) as (rig, watcher, _):
            await all_streaming(rig, 1)
            server = rig.servers[sim.url]
            for failure, says in [
                (
                    BAD_GATEWAY,
                    "got 502 Bad Gateway (an HTML page, perhaps from a proxy)",
                ),
                (HTML_INSTEAD_OF_EVENTS, "expected an event stream, got text/html"),
            ]:
                sim.simulator.fail_requests("/api/events", **failure.kwargs())
                await on_sim(sim, sim.simulator.drop_streams, mid_event=False)
                await wait_until(lambda s=says: s in server.reason, what=says)
                assert server.state == LinkState.RETRYING
                watcher.retry_now()
                await wait_until(lambda: server.state == LinkState.OPEN, what="back")
            sim.simulator.fail_requests("/api/server/status", **INTERNAL_ERROR.kwargs())
            await on_sim(sim, sim.simulator.drop_streams, mid_event=False)
            await wait_until(lambda: "got 500" in server.reason, what="500 said")
            watcher.retry_now()
            await wait_until(lambda: server.state == LinkState.OPEN, what="back")

    run_with(sim, scenario)


def test_slow_discovery_never_overlaps(tmp_path: Path) -> None:
    sim = start_sim(tmp_path, cameras=make_cameras(2))
    sim.simulator.set_discovery_delay(1.0)

    async def scenario() -> None:
        async with watching(sim.url, poll_interval=0.05) as (rig, watcher, _):
            await all_streaming(rig, 2)
            start = watcher.discoveries
            await asyncio.sleep(3.0)
            # One at a time, each taking a second: about three, never dozens.
            assert watcher.discoveries - start <= 4

    run_with(sim, scenario)


def test_unplugged_camera_is_lost_not_removed_and_returns_to_its_card(
    tmp_path: Path,
) -> None:
    cameras = make_cameras(2)
    sim = start_sim(tmp_path, cameras=cameras)
    cam = cameras[0].id

    async def scenario() -> None:
        async with watching(sim.url) as (rig, _, _):
            await all_streaming(rig, 2)
            camera = rig.cameras[(sim.url, cam)]
            await on_sim(sim, sim.simulator.unplug, cam)
            await wait_until(lambda: camera.lost_at is not None, what="camera lost")
            await asyncio.sleep(1.0)  # several discoveries without it
            assert (sim.url, cam) in rig.cameras and not camera.connected
            await on_sim(sim, sim.simulator.plug, cam)
            await wait_until(lambda: camera.connected, what="camera back")
            assert rig.cameras[(sim.url, cam)] is camera and len(rig.cameras) == 2

    run_with(sim, scenario)


def test_server_that_greets_and_hangs_up_is_not_retried_at_full_speed() -> None:
    """Regression: backoff started over as soon as a stream opened, so a server
    that accepted and closed at once was asked 20 times in 10 s."""
    from aiohttp import web

    status_requests = 0

    async def status(request: web.Request) -> web.Response:
        nonlocal status_requests
        status_requests += 1
        return web.json_response({"success": True, "server": {"version": "3.0.0"}})

    async def events(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b'event: connected\ndata: {"cameraId":"*"}\n\n')
        return response  # and the stream ends at once

    async def cameras(request: web.Request) -> web.Response:
        return web.json_response({"success": True, "cameras": []})

    async def scenario() -> None:
        app = web.Application()
        app.router.add_get("/api/server/status", status)
        app.router.add_get("/api/events", events)
        app.router.add_get("/api/cameras", cameras)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            async with watching(f"http://127.0.0.1:{port}"):
                await asyncio.sleep(5.0)
        finally:
            await runner.cleanup()
        # 0.5 + 1 + 2 s (with jitter) fit in 5 s: about four attempts, not ten.
        assert status_requests <= 5

    asyncio.run(scenario())
