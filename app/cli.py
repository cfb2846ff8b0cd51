"""The command line: ``tether-monitor [--server URL] [--demo [FOLDER]]``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import POLL_INTERVAL, STALL_TIMEOUT, check_server_url, parse_mapping
from .protocol.models import DEFAULT_URL

if TYPE_CHECKING:
    from .recording import Recording


class _Version(argparse.Action):
    """``--version``: the version is looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(
            option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
            nargs=0, help="show program's version number and exit",
        )  # fmt: skip

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from . import __version__

        print(f"{parser.prog} {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tether-monitor",
        description="Watch Sony cameras tethered to an Alpha Camera REST server: "
        "connection, focus, transfers and every frame as it lands.",
    )
    parser.add_argument("--version", action=_Version)
    parser.add_argument(
        "--server",
        metavar="URL",
        action="append",
        help=f"a server to watch, repeatable (default: those in Settings, or "
        f"{DEFAULT_URL}); for this run only, never stored",
    )
    parser.add_argument(
        "--demo",
        metavar="FOLDER",
        nargs="?",
        const="",
        default=None,
        help="start the built-in camera simulator and watch it; with FOLDER, its "
        "cameras 'shoot' the JPEGs found there instead of generated pictures",
    )
    parser.add_argument(
        "--demo-cameras",
        type=int,
        default=3,
        metavar="N",
        help="with --demo: how many simulated cameras (1 to 16, default 3)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=None,
        metavar="S",
        help="seconds between camera discoveries (default 5, or as in Settings)",
    )
    parser.add_argument(
        "--stall-timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds without a byte after which a stream is taken for dead "
        "(default 45: the server's 30 s keepalive plus grace; or as in Settings)",
    )
    parser.add_argument(
        "--map-path",
        metavar="SERVER=LOCAL",
        action="append",
        default=[],
        help="where the server's folder is on this machine, e.g. "
        "'C:\\Users\\ph\\Shoot=/Volumes/Shoot' (repeatable)",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no window: print one line per event and per stream state change",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="with --headless: one JSON object per line (see README)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the demo, wait until camera cards and a thumbnail appear, "
        "and exit 0 (or 1, saying what failed) within 30 s; needs no screen",
    )
    parser.add_argument(
        "--record",
        metavar="FILE",
        type=Path,
        help="record the session's event streams and REST answers, with their "
        "timing, to FILE (JSON Lines) for --replay",
    )
    parser.add_argument(
        "--replay",
        metavar="FILE",
        type=Path,
        help="play a recording made with --record instead of watching a server",
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=None,
        metavar="N",
        help="with --replay: play N times as fast (default 1; 10: ten times)",
    )
    parser.add_argument(
        "--studio",
        action="store_true",
        help="open full screen in studio mode: the latest frame large, a tile "
        "per camera, readable across the room (Esc or F11 leaves it)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.demo and not Path(args.demo).is_dir():
        print(
            f"tether-monitor: --demo expects a folder of JPEGs, got {args.demo!r}",
            file=sys.stderr,
        )
        return 2
    if not 1 <= args.demo_cameras <= 16:
        print("tether-monitor: --demo-cameras takes 1 to 16", file=sys.stderr)
        return 2
    try:  # the same bounds as in Settings
        for bounds, value, option in (
            (POLL_INTERVAL, args.poll_interval, "--poll-interval"),
            (STALL_TIMEOUT, args.stall_timeout, "--stall-timeout"),
        ):
            if value is not None:
                bounds.check(value, option)
        args.server = [check_server_url(url) for url in args.server or []] or None
    except ValueError as exc:
        print(f"tether-monitor: {exc}", file=sys.stderr)
        return 2
    try:
        mappings = [parse_mapping(item) for item in args.map_path]
    except ValueError as exc:
        print(f"tether-monitor: --map-path {exc}", file=sys.stderr)
        return 2
    if args.json and not args.headless:
        print("tether-monitor: --json goes with --headless", file=sys.stderr)
        return 2
    if args.self_test and (args.headless or args.replay is not None):
        print("tether-monitor: --self-test checks the window with the demo; it goes "
              "with neither --headless nor --replay", file=sys.stderr)  # fmt: skip
        return 2
    demo = None if args.demo is None else (Path(args.demo) if args.demo else True)
    if args.self_test:
        from .selftest import prepare_environment

        prepare_environment()
        demo = demo or True
    recording, problem = _replay_options(args)
    if problem:
        print(f"tether-monitor: {problem}", file=sys.stderr)
        return 2
    if args.headless and recording is not None:
        from .replay import run_replay_headless

        return run_replay_headless(
            recording, speed=args.speed or 1.0, as_json=args.json
        )
    if args.headless:
        return _headless(args, demo)
    from .gui import run_window

    return run_window(
        servers=args.server or [],
        demo=demo,
        demo_cameras=args.demo_cameras,
        poll_interval=args.poll_interval,
        stall_timeout=args.stall_timeout,
        mappings=mappings or None,
        self_test=args.self_test,
        record=args.record,
        replay=recording,
        speed=args.speed or 1.0,
        studio=args.studio,
    )


def _replay_options(args: argparse.Namespace) -> tuple[Recording | None, str]:
    """The recording that --replay names, opened, or what is wrong."""
    if args.speed is not None and args.replay is None:
        return None, "--speed goes with --replay"
    if args.speed is not None and not args.speed > 0:
        return None, f"--speed takes a number above 0, got {args.speed:g}"
    if args.replay is None:
        return None, ""
    if args.server or args.demo is not None:
        return None, "--replay plays a recording: it takes no --server or --demo"
    if args.record is not None:
        return None, "--replay and --record do not go together"
    from .recording import RecordingError, open_recording

    try:
        return open_recording(args.replay), ""
    except RecordingError as exc:
        return None, str(exc)


def _headless(args: argparse.Namespace, demo: Path | bool | None) -> int:
    from .config import for_run
    from .headless import run_headless
    from .settings import Preferences

    run, _ = for_run(
        Preferences().config(),
        servers=args.server,
        demo=demo is not None,
        poll_interval=args.poll_interval,
        stall_timeout=args.stall_timeout,
    )
    urls = list(run.servers)
    simulator = None
    if demo is not None:
        from .simulator import SimulatorThread, make_cameras

        simulator = SimulatorThread(
            folder=demo if isinstance(demo, Path) else None,
            cameras=make_cameras(args.demo_cameras),
        )
        urls.insert(0, simulator.start())
    recorder = None
    if args.record is not None:
        from .recording import start_recorder

        recorder = start_recorder(args.record, urls or [DEFAULT_URL])
        if recorder is None:
            if simulator is not None:
                simulator.stop()
            return 2
    try:
        return run_headless(
            urls or [DEFAULT_URL],
            as_json=args.json,
            poll_interval=run.poll_interval,
            stall_timeout=run.stall_timeout,
            recorder=recorder,
        )
    finally:
        if recorder is not None:
            recorder.stop()
        if simulator is not None:
            simulator.stop()
