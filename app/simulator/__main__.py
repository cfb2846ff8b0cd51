"""Run the simulator alone: python -m app.simulator --help."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from .cameras import MAX_CAMERAS, make_cameras
from .misbehave import parse_scenarios, run_scenarios
from .server import PAYLOADS, Simulator

log = logging.getLogger("app.simulator")


def _camera_count(text: str) -> int:
    count = int(text)
    if not 1 <= count <= MAX_CAMERAS:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_CAMERAS}, got {count}")
    return count


def build_parser() -> argparse.ArgumentParser:
    """The command line of the simulator."""
    parser = argparse.ArgumentParser(
        prog="python -m app.simulator",
        description="Simulate a Sony Alpha Camera REST server with shooting bodies.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    parser.add_argument("--port", type=int, default=8080, help="default: %(default)s")
    parser.add_argument(
        "--keepalive",
        type=float,
        default=30.0,
        help="seconds between SSE keepalive comments (default: %(default)s)",
    )
    parser.add_argument(
        "--payloads",
        choices=PAYLOADS,
        default="binary",
        help="event payloads of the published binary or of the documentation",
    )
    parser.add_argument(
        "--folder", type=Path, help="serve the JPEGs of this folder in turn"
    )
    parser.add_argument(
        "--session-dir", type=Path, help="where shots are saved (default: a temp dir)"
    )
    parser.add_argument(
        "--tempo",
        type=float,
        default=1.0,
        help="multiplies every scripted delay (0.1 = ten times faster)",
    )
    parser.add_argument(
        "--cameras",
        type=_camera_count,
        default=3,
        metavar="N",
        help=f"number of bodies, 1 to {MAX_CAMERAS} (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, help="seed of the shooting script")
    parser.add_argument(
        "-v", "--verbose", action="store_true",
        help="log every event sent (by default only what the simulator does)",
    )  # fmt: skip
    parser.add_argument(
        "--misbehave",
        type=parse_scenarios,
        default=[],
        metavar="SCENARIO[,SCENARIO]",
        help=(
            "misbehave periodically, to test the monitor by hand: "
            "drop (cut every stream mid-event every ~20 s), "
            "stall (streams go silent for 50 s, then close, every ~90 s), "
            "garbage (a malformed event to every stream every ~10 s), "
            "errors (the next GET /api/cameras answers 500 or a proxy's 502 "
            "HTML every ~15 s), "
            "slow-discovery (GET /api/cameras takes 3 s), "
            "unplug (a random camera is unplugged for 5 s every ~30 s), "
            "all (every one)"
        ),
    )
    return parser


async def _serve(
    simulator: Simulator, scenarios: list[str] | None = None, seed: int | None = None
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows has no signal handlers here: Ctrl+C cancels asyncio.run().
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    url = await simulator.start()
    log.info(
        "simulating %d cameras at %s, saving to %s",
        len(simulator.cameras),
        url,
        simulator.session_dir,
    )
    misbehaving = None
    if scenarios:
        misbehaving = asyncio.create_task(
            run_scenarios(simulator, scenarios, seed=seed)
        )
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        if misbehaving is not None:
            misbehaving.cancel()
            await asyncio.gather(misbehaving, return_exceptions=True)
        await simulator.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the simulator in the foreground until Ctrl+C or SIGTERM."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    if not args.verbose:  # one line per event floods a terminal
        logging.getLogger("app.simulator.server").setLevel(logging.WARNING)
    if args.folder is not None and not args.folder.is_dir():
        parser.error(f"--folder: expected a directory, got {args.folder}")
    try:
        simulator = Simulator(
            host=args.host,
            port=args.port,
            keepalive=args.keepalive,
            payloads=args.payloads,
            folder=args.folder,
            session_dir=args.session_dir,
            cameras=make_cameras(args.cameras),
            tempo=args.tempo,
            seed=args.seed,
        )
    except ValueError as exc:
        parser.error(str(exc))
    try:
        asyncio.run(_serve(simulator, args.misbehave, args.seed))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", args.host, args.port, exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
