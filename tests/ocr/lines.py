"""Pages with recognized lines, written as recognition writes them (no engine needed)."""

import importlib
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from books.models import Page, PageStatus
from ocr.models import TextLine
from tests.factories import make_book, page_image


def make_page_with_lines(
    count: int = 3, *, number: int = 1, pages: int = 1, confidence=0.95, images: bool = False
):
    """The first page of a new book; every page of it recognized with ``count`` lines.

    ``images``: store a real 200 x 300 image file for each page (the screen shows it)."""
    book = make_book(number, volumes=1, pages=pages, statuses=(PageStatus.RECOGNIZED,))
    all_pages = list(Page.objects.filter(volume__book=book).order_by("sequence"))
    for page in all_pages if images else []:
        buffer = io.BytesIO()
        page_image(page.sequence).save(buffer, "PNG")
        default_storage.save(page.image.name, ContentFile(buffer.getvalue()))
    TextLine.objects.bulk_create(
        TextLine(
            page=page,
            order=n,
            polygon=[[10, 20 * n], [190, 20 * n], [190, 20 * n + 15], [10, 20 * n + 15]],
            x0=10,
            y0=20 * n,
            x1=190,
            y1=20 * n + 15,
            engine_text=f"engine line {n}",
            text=f"engine line {n}",
            confidence=confidence(n) if callable(confidence) else confidence,
        )
        for page in all_pages
        for n in range(1, count + 1)
    )
    return all_pages[0]


def ensure_roles() -> None:
    """The groups of the data migration, made again by it after a transactional test's flush
    emptied the tables (the migration is idempotent)."""
    from django.apps import apps

    importlib.import_module("ocr.migrations.0005_roles").create_groups(apps, None)
    importlib.import_module("ocr.migrations.0009_page_version_roles").grant(apps, None)


def make_user(username: str, *groups: str, staff: bool = True):
    if groups and Group.objects.filter(name__in=groups).count() < len(groups):
        ensure_roles()
    user = get_user_model().objects.create_user(username, password="pw", is_staff=staff)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user
