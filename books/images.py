"""Turning one source file (image, multi-page TIFF or PDF) into validated page images.

Every failure raises ``BadFile`` with a reason a librarian can act on. Nothing here touches
the database or storage: ``books.importing`` decides what to keep.
"""

import hashlib
import io
import re
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Formats we accept by content (the file name's extension is only a first filter).
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "TIFF", "BMP", "WEBP"}
ACCEPTED_EXTENSIONS = (".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".bmp", ".webp", ".pdf")
# Formats browsers display and that we therefore store unchanged when no rotation is needed.
KEPT_AS_IS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
EXIF_ORIENTATION = 0x0112


class BadFile(Exception):
    """The file cannot become a page; ``str()`` is the reason shown to the user."""


@dataclass(frozen=True)
class PageImage:
    """One page ready to store: encoded image bytes plus its cached thumbnail.

    ``thumbnail`` is None for a JPEG stored as it came: making one would mean decoding the
    whole image, which the import otherwise never needs; it is made on first view instead
    (``books.thumbnails``).
    """

    frame: int
    data: bytes
    extension: str
    width: int
    height: int
    thumbnail: bytes | None


@dataclass(frozen=True)
class DecodeLimits:
    max_pixels: int
    pdf_dpi: int
    thumbnail_size: int
    max_pixels_setting: str = "IMPORT_MAX_PIXELS"  # named in the refusal


def configure_pillow(max_pixels: int) -> None:
    """Make Pillow's own decompression-bomb guard match ``IMPORT_MAX_PIXELS``.

    Called once at startup (``BooksConfig.ready``) and when a test overrides the setting,
    never while decoding: the limit is process-wide and decoding runs in reader threads.
    Pillow refuses images over twice the limit as it opens them; images between the limit
    and twice it are refused by the explicit pixel check in ``_image_pages`` below.
    """
    Image.MAX_IMAGE_PIXELS = max_pixels


def quiet_bomb_warnings() -> None:
    """Ignore Pillow's DecompressionBombWarning process-wide; call once, before any thread.

    Every image over ``Image.MAX_IMAGE_PIXELS`` is refused by an explicit check here (and
    in the OCR worker), so the warning would only repeat the refusal on stderr. Filtering
    per call with ``warnings.catch_warnings()`` is not thread-safe.
    """
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_pages(data: bytes, limits: DecodeLimits) -> Iterator[PageImage]:
    """Yield the pages of a source file, validating each one fully before it is yielded.

    Whatever goes wrong inside Pillow or pdfium (their plugins raise TypeError, KeyError,
    struct.error... on some damaged files) becomes ``BadFile``: one file never stops an import.
    """
    if not data:
        raise BadFile("empty file (0 bytes)")
    pages = _pdf_pages(data, limits) if data[:5] == b"%PDF-" else _image_pages(data, limits)
    try:
        yield from pages
    except BadFile:
        raise
    except Exception as error:
        raise BadFile(
            f"corrupt or unreadable file: {type(error).__name__}: {error or 'no detail'}"
        ) from error


def _open_image(data: bytes, limits: DecodeLimits) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        pixels = re.search(r"\((\d+) pixels\)", str(error))
        raise BadFile(
            _bomb_reason(None, None, limits, int(pixels[1]) if pixels else None)
        ) from None
    except UnidentifiedImageError:
        raise BadFile("not an image or PDF (unrecognised content)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise BadFile(f"corrupt image header: {error}") from None
    if image.format not in ACCEPTED_FORMATS:
        raise BadFile(f"unsupported image format {image.format}: use JPEG, PNG, TIFF, BMP or WebP")
    return image


def _image_pages(data: bytes, limits: DecodeLimits) -> Iterator[PageImage]:
    image = _open_image(data, limits)
    frames = 1
    if image.format == "TIFF":
        # Pillow stops quietly at a cut directory chain: check it, or pages would go missing.
        _check_tiff_directories(data)
        try:
            frames = image.n_frames
        except (OSError, SyntaxError, ValueError, TypeError, EOFError, struct.error) as error:
            raise BadFile(f"corrupt or truncated multi-page TIFF: {error}") from None
    for frame in range(frames):
        if frame:
            try:
                image.seek(frame)
            except (OSError, SyntaxError, ValueError, TypeError, EOFError) as error:
                raise BadFile(
                    f"corrupt or truncated multi-page TIFF: page {frame + 1}: {error}"
                ) from None
        width, height = image.size
        if width * height > limits.max_pixels:
            raise BadFile(_bomb_reason(width, height, limits))
        yield _encode_frame(image, data if frames == 1 else None, frame, limits)


def _encode_frame(
    image: Image.Image, original: bytes | None, frame: int, limits: DecodeLimits
) -> PageImage:
    """Check one frame completely (catching truncation), then pick what to store."""
    width, height = image.size
    try:
        # Inside the try: for PNG, reading EXIF decodes the whole image (truncation shows).
        orientation = image.getexif().get(EXIF_ORIENTATION, 1) if original is not None else 1
        keep_original = original is not None and image.format in KEPT_AS_IS and orientation == 1
        if keep_original and image.format in {"JPEG", "MPO"}:
            check_jpeg_complete(original)
            return PageImage(frame, original, "jpg", width, height, thumbnail=None)
        image.load()
    except Image.DecompressionBombError:
        raise BadFile(_bomb_reason(*image.size, limits)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise BadFile(f"corrupt or truncated image data: {error}") from None

    if keep_original:
        stored, extension = original, KEPT_AS_IS[image.format]
        decoded = image
    else:
        decoded = ImageOps.exif_transpose(image) if orientation != 1 else image
        decoded = decoded.convert(plain_mode(decoded))
        width, height = decoded.size
        stored, extension = _encode_lossless_or_jpeg(decoded, image.format)
    return PageImage(
        frame=frame,
        data=stored,
        extension=extension,
        width=width,
        height=height,
        thumbnail=make_thumbnail(decoded, limits.thumbnail_size),
    )


_JPEG_SCAN = 0xDA
_JPEG_END = b"\xff\xd9"
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0-7 carry no length


def check_jpeg_complete(data: bytes) -> None:
    """The JPEG's segments are whole and its image data reaches the end marker; else OSError.

    As good as decoding it for what an import can detect, at memory speed: libjpeg decodes
    damaged image data without complaint (it only warns), and what it refuses is a stream
    cut short, which this finds. Segments are walked by their lengths up to the first scan,
    so a thumbnail embedded in EXIF is skipped; inside scan data 0xFF is always followed by
    0x00 or a restart marker, so any 0xFFD9 after the scan header is a real end marker.
    """
    if data[:2] != b"\xff\xd8":
        raise OSError("the JPEG start marker is missing")
    position = 2
    while True:
        while data[position : position + 2] == b"\xff\xff":  # fill bytes before a marker
            position += 1
        if position + 4 > len(data):
            raise OSError("the JPEG ends inside its headers")
        if data[position] != 0xFF:
            raise OSError(f"no JPEG marker where one must be (byte {position})")
        marker = data[position + 1]
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if end > len(data):
            raise OSError("the JPEG ends inside its headers")
        if marker == _JPEG_SCAN:
            break
        if marker == _JPEG_END[1]:
            raise OSError("the JPEG has no image data")
        position = end
    if data.rfind(_JPEG_END, end) < 0:  # from the end: found at once in a whole file
        raise OSError("the JPEG image data ends before its end marker (file cut short)")


def _check_tiff_directories(data: bytes) -> None:
    """Every frame directory (IFD) of a TIFF lies wholly inside the file; else BadFile.

    A TIFF cut inside a directory, or whose last "next directory" offset points past the end,
    was truncated: Pillow would still open the frames before the cut without a word.
    """
    order = "<" if data[:2] == b"II" else ">"
    big = data[2:4] == (b"\x2b\x00" if order == "<" else b"\x00\x2b")  # BigTIFF
    offset_format, offset_size = (order + "Q", 8) if big else (order + "I", 4)
    count_format, count_size, entry_size = (order + "Q", 8, 20) if big else (order + "H", 2, 12)
    start = 8 if big else 4
    if len(data) < start + offset_size:
        raise BadFile("truncated TIFF: the header is incomplete")
    (offset,) = struct.unpack_from(offset_format, data, start)
    seen: set[int] = set()
    while offset and offset not in seen:
        seen.add(offset)
        frame = len(seen)
        if offset + count_size > len(data):
            raise BadFile(f"truncated TIFF: page {frame} is missing")
        (count,) = struct.unpack_from(count_format, data, offset)
        end = offset + count_size + count * entry_size
        if end + offset_size > len(data):
            raise BadFile(f"truncated TIFF: the description of page {frame} is cut short")
        (offset,) = struct.unpack_from(offset_format, data, end)


def plain_mode(image: Image.Image) -> str:
    return "L" if image.mode in {"1", "L", "LA", "I", "I;16", "F"} else "RGB"


def _encode_lossless_or_jpeg(image: Image.Image, source_format: str) -> tuple[bytes, str]:
    """A rotated JPEG stays JPEG (re-encoded at high quality); everything else becomes PNG."""
    buffer = io.BytesIO()
    if source_format in {"JPEG", "MPO"}:
        image.save(buffer, "JPEG", quality=95, subsampling=0)
        return buffer.getvalue(), "jpg"
    image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue(), "png"


def make_thumbnail(image: Image.Image, size: int) -> bytes:
    thumb = image.convert(plain_mode(image))
    thumb.thumbnail((size, size), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _pdf_pages(data: bytes, limits: DecodeLimits) -> Iterator[PageImage]:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise BadFile(_pdf_load_failure(data, error)) from None
    try:
        if len(document) == 0:
            raise BadFile("PDF has no pages")
        scale = limits.pdf_dpi / 72
        for index in range(len(document)):
            page = document[index]
            try:
                width_pt, height_pt = page.get_size()
                width, height = round(width_pt * scale), round(height_pt * scale)
                if width * height > limits.max_pixels:
                    raise BadFile(f"PDF page {index + 1}: " + _bomb_reason(width, height, limits))
                try:
                    rendered = page.render(scale=scale, grayscale=False).to_pil()
                except pypdfium2.PdfiumError as error:
                    raise BadFile(f"PDF page {index + 1} cannot be rendered: {error}") from None
            finally:
                page.close()
            stored, extension = _encode_lossless_or_jpeg(rendered.convert("RGB"), "PNG")
            yield PageImage(
                frame=index,
                data=stored,
                extension=extension,
                width=rendered.width,
                height=rendered.height,
                thumbnail=make_thumbnail(rendered, limits.thumbnail_size),
            )
    finally:
        document.close()


# A page tree that says it holds no pages, and no page object anywhere in the file.
_EMPTY_PAGE_TREE = re.compile(rb"/Count\s+0\b")
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def _pdf_load_failure(data: bytes, error) -> str:
    """Why PDFium refused a file. PDFium refuses a document without pages and does not say
    so: its last error is then whatever the previous failure in this thread left behind
    ("Incorrect password error") or "Success"."""
    if _EMPTY_PAGE_TREE.search(data) and not _PAGE_OBJECT.search(data):
        return "PDF has no pages"
    if getattr(error, "err_code", None) == 0:  # PDFium reported no error of its own
        return "corrupt PDF: PDFium cannot open it"
    return f"corrupt PDF: {error}"


def _bomb_reason(
    width: int | None, height: int | None, limits: DecodeLimits, pixels: int | None = None
) -> str:
    if width and height:
        size = f"{width}x{height} = {width * height / 1e6:.0f} MP "
    else:
        size = f"{pixels / 1e6:.0f} MP " if pixels else ""
    return (
        f"image too large (decompression bomb guard): {size}"
        f"exceeds {limits.max_pixels_setting}={limits.max_pixels:,}"
    )
