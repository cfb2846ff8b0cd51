"""The self-test a packaged build runs, and (slow, from .ci/run) the Linux build."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app import __version__
from app.rig import Rig
from app.selftest import SelfTest
from app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "dist" / "Tether Monitor" / "tether-monitor"


def _offscreen_env(tmp_path: Path) -> dict[str, str]:
    hidden = ("DISPLAY", "WAYLAND_DISPLAY")
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.pop("QT_QPA_PLATFORM", None)  # the self-test must choose offscreen itself
    env["TETHER_MONITOR_SETTINGS"] = str(tmp_path / "settings.ini")
    return env


def test_self_test_passes_without_a_screen(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "--self-test"],
        env=_offscreen_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "self-test passed" in done.stdout
    assert "camera cards" in done.stdout and "thumbnail of DSC" in done.stdout


def test_self_test_says_what_did_not_appear(qapp: QApplication, qtbot) -> None:
    # A window that watches nothing never shows a card or a picture.
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    window.show()
    check = SelfTest(window, timeout=0.3)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert check.status == 1


@pytest.mark.slow
def test_linux_build_runs_its_self_test(tmp_path: Path) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install -e '.[package]')")
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py")],
        cwd=ROOT, check=True, timeout=900,
    )  # fmt: skip
    assert BUILT.is_file()
    env = _offscreen_env(tmp_path)
    version = subprocess.run(
        [str(BUILT), "--version"], env=env, capture_output=True, text=True, timeout=60
    )
    assert version.stdout.strip() == f"tether-monitor {__version__}"
    done = subprocess.run(
        [str(BUILT), "--self-test"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "self-test passed" in done.stdout


def test_self_test_ends_without_stdout(
    qapp: QApplication, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A windowed Windows build has no stdout or stderr: the check must still
    # close the window (and so end the process) with its status.
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    window = MainWindow(Rig())
    qtbot.addWidget(window)
    window.show()
    check = SelfTest(window, timeout=0.2)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert check.status == 1
