"""Correcting the reading order of a page's layout regions: a region moves with all its lines.

The layout stage numbers regions in reading order and reads their lines in that order; when
it got a column, a caption or a sidebar in the wrong place, the corrector moves the region.
Its lines move as one block, keeping their own order, to where the region now stands, so
the page text and every export follow (they read lines in order). Each moved line gets a
*moved* step in its history. A move names the region it comes after and the place the
corrector saw the region at: a page whose regions were reordered meanwhile is a conflict.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ocr.corrections import REVIEWABLE, CorrectionError, PageNotReviewable, lock_page, record
from ocr.line_structure import FIRST, place_lines, renumber
from ocr.models import LineAction, Region, TextLine
from search.indexing import refresh_page


class RegionGone(CorrectionError):
    pass


class RegionConflict(CorrectionError):
    """The regions were reordered since the corrector saw them."""


def move_region(page_id: int, region_id: int, after: int, seen_order: int, user) -> Region:
    """Put the region right after region ``after`` (``FIRST``: first); ``seen_order``: its
    place when the corrector looked."""
    if after == region_id:
        raise CorrectionError(_("A region cannot be moved after itself."))
    with transaction.atomic():
        if lock_page(page_id) not in REVIEWABLE:
            raise PageNotReviewable(_("Regions can only be moved on a recognized page."))
        regions = list(Region.objects.filter(page_id=page_id).order_by("order"))
        region = next((r for r in regions if r.pk == region_id), None)
        if region is None:
            raise RegionGone(_("This region no longer exists: the page was recognized again."))
        if region.order != seen_order:
            raise RegionConflict(_("The regions were reordered meanwhile: look at the page again."))
        others = [r for r in regions if r.pk != region_id]
        if after == FIRST:
            at = 0
        else:
            at = next((i + 1 for i, r in enumerate(others) if r.pk == after), None)
            if at is None:
                raise RegionGone(_("The region to move it after no longer exists."))
        ordered = [*others[:at], region, *others[at:]]
        _number(page_id, ordered)
        _move_lines(page_id, region, ordered[at + 1 :], user)
        refresh_page(page_id)
    region.refresh_from_db()
    return region


def _number(page_id: int, ordered: list[Region]) -> None:
    """Regions 1..n in this order."""
    renumber(
        Region.objects.filter(page_id=page_id),
        {r.pk: n for n, r in enumerate(ordered, start=1) if r.order != n},
    )


def _move_lines(page_id: int, region: Region, following: list[Region], user) -> None:
    """The region's lines, as one block, go before the first line of the regions now after
    it (or last); lines in no region keep their place among the others."""
    lines = list(TextLine.objects.filter(page_id=page_id).order_by("order"))
    block = [line for line in lines if line.region_id == region.pk]
    rest = [line for line in lines if line.region_id != region.pk]
    later = {r.pk for r in following}
    at = next((i for i, line in enumerate(rest) if line.region_id in later), len(rest))
    before = {line.pk: line.order for line in block}
    place_lines(page_id, [*rest[:at], *block, *rest[at:]])
    for line in TextLine.objects.filter(pk__in=before):
        if line.order != before[line.pk]:
            record(line, LineAction.MOVE, line.text, line.text, user, order_before=before[line.pk])
