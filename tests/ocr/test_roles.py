"""Groups made by the data migration, and their permissions enforced by the server."""

import pytest
from django.contrib.auth.models import Group

from books.models import Book, Page
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = pytest.mark.django_db


def codenames(group: str) -> set[str]:
    return {
        f"{app}.{code}"
        for app, code in Group.objects.get(name=group).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_correctors_view_the_catalogue_correct_lines_and_mark_reviewed_but_delete_nothing():
    perms = codenames("Correctors")
    assert {
        "books.view_book",
        "books.view_volume",
        "books.view_page",
        "ocr.view_textline",
        "ocr.change_textline",
        "ocr.add_textline",
        "ocr.add_pagereview",
    } <= perms
    assert not [p for p in perms if ".delete_" in p]
    assert not {"books.add_book", "books.add_volume", "books.add_page"} & perms  # no import
    assert not {"books.change_book", "books.change_page"} & perms


def test_librarians_have_everything_in_the_catalogue():
    perms = codenames("Librarians")
    for model in ("book", "volume", "page"):
        for action in ("add", "change", "delete", "view"):
            assert f"books.{action}_{model}" in perms
    assert {"ocr.change_textline", "ocr.delete_textline", "ocr.add_pagereview"} <= perms


def test_a_corrector_is_refused_deleting_or_changing_a_page_and_adding_a_book(client):
    page = make_page_with_lines()
    client.force_login(make_user("carol", "Correctors"))

    assert client.get(f"/admin/books/page/{page.pk}/change/").status_code == 200  # may view
    assert client.post(f"/admin/books/page/{page.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Page.objects.filter(pk=page.pk).exists()
    response = client.post(
        "/admin/books/page/",
        {"action": "delete_selected", "_selected_action": [page.pk], "post": "yes"},
    )
    assert Page.objects.filter(pk=page.pk).exists(), response.status_code
    book = page.volume.book
    assert client.post(f"/admin/books/book/{book.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/books/book/add/", {"title": "x", "slug": "x"}).status_code == 403
    assert Book.objects.count() == 1


def test_a_librarian_may_delete_a_page(client):
    page = make_page_with_lines()
    client.force_login(make_user("libby", "Librarians"))

    response = client.post(f"/admin/books/page/{page.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Page.objects.filter(pk=page.pk).exists()


def test_lines_cannot_be_changed_behind_the_history_through_the_plain_line_admin(admin_client):
    page = make_page_with_lines()
    line = page.lines.first()
    admin_client.post(f"/admin/ocr/textline/{line.pk}/change/", {"text": "sneaky"})
    admin_client.post(f"/admin/ocr/textline/{line.pk}/delete/", {"post": "yes"})
    line.refresh_from_db()
    assert line.text == "engine line 1"


def test_history_has_no_delete_screen_but_goes_with_its_page(admin_client):
    from ocr import corrections
    from ocr.models import LineRevision

    page = make_page_with_lines()
    line = page.lines.first()
    corrections.save_line(line.pk, "fixed", 1, None)
    revision = LineRevision.objects.get()
    assert admin_client.post(f"/admin/ocr/linerevision/{revision.pk}/delete/").status_code == 403
    assert (
        admin_client.post(f"/admin/books/page/{page.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not LineRevision.objects.exists()
