"""Headless mode as a script would use it: a real process, real sockets, signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.simulator import SimulatorThread, make_cameras


class Lines:
    """Reads a process's stdout lines on a thread, so waits can time out."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.items: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.items.append(line)

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self.items)]

    def wait_for(self, predicate: Any, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            records = self.records()
            if predicate(records):
                return records
            time.sleep(0.05)
        raise AssertionError(f"not printed within {timeout} s; got {self.items[-10:]}")


def headless(url: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "--headless", "--json", "--server", url,
         "--poll-interval", "0.3", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip


def stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def test_json_lines_carry_decoded_fields_and_sigterm_stops_quickly(
    tmp_path: Path,
) -> None:
    cameras = make_cameras(2)
    sim = SimulatorThread(auto=False, keepalive=0.5, cameras=cameras,
                          session_dir=tmp_path / "s")  # fmt: skip
    sim.start()
    proc = headless(sim.url)
    lines = Lines(proc)
    try:
        lines.wait_for(
            lambda rs: (
                sum(r["type"] == "stream" and r["state"] == "open" for r in rs) == 3
            )
        )
        cam = cameras[0].id
        sim.call(sim.simulator.set_af, cam, "focused")
        saved = sim.call(sim.simulator.shoot, cam)
        sim.call(sim.simulator.emit, cam, "afStatus", "not json at all")
        sim.call(sim.simulator.emit, cam, "lensChanged", {"lens": "FE 50mm F1.2 GM"})
        records = lines.wait_for(lambda rs: any(r["type"] == "lensChanged" for r in rs))
        for record in records:
            assert {"time", "server", "camera", "type"} <= record.keys()
            assert record["server"] == sim.url
        af = [r for r in records if r["type"] == "afStatus" and "state" in r]
        assert af[0]["camera"] == cam and af[0]["state"] == "focused"
        saved_line = [r for r in records if r["type"] == "downloadComplete"]
        assert saved_line[0]["path"] == str(saved) and saved_line[0]["camera"] == cam
        bad = [r for r in records if r.get("error")]
        assert bad[0]["camera"] == cam and bad[0]["raw"] == "not json at all"
        assert "invalid JSON" in bad[0]["error"]
        opened = [r for r in records if r["type"] == "stream" and r["state"] == "open"]
        assert {r["stream"] for r in opened} == {
            "/api/events",
            *(f"/api/cameras/{c.id}/events" for c in cameras),
        }
        assert not [r for r in records if r["type"] == "connected"], "handshake shown"

        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
        assert time.monotonic() - started < 2.0
        closed = [r for r in lines.records() if r.get("state") == "closed"]
        assert closed, "no closing stream line"
    finally:
        stop(proc)
        sim.stop()


def test_server_that_is_not_there_is_retried_with_reason(tmp_path: Path) -> None:
    proc = headless("http://127.0.0.1:9")
    lines = Lines(proc)
    try:
        records = lines.wait_for(
            lambda rs: sum(r.get("state") == "retrying" for r in rs) >= 2
        )
        retrying = [r for r in records if r.get("state") == "retrying"]
        assert "refused" in retrying[0]["reason"] or "connect" in retrying[0]["reason"]
        assert 0 < retrying[0]["retry_in"] <= 10
        proc.send_signal(signal.SIGINT)
        assert proc.wait(3) == 0
    finally:
        stop(proc)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--poll-interval", "1e-6"], "--poll-interval must be from 0.2 to 300 s"),
        (["--poll-interval", "nan"], "--poll-interval must be from 0.2 to 300 s"),
        (["--stall-timeout", "2"], "--stall-timeout must be from 31 to 3600 s"),
        (["--server", "http://[::1"], "is not a valid address"),
        (["--server", "ftp://x"], "the address must start with http://"),
        (["--server", "http://a:99999"], "Port out of range"),
        (["--server", ""], "the server address is empty"),
    ],
)
def test_options_out_of_bounds_are_refused_as_settings_would(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    """Before any watching starts: a 1 µs discovery would hammer the server, a
    NaN stall timeout failed every attempt, a broken address retried forever."""
    assert cli.main(["--headless", *argv]) == 2
    assert said in capsys.readouterr().err


def test_text_a_server_sends_cannot_forge_lines_or_drive_the_terminal() -> None:
    """One line per event, whatever the text: newlines, escape sequences and a
    lone surrogate come out as backslash escapes; NaN is JSON's null."""
    import io

    from app.headless import LinePrinter
    from app.protocol import events as ev
    from app.rig import LinkState

    out = io.StringIO()
    text = LinePrinter(out, as_json=False)
    forged = "x\n12:00:00.000 http://fake FAKECAM afStatus: focused"
    text.event_received("http://h:8080", "A",
                        ev.CameraWarning(name="warning", message=forged))  # fmt: skip
    text.stream_changed("http://h:8080", "A", LinkState.RETRYING,
                        "bad \x1b]0;pwned\x07 \x9b2J \ud800 é", 1.0)  # fmt: skip
    lines = out.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "\\x0a12:00:00.000 http://fake FAKECAM" in lines[0]
    assert "\\x1b]0;pwned\\x07 \\x9b2J \\ud800 é" in lines[1]

    out = io.StringIO()
    LinePrinter(out, as_json=True).stream_changed(
        "http://h:8080", "A", LinkState.RETRYING, "", float("nan")
    )
    assert json.loads(out.getvalue())["retry_in"] is None
