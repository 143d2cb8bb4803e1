"""Reading an export's pages from the database, a batch at a time, as plain ``PageData``.

Only the page ids of the scope are held for the whole build; pages and their lines are
read ``BATCH`` pages at a time, so memory stays flat however long the book is.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterator

from django.core.files.storage import default_storage
from django.db.models import Count, Max, Sum

from books.models import Page
from exports.formats.base import ExportInfo, LineData, PageData, RegionData
from exports.models import Export, Scope, TextSource
from ocr.models import LineRevision, Region, TextLine

BATCH = 50


def pages_in_scope(export: Export):
    pages = Page.objects.filter(volume__book_id=export.book_id)
    if export.scope == Scope.VOLUME:
        pages = pages.filter(volume_id=export.volume_id)
    elif export.scope == Scope.PAGES:
        pages = pages.filter(pk__in=export.page_ids)
    return pages.order_by("volume__sequence", "sequence")


def content_stamp(export: Export) -> str:
    """Changes whenever a line in scope is corrected, added, deleted or re-recognized."""
    pages = pages_in_scope(export).order_by()
    page_ids = pages.values("pk")
    state = (
        pages.aggregate(n=Count("pk"), ids=Sum("pk"), updated=Max("updated_at")),
        TextLine.objects.filter(page_id__in=page_ids).aggregate(
            n=Count("pk"), ids=Sum("pk"), versions=Sum("version"), corrected=Max("corrected_at")
        ),
        LineRevision.objects.filter(page_id__in=page_ids).aggregate(n=Count("pk"), last=Max("pk")),
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()


def export_info(export: Export, page_count: int) -> ExportInfo:
    book = export.book
    if export.scope == Scope.VOLUME:
        scope = f"volume {export.volume.sequence}"
    else:
        scope = str(export.scope)
    return ExportInfo(
        book_slug=book.slug,
        book_title=book.title,
        author=book.author,
        language=book.language,
        text_source=export.text_source,
        scope_label=scope,
        options={"page_count": page_count, "keep_headers_footers": export.keep_headers_footers},
    )


def iter_pages(export: Export, page_ids: list[int]) -> Iterator[PageData]:
    engine = export.text_source == TextSource.ENGINE
    number = 0
    for start in range(0, len(page_ids), BATCH):
        batch = page_ids[start : start + BATCH]
        pages = Page.objects.filter(pk__in=batch).select_related("volume")
        by_id = {page.pk: page for page in pages}
        lines = defaultdict(list)
        rows = TextLine.objects.filter(page_id__in=batch).order_by("page_id", "order")
        for row in rows.values_list(
            "page_id",
            "order",
            "x0",
            "y0",
            "x1",
            "y1",
            "polygon",
            "text",
            "engine_text",
            "confidence",
            "vertical",
            "region__order",
            "region__kind",
        ):
            page_id, order, x0, y0, x1, y1, polygon, text, engine_text, confidence, vertical = row[
                :11
            ]
            region, kind = row[11:]
            lines[page_id].append(
                LineData(
                    order=order,
                    box=(x0, y0, x1, y1),
                    polygon=polygon,
                    text=text,
                    engine_text=engine_text,
                    confidence=confidence,
                    vertical=vertical,
                    content=engine_text if engine else text,
                    region=region,
                    kind=kind or "text",
                )
            )
        regions = defaultdict(list)
        for page_id, order, kind, *box in (
            Region.objects.filter(page_id__in=batch)
            .order_by("page_id", "order")
            .values_list("page_id", "order", "kind", "x0", "y0", "x1", "y1")
        ):
            regions[page_id].append(RegionData(order, kind, tuple(box)))
        for page_id in batch:
            page = by_id.get(page_id)
            if page is None:
                continue  # deleted while the export ran
            number += 1
            yield page_data(page, number, lines[page_id], regions[page_id])


def page_data(
    page: Page, number: int, lines: list[LineData], regions: list[RegionData] = ()
) -> PageData:
    name = page.image.name
    return PageData(
        number=number,
        id=page.pk,
        volume_sequence=page.volume.sequence,
        volume_label=page.volume.label,
        sequence=page.sequence,
        width=page.width,
        height=page.height,
        image_name=name,
        original_name=page.original_name,
        lines=lines,
        regions=list(regions),
        open_image=(lambda: default_storage.open(name, "rb")) if name else None,
    )
