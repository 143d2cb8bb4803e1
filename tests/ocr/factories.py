"""Catalogue rows built through the real import service, from the bundled sample pages."""

from pathlib import Path

from books import importing
from books.models import Book, Volume

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "books"
ENGLISH_PAGE = SAMPLES / "annual-report-1901" / "page-1.png"
CHINESE_PAGE = SAMPLES / "qinghe-zhang-genealogy" / "vol1" / "page-1.png"
VERTICAL_PAGE = SAMPLES / "qinghe-zhang-genealogy" / "vol2" / "page-1.png"


def make_volume(slug: str = "sample", direction: str = "auto") -> Volume:
    book = Book.objects.create(slug=slug, title=slug.title(), text_direction=direction)
    return Volume.objects.create(book=book, sequence=1, label="vol1")


def add_page(volume: Volume, path: Path, *, data: bytes | None = None):
    outcome = importing.add_file(
        volume, path.read_bytes() if data is None else data, original_name=path.name
    )
    assert not outcome.error, outcome.error
    return outcome.pages[0]


def ground_truth(path: Path) -> str:
    return path.with_suffix(".gt.txt").read_text(encoding="utf-8")
