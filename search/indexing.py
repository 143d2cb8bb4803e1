"""Keeping the search index equal to the pages' text.

Every service that changes a page's lines (recognition, corrections, line and region edits,
restoring a version) calls ``refresh_page`` inside its own transaction, after its writes, so
the index changes with the text or not at all, and a saved correction is found at once.
``rebuild`` writes it anew for all pages (after a bulk load, a change of the folding tables,
or on an existing install by migration).
"""

from collections.abc import Callable, Iterable
from itertools import groupby

from django.db import connection, transaction

from search import backends
from search.backends import CHUNKS, Row
from search.models import Source
from search.tokens import index_rows

BATCH = 500  # pages per transaction in a rebuild


def rows_for(page_id: int, lines: Iterable[tuple[str, str]]) -> list[Row]:
    """Index rows for a page's ``(current text, engine text)`` lines in reading order."""
    lines = list(lines)
    corrected = any(text != engine for text, engine in lines)
    rows = [
        Row(page_id, Source.CURRENT, number, corrected, tokens)
        for number, tokens in enumerate(index_rows([text for text, _ in lines]))
    ]
    if corrected:
        rows += [
            Row(page_id, Source.ENGINE, number, corrected, tokens)
            for number, tokens in enumerate(index_rows([engine for _, engine in lines]))
        ]
    return rows


def _lines_of(page_ids: list[int], line_model) -> dict[int, list[tuple[str, str]]]:
    found = (
        line_model.objects.filter(page_id__in=page_ids)
        .order_by("page_id", "order")
        .values_list("page_id", "text", "engine_text")
    )
    return {
        page_id: [(text, engine) for _, text, engine in group]
        for page_id, group in groupby(found.iterator(chunk_size=2000), key=lambda row: row[0])
    }


def refresh_pages(page_ids: Iterable[int], *, line_model=None) -> None:
    """Write the index rows of these pages from their lines (in the caller's transaction)."""
    if line_model is None:
        from ocr.models import TextLine as line_model
    page_ids = sorted(set(page_ids))
    if not page_ids:
        return
    lines = _lines_of(page_ids, line_model)
    rows = [row for page_id in page_ids for row in rows_for(page_id, lines.get(page_id, []))]
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(page_ids))
        cursor.execute(f"DELETE FROM {CHUNKS} WHERE page_id IN ({marks})", page_ids)
        if rows:
            backends.current().insert(cursor, rows)


def refresh_page(page_id: int) -> None:
    refresh_pages([page_id])


def rebuild(
    *, page_model=None, line_model=None, progress: Callable[[int], None] | None = None
) -> int:
    """Write the whole index anew, a batch of pages per transaction; the pages indexed.

    Pages are taken in id order, so a rebuild cut short leaves every page it reached
    indexed and the rest as they were; run it again to finish.
    """
    if page_model is None:
        from books.models import Page as page_model
    ids = list(page_model.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        marks = "SELECT id FROM books_page"
        cursor.execute(f"DELETE FROM {CHUNKS} WHERE page_id NOT IN ({marks})")
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            refresh_pages(batch, line_model=line_model)
        if progress is not None:
            progress(len(batch))
    return len(ids)
