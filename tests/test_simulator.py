"""The built-in simulator of the Alpha Camera REST server, over real sockets."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from PIL import ExifTags, Image

from app.simulator import SimulatorThread

A7M4 = "D06CE05E3323"  # USB, remote
A1 = "4A1B9C7E2F10"  # Network, remote-transfer
A7RM5 = "8E03F2A4B761"  # USB, remote

Item = tuple[str, str]  # (event name, data) or (":", comment)


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatorThread]:
    thread = SimulatorThread(
        auto=False, keepalive=0.2, tempo=0.05, session_dir=tmp_path, seed=1
    )
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http


def read_items(lines: Iterator[str], done: Callable[[list[Item]], bool]) -> list[Item]:
    """Read events and comments off an SSE stream's lines until `done(items)`."""
    items: list[Item] = []
    event, data = "message", []
    for line in lines:
        if line.startswith(":"):
            items.append((":", line[1:].strip()))
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif line == "" and data:
            items.append((event, "\n".join(data)))
            event, data = "message", []
        else:
            continue
        if done(items):
            break
    return items


def events(items: list[Item], name: str) -> list[dict]:
    return [json.loads(data) for event, data in items if event == name]


def has(name: str, count: int = 1) -> Callable[[list[Item]], bool]:
    return lambda items: sum(event == name for event, _ in items) >= count


def test_status_camera_list_and_logs(sim: SimulatorThread, client: httpx.Client):
    status = client.get(f"{sim.url}/api/server/status").json()
    assert status["success"] is True
    assert status["server"]["version"] == "3.0.0"
    assert status["server"]["sdkVersion"] == "V2.01.00"
    assert isinstance(status["server"]["uptime"], int)
    assert status["cameras"] == {"connected": 3, "discovered": 3}

    listing = client.get(f"{sim.url}/api/cameras").json()
    assert listing["success"] is True
    assert listing["message"] == "Camera discovery completed"
    assert listing["cameras"][0] == {
        "id": A7M4,
        "model": "ILCE-7M4",
        "connectionType": "USB",
        "connected": True,
    }
    assert {c["id"] for c in listing["cameras"]} == {A7M4, A1, A7RM5}

    connection = client.get(f"{sim.url}/api/cameras/{A1}/connection").json()
    assert connection["camera"] == {"connected": True, "model": "ILCE-1", "id": A1}
    assert connection["data"] == {"mode": "remote-transfer"}

    logs = client.get(f"{sim.url}/api/server/logs", params={"lines": 2}).json()
    assert logs["success"] is True
    assert logs["total"] == 2
    assert logs["logs"][0]["message"] == "GET /api/server/logs"  # newest first
    assert logs["logs"][1]["message"] == f"GET /api/cameras/{A1}/connection"


@pytest.mark.parametrize(
    ("path", "camera_id"),
    [
        ("/api/events", "*"),
        (f"/api/cameras/{A7M4}/events", A7M4),
        ("/api/cameras/NOT-YET-THERE/events", "NOT-YET-THERE"),
    ],
)
def test_handshake_comes_first_then_keepalives(
    sim: SimulatorThread, client: httpx.Client, path: str, camera_id: str
):
    with client.stream("GET", sim.url + path) as response:
        assert response.headers["content-type"] == "text/event-stream"
        assert response.headers["cache-control"] == "no-cache"
        assert "content-length" not in response.headers
        assert "transfer-encoding" not in response.headers
        items = read_items(
            response.iter_lines(), lambda items: (":", "keepalive") in items
        )
    assert items[0] == (
        "connected",
        json.dumps({"cameraId": camera_id}, separators=(",", ":")),
    )
    assert items[1] == (":", "keepalive")


def test_per_camera_stream_gets_only_its_camera(
    sim: SimulatorThread, client: httpx.Client
):
    simulator = sim.simulator
    with contextlib.ExitStack() as stack:
        streams = {
            key: stack.enter_context(client.stream("GET", sim.url + path))
            for key, path in [
                ("a", f"/api/cameras/{A7M4}/events"),
                ("b", f"/api/cameras/{A7RM5}/events"),
                ("all", "/api/events"),
            ]
        }
        sim.call(simulator.set_af, A7M4, "focused")
        sim.call(simulator.emit, None, "serverNote", {"note": "for * only"})
        sim.call(simulator.set_af, A7RM5, "tracking")  # the marker for B

        on_b = read_items(streams["b"].iter_lines(), has("afStatus"))
        on_a = read_items(streams["a"].iter_lines(), has("afStatus"))
        on_all = read_items(streams["all"].iter_lines(), has("afStatus", 2))

    assert events(on_b, "afStatus") == [{"state": "tracking", "source": "OnWarningExt"}]
    assert events(on_b, "serverNote") == []
    assert events(on_a, "afStatus") == [{"state": "focused", "source": "OnWarningExt"}]
    assert [e["state"] for e in events(on_all, "afStatus")] == ["focused", "tracking"]
    assert events(on_all, "serverNote") == [{"note": "for * only"}]
    assert simulator.sent[(A7M4, "afStatus")] == 1
    assert simulator.sent[(None, "serverNote")] == 1


def test_shoot_saves_a_jpeg_named_by_download_complete(
    sim: SimulatorThread, client: httpx.Client
):
    with client.stream("GET", f"{sim.url}/api/events") as response:
        path = sim.call(sim.simulator.shoot, A7M4)
        items = read_items(response.iter_lines(), has("downloadComplete"))

    assert path.name == "DSC00001.JPG"
    assert path.parent == sim.simulator.session_dir / f"ILCE-7M4_{A7M4}"
    assert events(items, "warning") == [
        {"code": "0x20011", "message": "Shutter released"}
    ]
    assert events(items, "downloadComplete") == [
        {"filename": str(path), "type": "image"}
    ]
    with Image.open(path) as picture:
        picture.load()
        assert picture.format == "JPEG"
        assert picture.size == (1600, 1067)
        exif = picture.getexif()
    assert exif[ExifTags.Base.Make] == "SONY"
    assert exif[ExifTags.Base.Model] == "ILCE-7M4"
    assert sim.call(sim.simulator.shoot, A7M4).name == "DSC00002.JPG"


