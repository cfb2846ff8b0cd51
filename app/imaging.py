"""Turn a saved camera file into a small upright picture. Runs on worker threads.

JPEG, PNG and TIFF go through Qt's image reader, which scales while decoding
(a 61 MP JPEG is never decoded at full size for a thumbnail) and applies the EXIF
orientation. HEIF goes through pillow-heif, using an embedded thumbnail when it
is big enough. Sony raw (ARW) shows the camera's own JPEG preview, found through
the TIFF structure with Pillow, turned as the raw's orientation says.

Everything that goes wrong is a :class:`ImageError` whose message a user can read.
"""

from __future__ import annotations

import enum
import io
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import msgspec
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader, QTransform

MAX_PIXELS = 200_000_000
"""Declared image sizes above this (200 MP) are refused before decoding."""

# Qt refuses any image over 256 MB by default: a 16-bit 61 MP TIFF, or a
# 200 MP PNG (which cannot be decoded at a reduced size), would fail with
# "Unable to read image data". Our own limit is MAX_PIXELS, checked first.
QImageReader.setAllocationLimit(MAX_PIXELS * 8 // 2**20)

MAX_FULL_DECODE_BYTES = 512 * 2**20
"""The most memory a picture that cannot be decoded at a reduced size (PNG,
TIFF) may take decoded: a 61 MP 8-bit TIFF fits; a 10000x10000 16-bit PNG of
777 KB, which took 1.6 GB and 6.5 s of a worker, does not."""

MAX_FILE_BYTES = 2 * 1024**3
"""Files larger than this are not read at all."""

JPEG_SUFFIXES = (".jpg", ".jpeg", ".jpe")
HEIF_SUFFIXES = (".hif", ".heif", ".heic")
RAW_SUFFIXES = (".arw", ".srf", ".sr2")
QT_SUFFIXES = (*JPEG_SUFFIXES, ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif")
IMAGE_SUFFIXES = (*QT_SUFFIXES, *HEIF_SUFFIXES, *RAW_SUFFIXES)


class Problem(enum.StrEnum):
    """Why a file gave no picture; each has its own placeholder."""

    MISSING = "not found"
    INCOMPLETE = "still being written"
    TRUNCATED = "truncated"
    NOT_IMAGE = "not an image"
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too large"
    UNREADABLE = "cannot be read"


class ImageError(Exception):
    """A file gave no picture. ``problem`` says which kind; str() says why."""

    def __init__(self, problem: Problem, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.problem = problem
        self.retry = retry


class Decoded(msgspec.Struct, frozen=True):
    image: QImage
    width: int  # of the whole picture, upright
    height: int
    file_bytes: int


def is_image_name(path: str) -> bool:
    return path.lower().endswith(IMAGE_SUFFIXES)


def decode(path: str, edge: int) -> Decoded:
    """One attempt: ``path`` scaled so its longer side is at most ``edge``.

    Raises :class:`ImageError`; ``retry`` is set when the file may still be
    growing or locked and another attempt later may succeed.
    """
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise ImageError(Problem.MISSING, f"not found at {path}", retry=True) from None
    except PermissionError:
        raise ImageError(
            Problem.UNREADABLE, "locked or not readable", retry=True
        ) from None
    except OSError as exc:
        raise ImageError(
            Problem.UNREADABLE, f"cannot be read ({exc.strerror})"
        ) from None
    if not os.path.isfile(path):
        raise ImageError(Problem.NOT_IMAGE, "not a regular file")
    size = stat.st_size
    if size == 0:
        raise ImageError(Problem.INCOMPLETE, "the file is empty", retry=True)
    if size > MAX_FILE_BYTES:
        raise ImageError(Problem.TOO_LARGE, f"too large to read ({size / 1e9:.1f} GB)")
    with _open(path) as f:
        head = f.read(64)
    kind = _sniff(head)
    if kind == "jpeg":
        return _decode_jpeg(path, edge, size)
    if kind == "heif":
        return _decode_heif(path, edge, size)
    if kind == "tiff" and path.lower().endswith(RAW_SUFFIXES):
        return _decode_raw(path, edge, size)
    if kind in ("png", "tiff", "other"):
        return _decode_qt(path, edge, size, kind)
    raise ImageError(
        Problem.NOT_IMAGE, "not an image (its content is no picture format)"
    )


def decode_when_ready(
    path: str,
    edge: int,
    *,
    wait: float = 10.0,
    settle: float = 1.5,
    longest: float = 30.0,
    cancelled: Callable[[], bool] | None = None,
) -> Decoded:
    """Decode, waiting for a file that is still being written, locked or not yet
    there, sleeping between attempts: for at most ``wait`` seconds without the
    file growing (a slow card or network still writing it is waited for), and
    ``longest`` seconds in all (the worker waits meanwhile: on 2 cores it is the
    only one, so this is kept short).

    A file that stays the same size for ``settle`` seconds and is still not a
    whole picture is taken as truncated rather than waited for any longer.
    """
    start = time.monotonic()
    delay = 0.05
    last_size = _size(path)
    changed = start
    while True:
        try:
            return decode(path, edge)
        except ImageError as exc:
            now = time.monotonic()
            size = _size(path)
            growing = size != last_size
            if growing:
                last_size, changed = size, now
            settled = size >= 0 and now - changed >= settle
            give_up = (
                now + delay - changed > wait
                or now - start > longest
                or (exc.problem != Problem.MISSING and settled)
            )
            if not exc.retry and not growing:
                raise  # a whole file that is no picture: no use waiting
            if give_up or (cancelled is not None and cancelled()):
                if exc.problem == Problem.INCOMPLETE and size > 0:
                    raise ImageError(Problem.TRUNCATED, f"truncated: {exc}") from None
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.4)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


def _open(path: str) -> io.BufferedReader:
    try:
        return open(path, "rb")
    except PermissionError:
        raise ImageError(
            Problem.UNREADABLE, "locked or not readable", retry=True
        ) from None
    except OSError as exc:
        raise ImageError(
            Problem.UNREADABLE, f"cannot be read ({exc.strerror})"
        ) from None


def _sniff(head: bytes) -> str:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif",
    ):  # fmt: skip
        return "heif"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"BM", b"GIF8", b"RIFF")):
        return "other"
    return "unknown"


