"""Pages imported without a thumbnail (JPEGs stored as they came) get one on first view."""

import io

import pytest
from PIL import Image

from books import importing
from books.models import Book, Page, Volume
from tests.api.conftest import assert_error
from tests.factories import stored_files, write_jpeg, write_png


@pytest.fixture
def volume(db):
    book = Book.objects.create(slug="b", title="B")
    return Volume.objects.create(book=book, sequence=1)


def add(volume, path) -> Page:
    outcome = importing.add_file(volume, path.read_bytes(), original_name=path.name)
    assert outcome.pages and not outcome.error, outcome
    return Page.objects.get(pk=outcome.pages[0].pk)


def thumbnail_url(page) -> str:
    return f"/api/v1/pages/{page.pk}/thumbnail/"


def test_jpeg_is_stored_without_thumbnail_and_png_with_one(tmp_path, volume, media_root):
    jpeg = add(volume, write_jpeg(tmp_path / "p1.jpg", 1))
    png = add(volume, write_png(tmp_path / "p2.png", 2))

    assert jpeg.thumbnail.name == ""
    assert png.thumbnail.name.startswith("thumbs/")
    assert stored_files(media_root) == sorted([jpeg.image.name, png.image.name, png.thumbnail.name])


def test_first_view_makes_the_thumbnail_once(tmp_path, volume, media_root, reader, settings):
    page = add(volume, write_jpeg(tmp_path / "p1.jpg", 1, size=(600, 900)))

    first = reader.get(thumbnail_url(page))

    page.refresh_from_db()
    assert first.status_code == 302
    assert (
        page.thumbnail.name
        == f"thumbs/{volume.book_id}/{volume.pk}/" + (page.image.name.rsplit("/", 1)[1])
    )
    assert first["Location"] == f"/media/{page.thumbnail.name}"
    thumb = Image.open(media_root / page.thumbnail.name)
    assert thumb.format == "JPEG" and max(thumb.size) == settings.THUMBNAIL_SIZE
    made = (media_root / page.thumbnail.name).stat().st_mtime_ns

    second = reader.get(thumbnail_url(page))

    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert (media_root / page.thumbnail.name).stat().st_mtime_ns == made
    assert len(stored_files(media_root)) == 2  # the image and one thumbnail


def test_page_list_links_the_missing_thumbnail_to_where_it_is_made(
    tmp_path, volume, media_root, reader
):
    page = add(volume, write_jpeg(tmp_path / "p1.jpg", 1))

    listed = reader.get(f"/api/v1/pages/{page.pk}/").json()

    assert listed["thumbnail"] == thumbnail_url(page)


def test_admin_lists_show_the_thumbnail_made_on_first_view(
    tmp_path, volume, media_root, admin_client
):
    page = add(volume, write_jpeg(tmp_path / "p1.jpg", 1))

    pages_html = admin_client.get("/admin/books/page/").content.decode()
    volumes_html = admin_client.get("/admin/books/volume/").content.decode()
    image = admin_client.get(thumbnail_url(page))  # the browser follows the <img> with its session

    assert f'src="{thumbnail_url(page)}"' in pages_html
    assert f'src="{thumbnail_url(page)}"' in volumes_html  # the volume's cover
    assert image.status_code == 302
    page.refresh_from_db()
    assert (
        f'src="/media/{page.thumbnail.name}"'
        in admin_client.get("/admin/books/page/").content.decode()
    )


def test_an_undecodable_stored_image_is_404_and_stores_nothing(
    tmp_path, volume, media_root, reader
):
    page = add(volume, write_jpeg(tmp_path / "p1.jpg", 1))
    stored = media_root / page.image.name
    data = stored.read_bytes()
    stored.write_bytes(data[:20])  # damaged in storage after the import

    response = reader.get(thumbnail_url(page))

    assert_error(response, 404)
    assert "cannot be decoded" in response.json()["detail"]
    page.refresh_from_db()
    assert page.thumbnail.name == ""
    assert stored_files(media_root) == [page.image.name]


def test_thumbnail_needs_an_authenticated_user(tmp_path, volume, media_root, anonymous):
    page = add(volume, write_jpeg(tmp_path / "p1.jpg", 1))

    assert_error(anonymous.get(thumbnail_url(page)), 401)
    assert stored_files(media_root) == [page.image.name]


def test_a_thumbnail_made_by_a_concurrent_request_is_kept(tmp_path, volume, media_root):
    """Two first views at once: the one that records its thumbnail second removes its file."""
    from books import thumbnails

    page = add(volume, write_jpeg(tmp_path / "p1.jpg", 1))
    other = Page.objects.get(pk=page.pk)  # the other request's copy, also without thumbnail
    first = thumbnails.ensure_thumbnail(page)

    second = thumbnails.ensure_thumbnail(other)

    assert second == first
    assert stored_files(media_root) == sorted([page.image.name, first])
    assert Image.open(io.BytesIO((media_root / first).read_bytes())).format == "JPEG"
