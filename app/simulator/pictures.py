"""Pictures for simulated shots: generated JPEGs with a little EXIF."""

from __future__ import annotations

import colorsys
import shutil
import zlib
from datetime import datetime
from pathlib import Path

from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFont

WIDTH, HEIGHT = 1600, 1067


def _colour(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def render(camera_id: str, model: str, frame: int, taken: datetime) -> Image.Image:
    """Draw a gradient that differs per camera and per frame, with a caption."""
    hue = (zlib.crc32(camera_id.encode()) % 360) / 360 + frame * 0.037
    start = Image.new("RGB", (WIDTH, HEIGHT), _colour(hue, 0.65, 0.95))
    end = Image.new("RGB", (WIDTH, HEIGHT), _colour(hue + 0.18, 0.8, 0.45))

    ramp = Image.linear_gradient("L")
    across = ramp.rotate(90).resize((WIDTH, HEIGHT))
    down = ramp.resize((WIDTH, HEIGHT))
    diagonal = ImageChops.add(across, down, scale=2.0)
    picture = Image.composite(end, start, diagonal)

    glow = Image.new("RGB", (WIDTH, HEIGHT), _colour(hue + 0.5, 0.25, 1.0))
    halo = Image.radial_gradient("L").resize((WIDTH, HEIGHT))
    halo = halo.point(lambda v: min(255, 140 + 2 * v))
    picture = Image.composite(picture, glow, halo)

    draw = ImageDraw.Draw(picture)
    big = ImageFont.load_default(size=170)
    small = ImageFont.load_default(size=44)
    centre = (WIDTH // 2, HEIGHT // 2)
    lines = [
        (model, big, (centre[0], centre[1] - 110)),
        (f"#{frame:04d}", big, (centre[0], centre[1] + 90)),
        (f"{camera_id}  {taken:%Y-%m-%d %H:%M:%S}", small, (centre[0], HEIGHT - 70)),
    ]
    for text, font, (x, y) in lines:
        draw.text((x + 4, y + 4), text, font=font, fill=(0, 0, 0), anchor="mm")
        draw.text((x, y), text, font=font, fill=(255, 255, 255), anchor="mm")
    return picture


def exif_for(model: str, taken: datetime) -> Image.Exif:
    """A small EXIF block like a Sony body writes."""
    stamp = f"{taken:%Y:%m:%d %H:%M:%S}"
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SONY"
    exif[ExifTags.Base.Model] = model
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.Base.DateTime] = stamp
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = stamp
    return exif


def write_generated(
    path: Path, camera_id: str, model: str, frame: int, taken: datetime
) -> None:
    """Render and save one JPEG at `path` (blocking: run it in a thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = render(camera_id, model, frame, taken)
    picture.save(path, "JPEG", quality=88, exif=exif_for(model, taken))


def write_copy(path: Path, source: Path) -> None:
    """Copy a picture from the user's folder to `path` (blocking)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)


def list_pictures(folder: Path) -> list[Path]:
    """The JPEG files of `folder`, sorted by name."""
    suffixes = {".jpg", ".jpeg"}
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes
    )
