"""Thumbnails made on first view, for pages imported without one.

An import stores a JPEG as it came and checks it without decoding it (``books.images``), so
it has no thumbnail yet. The first request for it decodes the image at reduced size, stores
the thumbnail next to where an import would have put it and records it on the page; later
views link to the stored file.
"""

import io
import logging
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from books import images
from books.models import Page

logger = logging.getLogger(__name__)


def thumbnail_url(page: Page) -> str:
    """Where a browser or client gets the page's thumbnail: stored, or made on request."""
    if page.thumbnail:
        return page.thumbnail.url
    return reverse("api:page-thumbnail", kwargs={"pk": page.pk})


def ensure_thumbnail(page: Page) -> str:
    """The storage name of the page's thumbnail, made now if it has none.

    "" when the stored image cannot be decoded (the reason is logged; recognition reports
    such a page as failed with its reason).
    """
    if page.thumbnail:
        return page.thumbnail.name
    try:
        with default_storage.open(page.image.name, "rb") as stored:
            image = Image.open(io.BytesIO(stored.read()))
            size = settings.THUMBNAIL_SIZE
            image.draft(images.plain_mode(image), (size, size))
            thumbnail = images.make_thumbnail(image, size)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        logger.warning("no thumbnail for page %s (%s): %s", page.pk, page.image.name, error)
        return ""
    name = default_storage.save(_name_for(page.image.name), ContentFile(thumbnail))
    if Page.objects.filter(pk=page.pk, thumbnail="").update(thumbnail=name):
        page.thumbnail = name
        return name
    # Another request made it first: keep theirs.
    default_storage.delete(name)
    page.refresh_from_db(fields=["thumbnail"])
    return page.thumbnail.name


def _name_for(image_name: str) -> str:
    """thumbs/<book>/<volume>/<content>.jpg beside pages/<book>/<volume>/<content>.<ext>."""
    return str("thumbs" / PurePosixPath(image_name.removeprefix("pages/")).with_suffix(".jpg"))
