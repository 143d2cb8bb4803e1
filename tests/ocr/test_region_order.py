"""Correcting the reading order of layout regions: the region's lines move with it."""

import pytest

from ocr import region_order
from ocr.line_structure import FIRST
from ocr.models import LineAction, LineRevision, Region, RegionKind, TextLine
from tests.ocr.lines import make_page_with_lines

pytestmark = pytest.mark.django_db


def page_in_regions():
    """Six lines in three regions: title (line 1), caption (2-3), text (4-6), in that order:
    the layout stage read the caption before the text it belongs after."""
    page = make_page_with_lines(6)
    kinds = [(RegionKind.TITLE, [1]), (RegionKind.CAPTION, [2, 3]), (RegionKind.TEXT, [4, 5, 6])]
    for order, (kind, numbers) in enumerate(kinds, start=1):
        region = Region.objects.create(page=page, order=order, kind=kind, x0=0, y0=0, x1=9, y1=9)
        TextLine.objects.filter(page=page, order__in=numbers).update(region=region)
    return page


def texts(page):
    return list(page.lines.order_by("order").values_list("text", flat=True))


def kinds(page):
    return list(page.regions.order_by("order").values_list("kind", flat=True))


def test_moving_a_region_after_another_moves_its_lines_as_a_block():
    page = page_in_regions()
    caption, text = page.regions.get(kind="caption"), page.regions.get(kind="text")

    moved = region_order.move_region(page.pk, caption.pk, text.pk, caption.order, None)

    assert moved.order == 3 and kinds(page) == ["title", "text", "caption"]
    assert texts(page) == [f"engine line {n}" for n in (1, 4, 5, 6, 2, 3)]
    steps = LineRevision.objects.filter(action=LineAction.MOVE).order_by("order")
    assert [(s.order_before, s.order) for s in steps] == [(2, 5), (3, 6)]


def test_a_region_moves_first():
    page = page_in_regions()
    text = page.regions.get(kind="text")
    region_order.move_region(page.pk, text.pk, FIRST, text.order, None)
    assert kinds(page) == ["text", "title", "caption"]
    assert texts(page) == [f"engine line {n}" for n in (4, 5, 6, 1, 2, 3)]


def test_a_move_made_on_a_stale_view_of_the_regions_conflicts():
    page = page_in_regions()
    caption, text = page.regions.get(kind="caption"), page.regions.get(kind="text")
    region_order.move_region(page.pk, text.pk, FIRST, text.order, None)  # someone else
    with pytest.raises(region_order.RegionConflict):
        region_order.move_region(page.pk, caption.pk, text.pk, 2, None)  # saw it second
    with pytest.raises(region_order.RegionGone):
        region_order.move_region(page.pk, 999_999, FIRST, 1, None)
    assert kinds(page) == ["text", "title", "caption"]


def test_lines_in_no_region_keep_their_place():
    page = page_in_regions()
    TextLine.objects.filter(page=page, order=6).update(region=None)  # a stray line
    caption, title = page.regions.get(kind="caption"), page.regions.get(kind="title")
    region_order.move_region(page.pk, caption.pk, FIRST, caption.order, None)
    assert texts(page) == [f"engine line {n}" for n in (2, 3, 1, 4, 5, 6)]
    assert kinds(page)[0] == "caption" and title.pk
