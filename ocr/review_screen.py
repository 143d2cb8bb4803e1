"""What the review screen shows for a page: its lines in reading order, its layout regions,
counts, neighbours.

A constant number of queries whatever the number of lines: the page (with volume and book),
its lines, its regions, its latest versions, and the previous and next page.
"""

from django.conf import settings
from django.urls import reverse

from books.models import Page, PageStatus
from ocr import display, review_queue
from ocr.models import PageVersion, Region, RegionKind, TextLine, VersionReason
from ocr.page_versions import RESTORE_PERMISSIONS
from ocr.review_common import (
    LINE_FIELDS,
    PERM_ADD,
    PERM_DELETE,
    PERM_EDIT,
    PERM_REVIEW,
    is_low,
    review_url,
    token,
)

VERSIONS_SHOWN = 20
VERSION_FIELDS = ("pk", "reason", "created_at", "user__username", "line_count", "corrected_count")


def points(polygon) -> str:
    return " ".join(f"{round(x)},{round(y)}" for x, y in polygon)


def _search_hits(query: str, lines: list[dict]) -> int:
    """Mark the lines holding the search's hits (``?q=`` from the search page); the hits."""
    from search.hits import page_hits
    from search.query import QueryError, parse

    try:
        terms = parse(query[:500])
    except QueryError:
        return 0
    if not terms:
        return 0
    count, marks = page_hits([line["text"] for line in lines], terms)
    for index in marks:
        lines[index]["hit"] = True
    return count


def screen_context(request, page: Page, overrides: dict) -> dict:
    """Template context; ``overrides``: {line id: {"text": unsaved text, "conflict": ...}}."""
    low_below = settings.OCR_LOW_CONFIDENCE
    rows = TextLine.objects.filter(page=page).order_by("order").values_list(*LINE_FIELDS)
    lines, low_count, corrected_count = [], 0, 0
    first_text: dict[int, str] = {}  # region id: its first line's text
    for pk, order, polygon, text, engine_text, confidence, version, region_id in rows:
        if region_id is not None:
            first_text.setdefault(region_id, text)
        corrected = text != engine_text
        low = is_low(confidence, corrected)
        low_count += low
        corrected_count += corrected
        line = {
            "id": pk,
            "order": order,
            "points": points(polygon),
            "text": text,
            "token": token(version, text),
            "low": low,
            "corrected": corrected,
            "confidence": "" if confidence is None else f"{confidence:.2f}",
        }
        if pk in overrides:
            conflict = overrides[pk]["conflict"]
            line.update(
                text=overrides[pk]["text"],
                token=token(conflict.version, conflict.text),
                conflict=conflict,
            )
        lines.append(line)
    search_hits = _search_hits(request.GET.get("q", ""), lines)
    label_size = max(16, page.height // 45)  # region numbers, in page pixels
    regions = [
        {
            "pk": pk,
            "order": order,
            "kind": kind,
            "label": RegionKind(kind).label,
            "x": x0,
            "y": y0,
            "width": x1 - x0,
            "height": y1 - y0,
            "label_x": max(0, x0 - label_size),  # in the margin left of the region
            "first_text": first_text.get(pk, ""),
            "move_url": reverse("admin:books_page_region_move", args=[page.pk, pk]),
        }
        for pk, order, kind, x0, y0, x1, y1 in Region.objects.filter(page=page)
        .order_by("order")
        .values_list("pk", "order", "kind", "x0", "y0", "x1", "y1")
    ]
    for number, region in enumerate(regions):  # the moves its up and down buttons make
        region["up_after"] = regions[number - 2]["pk"] if number >= 2 else 0
        region["down_after"] = regions[number + 1]["pk"] if number + 1 < len(regions) else None
    before, after = review_queue.neighbour_pages(page)
    previous, following = (before or (None,))[0], (after or (None,))[0]
    user = request.user
    versions = []
    if user.has_perm("ocr.view_pageversion"):
        versions = list(
            PageVersion.objects.filter(page=page)
            .order_by("-created_at", "-id")
            .values(*VERSION_FIELDS)[:VERSIONS_SHOWN]
        )
    for version in versions:
        version["reason_label"] = VersionReason(version["reason"]).label
        version["restore_url"] = reverse(
            "admin:books_page_version_restore", args=[page.pk, version["pk"]]
        )
    book = page.volume.book
    width, height = display.display_size(page)
    queue_url = reverse("admin:books_book_review", args=[book.pk]) + f"?after={page.pk}"
    if request.GET.get("order") == review_queue.CONFIDENCE_ORDER:
        queue_url += f"&order={review_queue.CONFIDENCE_ORDER}"
    return {
        "title": f"Review {page}",
        "page": page,
        "volume": page.volume,
        "book": book,
        "lines": lines,
        "search_query": request.GET.get("q", "")[:500] if search_hits else "",
        "search_hits": search_hits,
        "regions": regions,
        "label_size": label_size,
        "counts": {"lines": len(lines), "low": low_count, "corrected": corrected_count},
        "low_below": low_below,
        "reviewed": page.status == PageStatus.REVIEWED,
        "reviewable": page.status in (PageStatus.RECOGNIZED, PageStatus.REVIEWED),
        "image_url": reverse("admin:books_page_image", args=[page.pk]),
        "full_url": reverse("admin:books_page_scan", args=[page.pk]),
        "display_width": width,
        "display_height": height,
        "previous_url": review_url(previous) if previous else "",
        "next_url": review_url(following) if following else "",
        "previous_in_other_volume": bool(before and before[1] != page.volume_id),
        "next_in_other_volume": bool(after and after[1] != page.volume_id),
        "queue_url": queue_url,
        "save_url": reverse("admin:books_page_review_save", args=[page.pk]),
        "add_url": reverse("admin:books_page_line_add", args=[page.pk]),
        "characters_url": reverse("admin:books_page_characters", args=[page.pk]),
        "reviewed_url": reverse("admin:books_page_reviewed", args=[page.pk]),
        "line_url": reverse("admin:books_page_line", args=[page.pk, 0]),
        "can_edit": user.has_perm(PERM_EDIT),
        "can_add": user.has_perm(PERM_ADD),
        "can_delete": user.has_perm(PERM_DELETE),
        "can_review": user.has_perm(PERM_REVIEW),
        "versions": versions,
        "can_restore": user.has_perms(RESTORE_PERMISSIONS),
    }
