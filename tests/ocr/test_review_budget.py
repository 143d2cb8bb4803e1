"""The review screen's cost: constant SQL queries, under 300 KB, the image at display size."""

import io
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from tests.factories import page_image, stored_files
from tests.ocr.factories import add_page, make_volume
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = pytest.mark.django_db

# session, user, page with volume and book, its lines, its regions, its versions, previous
# page, next page
QUERIES = 8
# ... and a user who is not a superuser: their own and their groups' permissions
QUERIES_FOR_CORRECTOR = QUERIES + 2


@pytest.mark.parametrize("line_count", [3, 300])
def test_the_screen_takes_the_same_queries_whatever_the_number_of_lines(
    client, django_assert_num_queries, line_count
):
    page = make_page_with_lines(line_count, confidence=lambda n: 0.5 + (n % 50) / 100)
    client.force_login(make_user("carol", "Correctors"))
    with django_assert_num_queries(QUERIES_FOR_CORRECTOR):
        response = client.get(f"/admin/books/page/{page.pk}/review/")
    assert response.status_code == 200
    assert response.context["counts"]["lines"] == line_count


def test_superuser_queries(admin_client, django_assert_num_queries):
    page = make_page_with_lines(300)
    with django_assert_num_queries(QUERIES):
        assert admin_client.get(f"/admin/books/page/{page.pk}/review/").status_code == 200


def test_a_300_line_page_weighs_under_300_kb_with_its_script_and_styles(admin_client):
    page = make_page_with_lines(300)
    # Long lines, as on a dense page of Chinese text (3 bytes a character in UTF-8).
    for line in page.lines.all():
        line.text = line.engine_text = "清河張氏族譜卷之一世系圖" * 3
        line.save()
    html = admin_client.get(f"/admin/books/page/{page.pk}/review/").content
    assets = [Path(finders.find(name)).read_bytes() for name in ("ocr/review.js", "ocr/review.css")]
    total = len(html) + sum(len(asset) for asset in assets)
    print(f"300-line review screen: HTML {len(html) // 1024} KB, total {total // 1024} KB")
    assert total < 300 * 1024


def test_the_image_is_served_at_display_size_made_once_and_the_full_scan_is_linked(
    admin_client, settings, tmp_path, media_root
):
    settings.REVIEW_IMAGE_SIZE = 800
    scan = tmp_path / "scan.png"
    page_image(7, size=(1600, 2400)).save(scan)
    page = add_page(make_volume(), scan)
    url = f"/admin/books/page/{page.pk}/review/image/"

    response = admin_client.get(url)

    assert response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert (image.format, image.size) == ("JPEG", (533, 800))
    display = [name for name in stored_files(media_root) if name.startswith("display/")]
    assert len(display) == 1
    admin_client.get(url)
    assert [n for n in stored_files(media_root) if n.startswith("display/")] == display

    html = admin_client.get(f"/admin/books/page/{page.pk}/review/").content.decode()
    assert f'data-full="/admin/books/page/{page.pk}/review/scan/"' in html
    full = admin_client.get(f"/admin/books/page/{page.pk}/review/scan/")
    assert Image.open(io.BytesIO(b"".join(full.streaming_content))).size == (1600, 2400)
    assert f'src="{url}"' in html and 'width="533" height="800"' in html


def test_a_small_scan_is_shown_as_it_is(admin_client, settings, tmp_path, media_root):
    settings.REVIEW_IMAGE_SIZE = 2000
    scan = tmp_path / "small.png"
    page_image(8, size=(400, 600)).save(scan)
    page = add_page(make_volume(), scan)
    response = admin_client.get(f"/admin/books/page/{page.pk}/review/image/")
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (400, 600)
    assert not [n for n in stored_files(media_root) if n.startswith("display/")]
