"""Exports in the API: asking (through exports.building.request_export), polling, listing
and downloading, for each role; built by the real service (the task's body in this
process, or a real qcluster worker), files in real storage."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from books.models import Book, Volume
from exports import building
from exports.models import Export, ExportStatus, Scope
from tests.api.conftest import assert_error, token_client
from tests.exports.factories import HORIZONTAL_PAGE, add_page, make_fixed_book
from tests.ocr.conftest import qcluster, wait_for

GOLDEN = Path(__file__).parents[1] / "exports" / "golden"
URL = "/api/v1/exports/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(db):
    return make_fixed_book()


def ask(client, book, fmt="txt", **body):
    body = {"scope": "book", "ids": [book.pk], "format": fmt, **body}
    return client.post(URL, body, format="json")


def asked(client, book, fmt="txt", **body) -> dict:
    response = ask(client, book, fmt, **body)
    assert response.status_code == 202, response.content
    return response.json()


def build(export_id: int) -> Export:
    """What the queue worker runs: the build task's body."""
    building.build(export_id)
    return Export.objects.get(pk=export_id)


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_ask_poll_and_download(librarian, book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        body = asked(librarian, book, "alto")
    assert len(queued) == 1  # the build is handed to the queue once the request commits
    export = Export.objects.get(pk=body["id"])
    assert (export.scope, export.format, export.text_source) == ("book", "alto", "corrected")
    assert body["status"] == "queued" and body["download_url"] is None
    assert body["expired"] is False and body["requested_by"] == "librarians"

    poll = librarian.get(f"{URL}{export.pk}/")
    assert poll.status_code == 200 and poll.json()["status"] == "queued"
    assert_error(librarian.get(f"{URL}{export.pk}/download"), 409, "not_ready")

    build(export.pk)
    ready = librarian.get(f"{URL}{export.pk}/").json()
    golden = (GOLDEN / "fixed-book.alto.xml").read_bytes()
    assert ready["status"] == "done" and ready["progress"] == 100
    assert ready["pages_done"] == ready["pages_total"] == 3
    assert ready["size"] == len(golden) and ready["error"] == ""
    assert ready["download_url"] == f"http://testserver{URL}{export.pk}/download"

    download = librarian.get(ready["download_url"])
    assert download.status_code == 200
    assert content(download) == golden
    assert download["Content-Type"] == "application/xml"
    assert download["Content-Disposition"].startswith("attachment")
    assert 'filename="fixed-book-alto.xml"' in download["Content-Disposition"]


def test_asking_again_reuses_the_fresh_export(librarian, corrector, book):
    first = asked(librarian, book)
    again = ask(librarian, book)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    # Another user asking for the same file gets the same export, and may fetch it.
    shared = ask(corrector, book)
    assert shared.status_code == 200 and shared.json()["id"] == first["id"]
    build(first["id"])
    assert corrector.get(f"{URL}{first['id']}/download").status_code == 200
    assert Export.objects.count() == 1


def test_volume_pages_source_and_options(librarian, book):
    volume = book.volumes.get(sequence=2)
    body = asked(librarian, book, scope="volume", ids=[volume.pk], source="engine")
    export = build(body["id"])
    assert (export.scope, export.volume, export.text_source) == (Scope.VOLUME, volume, "engine")
    text = content(librarian.get(f"{URL}{export.pk}/download")).decode()
    assert text.splitlines() == ["清河張氏宗譜卷二", "始祖諱𠀀公字子明", "世居清何郡"]

    first_page = book.volumes.get(sequence=1).pages.get(sequence=1)
    body = asked(
        librarian,
        book,
        scope="pages",
        ids=[first_page.pk],
        options={"per_page": True, "include_images": True, "keep_headers_footers": True},
    )
    assert body["pages"] == [first_page.pk] and body["options"] == {
        "per_page": True,
        "include_images": True,
        "keep_headers_footers": True,
    }
    build(body["id"])
    download = librarian.get(f"{URL}{body['id']}/download")
    assert download["Content-Type"] == "application/zip"
    assert content(download)[:2] == b"PK"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "docx"}, "format"),
        ({"source": "ocr"}, "source"),
        ({"scope": "shelf"}, "scope"),
        ({"ids": []}, "ids"),
        ({"ids": [10**9]}, "ids"),
        ({"scope": "volume", "ids": [1, 2]}, "ids"),
        ({"scope": "volume", "ids": [10**9]}, "ids"),
        ({"scope": "pages", "ids": [10**9]}, "ids"),
        ({"options": {"per_page": "perhaps"}}, "options"),
    ],
)
def test_invalid_requests_name_the_field(librarian, book, body, field):
    error = assert_error(ask(librarian, book, **body), 400, "invalid")
    assert field in error["fields"], error
    assert not Export.objects.exists()


def test_pages_of_two_books_and_an_empty_book_are_refused(librarian, book):
    other = Book.objects.create(slug="other", title="Other")
    page = add_page(Volume.objects.create(book=other, sequence=1), "o.png", (600, 800),
                    HORIZONTAL_PAGE, 200)  # fmt: skip
    mine = book.volumes.get(sequence=1).pages.first()
    error = assert_error(ask(librarian, book, scope="pages", ids=[mine.pk, page.pk]), 400)
    assert error["fields"]["ids"] == ["The pages must be of one book."]
    empty = Book.objects.create(slug="empty", title="Empty")
    error = assert_error(ask(librarian, empty), 400, "invalid")
    assert "has no pages" in error["detail"]  # request_export's own check
    assert not Export.objects.exists()


