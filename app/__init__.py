"""Tether Monitor: watch tethered Sony cameras through the Alpha Camera REST server."""

from typing import Any

__version__: str
"""The installed package's version; looked up when first asked, since
importlib.metadata takes a while to load and the window shows before."""


def __getattr__(name: str) -> Any:
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("tether-monitor")
    except PackageNotFoundError:  # running from a source tree that was not installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found
