"""In real headless Chromium, in simplified Chinese: a librarian searches a 2-character name
from the header, sees the hit boxes on the page image and lands on the hit line in the
review screen; the search page passes axe in light and dark schemes."""

import re

import pytest

from ocr.models import TextLine
from search.indexing import refresh_pages
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect
Axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe

TEXTS = ["清河世系", "始祖德明公", "配李氏生子二", "長子張氏文達"]


@pytest.fixture
def genealogy_page():
    page = make_page_with_lines(images=True, count=len(TEXTS))
    for order, text in enumerate(TEXTS, start=1):
        TextLine.objects.filter(page=page, order=order).update(text=text, engine_text=text)
    refresh_pages([page.pk])
    return page


def test_a_name_searched_in_chinese_shows_its_box_and_opens_the_review_at_its_line(
    session_for, live_server, genealogy_page, tmp_path
):
    tab = session_for(make_user("libby", "Librarians"), locale="zh-CN")
    tab.goto(f"{live_server.url}/admin/")
    box = tab.get_by_role("searchbox", name="检索所有书的全文")
    box.fill("张氏")  # simplified; the page has 張氏
    box.press("Enter")
    expect(tab.get_by_role("status")).to_have_text("找到 1 页")
    hit = tab.locator(".sr-page")
    expect(hit.locator("mark")).to_have_text("張氏")
    rect = hit.locator("svg.sr-thumb rect")
    expect(rect).to_have_count(1)
    assert rect.get_attribute("y") == "80"  # line 4: y0 = 20 * 4
    assert rect.bounding_box()["height"] > 0
    tab.screenshot(path=tmp_path / "search.png")
    hit.get_by_role("link", name="4").click()
    expect(tab.locator(".rv-search")).to_contain_text("张氏")
    line = TextLine.objects.get(page=genealogy_page, order=4)
    expect(tab.locator(f"#l{line.pk}")).to_have_class(re.compile(r"\bhit\b"))
    expect(tab.locator(f"#t{line.pk}")).to_be_focused()
    expect(tab.locator(f"#b{line.pk}")).to_have_class(re.compile(r"\bhit\b"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_passes_axe(session_for, live_server, genealogy_page, scheme):
    tab = session_for(make_user("carol", "Correctors"), color_scheme=scheme, locale="zh-CN")
    tab.goto(f"{live_server.url}/admin/search/?q=張氏")
    expect(tab.locator(".sr-page mark")).to_have_count(1)
    found = Axe().run(tab).response["violations"]
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []
