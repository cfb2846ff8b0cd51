"""Tether Monitor: watch tethered Sony cameras through the Alpha Camera REST server."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tether-monitor")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
