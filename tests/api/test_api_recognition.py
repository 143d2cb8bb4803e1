"""Queueing recognition through the API, and the synchronous engine endpoint."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_q.models import OrmQ

from books.models import Page, PageStatus
from ocr import api as ocr_api
from ocr.models import OcrRun
from tests.api.conftest import assert_error
from tests.factories import make_book, page_image
from tests.ocr.factories import ENGLISH_PAGE, ground_truth

pytestmark = pytest.mark.django_db


def statuses(book):
    return list(
        Page.objects.filter(volume__book=book)
        .order_by("volume__sequence", "sequence")
        .values_list("status", flat=True)
    )


def test_enqueue_a_page_with_and_without_force(librarian, django_capture_on_commit_callbacks):
    book = make_book(1, volumes=1, pages=2, statuses=(PageStatus.NEW, PageStatus.RECOGNIZED))
    new, done = Page.objects.filter(volume__book=book).order_by("sequence")
    with django_capture_on_commit_callbacks(execute=True):
        response = librarian.post(f"/api/v1/pages/{new.pk}/recognize/", {}, format="json")
    assert response.status_code == 202
    assert response.json()["queued"] == [new.pk]
    # queued for real: a run and a task on the django-q2 broker
    run = OcrRun.objects.get(page=new)
    assert OrmQ.objects.count() == 1 and run.task_id and run.requested_by.username == "librarians"
    again = librarian.post(f"/api/v1/pages/{new.pk}/recognize/", {}, format="json").json()
    assert again["in_flight"] == [new.pk] and again["queued"] == []
    refused = librarian.post(f"/api/v1/pages/{done.pk}/recognize/", {}, format="json").json()
    assert refused["need_force"] == [done.pk] and "force" in refused["message"]
    forced = librarian.post(
        f"/api/v1/pages/{done.pk}/recognize/", {"force": True}, format="json"
    ).json()
    assert forced["queued"] == [done.pk]
    assert OcrRun.objects.get(page=done).force is True


def test_enqueue_a_volume_and_a_book(librarian):
    book = make_book(1, volumes=2, pages=2, statuses=(PageStatus.NEW,))
    second = book.volumes.get(sequence=2)
    response = librarian.post(f"/api/v1/volumes/{second.pk}/recognize/", {}, format="json")
    assert sorted(response.json()["queued"]) == sorted(second.pages.values_list("pk", flat=True))
    assert statuses(book) == ["new", "new", "queued", "queued"]
    whole = librarian.post(f"/api/v1/books/{book.pk}/recognize/", {}, format="json").json()
    assert len(whole["queued"]) == 2 and len(whole["in_flight"]) == 2
    assert statuses(book) == ["queued"] * 4
    run = OcrRun.objects.filter(page__volume=second).first()
    page = librarian.get(f"/api/v1/pages/{run.page_id}/").json()
    assert page["status"] == "queued" and page["last_run"]["status"] == "queued"
    assert_error(
        librarian.post(f"/api/v1/books/{book.pk}/recognize/", {"force": "maybe"}, format="json"),
        400,
    )
    assert_error(librarian.post("/api/v1/books/999999/recognize/", {}, format="json"), 404)


def png_upload(number=1) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    page_image(number).save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), "image/png")


@pytest.mark.slow
def test_synchronous_recognition_with_the_real_engine(reader, ocr_models):
    image = SimpleUploadedFile("page.png", ENGLISH_PAGE.read_bytes(), "image/png")
    response = reader.post("/api/v1/recognize", {"image": image}, format="multipart")
    assert response.status_code == 200, response.content[:300]
    data = response.json()
    assert data["width"] > 0 and data["height"] > 0
    text = " ".join(line["text"] for line in data["lines"])
    first_words = ground_truth(ENGLISH_PAGE).split()[:3]
    assert all(word in text for word in first_words), (first_words, text[:200])
    line = data["lines"][0]
    assert len(line["polygon"]) >= 4 and all(len(point) == 2 for point in line["polygon"])
    assert 0 < line["confidence"] <= 1
    # nothing stored
    assert not Page.objects.exists() and not OcrRun.objects.exists()


def test_synchronous_recognition_limits(reader, settings):
    settings.API_RECOGNIZE_MAX_BYTES = 100
    assert_error(reader.post("/api/v1/recognize", {"image": png_upload()}), 413, "too_large")
    settings.API_RECOGNIZE_MAX_BYTES = 10**6
    text = SimpleUploadedFile("a.txt", b"plain text", "text/plain")
    assert_error(reader.post("/api/v1/recognize", {"image": text}), 415, "unsupported_type")
    assert_error(reader.post("/api/v1/recognize", {}), 400, "invalid")
    data = png_upload().read()
    cut = SimpleUploadedFile("cut.png", data[: len(data) // 2], "image/png")
    assert_error(reader.post("/api/v1/recognize", {"image": cut}), 400, "invalid")


def test_synchronous_recognition_is_capped(reader, settings):
    """Every slot taken (as by requests in progress): the next request is 429 at once."""
    slots = ocr_api.recognition_slots()
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    try:
        assert taken == settings.API_RECOGNIZE_CONCURRENCY
        response = reader.post("/api/v1/recognize", {"image": png_upload()})
        body = assert_error(response, 429, "throttled")
        assert response["Retry-After"] == str(settings.API_RECOGNIZE_RETRY_AFTER)
        assert body["retry_after"] == settings.API_RECOGNIZE_RETRY_AFTER
    finally:
        for _ in range(taken):
            slots.release()


def test_an_image_over_the_recognize_pixel_limit_is_a_413_before_decoding(
    reader, settings, tmp_path
):
    from tests.factories import write_png_header_only

    settings.IMPORT_MAX_PIXELS = 200_000_000  # what an import may take
    bomb = write_png_header_only(tmp_path / "huge.png", 14_000, 14_000).read_bytes()
    assert len(bomb) < 1000  # a few hundred bytes claiming 196 MP

    response = reader.post(
        "/api/v1/recognize", {"image": SimpleUploadedFile("huge.png", bomb, "image/png")}
    )

    body = assert_error(response, 413, "too_large")
    assert "14000x14000 = 196 MP exceeds API_RECOGNIZE_MAX_PIXELS=50,000,000" in body["detail"]