def test_a_json_body_only(librarian, book):
    response = librarian.post(URL, {"scope": "book", "ids": book.pk, "format": "txt"})
    assert_error(response, 415)


def test_roles_see_their_own_exports_and_librarians_every_one(
    role_user, librarian, book
):  # fmt: skip
    corrector = token_client(role_user("Correctors"))
    reader = token_client(role_user("API readers"))
    theirs = asked(corrector, book, "txt")["id"]
    readers = asked(reader, book, "csv")["id"]
    mine = asked(librarian, book, "json")["id"]
    for export_id in (theirs, readers, mine):
        build(export_id)

    def listed(client, **params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert listed(librarian) == [mine, readers, theirs]  # newest first
    assert listed(corrector) == [theirs]
    assert listed(reader) == [readers]
    assert listed(librarian, book=book.pk, status="done") == [mine, readers, theirs]
    assert listed(librarian, status="failed") == []
    page = librarian.get(URL, {"page_size": 1, "page": 2}).json()
    assert page["count"] == 3 and [row["id"] for row in page["results"]] == [readers]

    # Someone else's export does not exist for a corrector or a reader (no role allows it).
    for client, other in ((corrector, mine), (corrector, readers), (reader, theirs)):
        assert_error(client.get(f"{URL}{other}/"), 404, "not_found")
        assert_error(client.get(f"{URL}{other}/download"), 404, "not_found")
    for client, own in ((corrector, theirs), (reader, readers)):
        assert client.get(f"{URL}{own}/download").status_code == 200
    # Librarians download anyone's.
    for other in (theirs, readers):
        assert librarian.get(f"{URL}{other}/download").status_code == 200


def test_anonymous_and_roleless_users_are_refused(anonymous, nobody, book):
    export, _ = building.request_export(book, "txt", enqueue=False)
    build(export.pk)
    for url in (URL, f"{URL}{export.pk}/", f"{URL}{export.pk}/download"):
        assert_error(anonymous.get(url), 401, "not_authenticated")
        assert_error(nobody.get(url), 403, "permission_denied")
    assert_error(anonymous.post(URL, {}, format="json"), 401)
    assert_error(ask(nobody, book), 403, "permission_denied")
    assert not Export.objects.exclude(pk=export.pk).exists()


def test_download_of_a_failed_expired_or_vanished_export(librarian, book, settings, tmp_path):
    settings.EXPORT_TEMP_DIR = tmp_path / "tmp"
    broken = book.volumes.get(sequence=2).pages.get()
    saved = default_storage.open(broken.image.name, "rb").read()
    default_storage.delete(broken.image.name)
    failed = build(asked(librarian, book, "pdf")["id"])
    assert failed.status == ExportStatus.FAILED
    poll = librarian.get(f"{URL}{failed.pk}/").json()
    assert poll["status"] == "failed" and "image cannot be read" in poll["error"]
    assert poll["download_url"] is None
    error = assert_error(librarian.get(f"{URL}{failed.pk}/download"), 409, "export_failed")
    assert "image cannot be read" in error["detail"]
    default_storage.save(broken.image.name, io.BytesIO(saved))

    done = build(asked(librarian, book, "txt")["id"])
    Export.objects.filter(pk=done.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    poll = librarian.get(f"{URL}{done.pk}/").json()
    assert poll["expired"] is True and poll["download_url"] is None
    assert_error(librarian.get(f"{URL}{done.pk}/download"), 404, "expired")

    gone = build(asked(librarian, book, "csv")["id"])
    default_storage.delete(gone.file.name)
    assert_error(librarian.get(f"{URL}{gone.pk}/download"), 404, "gone")
    assert_error(librarian.get(f"{URL}999999/download"), 404, "not_found")


def test_download_ignores_the_accept_header(librarian, book):
    export_id = asked(librarian, book, "txt")["id"]
    build(export_id)
    response = librarian.get(f"{URL}{export_id}/download", HTTP_ACCEPT="text/plain")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    # Errors stay JSON whatever was asked for.
    assert_error(librarian.get(f"{URL}999999/download", HTTP_ACCEPT="application/pdf"), 404)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_what_the_api_asked_for(process_env, role_user, tmp_path):
    book = make_fixed_book()
    client = token_client(role_user("Correctors"))
    body = asked(client, book, "hocr")
    with qcluster(process_env(EXPORT_TEMP_DIR=tmp_path / "tmp")):
        polled = wait_for(
            lambda: (
                (row := client.get(f"{URL}{body['id']}/").json())["status"] in ("done", "failed")
                and row
            ),
            timeout=120,
            what="export built by the worker",
        )
    assert polled["status"] == "done", polled["error"]
    download = client.get(polled["download_url"])
    assert download.status_code == 200
    assert content(download).count(b'class="ocr_page"') == 3


@pytest.mark.django_db(transaction=True)
def test_an_export_the_broker_refuses_answers_503_with_retry_after(role_user, dead_broker):
    book = make_fixed_book()
    client = token_client(role_user("Librarians"))

    response = ask(client, book, "txt")

    body = assert_error(response, 503, "queue_unavailable")
    assert response["Retry-After"] == "30" and body["retry_after"] == 30
    assert "could not be queued" in body["detail"] and "Connection refused" in body["detail"]
    export = Export.objects.get(book=book)
    assert export.status == ExportStatus.FAILED and export.error.startswith("could not be queued")
