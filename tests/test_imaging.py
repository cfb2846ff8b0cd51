"""Pictures from every kind of file a Sony body writes, and from files that are
not ready, not there, damaged or hostile. Real camera files from ../shared."""

from __future__ import annotations

import io
import os
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from app.imaging import ImageError, Problem, decode, decode_when_ready, local_path


def mean_difference(a: QImage, b: QImage) -> float:
    """Mean absolute difference per channel, 0-255, of two same-size images."""
    assert a.size() == b.size()
    pa, pb = (_rgb(a), _rgb(b))
    diff = sum(abs(x - y) for x, y in zip(pa, pb, strict=True))
    return diff / (a.width() * a.height() * 3)


def _rgb(image: QImage) -> bytes:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    return b"".join(
        bytes(rgb.constScanLine(y))[: rgb.width() * 3] for y in range(rgb.height())
    )


def test_all_eight_exif_orientations_give_the_same_upright_thumbnail(
    fixtures_dir: Path,
) -> None:
    thumbs = [
        decode(str(fixtures_dir / "orientation" / f"landscape_{n}.jpg"), 160).image
        for n in range(1, 9)
    ]
    first = thumbs[0]
    assert all(t.size() == first.size() for t in thumbs)
    assert first.width() > first.height()  # landscape, upright
    # Each file has its own number drawn on it (about 14 apart); a mirrored or
    # upside-down picture is 40 or more apart.
    assert mean_difference(first, first.flipped(Qt.Orientation.Horizontal)) > 35
    for n, thumb in enumerate(thumbs[1:], start=2):
        assert mean_difference(first, thumb) < 20, f"orientation {n} is not upright"


def test_sony_jpeg(fixtures_dir: Path) -> None:
    decoded = decode(str(fixtures_dir / "jpeg" / "sony_dslr_a200.jpg"), 256)
    assert max(decoded.image.width(), decoded.image.height()) == 256
    assert decoded.file_bytes > 600_000


@pytest.mark.parametrize("name", ["spring_1440x960.heic", "samplefilehub.heif"])
def test_heif_decodes_upright_without_bars(fixtures_dir: Path, name: str) -> None:
    decoded = decode(str(fixtures_dir / "heif" / name), 200)
    image = decoded.image
    assert image.width() == 200
    assert abs(image.width() / image.height() - decoded.width / decoded.height) < 0.02
    # No black bars: the first and last rows are picture, not padding.
    for y in (0, image.height() - 1):
        row = [image.pixelColor(x, y).value() for x in range(0, image.width(), 10)]
        assert max(row) > 20, f"row {y} is black"


def test_truncated_raw_gets_a_clear_reason_and_no_hang(fixtures_dir: Path) -> None:
    path = str(fixtures_dir / "raw" / "sony_a7iii_header_only.ARW")
    with pytest.raises(ImageError) as caught:
        decode_when_ready(path, 256, wait=3.0, settle=0.3)
    assert caught.value.problem == Problem.TRUNCATED
    assert "truncated raw" in str(caught.value)


