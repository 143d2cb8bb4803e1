"""axe-core in real headless Chromium, light and dark schemes: the review screen (with its
versions, history and picker open) and the admin pages a librarian and a corrector use show
no serious or critical violation, colour contrast included."""

import pytest

from ocr import corrections, page_versions
from ocr.models import Region, RegionKind, VersionReason
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect
Axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe


def serious(tab) -> list[str]:
    """Each serious or critical violation: rule, and the first few elements it found."""
    found = Axe().run(tab).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]} {v['help']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


CONTRAST = """element => {
  const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (value) => {
    const [r, g, b] = rgb(value).map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(element);
  const [a, b] = [luminance(style.color), luminance(style.backgroundColor)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def contrast(tab, selector: str) -> float:
    """WCAG contrast of an element's text colour on its own (opaque) background."""
    return tab.locator(selector).first.evaluate(CONTRAST)


@pytest.fixture
def corrected_page():
    page = make_page_with_lines(images=True, count=4, confidence=lambda n: 0.4 if n == 2 else 0.97)
    first = page.lines.get(order=1)
    corrections.save_line(first.pk, "corrected 張氏", first.version, None)
    page_versions.keep_version(page.pk, VersionReason.RECOGNIZED_AGAIN)
    third = page.lines.get(order=3)
    corrections.save_line(third.pk, "another fix", third.version, None)
    for order, kind in enumerate((RegionKind.TITLE, RegionKind.TEXT), start=1):
        region = Region.objects.create(page=page, order=order, kind=kind, x0=5, y0=5, x1=190, y1=99)
        page.lines.filter(order__in=(2 * order - 1, 2 * order)).update(region=region)
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_review_screen_passes_axe(session_for, live_server, corrected_page, scheme):
    page = corrected_page
    tab = session_for(make_user("carol", "Correctors"), color_scheme=scheme)
    tab.goto(f"{live_server.url}/admin/books/page/{page.pk}/review/")
    expect(tab.locator("body.rv-ready")).to_be_visible()
    tab.keyboard.type(" typed")  # a dirty line, next to a corrected one and a low one
    tab.locator("#rv-versions summary").click()
    tab.locator("#rv-region-order summary").click()
    assert serious(tab) == []
    # axe skips the text inside fields: measure the corrected, dirty and low lines' own.
    for state in ("corr", "dirty", "low"):
        ratio = contrast(tab, f"#rv-lines li.{state} input:not([type=hidden])")
        assert ratio >= 4.5, (scheme, state, ratio)

    tab.keyboard.press("F1")
    expect(tab.locator("#rv-help")).to_be_visible()
    assert serious(tab) == []
    tab.keyboard.press("Escape")

    line = page.lines.get(order=1)
    tab.locator(f"#t{line.pk}").focus()
    tab.keyboard.press("Alt+v")
    expect(tab.locator("#rv-pop")).to_be_visible()
    assert serious(tab) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_librarians_pages_pass_axe(session_for, live_server, corrected_page, scheme):
    page = corrected_page
    tab = session_for(make_user("libby", "Librarians"), color_scheme=scheme)
    line = page.lines.get(order=1)
    for url in (
        "/admin/books/page/",
        f"/admin/books/book/{page.volume.book_id}/change/",
        f"/admin/books/page/{page.pk}/review/line/{line.pk}/",
    ):
        tab.goto(live_server.url + url)
        assert serious(tab) == [], url
