"""Each benchmark's figures as JSON, for the suite's table (tests.benchmarks)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the figures to FILE"
    )


def save(args: argparse.Namespace, figures: dict[str, Any]) -> None:
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
