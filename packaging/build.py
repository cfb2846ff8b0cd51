"""Build the Tether Monitor application with PyInstaller.

    python packaging/build.py            # dist/Tether Monitor/ (and the .app on macOS)

It first renders resources/icons/tether-monitor.svg into the icon each platform
wants (build/icons: .png, .ico, .icns), then runs PyInstaller on
packaging/tether-monitor.spec. Needs the project installed with its `package`
extra: pip install -e '.[package]'.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "tether-monitor.svg"
ICONS = ROOT / "build" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)


def make_icons(out: Path = ICONS) -> list[Path]:
    """Render the SVG at every size and write tether-monitor.{png,ico,icns}."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"build: cannot read the icon {SVG}")
    out.mkdir(parents=True, exist_ok=True)
    images = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        images[size] = Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")
    png = out / "tether-monitor.png"
    images[512].save(png)
    ico = out / "tether-monitor.ico"
    images[256].save(ico, sizes=[(s, s) for s in SIZES if s <= 256])
    icns = out / "tether-monitor.icns"
    images[1024].save(icns)
    return [png, ico, icns]


def folder_size(path: Path) -> int:
    """Bytes in the files below ``path``; a link is counted once, as its target."""
    files = (f for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return sum(f.stat().st_size for f in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icons-only", action="store_true", help="only the icons")
    args = parser.parse_args(argv)
    made = make_icons()
    print("icons:", ", ".join(str(p.relative_to(ROOT)) for p in made))
    if args.icons_only:
        return 0
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
         "--log-level", "WARN",
         "--distpath", str(ROOT / "dist"),
         "--workpath", str(ROOT / "build" / "pyinstaller"),
         str(ROOT / "packaging" / "tether-monitor.spec")],
        check=True, cwd=ROOT,
    )  # fmt: skip
    folder = ROOT / "dist" / "Tether Monitor"
    print(
        f"built {folder.relative_to(ROOT)} in {time.monotonic() - started:.0f} s: "
        f"{folder_size(folder) / 2**20:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