# -- JPEG and the formats Qt reads ---------------------------------------------


def _decode_jpeg(path: str, edge: int, size: int) -> Decoded:
    with _open(path) as f:
        f.seek(max(0, size - 32))
        tail = f.read()
    if b"\xff\xd9" not in tail:
        raise ImageError(
            Problem.INCOMPLETE, "the JPEG has no end marker yet", retry=True
        )
    return _decode_qt(path, edge, size, "jpeg")


def _decode_qt(path: str, edge: int, size: int, kind: str) -> Decoded:
    reader = QImageReader(path)
    reader.setAutoTransform(True)  # the EXIF orientation
    reader.setDecideFormatFromContent(True)
    return _read_scaled(reader, edge, size, kind)


def _read_scaled(reader: QImageReader, edge: int, size: int, kind: str) -> Decoded:
    declared = reader.size()
    if not declared.isValid():
        if kind == "unknown":
            raise ImageError(Problem.NOT_IMAGE, "not an image")
        raise ImageError(
            Problem.UNSUPPORTED, f"cannot be read ({reader.errorString()})"
        )
    pixels = declared.width() * declared.height()
    if pixels > MAX_PIXELS:
        raise ImageError(
            Problem.TOO_LARGE,
            f"too large to show ({declared.width()}x{declared.height()}, "
            f"{pixels / 1e6:.0f} MP; the limit is {MAX_PIXELS / 1e6:.0f} MP)",
        )
    if not reader.supportsOption(QImageIOHandler.ImageOption.ScaledSize):
        # PNG and TIFF are decoded whole, then scaled: what that takes counts.
        depth = QImage.toPixelFormat(reader.imageFormat()).bitsPerPixel() or 32
        # Over 32 bits, Qt makes a converted copy as large to scale it.
        needed = pixels * depth // 8 * (2 if depth > 32 else 1)
        if needed > MAX_FULL_DECODE_BYTES:
            raise ImageError(
                Problem.TOO_LARGE,
                f"too large to show ({declared.width()}x{declared.height()} at "
                f"{depth} bits a pixel needs {needed / 2**20:.0f} MB to decode; "
                f"the limit is {MAX_FULL_DECODE_BYTES // 2**20} MB)",
            )
    transform = reader.transformation()
    swapped = bool(transform & QImageIOHandler.Transformation.TransformationRotate90)
    upright = declared.transposed() if swapped else declared
    if max(declared.width(), declared.height()) > edge:
        # The reader scales before it turns: ask for the stored orientation.
        reader.setScaledSize(
            declared.scaled(QSize(edge, edge), Qt.AspectRatioMode.KeepAspectRatio)
        )
    image = reader.read()
    if image.isNull():
        raise ImageError(
            Problem.TRUNCATED, f"could not be decoded ({reader.errorString()})"
        )
    return Decoded(image, upright.width(), upright.height(), size)


# -- HEIF ------------------------------------------------------------------------


def _decode_heif(path: str, edge: int, size: int) -> Decoded:
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover (a dependency; absent only in odd builds)
        raise ImageError(Problem.UNSUPPORTED, "HEIF support is not installed") from None
    try:
        heif = pillow_heif.open_heif(path, convert_hdr_to_8bit=True)
        primary = heif[heif.primary_index]
        width, height = primary.size
        if width * height > MAX_PIXELS:
            raise ImageError(Problem.TOO_LARGE, f"too large to show ({width}x{height})")
        picture = None
        for index, box in enumerate(primary.info.get("thumbnails", [])):
            if box >= edge:
                thumb = primary.get_thumbnail(index)
                tw, th = thumb.size
                # A thumbnail padded to another shape would show black bars.
                if abs(tw / th - width / height) < 0.02:
                    picture = thumb.to_pillow()
                    break
        if picture is None:
            picture = primary.to_pillow()
    except ImageError:
        raise
    except (ValueError, RuntimeError, OSError) as exc:
        raise ImageError(
            Problem.TRUNCATED, f"HEIF could not be decoded ({exc})"
        ) from None
    picture = picture.convert("RGB")
    picture.thumbnail((edge, edge))
    return Decoded(_qimage(picture), width, height, size)


