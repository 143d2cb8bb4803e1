"""Multipart page uploads: real image files through books.importing, all or nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from books.models import Book, Page, Volume
from tests.api.conftest import assert_error
from tests.factories import page_image, stored_files, write_pdf, write_tiff

pytestmark = pytest.mark.django_db


def png(number: int, name: str | None = None) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    page_image(number).save(buffer, "PNG")
    return SimpleUploadedFile(name or f"p{number}.png", buffer.getvalue(), "image/png")


@pytest.fixture
def volume():
    book = Book.objects.create(slug="b", title="B")
    return Volume.objects.create(book=book, sequence=1)


def upload(client, volume, files, **fields):
    return client.post(
        f"/api/v1/volumes/{volume.pk}/pages/", {"files": files, **fields}, format="multipart"
    )


def sequence_names(volume):
    return list(volume.pages.order_by("sequence").values_list("original_name", flat=True))


def test_upload_one_and_many_files(librarian, volume, media_root):
    first = upload(librarian, volume, [png(1)])
    assert first.status_code == 201, first.json()
    created = first.json()["created"]
    assert [p["sequence"] for p in created] == [1] and created[0]["status"] == "new"
    more = upload(librarian, volume, [png(2), png(3)])
    assert [p["sequence"] for p in more.json()["created"]] == [2, 3]
    assert sequence_names(volume) == ["p1.png", "p2.png", "p3.png"]
    # images and thumbnails in storage, as the import command stores them
    assert len(stored_files(media_root)) == 6


def test_pdf_and_multipage_tiff_expand_into_pages(librarian, volume, tmp_path):
    pdf = write_pdf(tmp_path / "scan.pdf", [11, 12])
    tiff = write_tiff(tmp_path / "scan.tif", [21, 22, 23])
    response = upload(
        librarian,
        volume,
        [
            SimpleUploadedFile("scan.pdf", pdf.read_bytes(), "application/pdf"),
            SimpleUploadedFile("scan.tif", tiff.read_bytes(), "image/tiff"),
        ],
    )
    assert response.status_code == 201, response.json()
    pages = response.json()["created"]
    assert [(p["original_name"], p["source_frame"]) for p in pages] == [
        ("scan.pdf", 0),
        ("scan.pdf", 1),
        ("scan.tif", 0),
        ("scan.tif", 1),
        ("scan.tif", 2),
    ]


def test_insert_at_position(librarian, volume):
    upload(librarian, volume, [png(1), png(2), png(3)])
    response = upload(librarian, volume, [png(7), png(8)], position=2)
    assert response.status_code == 201
    assert [p["sequence"] for p in response.json()["created"]] == [2, 3]
    assert sequence_names(volume) == ["p1.png", "p7.png", "p8.png", "p2.png", "p3.png"]
    assert list(volume.pages.order_by("sequence").values_list("sequence", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]
    # past the end: appended
    upload(librarian, volume, [png(9)], position=50)
    assert sequence_names(volume)[-1] == "p9.png" and volume.pages.count() == 6


def test_known_content_is_skipped(librarian, volume):
    upload(librarian, volume, [png(1)])
    again = upload(librarian, volume, [png(1, "copy.png"), png(1, "copy2.png")])
    assert again.status_code == 200
    assert again.json() == {"created": [], "skipped": ["copy.png", "copy2.png"]}
    assert volume.pages.count() == 1


def test_too_large_is_413_and_stores_nothing(librarian, volume, settings, media_root):
    settings.UPLOAD_MAX_BYTES = len(png(1).read()) - 1
    body = assert_error(upload(librarian, volume, [png(1)]), 413, "too_large")
    assert "UPLOAD_MAX_BYTES" in body["detail"]
    assert not Page.objects.exists() and stored_files(media_root) == []


def test_unsupported_type_is_415(librarian, volume, media_root):
    text = SimpleUploadedFile("notes.txt", b"hello, not an image", "text/plain")
    gif = io.BytesIO()
    page_image(1).save(gif, "GIF")
    assert_error(upload(librarian, volume, [text]), 415, "unsupported_type")
    body = assert_error(
        upload(librarian, volume, [SimpleUploadedFile("a.gif", gif.getvalue(), "image/gif")]),
        415,
    )
    assert "GIF" in body["detail"]
    assert not Page.objects.exists() and stored_files(media_root) == []


def test_corrupt_file_is_400_naming_it(librarian, volume):
    data = png(1).read()
    broken = SimpleUploadedFile("broken.png", data[: len(data) // 2], "image/png")
    body = assert_error(upload(librarian, volume, [broken]), 400, "invalid")
    assert body["fields"]["files"][0].startswith("broken.png: ")
    assert_error(upload(librarian, volume, []), 400, "invalid")
    assert_error(upload(librarian, volume, [png(1)], position=0), 400, "invalid")


def test_a_failed_upload_leaves_nothing_behind(librarian, volume, tmp_path, media_root):
    upload(librarian, volume, [png(1)])
    before = stored_files(media_root)
    # A PDF is only decoded page by page while storing: its bad second page fails after the
    # good files and its first page were stored.
    pdf = write_pdf(tmp_path / "scan.pdf", [11, 12])
    data = pdf.read_bytes()
    cut = data.rindex(b"endstream")
    truncated = data[:cut]
    response = upload(
        librarian,
        volume,
        [png(2), png(3), SimpleUploadedFile("scan.pdf", truncated, "application/pdf")],
        position=1,
    )
    assert response.status_code == 400, response.json()
    assert response.json()["fields"]["files"][0].startswith("scan.pdf: ")
    assert sequence_names(volume) == ["p1.png"]
    assert volume.pages.get().sequence == 1
    assert stored_files(media_root) == before


def test_upload_to_missing_volume_is_404(librarian):
    assert_error(
        librarian.post("/api/v1/volumes/999999/pages/", {"files": [png(1)]}, format="multipart"),
        404,
    )


def test_too_many_files_in_one_request_is_400(librarian, volume, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    body = assert_error(upload(librarian, volume, [png(1), png(2), png(3)]), 400, "invalid")
    assert "DATA_UPLOAD_MAX_NUMBER_FILES" in body["detail"]
    assert not Page.objects.exists()


def test_oversized_form_fields_are_413(librarian, volume, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = upload(librarian, volume, [png(1)], position="1" * 200)
    assert_error(response, 413, "too_large")
    assert not Page.objects.exists()


def test_too_many_form_fields_in_one_request_is_400(librarian, volume, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    response = librarian.post(
        f"/api/v1/volumes/{volume.pk}/recognize/",
        {"force": "false", "a": "1", "b": "2", "c": "3"},
        format="multipart",
    )
    body = assert_error(response, 400, "invalid")
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in body["detail"]
