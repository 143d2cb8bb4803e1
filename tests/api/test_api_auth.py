"""Authentication (token, session), the role matrix, and the one error shape."""

import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from books.models import Book, Page
from tests.api.conftest import assert_error
from tests.factories import make_book
from tests.ocr.lines import make_page_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def page():
    return make_page_with_lines(2)


def urls(page):
    line = page.lines.first()
    return [
        ("get", "/api/v1/books/"),
        ("post", "/api/v1/books/"),
        ("get", f"/api/v1/books/{page.volume.book_id}/"),
        ("delete", f"/api/v1/books/{page.volume.book_id}/"),
        ("post", f"/api/v1/books/{page.volume.book_id}/recognize/"),
        ("get", "/api/v1/volumes/"),
        ("get", f"/api/v1/volumes/{page.volume_id}/"),
        ("post", f"/api/v1/volumes/{page.volume_id}/pages/"),
        ("post", f"/api/v1/volumes/{page.volume_id}/recognize/"),
        ("get", "/api/v1/pages/"),
        ("get", f"/api/v1/pages/{page.pk}/"),
        ("delete", f"/api/v1/pages/{page.pk}/"),
        ("post", f"/api/v1/pages/{page.pk}/recognize/"),
        ("get", f"/api/v1/pages/{page.pk}/lines/"),
        ("patch", f"/api/v1/pages/{page.pk}/lines/"),
        ("get", f"/api/v1/pages/{page.pk}/text"),
        ("post", f"/api/v1/pages/{page.pk}/review/"),
        ("get", f"/api/v1/lines/{line.pk}/"),
        ("patch", f"/api/v1/lines/{line.pk}/"),
        ("post", "/api/v1/recognize"),
        ("post", f"/api/v1/pages/{page.pk}/lines/"),
        ("delete", f"/api/v1/lines/{line.pk}/?version=1"),
        ("post", f"/api/v1/lines/{line.pk}/move"),
        ("post", f"/api/v1/lines/{line.pk}/split"),
        ("post", f"/api/v1/lines/{line.pk}/merge"),
        ("get", f"/api/v1/pages/{page.pk}/versions/"),
        ("post", f"/api/v1/pages/{page.pk}/versions/1/restore"),
    ]


