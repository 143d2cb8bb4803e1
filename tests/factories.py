"""Real page files for import tests, and catalogue rows for admin tests.

Every image carries its number drawn on it (and a block whose position depends on it), so
two images never share a SHA-256.
"""

import os
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

from books.models import Book, Page, PageStatus, Volume

PAGE_SIZE = (200, 300)


def page_image(number: int, size: tuple[int, int] = PAGE_SIZE, mode: str = "L") -> Image.Image:
    """A small page with its number written on it: distinct content for every number."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), f"page {number}", fill=0)
    width, height = size
    left = (number * 13) % max(1, width - 40)
    top = 40 + (number * 7) % max(1, height - 100)
    draw.rectangle((left, top, left + 30, top + 50), fill=(number * 37) % 200)
    for line in range(5):
        y = 120 + line * 25
        draw.line((10, y, 10 + (number * (line + 3)) % (width - 20), y), fill=0, width=2)
    return image.convert(mode)


def _prepare(path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_png(path, number: int, size: tuple[int, int] = PAGE_SIZE) -> Path:
    path = _prepare(path)
    page_image(number, size).save(path, "PNG")
    return path


def write_jpeg(path, number: int, size: tuple[int, int] = PAGE_SIZE, **options) -> Path:
    path = _prepare(path)
    page_image(number, size, "RGB").save(path, "JPEG", quality=90, **options)
    return path


def write_jpeg_rotated(path, number: int, orientation: int = 6) -> Path:
    """A JPEG whose pixels are stored sideways, with an EXIF Orientation tag to fix that."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return write_jpeg(path, number, exif=exif.tobytes())


def write_tiff(path, numbers: list[int]) -> Path:
    path = _prepare(path)
    first, *rest = [page_image(n) for n in numbers]
    first.save(path, "TIFF", save_all=True, append_images=rest, compression="tiff_deflate")
    return path


def write_pdf(path, numbers: list[int], resolution: float = 100.0) -> Path:
    """A PDF with one page per number; a 200x300 px image at ``resolution`` dpi per page."""
    path = _prepare(path)
    first, *rest = [page_image(n, mode="RGB") for n in numbers]
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=resolution)
    return path


def write_png_header_only(path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    path = _prepare(path)
    path.write_bytes(data)
    return path


def write_truncated(path, writer, number: int, keep: float = 0.5) -> Path:
    """A valid image cut after ``keep`` of its bytes."""
    path = writer(path, number)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def write_bytes_name(folder, name: bytes, number: int) -> bytes:
    """A PNG whose file name is raw bytes (e.g. Latin-1, not valid UTF-8); returns its path."""
    full = os.path.join(os.fsencode(folder), name)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as handle:
        page_image(number).save(handle, "PNG")
    return full


def stored_files(media_root) -> list[str]:
    """Every file in storage, relative to MEDIA_ROOT, sorted."""
    root = Path(media_root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- Catalogue rows (the admin lists only need rows; file names need no file behind them) ---


def make_book(
    number: int,
    *,
    volumes: int = 2,
    pages: int = 3,
    statuses: tuple[str, ...] = (PageStatus.RECOGNIZED, PageStatus.REVIEWED, PageStatus.FAILED),
) -> Book:
    book = Book.objects.create(slug=f"book-{number}", title=f"Book {number}", category="test")
    for v in range(1, volumes + 1):
        volume = Volume.objects.create(book=book, sequence=v, label=f"vol {v}")
        Page.objects.bulk_create(
            Page(
                volume=volume,
                sequence=p,
                image=f"pages/{book.pk}/{volume.pk}/{p}.png",
                thumbnail=f"thumbs/{book.pk}/{volume.pk}/{p}.jpg",
                width=200,
                height=300,
                original_name=f"p{p}.png",
                sha256=f"{number:08d}{v:04d}{p:04d}".ljust(64, "0"),
                status=statuses[(p - 1) % len(statuses)] if statuses else PageStatus.NEW,
            )
            for p in range(1, pages + 1)
        )
    return book


def page_names(**filters) -> list[str]:
    """Original names of the pages, in catalogue order (book, volume sequence, page sequence)."""
    return list(
        Page.objects.filter(**filters)
        .order_by("volume__book_id", "volume__sequence", "sequence")
        .values_list("original_name", flat=True)
    )
