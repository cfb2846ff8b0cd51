"""The simulator's misbehaviour, as a client sees it on real loopback sockets."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from app.simulator import (
    BAD_GATEWAY,
    HTML_INSTEAD_OF_EVENTS,
    INTERNAL_ERROR,
    PARTIAL_EVENT,
    SimulatorThread,
)
from app.simulator.__main__ import build_parser
from app.simulator.misbehave import garbage_events, parse_scenarios, run_scenarios

A7M4 = "D06CE05E3323"
A1 = "4A1B9C7E2F10"
A7RM5 = "8E03F2A4B761"

HANDSHAKE_ALL = b'event: connected\ndata: {"cameraId":"*"}\n\n'
KEEPALIVE = b": keepalive\n\n"


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatorThread]:
    thread = SimulatorThread(auto=False, keepalive=0.3, session_dir=tmp_path)
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http


class Wire:
    """The raw bytes of one open event stream, read as they come."""

    def __init__(self, response: httpx.Response) -> None:
        self.chunks = response.iter_raw()
        self.data = b""
        self.error: Exception | None = None
        self.ended = False

    def until(self, done: Callable[[bytes], bool]) -> bytes:
        """Read until `done(data)`; fail if the stream ends first."""
        while not done(self.data):
            self.data += next(self.chunks)
        return self.data

    def has(self, needle: bytes) -> bytes:
        return self.until(lambda data: needle in data)

    def to_end(self) -> bytes:
        """Read until the server closes or resets the connection."""
        try:
            for chunk in self.chunks:
                self.data += chunk
        except httpx.ReadError as exc:
            self.error = exc
        self.ended = True
        return self.data

    def for_seconds(self, seconds: float) -> bytes:
        """Read what comes within `seconds` (keepalives keep the reads short)."""
        start = len(self.data)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.data += next(self.chunks)
        return self.data[start:]


def test_send_raw_writes_exact_bytes_to_the_matching_streams(
    sim: SimulatorThread, client: httpx.Client
):
    with contextlib.ExitStack() as stack:
        wires = {
            key: Wire(stack.enter_context(client.stream("GET", sim.url + path)))
            for key, path in [
                ("all", "/api/events"),
                ("a", f"/api/cameras/{A7M4}/events"),
                ("b", f"/api/cameras/{A7RM5}/events"),
            ]
        }
        for wire in wires.values():
            wire.has(b"\n\n")  # the handshake
        first, second = b'\xef\xbb\xbfevent: x\r\ndata: {"a"', b":1}\r\r: c\n\n"
        sim.call(sim.simulator.send_raw, first)
        sim.call(sim.simulator.send_raw, second)
        sim.call(sim.simulator.send_raw, b"\x00\xff garbage\n\n", camera_id=A7M4)
        sim.call(sim.simulator.emit, A7RM5, "marker", "{}")

        on_all = wires["all"].has(b"garbage")
        on_a = wires["a"].has(b"garbage")
        on_b = wires["b"].has(b"marker")

    assert on_all.startswith(HANDSHAKE_ALL)
    assert first in on_all and second in on_all  # maybe a keepalive between
    assert on_all.index(first) < on_all.index(second) < on_all.index(b"\x00\xff")
    assert first not in on_a and b"\x00\xff garbage\n\n" in on_a
    assert b"garbage" not in on_b and first not in on_b
    assert sim.simulator.sent == {(A7RM5, "marker"): 1}  # raw bytes are not events


def test_drop_streams_cuts_mid_event_and_new_streams_work(
    sim: SimulatorThread, client: httpx.Client
):
    with (
        client.stream("GET", f"{sim.url}/api/events") as all_events,
        client.stream("GET", f"{sim.url}/api/cameras/{A7M4}/events") as one,
    ):
        wires = [Wire(all_events), Wire(one)]
        for wire in wires:
            wire.has(b"\n\n")
        sim.call(sim.simulator.drop_streams)
        for wire in wires:
            assert wire.to_end().endswith(b"\n\n" + PARTIAL_EVENT)
            assert wire.error is None  # a FIN after the half event

    with client.stream("GET", f"{sim.url}/api/events") as response:
        wire = Wire(response)
        wire.has(HANDSHAKE_ALL)
        sim.call(sim.simulator.drop_streams, mid_event=False, reset=True)
        data = wire.to_end()
    assert isinstance(wire.error, httpx.ReadError)  # a TCP reset
    assert PARTIAL_EVENT not in data
    assert client.get(f"{sim.url}/api/server/status").json()["success"] is True


def test_stall_streams_silences_then_closes_and_loses_events(
    sim: SimulatorThread, client: httpx.Client
):
    with client.stream("GET", f"{sim.url}/api/events") as stalled:
        old = Wire(stalled)
        old.has(KEEPALIVE)
        before = len(old.data)
        sim.call(sim.simulator.stall_streams, 1.0)
        started = time.monotonic()
        with client.stream("GET", f"{sim.url}/api/events") as fresh:
            new = Wire(fresh)
            new.has(HANDSHAKE_ALL)
            sim.call(sim.simulator.set_af, A7M4, "focused")
            new.has(b"event: afStatus\n")
            rest = old.to_end()[before:]
            elapsed = time.monotonic() - started
            assert new.has(KEEPALIVE)  # the new stream is normal

    assert rest == b""  # no keepalive, no event, then the socket closed
    assert 0.9 <= elapsed < 2.0
    assert sim.simulator.sent[(A7M4, "afStatus")] == 1  # lost, still counted


def test_fail_requests_then_normal_answers(sim: SimulatorThread, client: httpx.Client):
    simulator = sim.simulator
    sim.call(simulator.fail_requests, "/api/cameras", **BAD_GATEWAY.kwargs())
    answer = client.get(f"{sim.url}/api/cameras")
    assert answer.status_code == 502
    assert answer.headers["content-type"] == "text/html"
    assert answer.text == BAD_GATEWAY.body
    assert "<h1>502 Bad Gateway</h1>" in answer.text
    assert client.get(f"{sim.url}/api/cameras").json()["success"] is True

    sim.call(simulator.fail_requests, "/api/cameras", exact=True, count=-1)
    for _ in range(2):
        answer = client.get(f"{sim.url}/api/cameras")
        assert answer.status_code == 500
        assert answer.json() == {"success": False, "message": "Internal error"}
        assert answer.headers["content-type"] == INTERNAL_ERROR.content_type
    assert client.get(f"{sim.url}/api/cameras/{A1}/connection").status_code == 200
    sim.call(simulator.clear_failures)
    assert client.get(f"{sim.url}/api/cameras").status_code == 200

    sim.call(simulator.fail_requests, "/api/events", **HTML_INSTEAD_OF_EVENTS.kwargs())
    answer = client.get(f"{sim.url}/api/events")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html"
    assert answer.text.startswith("<!DOCTYPE html>")
    with client.stream("GET", f"{sim.url}/api/events") as response:
        assert response.headers["content-type"] == "text/event-stream"
        Wire(response).has(HANDSHAKE_ALL)


def test_discovery_delay_slows_only_the_camera_list(
    sim: SimulatorThread, client: httpx.Client
):
    sim.call(sim.simulator.set_discovery_delay, 0.5)
    started = time.monotonic()
    assert client.get(f"{sim.url}/api/server/status").status_code == 200
    assert time.monotonic() - started < 0.4
    started = time.monotonic()
    assert len(client.get(f"{sim.url}/api/cameras").json()["cameras"]) == 3
    assert time.monotonic() - started >= 0.5
    sim.call(sim.simulator.set_discovery_delay, 0)
    started = time.monotonic()
    client.get(f"{sim.url}/api/cameras")
    assert time.monotonic() - started < 0.4


def test_unplug_and_plug(sim: SimulatorThread, client: httpx.Client):
    url = f"{sim.url}/api/cameras/{A7M4}"
    with (
        client.stream("GET", f"{url}/events") as one,
        client.stream("GET", f"{sim.url}/api/events") as every,
    ):
        wires = [Wire(one), Wire(every)]
        for wire in wires:
            wire.has(b"\n\n")
        sim.call(sim.simulator.unplug, A7M4)
        for wire in wires:
            assert b"event: disconnected\ndata: {}\n\n" in wire.has(b"disconnected")

        listing = client.get(f"{sim.url}/api/cameras").json()["cameras"]
        assert [c["id"] for c in listing] == [A1, A7RM5]
        connection = client.get(f"{url}/connection").json()
        assert connection["camera"]["connected"] is False
        assert client.get(f"{url}/properties/all").json()["success"] is False
        status = client.get(f"{sim.url}/api/server/status").json()
        assert status["cameras"] == {"connected": 2, "discovered": 2}

        sim.call(sim.simulator.plug, A7M4)
        connected = b'event: connected\ndata: {"model":"ILCE-7M4","id":"%s"}\n\n'
        for wire in wires:
            assert connected % A7M4.encode() in wire.has(b'"model"')

    listing = client.get(f"{sim.url}/api/cameras").json()["cameras"]
    assert {"id": A7M4, "connected": True}.items() <= listing[0].items()
    assert client.get(f"{url}/properties/all").json()["success"] is True
    assert sim.simulator.sent[(A7M4, "disconnected")] == 1
    assert sim.simulator.sent[(A7M4, "connected")] == 1


def test_unplug_pauses_the_autonomous_script(tmp_path: Path, client: httpx.Client):
    with (
        SimulatorThread(keepalive=0.3, tempo=0.02, seed=3, session_dir=tmp_path) as sim,
        client.stream("GET", f"{sim.url}/api/cameras/{A7M4}/events") as response,
    ):
        wire = Wire(response)
        wire.has(b"event: afStatus\n")
        sim.call(sim.simulator.unplug, A7M4)
        wire.has(b"event: disconnected\n")
        wire.until(lambda data: data.endswith(b"event: disconnected\ndata: {}\n\n"))
        quiet = wire.for_seconds(0.7)
        assert quiet.replace(KEEPALIVE, b"") == b""
        sim.call(sim.simulator.plug, A7M4)
        resumed = wire.until(lambda data: data.count(b"event: afStatus\n") >= 2)
    assert b'"model":"ILCE-7M4"' in resumed[resumed.index(b"event: disconnected") :]


def test_scenarios_run_in_the_background(sim: SimulatorThread, client: httpx.Client):
    assert parse_scenarios("drop, stall") == ["drop", "stall"]
    assert len(parse_scenarios("all")) == 6
    assert "--misbehave" in build_parser().format_help()

    with client.stream("GET", f"{sim.url}/api/events") as response:
        wire = Wire(response)
        wire.has(HANDSHAKE_ALL)
        future = sim.submit(
            run_scenarios,
            sim.simulator,
            ["garbage", "errors", "slow-discovery"],
            seed=1,
            time_scale=0.02,
        )
        try:
            wire.has(garbage_events(A7M4)[0])
            statuses = set()
            deadline = time.monotonic() + 3
            while not statuses & {500, 502} and time.monotonic() < deadline:
                statuses.add(client.get(f"{sim.url}/api/cameras").status_code)
            assert statuses & {500, 502}
        finally:
            future.cancel()
