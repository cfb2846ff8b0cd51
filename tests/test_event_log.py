"""The event log pane and the session's log file: with the real window watching
the simulator over loopback sockets, and the pane fed directly for its bounds."""

from __future__ import annotations

import asyncio
import csv
import functools
import json
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.gui import data_dir, log_dir, start_session_log
from app.rig import LogEntry, Rig
from app.session_log import SessionLog, start_file_logging
from app.simulator import SimulatorThread
from app.ui.event_log import COLUMNS, PROBLEMS, EventLog, EventLogModel
from app.ui.main_window import MainWindow

from .support import Runner, sim_call, wait_until
from .test_window import ILCE_1, ILCE_7M4, close, open_window

HEADLESS_FIELDS = {"time", "server", "camera", "type", "summary", "level"}


def shown(log: EventLog) -> list[LogEntry]:
    return log.model.shown_entries()


def cells(log: EventLog, row: int) -> list[str]:
    model = log.model
    return [model.index(row, c).data() for c in range(len(COLUMNS))]


async def settled(window: MainWindow) -> None:
    """The pane has every entry the rig logged so far (the bridge batches)."""
    log = window.log_view
    await wait_until(
        lambda: log.model.total + log.held >= len(window.rig.log),
        what="the log pane catching up",
    )


async def shoot_and_focus(sim: SimulatorThread) -> None:
    await sim_call(sim, sim.simulator.set_af, ILCE_7M4, "focused")
    await sim_call(sim, sim.simulator.set_af, ILCE_1, "tracking")
    await sim_call(sim, sim.simulator.set_af, ILCE_7M4, "unlocked")
    await sim_call(sim, sim.simulator.emit, ILCE_1, "warning",
                   {"code": "0x1234", "message": "Card full"})  # fmt: skip


async def streaming(window: MainWindow) -> None:
    await wait_until(lambda: len(window.cards) == 3, what="three cards")
    await wait_until(
        lambda: all(c.streaming for c in window.rig.cameras.values()),
        what="camera streams",
    )


