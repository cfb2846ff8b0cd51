"""The whole benchmark suite, one command: each figure beside the floor measured
in the same run, and the target. Prints figures; asserts nothing.

    .venv/bin/python -m tests.benchmarks [--quick]

Runs each benchmark in a process of its own (they start Qt and servers), shows
what each prints as it goes, then the table. ``--quick`` runs smaller versions
(fewer rounds and frames) for a first look; the README's figures come from a
full run. A full run takes about five minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FULL = {
    "bench_pipeline": [],
    "bench_window_load": [],
    "bench_pictures": [],
    "bench_long_shoot": [],
    "bench_startup": [],
}
QUICK = {
    "bench_pipeline": ["--rounds", "1", "--events", "2000"],
    "bench_window_load": ["--seconds", "4"],
    "bench_pictures": [],
    "bench_long_shoot": ["--frames", "1000"],
    "bench_startup": ["--runs", "3"],
}


def run(name: str, extra: list[str], folder: Path) -> dict[str, Any]:
    out = folder / f"{name}.json"
    print(f"\n=== {name} {' '.join(extra)}", flush=True)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", f"tests.benchmarks.{name}", "--json", str(out), *extra]
    )
    print(f"    ({time.monotonic() - started:.0f} s)", flush=True)
    if done.returncode != 0 or not out.is_file():
        return {"error": f"exited {done.returncode}"}
    return json.loads(out.read_text(encoding="utf-8"))


def row(
    figure: str, ours: str, floor: str, ratio: str, target: str, met: bool | None
) -> tuple[str, ...]:
    return (figure, ours, floor, ratio, target,
            "—" if met is None else ("met" if met else "MISSED"))  # fmt: skip


def table(figures: dict[str, dict[str, Any]]) -> list[tuple[str, ...]]:
    rows = []
    pipe = figures["bench_pipeline"]
    if "ours_per_s" in pipe:
        ours, floor = pipe["ours_per_s"], pipe["floor_per_s"]
        ratio = pipe.get("ratio", ours / floor)  # each round to its own floor
        rows.append(row(
            "event pipeline (8 cameras, both streams), events/s",
            f"{ours:,.0f}", f"{floor:,.0f} (bare httpx-sse)", f"{ratio:.2f}",
            "≥ 0.5 and ≥ 20,000/s", ratio >= 0.5 and ours >= 20_000,
        ))  # fmt: skip
    load = figures["bench_window_load"]
    if "stall_max_ms" in load:
        rows.append(row("window, 8 x 60 events/s: longest UI stall",
                        f"{load['stall_max_ms']:.0f} ms", "", "", "< 50 ms",
                        load["stall_max_ms"] < 50))  # fmt: skip
        rows.append(row("window, 8 x 60 events/s: 99th percentile stall",
                        f"{load['stall_p99_ms']:.0f} ms", "", "", "", None))
        rows.append(row("event to widget: median", f"{load['delay_median_ms']:.0f} ms",
                        "", "", "", None))  # fmt: skip
        rows.append(row("event to widget: 95th percentile",
                        f"{load['delay_p95_ms']:.0f} ms", "", "", "< 50 ms",
                        load["delay_p95_ms"] < 50))  # fmt: skip
    pictures = figures["bench_pictures"]
    for name, value in pictures.items():
        if isinstance(value, dict):
            ratio = value["ours_s"] / value["floor_s"]
            ours, floor = value["ours_s"] * 1000, value["floor_s"] * 1000
            rows.append(row(f"256 px thumbnail, {name}", f"{ours:.0f} ms",
                            f"{floor:.0f} ms (full decode)",
                            f"{ratio:.2f}", "≤ 0.25", ratio <= 0.25))  # fmt: skip
    if "stall_max_ms" in pictures:
        rows.append(row("20 x 61 MP landing at once: longest UI stall",
                        f"{pictures['stall_max_ms']:.0f} ms", "", "", "< 50 ms",
                        pictures["stall_max_ms"] < 50))  # fmt: skip
        rows.append(row("20 x 61 MP landing at once: all shown after",
                        f"{pictures['all_shown_s']:.1f} s", "", "", "", None))
    shoot = figures["bench_long_shoot"]
    if "growth_mib" in shoot:
        rows.append(row(f"long shoot ({shoot['frames']:,} frames, 8 cameras): memory",
                        f"{shoot['start_mib']:.0f} → {shoot['end_mib']:.0f} MiB",
                        "", "", "growth < 150 MB",
                        shoot["growth_mib"] * 1.048576 < 150))  # fmt: skip
    start = figures["bench_startup"]
    floor_name = "bare PySide6 window (floor)"
    if floor_name in start:
        floor = start[floor_name]
        for name in ("python -m app", "packaged build"):
            if name in start:
                ratio = start[name] / floor
                rows.append(row(f"start-up to first painted window: {name}",
                                f"{start[name] * 1000:.0f} ms",
                                f"{floor * 1000:.0f} ms (bare window)", f"{ratio:.2f}",
                                "≤ 2", ratio <= 2))  # fmt: skip
    for name, value in figures.items():
        if "error" in value:
            rows.append(row(name, value["error"], "", "", "", False))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="benchmarks-") as tmp:
        figures = {name: run(name, extra, Path(tmp)) for name, extra in plan.items()}
    rows = table(figures)
    head = ("figure", "ours", "floor", "ratio", "target", "")
    print("\n| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for line in rows:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