def _jpeg(
    width: int, height: int, colour: tuple[int, int, int] = (200, 60, 40)
) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, max(1, width // 8)):
        image.paste((20, 20, 220), (x, 0, x + max(1, width // 16), height // 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _arw(preview: bytes, orientation: int) -> bytes:
    """A TIFF laid out like a Sony ARW: Make SONY in IFD0, the JPEG preview at
    IFD0's JPEGInterchangeFormat offsets, and a raw sub-IFD."""
    entries = []
    make = b"SONY\x00\x00"
    model = b"ILCE-7M4\x00\x00"
    header = 8
    n = 6
    ifd_size = 2 + n * 12 + 4
    data_start = header + ifd_size
    make_at = data_start
    model_at = make_at + len(make)
    sub_ifd_at = model_at + len(model)
    sub_ifd = struct.pack("<H", 1) + struct.pack("<HHII", 256, 4, 1, 6000) + b"\0\0\0\0"
    preview_at = sub_ifd_at + len(sub_ifd)
    raw_data = os.urandom(4096)
    entries = [
        (0x010F, 2, len(make), make_at),
        (0x0110, 2, len(model), model_at),
        (0x0112, 3, 1, orientation),
        (0x014A, 4, 1, sub_ifd_at),
        (0x0201, 4, 1, preview_at),
        (0x0202, 4, 1, len(preview)),
    ]
    ifd = (
        struct.pack("<H", n)
        + b"".join(
            struct.pack("<HHII", tag, typ, count, value)
            for tag, typ, count, value in entries
        )
        + b"\0\0\0\0"
    )
    return (
        b"II*\x00"
        + struct.pack("<I", header)
        + ifd
        + make
        + model
        + sub_ifd
        + preview
        + raw_data
    )


@pytest.mark.parametrize(
    ("orientation", "upright"),
    [(1, (300, 200)), (6, (200, 300)), (8, (200, 300)), (3, (300, 200))],
)
def test_arw_preview_turned_as_the_raw_says(
    tmp_path: Path, orientation: int, upright: tuple[int, int]
) -> None:
    path = tmp_path / "DSC00001.ARW"
    path.write_bytes(_arw(_jpeg(300, 200), orientation))
    decoded = decode(str(path), 150)
    assert (decoded.width, decoded.height) == upright
    w, h = decoded.image.width(), decoded.image.height()
    assert (w > h) == (upright[0] > upright[1])
    assert max(w, h) == 150


def test_61_megapixel_jpeg_gives_a_small_thumbnail(tmp_path: Path) -> None:
    path = tmp_path / "DSC09999.JPG"
    path.write_bytes(_jpeg(9504, 6336))
    decoded = decode(str(path), 256)
    assert decoded.image.width() == 256 and decoded.image.height() in (170, 171)
    assert (decoded.width, decoded.height) == (9504, 6336)


def test_png_and_tiff(tmp_path: Path) -> None:
    for name, fmt in (("a.png", "PNG"), ("b.tif", "TIFF")):
        Image.new("RGB", (400, 100), (10, 200, 10)).save(tmp_path / name, fmt)
        assert decode(str(tmp_path / name), 100).image.size().toTuple() == (100, 25)


def test_png_named_jpg_is_read_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "DSC00002.JPG"
    Image.new("RGB", (64, 48), (1, 2, 3)).save(path, "PNG")
    assert decode(str(path), 32).image.size().toTuple() == (32, 24)


def test_random_bytes_are_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "DSC00003.JPG"
    path.write_bytes(os.urandom(5000))
    with pytest.raises(ImageError) as caught:
        decode_when_ready(str(path), 64, wait=2.0, settle=0.3)
    assert caught.value.problem == Problem.NOT_IMAGE


def test_zero_bytes_is_said_to_be_empty(tmp_path: Path) -> None:
    path = tmp_path / "DSC00004.JPG"
    path.write_bytes(b"")
    with pytest.raises(ImageError) as caught:
        decode_when_ready(str(path), 64, wait=2.0, settle=0.3)
    assert "empty" in str(caught.value)


def test_truncated_jpeg_that_stops_growing_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "DSC00005.JPG"
    path.write_bytes(_jpeg(800, 600)[:5000])
    with pytest.raises(ImageError) as caught:
        decode_when_ready(str(path), 64, wait=5.0, settle=0.3)
    assert caught.value.problem == Problem.TRUNCATED


def test_file_that_grows_for_a_second_after_its_event_is_shown(tmp_path: Path) -> None:
    """The event may come while the host is still writing the file."""
    data = _jpeg(1200, 800)
    path = tmp_path / "DSC00006.JPG"
    path.write_bytes(data[:1000])

    def finish() -> None:
        for end in range(1000, len(data), len(data) // 10):
            time.sleep(0.1)
            with open(path, "r+b") as f:
                f.seek(end)
                f.write(data[end : end + len(data) // 10])
        with open(path, "r+b") as f:
            f.write(data)

    writer = threading.Thread(target=finish)
    writer.start()
    decoded = decode_when_ready(str(path), 120, wait=10.0, settle=2.0)
    writer.join()
    assert decoded.image.size().toTuple() == (120, 80)


def test_file_still_growing_past_the_wait_is_waited_for(tmp_path: Path) -> None:
    """A slow card or network share: written over three times the wait, but
    never quiet for as long as the wait. Not 'truncated' halfway through."""
    data = _jpeg(1200, 800)
    path = tmp_path / "DSC00008.JPG"
    path.write_bytes(data[:100])
    step = len(data) // 20  # 2 s of writing, against a wait of 1 s

    def write_slowly() -> None:
        for end in range(100, len(data), step):
            time.sleep(0.1)
            with open(path, "ab") as f:
                f.write(data[end : end + step])

    writer = threading.Thread(target=write_slowly)
    writer.start()
    decoded = decode_when_ready(str(path), 120, wait=1.0, settle=0.8)
    writer.join()
    assert decoded.image.size().toTuple() == (120, 80)


def test_missing_file_says_where_it_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "DSC00007.JPG"
    with pytest.raises(ImageError) as caught:
        decode_when_ready(str(path), 64, wait=0.5)
    assert caught.value.problem == Problem.MISSING
    assert str(path) in str(caught.value)


def _png_header_only(
    path: Path, width: int, height: int, *, depth: int, colour: int
) -> Path:
    """A PNG that declares ``width`` x ``height`` (``colour`` 2: RGB, 6: RGBA)
    and holds almost no pixel data: what a decompression bomb looks like."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\0" * 100))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")
    )
    return path


def test_declared_size_over_200_megapixels_is_refused_before_decoding(
    tmp_path: Path,
) -> None:
    """A PNG whose header claims 20000x12000 pixels (240 MP) with no pixel data."""
    path = _png_header_only(tmp_path / "bomb.png", 20000, 12000, depth=8, colour=2)
    with pytest.raises(ImageError) as caught:
        decode(str(path), 256)
    assert caught.value.problem == Problem.TOO_LARGE
    assert "240 MP" in str(caught.value)


def test_a_small_png_that_would_take_800_mb_decoded_is_refused(tmp_path: Path) -> None:
    """10000x10000 at 16 bits a channel is under the pixel limit, but a PNG is
    decoded whole: 800 MB and seconds of a worker for a thumbnail."""
    path = _png_header_only(tmp_path / "bomb16.png", 10000, 10000, depth=16, colour=6)
    with pytest.raises(ImageError) as caught:
        decode(str(path), 256)
    assert caught.value.problem == Problem.TOO_LARGE
    assert "needs 1526 MB to decode" in str(caught.value)


def test_non_ascii_and_long_paths(tmp_path: Path) -> None:
    folder = tmp_path / "Séance d’été" / "写真" / ("très-long-" * 12)
    folder.mkdir(parents=True)
    path = folder / "DSC00008 — Ünïcödé.JPG"
    path.write_bytes(_jpeg(300, 200))
    assert decode(str(path), 60).image.size().toTuple() == (60, 40)


def test_a_directory_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(ImageError) as caught:
        decode(str(tmp_path), 64)
    assert caught.value.problem == Problem.NOT_IMAGE


@pytest.mark.parametrize(
    ("server", "mappings", "local"),
    [
        ("C:\\Users\\ph\\Shoot\\DSC1.JPG", [("C:\\Users\\ph\\Shoot", "/Volumes/Shoot")],
         "/Volumes/Shoot/DSC1.JPG"),
        ("c:\\users\\PH\\shoot\\sub\\DSC1.JPG", [("C:/Users/ph/Shoot", "/mnt/s")],
         "/mnt/s/sub/DSC1.JPG"),
        ("/home/ph/shoot/DSC1.JPG", [("/home/ph/shoot", "/Volumes/host/shoot")],
         "/Volumes/host/shoot/DSC1.JPG"),
        ("/home/ph/shootings/DSC1.JPG", [("/home/ph/shoot", "/x")],
         "/home/ph/shootings/DSC1.JPG"),
        ("/home/ph/shoot/DSC1.JPG", [], "/home/ph/shoot/DSC1.JPG"),
    ],
)  # fmt: skip
def test_path_mapping(server: str, mappings: list[tuple[str, str]], local: str) -> None:
    assert local_path(server, mappings) == str(Path(local))


def test_a_raw_claiming_a_huge_preview_or_header_field_is_refused(
    tmp_path: Path,
) -> None:
    # Sparse files: they claim hundreds of MB but take no disk. A decode must
    # neither read them in nor say only "unknown error".
    claim = 400 * 2**20
    preview = tmp_path / "HUGE_PREVIEW.ARW"
    entries = [(0x0112, 3, 1, 1), (0x0201, 4, 1, 64), (0x0202, 4, 1, claim)]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHII", *entry) for entry in entries) + b"\0\0\0\0"  # fmt: skip
    with preview.open("wb") as f:
        f.write(b"II*\x00" + struct.pack("<I", 8) + ifd)
        f.truncate(claim + 4096)
    with pytest.raises(ImageError) as caught:
        decode(str(preview), 256)
    assert caught.value.problem == Problem.TOO_LARGE
    assert "preview claims 400 MiB" in str(caught.value)

    field = tmp_path / "HUGE_FIELD.ARW"
    entries = [(0x010F, 2, claim, 64)]  # a Make of 400 MB
    ifd = struct.pack("<H", 1) + struct.pack("<HHII", *entries[0]) + b"\0\0\0\0"
    with field.open("wb") as f:
        f.write(b"II*\x00" + struct.pack("<I", 8) + ifd)
        f.truncate(claim + 4096)
    with pytest.raises(ImageError) as caught:
        decode(str(field), 256)
    assert "header is damaged" in str(caught.value)


def test_a_mapped_path_cannot_climb_out_of_its_folder() -> None:
    mapping = [("/srv/shoot", "/Volumes/Shoot")]
    mapped = local_path("/srv/shoot/../../etc/passwd", mapping)
    assert mapped == str(Path("/Volumes/Shoot") / "etc" / "passwd")
    inside = local_path("/srv/shoot/a/../b/DSC1.JPG", mapping)
    assert inside == str(Path("/Volumes/Shoot") / "b" / "DSC1.JPG")
