"""Record a session against the simulator, replay it fast, and see the same thing:
in headless mode (real processes) and in the window."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from app import cli
from app.gui import watch
from app.recording import FORMAT, SessionRecorder, open_recording
from app.replay import replay_headless
from app.rig import LinkState, Rig
from app.simulator import SimulatorThread
from app.ui.camera_card import CameraCard
from app.ui.main_window import MainWindow
from app.ui.replay_bar import (
    RecordingControl,
    RecordingLabel,
    ReplayLabel,
    play_in_window,
)

from .support import Runner, sim_call, wait_until
from .test_headless import Lines, stop

ILCE_7M4 = "D06CE05E3323"
ILCE_1 = "4A1B9C7E2F10"
ILCE_7RM5 = "8E03F2A4B761"
CAMERAS = (ILCE_7M4, ILCE_1, ILCE_7RM5)


def replay_process(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--headless", "--json", "--replay", str(path),
         *extra],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip


def without_times(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "time"} for r in records]


def file_has(path: Path, text: str) -> bool:
    return path.is_file() and text in path.read_text(encoding="utf-8")


# -- headless ---------------------------------------------------------------------


def test_headless_replay_prints_what_the_recorded_session_printed(
    tmp_path: Path, simulator: SimulatorThread
) -> None:
    recording = tmp_path / "shoot.jsonl"
    sim = simulator.simulator
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--headless", "--json", "--server",
         simulator.url, "--poll-interval", "0.3", "--record", str(recording)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    lines = Lines(proc)
    try:
        lines.wait_for(lambda rs: sum(r.get("state") == "open" for r in rs) == 4)
        simulator.call(sim.set_af, ILCE_7M4, "focused")
        simulator.call(sim.shoot, ILCE_1)  # with transfer progress
        simulator.call(sim.shoot, ILCE_7M4)
        simulator.call(sim.change_property, ILCE_7RM5, "iso")
        simulator.call(sim.emit, ILCE_7M4, "afStatus", "not json at all")
        simulator.call(sim.emit, None, "lensChanged", {"lens": "FE 50mm F1.2 GM"})
        simulator.call(sim.disconnect_camera, ILCE_7RM5)
        lines.wait_for(
            lambda rs: any(r["type"] == "disconnected" for r in rs)
            and any(r["type"] == "lensChanged" for r in rs)
        )
        simulator.call(sim.drop_streams)  # the server crashes; the monitor retries
        lines.wait_for(lambda rs: sum(r.get("state") == "open" for r in rs) == 8)
        simulator.call(sim.set_af, ILCE_1, "tracking")
        lines.wait_for(lambda rs: any(r.get("state") == "tracking" for r in rs))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
    finally:
        stop(proc)
    recorded = lines.records()

    played = replay_process(recording, "--speed", "20")
    assert played.returncode == 0, played.stderr
    replayed = [json.loads(line) for line in played.stdout.splitlines()]
    assert without_times(replayed) == without_times(recorded)
    types = [r["type"] for r in replayed]
    for wanted in ("afStatus", "transferProgress", "downloadComplete",
                   "propertyChanged", "lensChanged", "disconnected"):  # fmt: skip
        assert wanted in types, f"no {wanted} in the replay"
    retrying = [r for r in replayed if r.get("state") == "retrying"]
    assert retrying and all(r["reason"] for r in retrying)
    lens = next(r for r in replayed if r["type"] == "lensChanged")
    assert lens["camera"] is None, "a lone event was attributed"
    assert next(r for r in replayed if r.get("error"))["camera"] == ILCE_7M4
    assert "replay of shoot.jsonl ended" in played.stderr


def test_a_recording_cut_off_by_a_kill_still_plays(
    tmp_path: Path, simulator: SimulatorThread
) -> None:
    recording = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--headless", "--json", "--server",
         simulator.url, "--poll-interval", "0.3", "--record", str(recording)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    lines = Lines(proc)
    try:
        lines.wait_for(lambda rs: sum(r.get("state") == "open" for r in rs) == 4)
        simulator.call(simulator.simulator.set_af, ILCE_1, "tracking")
        lines.wait_for(lambda rs: any(r["type"] == "afStatus" for r in rs))
        deadline = time.monotonic() + 10
        while not file_has(recording, "tracking") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop(proc)  # SIGKILL: no goodbye, nothing closed
    with recording.open("a", encoding="utf-8") as file:
        file.write('{"t": 99, "kind": "event", "ser')  # a write cut short

    played = replay_process(recording, "--speed", "50")
    assert played.returncode == 0, played.stderr
    replayed = [json.loads(line) for line in played.stdout.splitlines()]
    af = [r for r in replayed if r["type"] == "afStatus"]
    assert af and af[0]["camera"] == ILCE_1 and af[0]["state"] == "tracking"
    assert "the last line is cut off" in played.stderr
    assert "1 bad line skipped" in played.stderr


def synthetic(path: Path, records: list[dict[str, Any]], header: Any = None) -> Path:
    head = header or {"format": FORMAT, "version": 1, "started": "2026-01-01T10:00",
                      "app": "test", "servers": ["http://studio:8080"]}  # fmt: skip
    lines = [json.dumps(head)] + [json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ten_seconds(url: str = "http://studio:8080") -> list[dict[str, Any]]:
    def stream(t: float, sub: str, state: str) -> dict[str, Any]:
        return {"t": t, "kind": "stream", "server": url, "stream": sub,
                "state": state, "reason": ""}  # fmt: skip

    def event(t: float, sub: str, name: str, data: str) -> dict[str, Any]:
        return {"t": t, "kind": "event", "server": url, "stream": sub,
                "event": name, "data": data}  # fmt: skip

    cameras = {"success": True, "cameras": [
        {"id": "A1", "model": "ILCE-9M3", "connectionType": "USB",
         "connected": True}]}  # fmt: skip
    af = '{"state":"focused"}'
    return [
        stream(0.0, "*", "connecting"),
        stream(0.01, "*", "open"),
        {"t": 0.02, "kind": "rest", "server": url, "path": "/api/cameras",
         "asked": 0.015, "body": cameras},
        stream(0.03, "A1", "connecting"),
        stream(0.04, "A1", "open"),
        *(item for i in range(10) for item in (
            event(1.0 + i, "*", "afStatus", af),
            event(1.0 + i, "A1", "afStatus", af))),
    ]  # fmt: skip


def test_speed_plays_a_ten_second_recording_ten_times_as_fast(tmp_path: Path) -> None:
    path = synthetic(tmp_path / "ten.jsonl", ten_seconds())
    started = time.monotonic()
    played = replay_process(path, "--speed", "10")
    took = time.monotonic() - started
    assert played.returncode == 0, played.stderr
    records = [json.loads(line) for line in played.stdout.splitlines()]
    assert [r["camera"] for r in records if r["type"] == "afStatus"] == ["A1"] * 10
    assert "10.0 s recorded" in played.stderr
    assert took < 9, f"a 10 s recording at --speed 10 took {took:.1f} s"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("hello, this is a text file\n", "its first line is not JSON"),
        ('{"format": "something-else", "version": 1}\n',
         "its first line is not a recording's header"),
        (json.dumps({"format": FORMAT, "version": 7}) + "\n",
         "a recording of version 7"),
        ("", "the file is empty"),
    ],
)  # fmt: skip
def test_a_file_that_is_no_recording_is_refused_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, said: str
) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text(content, encoding="utf-8")
    for argv in (["--headless", "--replay", str(path)], ["--replay", str(path)]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert said in err and str(path) in err


def test_bad_lines_are_skipped_with_their_number(
    tmp_path: Path, run: Runner
) -> None:
    records = ten_seconds()[:5]
    path = synthetic(tmp_path / "bad.jsonl", records)
    with path.open("a", encoding="utf-8") as file:
        file.write("this line is not json\n")
        file.write('{"t": 0.5, "kind": "teleport", "server": "http://studio:8080"}\n')
        file.write(json.dumps({"t": 0.6, "kind": "event", "server": "http://studio:8080",
                               "stream": "A1", "event": "afStatus",
                               "data": '{"state":"tracking"}'}) + "\n")  # fmt: skip
        file.write('{"t": 1e999, "kind": "rest", "server": "http://studio:8080", '
                   '"path": "/api/cameras"}\n')  # infinity: it would never play
        file.write('{"t": 0.7, "kind": "event", "ser')
    out, err = io.StringIO(), io.StringIO()
    result = run(replay_headless(open_recording(path), speed=50, as_json=True,
                                 out=out, err=err))  # fmt: skip
    said = err.getvalue()
    assert "line 7: not JSON; skipped" in said
    assert "line 8: unknown kind 'teleport'; skipped" in said
    assert "line 10: a time (t) of inf s, past any recording; skipped" in said
    assert "line 11: the last line is cut off" in said
    assert result.bad_lines == 4
    printed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["state"] for r in printed if r["type"] == "afStatus"] == ["tracking"]


def test_a_recording_saved_with_a_bom_an_overlong_line_and_a_huge_event_plays(
    tmp_path: Path, run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-saved by an editor (a BOM first); a line too long to hold is skipped
    without being read whole; an event over the live limit is dropped as the
    live stream would have dropped it."""
    from app import recording

    monkeypatch.setattr(recording, "MAX_LINE", 2 * 2**20)
    records = ten_seconds()[:5]
    path = synthetic(tmp_path / "saved.jsonl", records)
    with path.open("a", encoding="utf-8") as file:
        file.write('{"t": 0.5, "pad": "' + "x" * 3 * 2**20 + '"}\n')
        file.write(json.dumps({"t": 0.6, "kind": "event", "server": "http://studio:8080",
                               "stream": "A1", "event": "afStatus",
                               "data": '{"state":"tracking"}'}) + "\n")  # fmt: skip
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    huge = {"t": 0.7, "kind": "event", "server": "http://studio:8080", "stream": "A1",
            "event": "afStatus", "data": '{"state":"' + "y" * (1024 * 1024) + '"}'}
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(huge) + "\n")
    out, err = io.StringIO(), io.StringIO()
    result = run(replay_headless(open_recording(path), speed=50, as_json=True,
                                 out=out, err=err))  # fmt: skip
    assert "line 7: longer than 2,097,152 characters; skipped" in err.getvalue()
    assert result.bad_lines >= 1
    printed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["state"] for r in printed if r["type"] == "afStatus"
            and "state" in r] == ["tracking"]  # fmt: skip
    dropped = [r for r in printed if "over the 1024 KiB limit" in r.get("error", "")]
    assert len(dropped) == 1 and len(dropped[0]["raw"]) < 1000


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--replay", "x.jsonl", "--speed", "0"], "--speed takes a number above 0"),
        (["--speed", "3"], "--speed goes with --replay"),
        (["--replay", "x.jsonl", "--server", "http://h:1"], "takes no --server"),
    ],
)
def test_replay_options_are_checked(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    assert cli.main(argv) == 2
    assert said in capsys.readouterr().err


def test_record_to_a_folder_that_cannot_be_written_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    argv = ["--headless", "--server", "http://127.0.0.1:9",
            "--record", str(blocker / "x.jsonl")]  # fmt: skip
    assert cli.main(argv) == 2
    assert "--record: cannot write" in capsys.readouterr().err


# -- the window -------------------------------------------------------------------

_TIME = re.compile(r"\d\d:\d\d:\d\d")


def card_view(card: CameraCard) -> dict[str, Any]:
    """What a photographer reads on a card (clock times aside)."""
    texts = {name: getattr(card, name).text() for name in (
        "title", "badge", "ident", "state", "exposure", "settings_line", "media",
        "alerts", "notice", "counter")}  # fmt: skip
    view: dict[str, Any] = {k: _TIME.sub("HH:MM:SS", v) for k, v in texts.items()}
    view["af"] = card.af.text()
    view["strip"] = card.strip.count()
    view["frame"] = card.thumb.accessibleDescription()
    return view


def window_view(window: MainWindow) -> dict[Any, Any]:
    return {key[1]: card_view(card) for key, card in window.cards.items()}


def new_window() -> MainWindow:
    window = MainWindow(Rig())
    window.resize(1600, 960)
    window.reset_layout()
    window.show()
    return window


async def close(window: MainWindow, task: asyncio.Future[Any]) -> None:
    window.close()
    window.deleteLater()
    QApplication.instance().lastWindowClosed.emit()  # type: ignore[union-attr]
    await asyncio.wait_for(task, 5)


def test_the_window_replays_what_the_recorded_window_showed(
    qapp: QApplication, run: Runner, simulator: SimulatorThread, tmp_path: Path
) -> None:
    path = tmp_path / "window.jsonl"
    sim = simulator.simulator
    recorder = SessionRecorder(path, [simulator.url])
    recorder.start()

    async def record() -> dict[Any, Any]:
        window = new_window()
        task = asyncio.ensure_future(
            watch(window, [simulator.url], poll_interval=0.5, recorder=recorder)
        )
        rig = window.rig
        await wait_until(lambda: len(window.cards) == 3 and all(
            c.streaming and c.connected for c in rig.cameras.values()),
            what="three connected cameras")  # fmt: skip
        for camera in (ILCE_1, ILCE_7M4, ILCE_7M4):
            await sim_call(simulator, sim.shoot, camera)
        server = rig.servers[simulator.url]
        await sim_call(simulator, sim.drop_streams)
        await wait_until(lambda: server.state == LinkState.RETRYING, what="offline")
        await wait_until(lambda: server.state == LinkState.OPEN and all(
            c.streaming and c.connected for c in rig.cameras.values()),
            what="back after the drop")  # fmt: skip
        await sim_call(simulator, sim.set_af, ILCE_7M4, "focused")
        await sim_call(simulator, sim.set_af, ILCE_1, "tracking")
        await sim_call(simulator, sim.change_property, ILCE_7M4, "iso", "ISO 3200")
        await sim_call(simulator, sim.emit, ILCE_1, "warning",
                       {"code": "0x2007", "message": "Card full"})  # fmt: skip
        await sim_call(simulator, sim.disconnect_camera, ILCE_7RM5)
        cards = {key[1]: card for key, card in window.cards.items()}
        await wait_until(lambda: "ISO 3200" in cards[ILCE_7M4].exposure.text()
                         and cards[ILCE_1].af.text() == "TRACKING"
                         and "Card full" in cards[ILCE_1].notice.text()
                         and "LOST" in cards[ILCE_7RM5].state.text()
                         and cards[ILCE_7M4].strip.count() == 2
                         and "loading" not in cards[ILCE_7M4].thumb
                         .accessibleDescription(),
                         what="the session on the cards")  # fmt: skip
        await asyncio.sleep(0.5)  # anything still on its way lands
        seen = window_view(window)
        await close(window, task)
        return seen

    recorded = run(record())
    recorder.stop()
    assert recorded[ILCE_7M4]["af"] == "FOCUSED"
    assert recorded[ILCE_1]["af"] == "TRACKING"
    assert recorded[ILCE_7M4]["strip"] == 2 and recorded[ILCE_1]["strip"] == 1

    async def replay() -> None:
        window = new_window()
        task = asyncio.ensure_future(play_in_window(window, open_recording(path), 20))
        label = await wait_until(lambda: window.findChild(ReplayLabel),
                                 what="the replay's status")  # fmt: skip
        assert f"replay of {path}" in window.windowTitle()
        await wait_until(lambda: window.status_label.text().startswith("Replay"),
                         what="the status bar saying it is a replay")  # fmt: skip
        await wait_until(lambda: "ended" in label.text(), what="the replay's end")
        await asyncio.sleep(0.3)  # the last frame's thumbnail
        shown = window_view(window)
        assert shown.keys() == recorded.keys()
        differ = [(camera, name, recorded[camera][name], value)
                  for camera, view in shown.items() for name, value in view.items()
                  if recorded[camera][name] != value]  # fmt: skip
        assert not differ, f"(camera, what, recorded, replayed): {differ}"
        server = window.rig.servers[simulator.url]
        assert server.state == LinkState.OPEN, "the final state is kept"
        assert "Replay of window.jsonl ended" in label.text()
        log = [e.summary for e in window.rig.log]
        assert any("replay of window.jsonl ended" in line for line in log)
        assert any(line.startswith("offline:") for line in log), "the drop"
        assert any(line.startswith("gap:") for line in log), "the drop's gap"
        await close(window, task)

    run(replay())


def test_recording_started_from_the_menu_mid_session_replays(
    qapp: QApplication, run: Runner, simulator: SimulatorThread, tmp_path: Path
) -> None:
    """Started from File → Record Session… when everything is already on the
    cards: the replay still shows the cameras, their properties and what came."""
    path = tmp_path / "menu.jsonl"
    sim = simulator.simulator

    async def record() -> dict[Any, Any]:
        window = new_window()
        task = asyncio.ensure_future(watch(window, [simulator.url], poll_interval=0.5))
        rig = window.rig
        await wait_until(lambda: len(window.cards) == 3 and all(
            c.streaming and c.connected and c.properties
            for c in rig.cameras.values()),
            what="three cameras with properties")  # fmt: skip
        await sim_call(simulator, sim.shoot, ILCE_7M4)  # before: not recorded
        before = window.cards[(simulator.url, ILCE_7M4)]
        await wait_until(lambda: before.strip.count() == 1, what="the 7M4 frame")
        control = window.findChild(RecordingControl)
        assert control is not None
        assert control.record_action.isEnabled() and not control.stop_action.isEnabled()
        file_menu = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
        assert file_menu[:2] == ["&Record Session…", "&Stop Recording"]
        dialog = control.ask()
        assert dialog.isVisible() and dialog.defaultSuffix() == "jsonl"
        dialog.selectFile(str(path))
        dialog.accept()
        await wait_until(lambda: control.stop_action.isEnabled()
                         and window.findChild(RecordingLabel) is not None,
                         what="recording started")  # fmt: skip
        assert "Recording to menu.jsonl" in window.findChild(RecordingLabel).text()
        await sim_call(simulator, sim.set_af, ILCE_1, "focused")
        await sim_call(simulator, sim.shoot, ILCE_1)
        card = window.cards[(simulator.url, ILCE_1)]
        await wait_until(lambda: card.strip.count() == 1
                         and "loading" not in card.thumb.accessibleDescription(),
                         what="the ILCE-1 frame")  # fmt: skip
        await control.stop()
        assert control.record_action.isEnabled()
        seen = window_view(window)
        await close(window, task)
        return seen

    recorded = run(record())

    async def replay() -> None:
        window = new_window()
        task = asyncio.ensure_future(play_in_window(window, open_recording(path), 20))
        label = await wait_until(lambda: window.findChild(ReplayLabel),
                                 what="the replay's status")  # fmt: skip
        await wait_until(lambda: "ended" in label.text(), what="the replay's end")
        await asyncio.sleep(0.3)
        shown = window_view(window)
        assert shown.keys() == recorded.keys()
        for camera in CAMERAS:
            for what in ("title", "state", "exposure", "settings_line", "media"):
                assert shown[camera][what] == recorded[camera][what], (camera, what)
        assert shown[ILCE_1]["af"] == "FOCUSED"
        assert shown[ILCE_1]["strip"] == 1
        assert recorded[ILCE_7M4]["strip"] == 1
        assert shown[ILCE_7M4]["strip"] == 0, "a frame from before the recording"
        await close(window, task)

    run(replay())


def test_the_window_says_which_lines_were_bad_and_shows_missing_files_calmly(
    qapp: QApplication, run: Runner, tmp_path: Path
) -> None:
    url = "http://studio:8080"
    saved = json.dumps({"filename": "/Volumes/Shoot/DSC00001.JPG", "type": "image"})
    records = [*ten_seconds()[:5],
               *({"t": 0.5, "kind": "event", "server": url, "stream": sub,
                  "event": "downloadComplete", "data": saved}
                 for sub in ("*", "A1"))]  # fmt: skip
    path = synthetic(tmp_path / "support.jsonl", records)
    with path.open("a", encoding="utf-8") as file:
        file.write("[1, 2, 3]\n")
        file.write('{"t": 0.7, "kind": "event", "ser')

    async def replay() -> None:
        window = new_window()
        task = asyncio.ensure_future(play_in_window(window, open_recording(path), 50))
        label = await wait_until(lambda: window.findChild(ReplayLabel),
                                 what="the replay's status")  # fmt: skip
        await wait_until(lambda: "ended" in label.text(), what="the replay's end")
        assert "2 bad lines skipped" in label.text()
        log = [e.summary for e in window.rig.log]
        assert "support.jsonl line 9: not a JSON object; skipped" in log
        assert any("line 10: the last line is cut off" in line for line in log)
        card = window.cards[(url, "A1")]
        assert card.title.text() == "ILCE-9M3" and "Connected" in card.state.text()
        await wait_until(lambda: "not found" in card.thumb.accessibleDescription(),
                         what="the missing file's placeholder")  # fmt: skip
        assert card.thumb.accessibleDescription().startswith("Frame 1: DSC00001.JPG")
        await close(window, task)

    run(replay())


@pytest.mark.real_server
@pytest.mark.skipif(
    not os.environ.get("ALPHA_SERVER_URL"),
    reason="ALPHA_SERVER_URL is not set (run in alpha-server)",
)
def test_a_recording_of_the_real_server_replays_the_same(tmp_path: Path) -> None:
    """The published server's own answers and streams (no camera attached)."""
    from .support import real_server_answers, start_real_server

    url = os.environ["ALPHA_SERVER_URL"]
    started = None if real_server_answers(url) else start_real_server(url)
    recording = tmp_path / "real.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--headless", "--json", "--server", url,
         "--poll-interval", "0.3", "--record", str(recording)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    lines = Lines(proc)
    try:
        lines.wait_for(lambda rs: any(r.get("state") == "open" for r in rs))
        deadline = time.monotonic() + 10
        while not file_has(recording, '"/api/cameras"') and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
    finally:
        stop(proc)
        if started is not None:
            os.killpg(started.pid, signal.SIGKILL)
            started.wait()
    text = recording.read_text(encoding="utf-8")
    assert '"/api/server/status"' in text and '"/api/cameras"' in text

    played = replay_process(recording, "--speed", "20")
    assert played.returncode == 0, played.stderr
    replayed = [json.loads(line) for line in played.stdout.splitlines()]
    assert without_times(replayed) == without_times(lines.records())
