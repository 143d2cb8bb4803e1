"""The role walk: no admin action or admin URL gives a role more than its API permissions.

Every action of every admin class and every URL of every admin class is named here with the
permissions its API counterpart needs; an action or URL added without an entry fails the
walk, so a new screen cannot slip past it.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from books.models import Page
from ocr import corrections, page_versions
from ocr.models import OcrRun, PageReview, VersionReason
from tests.api.conftest import ensure_api_roles
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = pytest.mark.django_db

ROLES = ("Librarians", "Correctors", "API readers")

# Admin actions by name: the permissions of the API endpoint doing the same.
ACTION_PERMS = {
    "recognize": ["ocr.add_ocrrun"],  # POST .../recognize/
    "recognize_again": ["ocr.add_ocrrun"],  # ... with force
    "recognize_again_discarding": ["ocr.add_ocrrun"],  # ... with discard_corrections
    "export_with_options": ["exports.add_export"],  # POST /exports/
    **{
        f"export_{name}": ["exports.add_export"]
        for name in ("txt", "json", "csv", "hocr", "alto", "page", "pdf")
    },
}

# The review screen's URLs (PageAdmin, and the book and volume review queues): method, and the
# permissions of the API endpoints doing the same.
VIEW_PAGE = ["books.view_page", "ocr.view_textline"]
CUSTOM_URLS = {
    "books_book_review": ("GET", ["books.view_book", *VIEW_PAGE]),
    "books_volume_review": ("GET", ["books.view_volume", *VIEW_PAGE]),
    "books_page_review": ("GET", VIEW_PAGE),  # GET /pages/{id}/lines/
    "books_page_image": ("GET", VIEW_PAGE),
    "books_page_scan": ("GET", VIEW_PAGE),
    "books_page_review_save": ("POST", ["ocr.change_textline"]),  # PATCH /pages/{id}/lines/
    "books_page_line_add": ("POST", ["ocr.add_textline"]),
    "books_page_reviewed": ("POST", ["ocr.add_pagereview"]),  # POST /pages/{id}/review/
    "books_page_version_restore": ("POST", list(page_versions.RESTORE_PERMISSIONS)),
    "books_page_line": ("GET", VIEW_PAGE),  # GET /lines/{id}/
    "books_page_characters": ("GET", VIEW_PAGE),
    "books_page_region_move": ("POST", ["ocr.change_textline"]),
    "auth_user_password_change": ("GET", ["auth.change_user"]),  # no API
}


@pytest.fixture
def world():
    """One of everything the admin shows, and a user of each role (staff, so that only the
    permissions decide)."""
    ensure_api_roles()
    page = make_page_with_lines(2, images=True)
    line = page.lines.first()
    corrections.save_line(line.pk, "fixed", line.version, None)
    version = page_versions.keep_version(page.pk, VersionReason.RECOGNIZED_AGAIN)
    OcrRun.objects.create(page=page)
    PageReview.objects.create(page=page)
    users = {role: make_user(role.lower().replace(" ", "_"), role) for role in ROLES}
    assert all(Group.objects.get(name=role).permissions.exists() for role in ROLES)
    return {"page": page, "line": line, "version": version, "users": users}


def url_args(name: str, world) -> list:
    page = world["page"]
    return {
        "books_book_review": [page.volume.book_id],
        "books_volume_review": [page.volume_id],
        "books_page_line": [page.pk, world["line"].pk],
        "books_page_version_restore": [page.pk, world["version"].pk],
        "auth_user_password_change": [world["users"]["Correctors"].pk],
        "books_page_region_move": [page.pk, 1],
    }.get(name, [page.pk])


def test_every_admin_action_needs_the_permissions_of_its_api_endpoint(world):
    factory = RequestFactory()
    for role, user in world["users"].items():
        for model, model_admin in admin.site._registry.items():
            request = factory.post(f"/admin/{model._meta.app_label}/")
            request.user = user
            if not model_admin.has_view_or_change_permission(request):
                continue  # its list, where actions are run, refuses them (walked below)
            for name in model_admin.get_actions(request):
                if name == "delete_selected":  # DELETE of the resource
                    needed = [f"{model._meta.app_label}.delete_{model._meta.model_name}"]
                else:
                    assert name in ACTION_PERMS, f"{model_admin}: action {name} not in the walk"
                    needed = ACTION_PERMS[name]
                assert user.has_perms(needed), f"{role} may run {name} on {model.__name__}"


def test_a_corrector_cannot_recognize_a_page_again_from_the_admin(client, world):
    client.force_login(world["users"]["Correctors"])
    page = world["page"]
    runs = OcrRun.objects.count()
    for action in ("recognize_again", "recognize_again_discarding", "recognize"):
        client.post("/admin/books/page/", {"action": action, "_selected_action": [page.pk]})
    assert OcrRun.objects.count() == runs
    assert Page.objects.get(pk=page.pk).status == "recognized"
    assert page.lines.filter(text="fixed").exists()


def test_a_librarian_recognizes_again_from_the_admin_keeping_or_discarding_corrections(
    client, world
):
    client.force_login(world["users"]["Librarians"])
    page = world["page"]
    client.post("/admin/books/page/", {"action": "recognize_again", "_selected_action": [page.pk]})
    run = OcrRun.objects.filter(page=page).latest("id")
    assert run.force and run.keep_corrections
    OcrRun.objects.filter(pk=run.pk).delete()
    Page.objects.filter(pk=page.pk).update(status="recognized")
    client.post(
        "/admin/books/page/",
        {"action": "recognize_again_discarding", "_selected_action": [page.pk]},
    )
    run = OcrRun.objects.filter(page=page).latest("id")
    assert run.force and not run.keep_corrections


def standard_urls(model, world) -> dict[str, tuple[str, str, list[str]]]:
    """The admin's own screens of a model: name -> (method, path, permissions: any of)."""
    meta = model._meta
    obj = model._default_manager.order_by("pk").first()
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    perm = f"{meta.app_label}.%s_{meta.model_name}"
    urls = {
        "changelist": ("GET", base, [perm % "view", perm % "change"]),
        "add": ("GET", f"{base}add/", [perm % "add"]),
    }
    if obj is not None:
        urls |= {
            "change": ("GET", f"{base}{obj.pk}/change/", [perm % "view", perm % "change"]),
            "history": ("GET", f"{base}{obj.pk}/history/", [perm % "view", perm % "change"]),
            "delete": ("GET", f"{base}{obj.pk}/delete/", [perm % "delete"]),
        }
    return urls


