"""Which page a corrector reviews next, and how far a book's review has come."""

from django.db.models import Avg, Count, F, Q

from books.models import Book, Page, PageStatus, Volume
from ocr.models import TextLine

BOOK_ORDER = "book"
CONFIDENCE_ORDER = "confidence"
ORDERS = {BOOK_ORDER: "book order", CONFIDENCE_ORDER: "lowest mean confidence first"}


def to_review(*, book: Book | None = None, volume: Volume | None = None, order=BOOK_ORDER):
    """Ids of the recognized pages not yet reviewed, in the order they are to be reviewed."""
    pages = Page.objects.filter(status=PageStatus.RECOGNIZED)
    pages = pages.filter(volume=volume) if volume else pages.filter(volume__book=book)
    if order == CONFIDENCE_ORDER:
        pages = pages.annotate(mean=Avg("lines__confidence")).order_by(
            F("mean").asc(nulls_last=True), "volume__sequence", "sequence"
        )
    else:
        pages = pages.order_by("volume__sequence", "sequence")
    return list(pages.values_list("pk", flat=True))


def next_to_review(page_ids: list[int], after: int | None = None) -> int | None:
    """The page after ``after`` in the queue (wrapping round), else the queue's first."""
    if after in page_ids:
        later = page_ids[page_ids.index(after) + 1 :] + page_ids[: page_ids.index(after)]
        return later[0] if later else None
    return page_ids[0] if page_ids else None


def neighbours(page: Page) -> tuple[int | None, int | None]:
    """Previous and next page of the book (volume by volume, page by page)."""
    previous, following = neighbour_pages(page)
    return (previous[0] if previous else None, following[0] if following else None)


def neighbour_pages(page: Page) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """``(page id, volume id)`` of the previous and next page of the book."""
    book_pages = Page.objects.filter(volume__book_id=page.volume.book_id)
    seq, vseq = page.sequence, page.volume.sequence
    earlier = Q(volume__sequence__lt=vseq) | Q(volume__sequence=vseq, sequence__lt=seq)
    later = Q(volume__sequence__gt=vseq) | Q(volume__sequence=vseq, sequence__gt=seq)
    previous = (
        book_pages.filter(earlier)
        .order_by("-volume__sequence", "-sequence")
        .values_list("pk", "volume_id")
        .first()
    )
    following = (
        book_pages.filter(later)
        .order_by("volume__sequence", "sequence")
        .values_list("pk", "volume_id")
        .first()
    )
    return previous, following


def corrected_lines_by_volume(book: Book) -> dict[int, int]:
    """Lines whose text differs from the engine's, per volume of the book."""
    rows = (
        TextLine.objects.filter(page__volume__book=book)
        .exclude(text=F("engine_text"))
        .values("page__volume")
        .annotate(count=Count("pk"))
    )
    return {row["page__volume"]: row["count"] for row in rows}


def book_progress(book: Book) -> list[dict]:
    """Per volume and for the whole book: pages, recognized %, reviewed %, corrected lines."""
    volumes = list(Volume.objects.filter(book=book).with_progress().order_by("sequence"))
    corrected = corrected_lines_by_volume(book)
    rows = [
        {
            "volume": volume,
            "pages": volume.page_count,
            "recognized": volume.recognized_percent,
            "reviewed": volume.reviewed_percent,
            "corrected": corrected.get(volume.pk, 0),
        }
        for volume in volumes
    ]
    pages = sum(row["pages"] for row in rows)

    def percent(name: str) -> int:
        done = sum(getattr(volume, name) for volume in volumes)
        return round(100 * done / pages) if pages else 0

    total = {
        "volume": None,
        "pages": pages,
        "recognized": percent("recognized_count"),
        "reviewed": percent("reviewed_count"),
        "corrected": sum(corrected.values()),
    }
    return [total, *rows]
