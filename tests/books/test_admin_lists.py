"""The librarian screens: lists cost the same number of queries for 2 books or 10."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from books.models import Book, Page, PageStatus, Volume
from tests.factories import make_book, write_png

LISTS = {
    "books": "/admin/books/book/",
    "volumes": "/admin/books/volume/",
    "pages": "/admin/books/page/",
}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", LISTS)
def test_list_runs_a_constant_number_of_queries(admin_client, name):
    url = LISTS[name]
    for number in range(2):
        make_book(number)
    _queries(admin_client, url)  # warm up: session, content types, permissions
    with_two = _queries(admin_client, url)

    for number in range(2, 10):
        make_book(number)
    with_ten = _queries(admin_client, url)

    assert Book.objects.count() == 10
    assert with_ten == with_two, f"{name}: {with_two} queries for 2 books, {with_ten} for 10"


def test_list_query_count_does_not_grow_with_pages(admin_client):
    make_book(1, pages=2)
    make_book(2, pages=2)
    for url in LISTS.values():
        _queries(admin_client, url)  # warm up
    baseline = {name: _queries(admin_client, url) for name, url in LISTS.items()}

    make_book(3, volumes=3, pages=40)

    assert {name: _queries(admin_client, url) for name, url in LISTS.items()} == baseline


def test_book_list_shows_progress(admin_client):
    make_book(
        1,
        volumes=2,
        pages=4,
        statuses=(PageStatus.RECOGNIZED, PageStatus.REVIEWED, PageStatus.FAILED, PageStatus.NEW),
    )

    response = admin_client.get(LISTS["books"])

    assert response.status_code == 200
    html = response.content.decode()
    for column in ("column-volumes", "column-pages", "column-recognized", "column-reviewed"):
        assert column in html
    assert "column-failed" in html
    # 8 pages: 4 recognized or reviewed (50%), 2 reviewed (25%), 2 failed.
    assert 'title="recognized 4 of 8 pages"' in html
    assert 'title="reviewed 2 of 8 pages"' in html
    assert '<td class="field-failed">2</td>' in html
    assert '<td class="field-volumes">2</td>' in html
    assert '<td class="field-pages">8</td>' in html


def test_volume_list_shows_progress_and_cover(admin_client):
    book = make_book(1, volumes=1, pages=2, statuses=(PageStatus.REVIEWED, PageStatus.NEW))
    volume = book.volumes.get()

    response = admin_client.get(LISTS["volumes"])

    html = response.content.decode()
    assert response.status_code == 200
    assert 'title="reviewed 1 of 2 pages"' in html and ">50%<" in html
    assert f"/media/thumbs/{book.pk}/{volume.pk}/1.jpg" in html  # the first page's thumbnail


def test_empty_lists_render(admin_client):
    for url in LISTS.values():
        assert admin_client.get(url).status_code == 200


def test_lists_need_a_staff_login(client, db):
    for url in LISTS.values():
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_page_list_shows_thumbnails(admin_client):
    book = make_book(1, volumes=1, pages=2)
    volume = book.volumes.get()

    html = admin_client.get(LISTS["pages"]).content.decode()

    assert f'src="/media/thumbs/{book.pk}/{volume.pk}/1.jpg"' in html
    assert "200 × 300" in html


def test_page_change_view_shows_the_image(admin_client, src, run_import):
    write_png(src / "p1.png", 1)
    assert run_import(src).ok
    page = Page.objects.get()

    response = admin_client.get(f"/admin/books/page/{page.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<img src="/media/{page.image.name}"' in html
    assert 'class="dp-page-image"' in html


def test_book_change_view_lists_its_volumes(admin_client):
    book = make_book(1, volumes=2, pages=1)

    response = admin_client.get(f"/admin/books/book/{book.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    for volume in Volume.objects.filter(book=book):
        assert f"?volume__id__exact={volume.pk}" in html


def test_book_list_search(admin_client):
    make_book(1)
    make_book(2)

    html = admin_client.get(LISTS["books"], {"q": "Book 2"}).content.decode()

    assert "Book 2" in html
    assert ">Book 1<" not in html