def test_no_admin_url_answers_a_role_without_the_api_permissions(client, world):
    allowed_by = {}
    for model, model_admin in admin.site._registry.items():
        for pattern in model_admin.get_urls():
            name = pattern.name or ""
            kind = name.removeprefix(f"{model._meta.app_label}_{model._meta.model_name}_")
            if name and kind not in ("changelist", "add", "change", "history", "delete"):
                assert name in CUSTOM_URLS, f"admin URL {name} is not in the role walk"
        for kind, (method, url, any_of) in standard_urls(model, world).items():
            allowed_by[f"{model._meta.label} {kind}"] = (method, url, any_of, False)
    for name, (method, needed) in CUSTOM_URLS.items():
        url = reverse(f"admin:{name}", args=url_args(name, world))
        allowed_by[name] = (method, url, needed, True)

    for role, user in world["users"].items():
        client.force_login(user)
        for what, (method, url, perms, all_needed) in allowed_by.items():
            response = client.get(url) if method == "GET" else client.post(url, {})
            may = user.has_perms(perms) if all_needed else any(user.has_perm(p) for p in perms)
            if not may:
                assert response.status_code in (403, 302), f"{role}: {what} {url}"
                if response.status_code == 302:  # the admin's "no permission" for add/change
                    assert "/login/" in response["Location"], f"{role}: {what} {url}"
            else:
                assert response.status_code < 500, f"{role}: {what} {url}"
