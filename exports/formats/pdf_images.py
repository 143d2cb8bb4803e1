"""Page images for the PDF: re-encoded as JPEG at the configured resolution and quality,
unless the stored file is smaller and PDF can hold it as it is (a JPEG, or a PNG's image
data), so a page image is never made larger than what was scanned."""

import io
import struct
import zlib

from PIL import Image, ImageOps

from exports.formats.pdfwriter import ImageStream

GRAY_MODES = ("1", "L", "LA", "I", "I;16", "F")


def page_image(data: bytes, size: tuple[int, int], scale: float, quality: int) -> ImageStream:
    """``scale`` <= 1: the share of the resolution kept (never upsampled)."""
    with Image.open(io.BytesIO(data)) as opened:
        upright = ImageOps.exif_transpose(opened)
        rotated = _has_rotation(opened)
        gray = upright.mode in GRAY_MODES
        image = upright.convert("L" if gray else "RGB")
    width, height = size if all(size) else image.size
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    if scale < 1:
        target = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = image.resize(target, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    jpeg = ImageStream(buffer.getvalue(), image.width, image.height, gray)
    stored = None if rotated else as_stored(data)
    if stored is not None and len(stored.data) <= len(jpeg.data):
        return stored
    return jpeg


def _has_rotation(image: Image.Image) -> bool:
    return image.getexif().get(0x0112, 1) != 1


def as_stored(data: bytes) -> ImageStream | None:
    """The stored file as a PDF image stream without re-encoding, when PDF can hold it."""
    if data[:3] == b"\xff\xd8\xff":
        with Image.open(io.BytesIO(data)) as image:
            if image.mode in ("L", "RGB"):
                return ImageStream(data, image.width, image.height, image.mode == "L")
        return None
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _png(data)
    return None


def _png(data: bytes) -> ImageStream | None:
    """Gray (1, 2, 4, 8 bits) or 8-bit RGB, not interlaced: its IDAT data is a Flate
    stream with PNG predictors, which PDF reads as is."""
    position, idat = 8, []
    header = None
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind in (b"tRNS", b"PLTE"):
            return None  # transparency or a palette: not a plain gray/RGB image
        elif kind == b"IEND":
            break
        position += 12 + length
    if header is None or not idat:
        return None
    width, height, bits, color, _compression, _filter, interlace = header
    if interlace or (color, bits) not in {(0, 1), (0, 2), (0, 4), (0, 8), (2, 8)}:
        return None
    stream = b"".join(idat)
    try:
        zlib.decompressobj().decompress(stream, 16)  # a valid zlib stream, at least its start
    except zlib.error:
        return None
    return ImageStream(stream, width, height, gray=color == 0, bits=bits, png=True)