def test_documented_payloads_carry_camera_id_and_saved_path(
    tmp_path: Path, client: httpx.Client
):
    with (
        SimulatorThread(
            auto=False, payloads="documented", tempo=0.05, session_dir=tmp_path
        ) as sim,
        client.stream("GET", f"{sim.url}/api/events") as response,
    ):
        path = sim.call(sim.simulator.shoot, A7M4)
        items = read_items(response.iter_lines(), has("downloadComplete"))

    assert events(items, "downloadComplete") == [
        {"cameraId": A7M4, "filename": "DSC00001.JPG", "savedPath": str(path)}
    ]
    assert events(items, "warning")[0]["cameraId"] == A7M4


def test_remote_transfer_camera_reports_progress_to_100(
    sim: SimulatorThread, client: httpx.Client
):
    with client.stream("GET", f"{sim.url}/api/cameras/{A1}/events") as response:
        path = sim.call(sim.simulator.shoot, A1)
        items = read_items(response.iter_lines(), has("downloadComplete"))

    progress = events(items, "transferProgress")
    assert [p["percent"] for p in progress] == list(range(0, 101, 10))
    assert {p["cameraId"] for p in progress} == {A1}
    assert "savedPath" not in progress[0]
    assert progress[-1]["savedPath"] == progress[-1]["filename"] == str(path)
    assert items[-1][0] == "downloadComplete"


def test_properties_and_a_disconnected_camera(
    sim: SimulatorThread, client: httpx.Client
):
    url = f"{sim.url}/api/cameras/{A7M4}"
    answer = client.get(f"{url}/properties/all").json()
    props = answer["data"]["properties"]
    assert answer["success"] is True
    assert answer["data"]["total_properties"] == len(props)
    assert props["iso"]["current_formatted"] == "ISO 400"
    assert props["shutter-speed"]["current_formatted"] == "1/250"
    assert props["battery-remain"]["current_formatted"] == "85%"
    assert props["priority-key"]["current_formatted"] == "PC Remote"
    assert set(props["aperture"]) == {
        "current_value",
        "current_hex_value",
        "current_formatted",
        "writable",
        "available_values",
    }

    with client.stream("GET", f"{url}/events") as response:
        sim.call(sim.simulator.change_property, A7M4, "iso", "ISO 800")
        sim.call(sim.simulator.disconnect_camera, A7M4)
        items = read_items(response.iter_lines(), has("disconnected"))
    assert events(items, "propertyChanged") == [{"codes": ["0x104"], "count": 1}]
    assert events(items, "disconnected") == [{}]

    answer = client.get(f"{url}/properties/all")
    assert answer.status_code == 200
    assert answer.json()["success"] is False
    assert answer.json()["message"] == f"Camera not connected: {A7M4}"
    listing = client.get(f"{sim.url}/api/cameras").json()["cameras"]
    assert {"id": A7M4, "connected": False}.items() <= listing[0].items()

    sim.call(sim.simulator.connect_camera, A7M4)
    single = client.get(f"{url}/properties/iso").json()["data"]
    assert single["formatted"] == "ISO 800"
    assert single["writable"] == "true"


def test_unknown_path_answers_404_html(sim: SimulatorThread, client: httpx.Client):
    answer = client.get(f"{sim.url}/api/nothing/here")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>404 - Page Not Found</h1>" in answer.text


def test_stop_ends_open_streams(tmp_path: Path, client: httpx.Client):
    """A client must see its stream end when the server goes away."""
    sim = SimulatorThread(auto=False, keepalive=60, session_dir=tmp_path)
    sim.start()
    with client.stream("GET", f"{sim.url}/api/events") as response:
        lines = response.iter_lines()
        read_items(lines, has("connected"))
        started = time.monotonic()
        sim.stop()
        rest = list(lines)  # ends only once the socket is closed
    assert time.monotonic() - started < 3
    assert rest in ([], [""])
    with pytest.raises(httpx.ConnectError):
        client.get(f"{sim.url}/api/server/status")


def test_folder_pictures_are_copied(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("RGB", (64, 48), "teal").save(folder / "b.jpg")
    (folder / "notes.txt").write_text("not a picture")
    with SimulatorThread(
        auto=False, folder=folder, session_dir=tmp_path / "out"
    ) as sim:
        path = sim.call(sim.simulator.shoot, A7RM5)
    assert path.name == "DSC00001.JPG"
    assert path.read_bytes() == (folder / "b.jpg").read_bytes()


def test_autonomous_script_shoots_on_every_camera(tmp_path: Path, client: httpx.Client):
    def every_camera_shot(items: list[Item]) -> bool:
        saved = {
            Path(e["filename"]).parent.name for e in events(items, "downloadComplete")
        }
        return len(saved) == 3

    with (
        SimulatorThread(tempo=0.05, seed=7, session_dir=tmp_path) as sim,
        client.stream("GET", f"{sim.url}/api/events") as response,
    ):
        items = read_items(response.iter_lines(), every_camera_shot)
    assert events(items, "warning")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"ILCE-1_{A1}",
        f"ILCE-7M4_{A7M4}",
        f"ILCE-7RM5_{A7RM5}",
    ]
