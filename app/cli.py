"""The command line: ``tether-monitor [--server URL] [--demo [FOLDER]]``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .protocol.rest import DEFAULT_URL


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tether-monitor",
        description="Watch Sony cameras tethered to an Alpha Camera REST server: "
        "connection, focus, transfers and every frame as it lands.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        action="append",
        help=f"the server to watch (default {DEFAULT_URL})",
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
        default=5.0,
        metavar="S",
        help="seconds between camera discoveries (default 5)",
    )
    parser.add_argument(
        "--stall-timeout",
        type=float,
        default=45.0,
        metavar="S",
        help="seconds without a byte after which a stream is taken for dead "
        "(default 45: the server's 30 s keepalive plus grace)",
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
    if args.poll_interval <= 0 or args.stall_timeout <= 0:
        print("tether-monitor: intervals must be positive", file=sys.stderr)
        return 2
    mappings = []
    for item in args.map_path:
        server, sep, local = item.partition("=")
        if not sep or not server or not local:
            print(f"tether-monitor: --map-path expects SERVER=LOCAL, got {item!r}",
                  file=sys.stderr)  # fmt: skip
            return 2
        mappings.append((server, local))
    if args.json and not args.headless:
        print("tether-monitor: --json goes with --headless", file=sys.stderr)
        return 2
    demo = None if args.demo is None else (Path(args.demo) if args.demo else True)
    if args.headless:
        return _headless(args, demo)
    from .gui import run_window

    return run_window(
        servers=args.server or [],
        demo=demo,
        demo_cameras=args.demo_cameras,
        poll_interval=args.poll_interval,
        stall_timeout=args.stall_timeout,
        mappings=mappings,
        studio=args.studio,
    )


def _headless(args: argparse.Namespace, demo: Path | bool | None) -> int:
    from .headless import run_headless

    urls = list(args.server or [])
    simulator = None
    if demo is not None:
        from .simulator import SimulatorThread, make_cameras

        simulator = SimulatorThread(
            folder=demo if isinstance(demo, Path) else None,
            cameras=make_cameras(args.demo_cameras),
        )
        urls.insert(0, simulator.start())
    try:
        return run_headless(
            urls or [DEFAULT_URL],
            as_json=args.json,
            poll_interval=args.poll_interval,
            stall_timeout=args.stall_timeout,
        )
    finally:
        if simulator is not None:
            simulator.stop()