def _qimage(picture: object) -> QImage:
    data = picture.tobytes()  # type: ignore[attr-defined]
    w, h = picture.size  # type: ignore[attr-defined]
    return QImage(data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


# -- Sony raw ----------------------------------------------------------------------

_ORIENTATION = 0x0112
_PREVIEW_OFFSET = 0x0201  # JPEGInterchangeFormat
_PREVIEW_LENGTH = 0x0202


MAX_RAW_PREVIEW = 64 * 2**20
"""A raw's embedded JPEG preview larger than this is refused (a full-size
61 MP preview is about 20 MB)."""
MAX_RAW_TAG = 4 * 2**20
"""A raw's first header (IFD0) whose fields add up to more than this is taken
for damage, not read."""


class _Bounded:
    """A file of which at most ``limit`` bytes may be read in all: a damaged or
    hostile header cannot make Pillow read gigabytes."""

    def __init__(self, file: BinaryIO, limit: int) -> None:
        self._file = file
        self._left = limit

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self._left:
            raise ValueError("its header fields claim more than a camera writes")
        data = self._file.read(size)
        self._left -= len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


def _decode_raw(path: str, edge: int, size: int) -> Decoded:
    from PIL import TiffImagePlugin

    with _open(path) as f:
        head = f.read(8)
        try:
            ifd = TiffImagePlugin.ImageFileDirectory_v2(head)
            f.seek(ifd.next)
            ifd.load(_Bounded(f, MAX_RAW_TAG))
        except (ValueError, OSError, SyntaxError) as exc:
            raise ImageError(
                Problem.TRUNCATED, f"the raw's header is damaged ({exc})"
            ) from None
        offset = ifd.get(_PREVIEW_OFFSET)
        length = ifd.get(_PREVIEW_LENGTH)
        orientation = ifd.get(_ORIENTATION) or 1
        if not offset or not length:
            raise ImageError(Problem.UNSUPPORTED, "the raw holds no JPEG preview")
        if length > MAX_RAW_PREVIEW:
            raise ImageError(
                Problem.TOO_LARGE,
                f"the raw's preview claims {length / 2**20:,.0f} MiB, more than "
                f"any camera writes (at most {MAX_RAW_PREVIEW // 2**20} MiB read)",
            )
        if offset + length > size:
            raise ImageError(
                Problem.TRUNCATED,
                f"truncated raw: its preview ends at byte {offset + length:,}, "
                f"the file has {size:,}",
                retry=True,
            )
        f.seek(offset)
        jpeg = f.read(length)
    buffer = QBuffer()
    buffer.setData(QByteArray(jpeg))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, b"jpeg")
    reader.setAutoTransform(False)  # the preview's own tags are not the raw's
    decoded = _read_scaled(reader, edge, size, "jpeg")
    image = orient(decoded.image, int(orientation))
    w, h = decoded.width, decoded.height
    if int(orientation) in (5, 6, 7, 8):
        w, h = h, w
    return Decoded(image, w, h, size)


def orient(image: QImage, orientation: int) -> QImage:
    """Turn a stored image upright as EXIF orientation 1-8 says (as Qt does for
    JPEG files: mirror or flip first, then turn clockwise)."""
    if orientation in (2, 7):
        image = image.flipped(Qt.Orientation.Horizontal)
    elif orientation in (4, 5):
        image = image.flipped(Qt.Orientation.Vertical)
    angle = {3: 180, 5: 90, 6: 90, 7: 90, 8: 270}.get(orientation, 0)
    if angle:
        image = image.transformed(QTransform().rotate(angle))
    return image


def local_path(path: str, mappings: list[tuple[str, str]]) -> str:
    """Where a file the server names lies on this machine.

    ``mappings`` pairs a server path prefix with the local one (a shared folder
    mounted elsewhere). Windows prefixes match without regard to case or slash
    direction. A path no mapping covers is returned as it is.
    """
    for server, local in mappings:
        rest = _strip_prefix(path, server)
        if rest is not None:
            # Only what is below the mapped folder: a ".." goes up within it
            # and never past it, so a server's path cannot lead elsewhere.
            parts: list[str] = []
            for part in rest.replace("\\", "/").split("/"):
                if part == "..":
                    if parts:
                        parts.pop()
                elif part and part != ".":
                    parts.append(part)
            return str(Path(local).joinpath(*parts))
    return path


def _strip_prefix(path: str, prefix: str) -> str | None:
    windows = "\\" in prefix or (len(prefix) > 1 and prefix[1] == ":")
    norm_path = path.replace("\\", "/") if windows else path
    norm_prefix = (
        prefix.replace("\\", "/").rstrip("/") if windows else prefix.rstrip("/")
    )
    a, b = (
        (norm_path.lower(), norm_prefix.lower())
        if windows
        else (norm_path, norm_prefix)
    )
    if a == b or a.startswith(b + "/"):
        return norm_path[len(norm_prefix) :]
    return None