def test_events_appear_as_rows_and_filters_show_only_what_was_asked(
    qapp, qtbot: QtBot, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        log = window.log_view
        await streaming(window)
        await shoot_and_focus(simulator)
        await wait_until(
            lambda: any("Card full" in e.summary for e in shown(log)),
            what="the warning in the log pane",
        )
        await settled(window)
        assert shown(log) == list(window.rig.log)
        server = simulator.url.removeprefix("http://")
        focus = [i for i, e in enumerate(shown(log)) if e.type == "afStatus"]
        assert cells(log, focus[0])[1:] == [server, ILCE_7M4, "afStatus",
                                            "focus focused"]  # fmt: skip
        warning = next(i for i, e in enumerate(shown(log)) if e.type == "warning")
        row = cells(log, warning)
        assert row[2] == ILCE_1 and row[4].startswith("⚠ warning 0x1234: Card full")
        colour = log.model.index(warning, 4).data(Qt.ItemDataRole.ForegroundRole)
        assert colour is not None
        assert log.model.index(focus[0], 4).data(Qt.ItemDataRole.ForegroundRole) is None
        assert log.following()

        # By camera: the menu lists the cameras seen; only that one's rows.
        labels = [log.camera_filter.itemText(i)
                  for i in range(log.camera_filter.count())]  # fmt: skip
        assert labels[0] == "All cameras" and ILCE_7M4 in labels and ILCE_1 in labels
        log.camera_filter.setCurrentIndex(labels.index(ILCE_7M4))
        mine = [e for e in window.rig.log if e.camera == ILCE_7M4]
        assert shown(log) == mine and len(mine) >= 3
        assert f"{len(mine)} of {len(window.rig.log)}" in log.count_label.text()

        # And by type, together with the camera.
        log.choose_type("afStatus")
        assert shown(log) == [e for e in mine if e.type == "afStatus"]
        assert [e.summary for e in shown(log)] == ["focus focused", "focus unlocked"]
        log.choose_camera(simulator.url, ILCE_1)
        assert [e.summary for e in shown(log)] == ["focus tracking"]
        log.camera_filter.setCurrentIndex(0)
        log.choose_type(PROBLEMS)
        assert shown(log) and all(e.level != "info" for e in shown(log))
        assert any("Card full" in e.summary for e in shown(log))
        log.choose_type(None)

        # By text, typed, in any column and any case: a summary, then a type.
        qtbot.keyClicks(log.text_filter, "FOCUS unl")
        await wait_until(lambda: len(shown(log)) == 1, what="the text filter")
        assert shown(log)[0].summary == "focus unlocked"
        log.text_filter.clear()
        qtbot.keyClicks(log.text_filter, "WARNING")
        await wait_until(lambda: any(e.type == "warning" for e in shown(log)),
                         what="the second text filter")  # fmt: skip
        assert all("warning" in (e.type + e.summary + e.level).lower()
                   for e in shown(log))  # fmt: skip
        assert len(shown(log)) < log.model.total
        log.text_filter.clear()
        await wait_until(lambda: len(shown(log)) == log.model.total, what="cleared")
        await close(window, task)

    run(scenario())


def test_pause_holds_new_rows_and_resume_shows_every_one(
    qapp, run: Runner, simulator: SimulatorThread
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        log = window.log_view
        await streaming(window)
        await settled(window)
        log.pause_button.click()
        assert log.paused and log.pause_button.text() == "Resume"
        before = shown(log)
        assert log.count_label.text() == "Paused · 0 new"
        for state in ("focused", "tracking", "unlocked", "focused", "tracking"):
            await sim_call(simulator, simulator.simulator.set_af, ILCE_7M4, state)
        await wait_until(
            lambda: sum(e.type == "afStatus" for e in window.rig.log) == 5,
            what="five focus events",
        )
        await settled(window)
        await asyncio.sleep(0.1)  # more batches: still held
        assert shown(log) == before
        new = len(window.rig.log) - len(before)
        assert new >= 5 and log.held == new
        assert log.count_label.text() == f"Paused · {new} new"
        log.pause_button.click()
        assert not log.paused and log.pause_button.text() == "Pause"
        assert shown(log) == list(window.rig.log)
        assert "Paused" not in log.count_label.text()
        assert log.following()
        await close(window, task)

    run(scenario())


def test_export_of_a_filtered_view_as_json_lines_and_csv(
    qapp, run: Runner, simulator: SimulatorThread, tmp_path: Path
) -> None:
    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        log = window.log_view
        await streaming(window)
        await shoot_and_focus(simulator)
        await wait_until(lambda: any("Card full" in e.summary for e in shown(log)))
        log.choose_camera(simulator.url, ILCE_1)
        expected = shown(log)
        assert 0 < len(expected) < log.model.total

        done: list[tuple[str, int, str]] = []
        log.exported.connect(lambda *args: done.append(args))
        # (Not qtbot.waitSignal: a nested Qt loop inside an asyncio task.)
        assert log.export(tmp_path / "ilce-1.jsonl")
        await wait_until(lambda: done, what="the JSON Lines export")
        assert done[-1] == (str(tmp_path / "ilce-1.jsonl"), len(expected), "")
        lines = (tmp_path / "ilce-1.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        assert len(records) == len(expected)
        for record, entry in zip(records, expected, strict=True):
            assert set(record) == HEADLESS_FIELDS  # headless --json's names
            when = datetime.fromisoformat(record["time"])
            assert when.utcoffset() is not None
            assert abs(when - entry.time.astimezone()) < timedelta(milliseconds=1)
            got = [record[k] for k in ("server", "camera", "type", "summary")]
            assert got == [entry.server, entry.camera, entry.type, entry.summary]
            assert record["level"] == entry.level
        assert any(r["level"] == "warning" for r in records)

        assert log.export(tmp_path / "ilce-1.csv")
        await wait_until(lambda: len(done) == 2, what="the CSV export")
        with (tmp_path / "ilce-1.csv").open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [(r["camera"], r["type"], r["summary"], r["level"]) for r in rows] == [
            (e.camera, e.type, e.summary, e.level) for e in expected
        ]
        assert [r["time"] for r in rows] == [r["time"] for r in records]
        assert "rows saved to ilce-1.csv" in log.count_label.text()

        # A folder that is not there: said, not a crash.
        assert log.export(tmp_path / "missing" / "x.csv")
        await wait_until(lambda: len(done) == 3, what="the failed export")
        assert done[-1][1] == 0 and "No such file" in done[-1][2]
        assert "could not export" in log.count_label.text()
        assert log.export_button.isEnabled()
        await close(window, task)

    run(scenario())


def entries(count: int, start: int = 0) -> list[LogEntry]:
    base = datetime(2026, 5, 1, 9, 0, 0)
    return [
        LogEntry(
            base + timedelta(milliseconds=i),
            "http://h:8080",
            f"CAM{i % 4}",
            "afStatus" if i % 3 else "propertyChanged",
            f"entry {i}",
            "error" if i % 7 == 0 else "info",
        )
        for i in range(start, start + count)
    ]


def feed(log: EventLog, items: list[LogEntry], batch: int = 50) -> None:
    for i in range(0, len(items), batch):
        log.add_entries(items[i : i + batch])


def test_the_ring_drops_the_oldest_past_its_bound(qtbot: QtBot) -> None:
    log = EventLog(capacity=1000)
    qtbot.addWidget(log)
    feed(log, entries(100))
    log.choose_camera("http://h:8080", "CAM1")
    feed(log, entries(2400, start=100))
    assert log.model.total == 1000
    kept = entries(1000, start=1500)
    assert shown(log) == [e for e in kept if e.camera == "CAM1"]
    log.camera_filter.setCurrentIndex(0)
    assert shown(log) == kept
    assert cells(log, 0)[4] == "entry 1500"

    # A batch larger than the ring keeps its newest.
    log.add_entries(entries(1500, start=5000))
    assert shown(log) == entries(1000, start=5500)

    # Held while paused: bounded too, and said.
    log.set_paused(True)
    feed(log, entries(1200, start=9000))
    assert log.held == 1200
    assert log.count_label.text() == "Paused · 1,200 new (newest 1,000 kept)"
    log.set_paused(False)
    assert shown(log) == entries(1000, start=9200)


def test_the_log_follows_the_newest_unless_scrolled_up(qtbot: QtBot) -> None:
    log = EventLog(capacity=1000)
    qtbot.addWidget(log)
    log.resize(900, 300)
    log.show()
    qtbot.waitExposed(log)
    feed(log, entries(200))
    bar = log.table.verticalScrollBar()
    assert bar.maximum() > 0 and log.following()
    bar.setValue(bar.maximum() - 40)  # the reader scrolls up
    top = log.table.rowAt(0)
    looking_at = log.model.entry(top)
    feed(log, entries(900, start=200))  # 100 of the oldest are dropped meanwhile
    assert not log.following()
    assert log.model.entry(log.table.rowAt(0)) == looking_at
    bar.setValue(bar.maximum())  # back at the bottom: follows again
    feed(log, entries(50, start=1100))
    assert log.following()
    assert log.model.entry(log.model.rowCount() - 1).summary == "entry 1149"


def test_every_control_of_the_log_has_a_name(qtbot: QtBot) -> None:
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    log = window.log_view
    controls: list[QWidget] = [log.table, log.pause_button, log.export_button]
    controls += log.findChildren(QComboBox) + log.findChildren(QLineEdit)
    controls += log.text_filter.findChildren(QToolButton)  # its clear button
    assert len(controls) >= 7
    assert all(c.accessibleName() for c in controls), [
        c.objectName() for c in controls if not c.accessibleName()
    ]


def session_records(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return [json.loads(line) for line in text.splitlines()]


def test_the_session_log_file_has_every_event_and_the_bad_ones(
    qapp, run: Runner, simulator: SimulatorThread, tmp_path: Path
) -> None:
    assert data_dir() == tmp_path / "data"  # never the user's folder in tests

    async def scenario() -> None:
        window, task = open_window(qapp, simulator.url)
        session = start_session_log(
            window.rig, data_dir() / "sessions", asyncio.get_running_loop()
        )
        await wait_until(lambda: session.path is not None and session.path.exists(),
                         what="the session file")  # fmt: skip
        assert session.path is not None
        assert session.path.parent == tmp_path / "data" / "sessions"
        await streaming(window)
        await sim_call(simulator, simulator.simulator.set_af, ILCE_7M4, "focused")
        garbage = b"event: afStatus\ndata: not json\n\n"
        await sim_call(simulator, functools.partial(
            simulator.simulator.send_raw, garbage, camera_id=ILCE_1))  # fmt: skip

        def bad_in_file() -> bool:
            records = session_records(session.path)
            return any("invalid JSON" in r["summary"] for r in records)

        await wait_until(  # flushed within a second, while the session goes on
            bad_in_file,
            timeout=5,
            what="the bad event in the session file",
        )
        records = session_records(session.path)
        assert any(r["type"] == "afStatus" and r["camera"] == ILCE_7M4
                   and r["summary"] == "focus focused" for r in records)  # fmt: skip
        bad = next(r for r in records if "invalid JSON" in r["summary"])
        assert bad["level"] == "error" and bad["camera"] == ILCE_1
        assert set(bad) == HEADLESS_FIELDS
        await close(window, task)
        session.close()
        assert len(session_records(session.path)) == len(window.rig.log)
        assert [r["summary"] for r in session_records(session.path)] == [
            e.summary for e in window.rig.log
        ]

    run(scenario())


def test_an_unwritable_data_folder_is_said_once_and_the_session_goes_on(
    run: Runner, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")

    async def scenario() -> None:
        rig = Rig()
        session = start_session_log(rig, blocker / "sessions",
                                    asyncio.get_running_loop())  # fmt: skip
        for i in range(20):
            rig.note("http://h:8080", "CAM", "afStatus", f"focus {i}")
        await wait_until(lambda: any(e.type == "session log" for e in rig.log),
                         what="the problem in the log")  # fmt: skip
        await asyncio.sleep(0.2)
        rig.note("http://h:8080", "CAM", "afStatus", "focus after")
        await asyncio.sleep(0.2)
        problems = [e for e in rig.log if e.type == "session log"]
        assert len(problems) == 1 and problems[0].level == "error"
        assert "could not open" in problems[0].summary
        assert "Not a directory" in problems[0].summary
        session.close()

    run(scenario())


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_said_once() -> None:
    problems: list[str] = []
    session = SessionLog(Path("/dev"), path=Path("/dev/full"),
                         on_problem=problems.append).start()  # fmt: skip
    session.write_many(entries(5000))
    session.close()
    assert len(problems) == 1 and "No space left" in problems[0]
    session.write_many(entries(10))  # after closing: ignored, no error


def test_old_session_files_are_removed_keeping_the_newest(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    folder.mkdir()
    old = [folder / f"2025-01-{day:02d}_120000.jsonl" for day in range(1, 31)]
    old += [folder / f"2025-02-{day:02d}_120000.jsonl" for day in range(1, 26)]
    for path in old:
        path.write_text("{}\n")
    (folder / "notes.txt").write_text("not a session")
    session = SessionLog(folder, keep=50).start()
    session.write_many(entries(3))
    session.close()
    left = sorted(folder.glob("*.jsonl"))
    assert len(left) == 50 and session.path in left
    assert left[0] == old[6]  # the six oldest went
    assert (folder / "notes.txt").exists()
    assert len(session_records(session.path)) == 3


def test_a_session_file_stops_at_its_limit_and_says_so(tmp_path: Path) -> None:
    """An event flood (119 MB in 25 s) must not fill the disk."""
    problems: list[str] = []
    session = SessionLog(tmp_path, limit=20_000, on_problem=problems.append).start()
    session.write_many(entries(2000))
    session.close()
    records = session_records(session.path)
    assert 20_000 < session.path.stat().st_size < 21_000
    assert records[-1]["summary"].startswith("the session log stopped")
    assert "limit of 20,000 bytes" in records[-1]["summary"]
    assert problems and "limit" in problems[0]


def test_the_diagnostic_log_goes_to_a_file_in_the_log_folder(tmp_path: Path) -> None:
    assert log_dir() == tmp_path / "data" / "logs"
    stop = start_file_logging(log_dir())
    try:
        logging.getLogger("app.test").warning("the stream said something odd: é")
    finally:
        stop()
    text = (log_dir() / "tether-monitor.log").read_text(encoding="utf-8")
    assert "WARNING app.test: the stream said something odd: é" in text


def test_what_start_up_logs_before_the_file_opens_is_written_first(
    tmp_path: Path,
) -> None:
    """The file opens once the window is on screen; nothing logged before is lost."""
    from app.session_log import EarlyRecords

    early = EarlyRecords()
    logging.getLogger("app.test").warning("before the window: settings unreadable")
    stop = start_file_logging(log_dir(), earlier=early.release())
    try:
        logging.getLogger("app.test").warning("after it")
    finally:
        stop()
    lines = (log_dir() / "tether-monitor.log").read_text(encoding="utf-8").splitlines()
    assert [line.split("app.test: ")[1] for line in lines] == [
        "before the window: settings unreadable", "after it"]  # fmt: skip


def test_the_text_filter_over_a_full_ring(qapp: QApplication) -> None:
    model = EventLogModel(capacity=20_000)
    model.add(entries(20_000))
    model.set_text_filter("ENTRY 1999")  # every word, anywhere, any case
    assert [e.summary for e in model.shown_entries()] == [
        "entry 1999",
        "entry 11999",
        *(f"entry 1999{i}" for i in range(10)),
    ]
    model.set_text_filter("")
    assert model.rowCount() == 20_000


def test_the_file_menu_opens_the_log_folders(qtbot: QtBot, tmp_path: Path) -> None:
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    labels = [a.text() for a in file_menu.actions()]
    assert labels.index("Open &Log Folder") < labels.index("Quit")
    actions = window.log_folder_actions
    assert not any(a.isEnabled() for a in actions.values())  # nowhere to go yet
    window.set_log_folders(data_dir() / "sessions", log_dir())
    assert all(a.isEnabled() for a in actions.values())
    assert window.log_folders["sessions"] == tmp_path / "data" / "sessions"


def test_ctrl_c_copies_the_selected_rows(qtbot: QtBot, qapp: QApplication) -> None:
    log = EventLog(capacity=100)
    qtbot.addWidget(log)
    log.show()
    qtbot.waitExposed(log)
    feed(log, entries(10))
    log.table.selectRow(2)
    log.table.setFocus()
    qtbot.keyClick(log.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    fields = qapp.clipboard().text().split("\t")
    assert fields[1:] == ["http://h:8080", "CAM2", "afStatus", "info", "entry 2"]
    assert datetime.fromisoformat(fields[0]).utcoffset() is not None


def test_the_log_keeps_following_when_the_pane_gets_shorter(qtbot: QtBot) -> None:
    # An alert banner appearing above makes the log shorter: the newest rows
    # must stay in view, since nobody scrolled.
    log = EventLog(capacity=1000)
    qtbot.addWidget(log)
    log.resize(900, 400)
    log.show()
    qtbot.waitExposed(log)
    feed(log, entries(300))
    assert log.following()
    log.resize(900, 250)
    qtbot.wait(50)
    feed(log, entries(20, start=300))
    bar = log.table.verticalScrollBar()
    assert log.following() and bar.value() == bar.maximum()
    last = log.table.rowAt(log.table.viewport().height() - 2)
    assert log.model.entry(last).summary == "entry 319", "the newest row is in view"


def test_a_csv_export_keeps_server_text_from_becoming_a_formula(
    qtbot: QtBot, tmp_path: Path
) -> None:
    log = EventLog(capacity=100)
    qtbot.addWidget(log)
    hostile = LogEntry(datetime.now(), "http://h:8080", "A", "warning",
                       '=HYPERLINK("http://evil","click")', "warning")  # fmt: skip
    feed(log, [hostile])
    done: list[tuple] = []
    log.exported.connect(lambda *args: done.append(args))
    assert log.export(tmp_path / "log.csv")
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    with (tmp_path / "log.csv").open(newline="", encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    assert row["summary"] == "'" + hostile.summary, "shown as text, not run"


def test_the_export_dialog_saves_csv_when_csv_is_chosen(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """File type CSV chosen and a bare name typed: a .csv file of the rows."""
    log = EventLog(capacity=100)
    qtbot.addWidget(log)
    feed(log, [LogEntry(datetime.now(), "http://h:8080", "A", "warning",
                        "Card full", "warning")])  # fmt: skip
    done: list[tuple] = []
    log.exported.connect(lambda *args: done.append(args))
    dialog = log.export_dialog()
    dialog.setDirectory(str(tmp_path))
    dialog.selectNameFilter("CSV (*.csv)")
    dialog.filterSelected.emit("CSV (*.csv)")  # as a click on the file type does
    assert dialog.defaultSuffix() == "csv"
    dialog.selectFile("shoot")
    dialog.accept()
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    with (tmp_path / "shoot.csv").open(newline="", encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    assert row["summary"] == "Card full"


def test_a_server_inventing_event_names_gets_a_bounded_sorted_type_menu(
    qtbot: QtBot,
) -> None:
    """10,000 names never seen before (the menu grew by a linear scan per name:
    29 s of frozen window); the menu keeps the first MENU_TYPES, sorted, and the
    text filter still finds the others."""
    from app.ui.event_log import MENU_TYPES

    log = EventLog(capacity=20_000)
    qtbot.addWidget(log)
    now = datetime.now()
    names = [f"evt{(n * 7919) % 10_000:05d}" for n in range(10_000)]
    feed(log, [LogEntry(now, "http://h:8080", "A", name, "x", "info")
               for name in names], batch=500)  # fmt: skip
    menu = [log.type_filter.itemText(i) for i in range(3, log.type_filter.count())]
    assert len(menu) == MENU_TYPES
    assert menu == sorted(menu)
    log.text_filter.setText(names[-1])
    qtbot.waitUntil(lambda: len(shown(log)) == 1, timeout=5000)