def test_anonymous_sees_nothing(anonymous, page):
    for method, url in urls(page):
        response = getattr(anonymous, method)(url)
        body = assert_error(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"] == "Token", url
        assert "results" not in body
    assert Book.objects.count() == 1 and Page.objects.count() == 1


def test_a_wrong_token_is_401(page):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert_error(client.get("/api/v1/pages/"), 401, "authentication_failed")


def test_user_in_no_group_is_refused_everything(nobody, page):
    for method, url in urls(page):
        assert_error(getattr(nobody, method)(url), 403, "permission_denied")


def test_session_authentication(role_user, page):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(role_user("API readers"))
    assert client.get("/api/v1/pages/").status_code == 200
    # A session write without the CSRF token is refused, as in the admin.
    client.force_login(role_user("Librarians"))
    assert_error(client.post("/api/v1/books/", {"title": "x"}, format="json"), 403)


def test_api_token_command_creates_prints_and_resets(role_user):
    user = role_user("API readers", "integration")
    out = io.StringIO()
    call_command("api_token", "integration", stdout=out)
    key = out.getvalue().strip()
    assert Token.objects.get(user=user).key == key
    out2 = io.StringIO()
    call_command("api_token", "integration", stdout=out2)
    assert out2.getvalue().strip() == key  # the same token again
    out3 = io.StringIO()
    call_command("api_token", "integration", "--reset", stdout=out3)
    new = out3.getvalue().strip()
    assert new != key and Token.objects.get(user=user).key == new
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert client.get("/api/v1/books/").status_code == 200


def test_api_token_command_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user named"):
        call_command("api_token", "ghost")


def test_tokens_are_managed_in_the_admin(admin_client, role_user):
    user = role_user("API readers", "integration")
    response = admin_client.post("/admin/authtoken/tokenproxy/add/", {"user": user.pk}, follow=True)
    assert response.status_code == 200
    assert Token.objects.filter(user=user).exists()


def test_reader_reads_but_changes_nothing(reader, page):
    line = page.lines.first()
    assert reader.head(f"/api/v1/pages/{page.pk}/text").status_code == 200
    for method, url in urls(page):
        response = getattr(reader, method)(url)
        if method == "get":
            assert response.status_code == 200, url
        elif url == "/api/v1/recognize":
            assert_error(response, 400, "invalid")  # allowed, but no image sent
        else:
            assert_error(response, 403, "permission_denied")
    line.refresh_from_db()
    assert line.version == 1 and Page.objects.count() == 1


def test_corrector_corrects_and_reviews_but_deletes_and_imports_nothing(corrector, page):
    line = page.lines.first()
    patched = corrector.patch(
        f"/api/v1/lines/{line.pk}/", {"text": "fixed", "version": 1}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["text"] == "fixed"
    reviewed = corrector.post(f"/api/v1/pages/{page.pk}/review/", {}, format="json")
    assert reviewed.json() == {"status": "reviewed"}
    for method, url in [
        ("post", "/api/v1/books/"),
        ("delete", f"/api/v1/books/{page.volume.book_id}/"),
        ("delete", f"/api/v1/pages/{page.pk}/"),
        ("post", f"/api/v1/volumes/{page.volume_id}/pages/"),
        ("post", f"/api/v1/pages/{page.pk}/recognize/"),
        ("post", f"/api/v1/books/{page.volume.book_id}/recognize/"),
        ("patch", f"/api/v1/volumes/{page.volume_id}/"),
        ("post", "/api/v1/recognize"),  # the web process's engine is for integrations
    ]:
        assert_error(getattr(corrector, method)(url, {}, format="json"), 403, "permission_denied")
    assert Page.objects.filter(pk=page.pk).exists()


def test_librarian_may_delete(librarian):
    book = make_book(1)
    page = Page.objects.filter(volume__book=book).first()
    assert librarian.delete(f"/api/v1/pages/{page.pk}/").status_code == 204
    assert librarian.delete(f"/api/v1/books/{book.pk}/").status_code == 204
    assert not Book.objects.exists() and not Page.objects.exists()


def test_not_found_and_validation_share_the_error_shape(librarian):
    assert_error(librarian.get("/api/v1/books/999999/"), 404, "not_found")
    assert_error(librarian.get("/api/v1/lines/999999/"), 404, "not_found")
    body = assert_error(librarian.post("/api/v1/books/", {}, format="json"), 400, "invalid")
    assert "title" in body["fields"]
    body = assert_error(librarian.get("/api/v1/pages/?status=lost"), 400, "invalid")
    assert "status" in body["fields"]
    assert_error(
        librarian.post("/api/v1/books/", "{not json", content_type="application/json"),
        400,
        "parse_error",
    )
    assert_error(librarian.put("/api/v1/pages/1/", {}, format="json"), 405, "method_not_allowed")


def test_rate_limit_per_user_is_429_with_retry_after(reader, corrector, settings):
    from django.core.cache import cache

    cache.clear()
    settings.API_THROTTLE_RATE = "3/min"
    try:
        for _ in range(3):
            assert reader.get("/api/v1/books/").status_code == 200
        response = reader.get("/api/v1/books/")
        body = assert_error(response, 429, "throttled")
        assert 0 < int(response["Retry-After"]) <= 60 and body["retry_after"] > 0
        # counted per user: another user is not held back
        assert corrector.get("/api/v1/books/").status_code == 200
    finally:
        cache.clear()


def test_synchronous_recognition_is_for_api_readers_and_librarians(librarian, reader, corrector):
    for client in (librarian, reader):
        assert_error(client.post("/api/v1/recognize", {}), 400, "invalid")  # allowed, no image
    assert_error(corrector.post("/api/v1/recognize", {}), 403, "permission_denied")
