"""The review screen over real recognized sample pages (horizontal and vertical) in Chromium.

The boxes must sit on the text at every zoom; screenshots go to ``REVIEW_SCREENSHOTS``
(a folder) when that is set, for a person to look at.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from books.models import Page
from ocr import queueing, recognition
from ocr.models import OcrRun, RunStatus
from tests.ocr.lines import make_user

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect
SAMPLE_BOOK = Path(__file__).resolve().parents[2] / "samples" / "books" / "qinghe-zhang-genealogy"


def recognize_now(page):
    assert queueing.enqueue_pages([page.pk]).queued == [page.pk]
    recognition.recognize(OcrRun.objects.get(page=page, status=RunStatus.QUEUED).pk)
    page.refresh_from_db()


def box_offsets(tab, line, page) -> tuple[float, float]:
    """How far (screen pixels) the line's drawn box is from where its pixels are shown."""
    return tab.evaluate(
        """([id, x0, y0, w, h]) => {
            const img = document.getElementById("rv-img").getBoundingClientRect();
            const box = document.getElementById("b" + id).getBoundingClientRect();
            return [box.left - (img.left + x0 * img.width / w),
                    box.top - (img.top + y0 * img.height / h)];
        }""",
        [line.pk, line.x0, line.y0, page.width, page.height],
    )


@pytest.fixture
def sample_pages(ocr_models, settings):
    settings.REVIEW_IMAGE_SIZE = 1200  # smaller than the scans: a display image is made
    call_command("import_directory", str(SAMPLE_BOOK), no_progress=True, stdout=io.StringIO())
    pages = {
        "horizontal": Page.objects.get(volume__sequence=1, original_name="page-1.png"),
        "vertical": Page.objects.get(volume__sequence=2, original_name="page-1.png"),
    }
    for page in pages.values():
        recognize_now(page)
    return pages


@pytest.mark.parametrize("layout", ["horizontal", "vertical"])
def test_boxes_sit_on_the_text_at_every_zoom(session_for, live_server, sample_pages, layout):
    page = sample_pages[layout]
    lines = list(page.lines.order_by("order"))
    assert len(lines) > 5
    assert any(line.vertical for line in lines) == (layout == "vertical")
    tab = session_for(make_user("carol", "Correctors"), width=1600, height=1000)
    tab.goto(f"{live_server.url}/admin/books/page/{page.pk}/review/")
    expect(tab.locator("body.rv-ready")).to_be_visible()
    tab.wait_for_function("document.getElementById('rv-img').naturalWidth > 0")
    assert tab.evaluate("document.getElementById('rv-img').naturalHeight") == 1200  # display size
    expect(tab.locator("#rv-svg polygon")).to_have_count(len(lines))

    middle = lines[len(lines) // 2]
    tab.locator(f"#t{middle.pk}").focus()
    shots = os.environ.get("REVIEW_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=f"{shots}/{layout}-fit.png")
    for line in (lines[0], middle, lines[-1]):
        dx, dy = box_offsets(tab, line, page)
        assert abs(dx) <= 2 and abs(dy) <= 2, (line.order, dx, dy)

    for _ in range(4):  # zoom past the display size: the full scan is loaded
        tab.keyboard.press("Alt+Equal")
    tab.wait_for_function("document.getElementById('rv-img').src.endsWith('/review/scan/')")
    assert tab.evaluate("document.getElementById('rv-img').naturalHeight") == page.height
    tab.locator(f"#t{lines[-1].pk}").focus()  # the focused line's box scrolls into view
    dx, dy = box_offsets(tab, lines[-1], page)
    assert abs(dx) <= 2 and abs(dy) <= 2
    start_in_view = tab.evaluate(
        """(id) => {  // where reading starts: the box's top left corner
            const v = document.getElementById("rv-view").getBoundingClientRect();
            const b = document.getElementById("b" + id).getBoundingClientRect();
            return b.left >= v.left && b.left < v.right && b.top >= v.top && b.top < v.bottom;
        }""",
        lines[-1].pk,
    )
    assert start_in_view
    if shots:
        tab.screenshot(path=f"{shots}/{layout}-zoomed.png")
