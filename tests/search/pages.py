"""Pages with given line texts, indexed as the services index them."""

from books.models import Book, Page, PageStatus, Volume
from ocr.models import TextLine
from search.indexing import refresh_pages


def make_volume(title: str = "族谱", slug: str = "book", sequence: int = 1) -> Volume:
    book = Book.objects.filter(slug=slug).first() or Book.objects.create(
        slug=slug, title=title, category="test"
    )
    return Volume.objects.create(book=book, sequence=sequence, label=f"vol {sequence}")


def add_page(volume: Volume, lines: list, *, status: str = PageStatus.RECOGNIZED) -> Page:
    """A recognized page with these lines (text, or (current text, engine text)), indexed."""
    sequence = Page.objects.filter(volume=volume).count() + 1
    page = Page.objects.create(
        volume=volume,
        sequence=sequence,
        image=f"pages/{volume.pk}/{sequence}.png",
        width=1000,
        height=40 * (len(lines) + 1),
        sha256=f"{volume.pk:08d}{sequence:08d}".ljust(64, "0"),
        status=status,
    )
    TextLine.objects.bulk_create(
        TextLine(
            page=page,
            order=n,
            polygon=[[10, 40 * n], [990, 40 * n], [990, 40 * n + 30], [10, 40 * n + 30]],
            x0=10,
            y0=40 * n,
            x1=990,
            y1=40 * n + 30,
            text=line if isinstance(line, str) else line[0],
            engine_text=line if isinstance(line, str) else line[1],
        )
        for n, line in enumerate(lines, start=1)
    )
    refresh_pages([page.pk])
    return page
