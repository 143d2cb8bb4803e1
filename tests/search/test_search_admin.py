"""The admin's search: the box in the header, results grouped by book and volume with hit
boxes, and the review screen opened at the page with the hit lines marked."""

import pytest

from tests.ocr.lines import make_user
from tests.search.pages import add_page, make_volume

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    first = add_page(make_volume(title="清河张氏族谱"), ["序言", "清河張氏族譜卷一"])
    other = add_page(make_volume(title="江夏黄氏宗谱", slug="other"), ["迁自张氏"])
    return first, other


@pytest.fixture
def corrector(client):
    client.force_login(make_user("carol", "Correctors"))
    return client


def test_the_header_has_a_search_box_on_every_admin_page(corrector):
    page = corrector.get("/admin/").content.decode()
    assert 'role="search"' in page and 'action="/admin/search/"' in page


def test_results_are_grouped_by_book_with_marks_boxes_and_review_links(corrector, pages):
    first, _ = pages
    answer = corrector.get("/admin/search/", {"q": "张氏"})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "2 pages found" in html
    # The book whose title holds the name comes first; the hit is marked as written.
    assert html.index('sr-book">清河张氏族谱') < html.index('sr-book">江夏黄氏宗谱')
    assert "清河<mark>張氏</mark>族譜卷一" in html
    assert f'href="/admin/books/page/{first.pk}/review/?q=%E5%BC%A0%E6%B0%8F"' in html
    assert '<rect x="10" y="80" width="980" height="30"/>' in html


def test_a_query_that_cannot_be_searched_says_why(corrector, pages):
    html = corrector.get("/admin/search/", {"q": "-张氏"}).content.decode()
    assert "not only what to leave out" in html


def test_the_review_screen_marks_the_hit_lines(corrector, pages):
    first, _ = pages
    html = corrector.get(f"/admin/books/page/{first.pk}/review/", {"q": "張氏"}).content.decode()
    assert "1 hit for “張氏” on this page" in html
    assert html.count('class="hit"') + html.count(' hit"') >= 2  # the line and its box


def test_search_is_for_those_who_may_read_pages(client, pages):
    assert client.get("/admin/search/", {"q": "张氏"}).status_code == 302  # to the login
    client.force_login(make_user("staff_only"))
    assert client.get("/admin/search/", {"q": "张氏"}).status_code == 403
    assert 'role="search"' not in client.get("/admin/").content.decode()
