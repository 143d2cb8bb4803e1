"""Books, volumes and pages: CRUD, progress figures, filters, ordering, paging, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from books.models import Book, Page, PageStatus, Volume
from ocr.models import OcrRun, RunStatus
from tests.api.conftest import assert_error
from tests.factories import make_book

pytestmark = pytest.mark.django_db


def test_book_crud_with_progress(librarian):
    created = librarian.post(
        "/api/v1/books/", {"title": "Zhang genealogy", "language": "ch"}, format="json"
    )
    assert created.status_code == 201, created.json()
    book = created.json()
    assert book["slug"] == "zhang-genealogy"
    assert book["page_count"] == 0 and book["recognized_percent"] == 0
    changed = librarian.patch(
        f"/api/v1/books/{book['id']}/", {"author": "Zhang", "metadata": {"a": 1}}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["author"] == "Zhang" and changed.json()["metadata"] == {"a": 1}
    assert_error(
        librarian.post("/api/v1/books/", {"title": "x", "slug": "zhang-genealogy"}, format="json"),
        400,
        "invalid",
    )
    assert_error(
        librarian.patch(
            f"/api/v1/books/{book['id']}/", {"text_direction": "diagonal"}, format="json"
        ),
        400,
    )
    assert librarian.delete(f"/api/v1/books/{book['id']}/").status_code == 204
    assert not Book.objects.exists()


def test_progress_figures_on_books_and_volumes(reader):
    # 2 volumes x 3 pages with statuses recognized, reviewed, failed
    book = make_book(1)
    data = reader.get(f"/api/v1/books/{book.pk}/").json()
    assert data["volume_count"] == 2
    assert (data["page_count"], data["recognized_count"], data["reviewed_count"]) == (6, 4, 2)
    assert data["failed_count"] == 2
    assert (data["recognized_percent"], data["reviewed_percent"]) == (67, 33)
    volumes = reader.get(f"/api/v1/volumes/?book={book.pk}").json()
    assert volumes["count"] == 2
    assert [v["page_count"] for v in volumes["results"]] == [3, 3]
    assert [v["recognized_count"] for v in volumes["results"]] == [2, 2]


def test_volume_crud_numbers_volumes(librarian):
    book = Book.objects.create(slug="b", title="B")
    first = librarian.post("/api/v1/volumes/", {"book": book.pk, "label": "one"}, format="json")
    second = librarian.post("/api/v1/volumes/", {"book": book.pk}, format="json")
    assert (first.json()["sequence"], second.json()["sequence"]) == (1, 2)
    body = assert_error(
        librarian.post("/api/v1/volumes/", {"book": book.pk, "sequence": 2}, format="json"), 400
    )
    assert "sequence" in body["fields"]
    assert_error(librarian.post("/api/v1/volumes/", {"book": 999999}, format="json"), 400)
    moved = librarian.patch(
        f"/api/v1/volumes/{first.json()['id']}/", {"sequence": 5}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["sequence"] == 5
    assert librarian.delete(f"/api/v1/volumes/{first.json()['id']}/").status_code == 204
    assert list(Volume.objects.values_list("sequence", flat=True)) == [2]


def test_moving_a_volume_onto_a_taken_number_in_another_book_is_a_field_error(librarian):
    one = Book.objects.create(slug="one", title="One")
    other = Book.objects.create(slug="other", title="Other")
    volume = Volume.objects.create(book=one, sequence=1)
    Volume.objects.create(book=other, sequence=1)
    for method in (librarian.patch, librarian.put):
        body = assert_error(
            method(f"/api/v1/volumes/{volume.pk}/", {"book": other.pk}, format="json"), 400
        )
        assert "sequence" in body["fields"]
    volume.refresh_from_db()
    assert volume.book_id == one.pk
    moved = librarian.patch(
        f"/api/v1/volumes/{volume.pk}/", {"book": other.pk, "sequence": 2}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["book"] == other.pk


@pytest.mark.django_db(transaction=True)
def test_a_database_integrity_error_is_a_json_409_not_a_500(librarian, monkeypatch):
    # What two simultaneous requests do: both pass the serializer's check, and the
    # database's unique constraint refuses the second one.
    from books.api import VolumeSerializer

    monkeypatch.setattr(VolumeSerializer, "validate", lambda self, data: data)
    book = Book.objects.create(slug="b", title="B")
    Volume.objects.create(book=book, sequence=1)
    body = assert_error(
        librarian.post("/api/v1/volumes/", {"book": book.pk, "sequence": 1}, format="json"),
        409,
        "integrity_conflict",
    )
    assert "Nothing was saved" in body["detail"]
    assert Volume.objects.filter(book=book).count() == 1


def test_pages_filter_order_and_paginate(reader):
    one, two = make_book(1), make_book(2)
    pages = reader.get("/api/v1/pages/?page_size=5").json()
    assert pages["count"] == 12 and len(pages["results"]) == 5 and pages["next"]
    failed = reader.get("/api/v1/pages/?status=failed&page_size=50").json()
    assert failed["count"] == 4
    assert {p["status"] for p in failed["results"]} == {"failed"}
    of_book = reader.get(f"/api/v1/pages/?book={two.pk}").json()
    assert of_book["count"] == 6 and {p["book"] for p in of_book["results"]} == {two.pk}
    volume = one.volumes.get(sequence=2)
    of_volume = reader.get(f"/api/v1/pages/?volume={volume.pk}&ordering=-sequence").json()
    assert [p["sequence"] for p in of_volume["results"]] == [3, 2, 1]
    assert_error(reader.get("/api/v1/pages/?book=abc"), 400, "invalid")
    assert_error(reader.get("/api/v1/pages/?page=99"), 404, "not_found")


def test_page_detail_shows_status_and_last_run(reader):
    book = make_book(1, volumes=1, pages=1, statuses=(PageStatus.FAILED,))
    page = Page.objects.get(volume__book=book)
    assert reader.get(f"/api/v1/pages/{page.pk}/").json()["last_run"] is None
    OcrRun.objects.create(page=page, status=RunStatus.FAILED, error="first")
    OcrRun.objects.create(page=page, status=RunStatus.FAILED, error="engine crashed: boom")
    Page.objects.filter(pk=page.pk).update(error="engine crashed: boom")
    data = reader.get(f"/api/v1/pages/{page.pk}/").json()
    assert data["status"] == "failed" and data["error"] == "engine crashed: boom"
    assert data["last_run"]["status"] == "failed"
    assert data["last_run"]["error"] == "engine crashed: boom"
    assert data["image"].endswith(".png") and data["book"] == book.pk


@pytest.mark.parametrize(
    "url", ["/api/v1/books/", "/api/v1/volumes/", "/api/v1/pages/", "/api/v1/pages/?status=failed"]
)
def test_lists_run_a_constant_number_of_queries(reader, django_assert_num_queries, url):
    for number in range(1, 8):
        book = make_book(number, volumes=3, pages=3)
        for page in Page.objects.filter(volume__book=book)[:2]:
            OcrRun.objects.create(page=page, status=RunStatus.FAILED, error="x")
    sep = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as one_row:
        response = reader.get(f"{url}{sep}page_size=1")
    assert len(response.json()["results"]) == 1 and response.json()["count"] >= 7
    # auth token + permissions + count + rows: no query per row
    assert len(one_row) <= 5, [q["sql"] for q in one_row]
    with django_assert_num_queries(len(one_row)):
        response = reader.get(f"{url}{sep}page_size=20")
    assert len(response.json()["results"]) == min(20, response.json()["count"]) > 1


@pytest.mark.parametrize("value", ["true", "0", "-5", "2.5", "", "٣"])
def test_a_page_size_that_is_not_a_whole_number_is_a_400(reader, value):
    body = assert_error(reader.get("/api/v1/pages/", {"page_size": value}), 400, "invalid")
    assert "page_size" in body["fields"]


def test_a_page_size_over_the_maximum_is_capped(reader):
    make_book(1)
    assert reader.get("/api/v1/pages/", {"page_size": 5000}).status_code == 200
