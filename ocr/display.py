"""The page image at the review screen's display size, made once and kept in storage.

A 300-dpi scan is 5-25 MB; the review screen shows a JPEG whose longest side is
``REVIEW_IMAGE_SIZE`` and loads the full scan only when the corrector zooms past it.
"""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from books.models import Page


def display_size(page: Page) -> tuple[int, int]:
    """Width and height of the display image (the scan's own when it is small enough)."""
    limit = settings.REVIEW_IMAGE_SIZE
    longest = max(page.width, page.height)
    if longest <= limit or not longest:
        return page.width, page.height
    scale = limit / longest
    return max(1, round(page.width * scale)), max(1, round(page.height * scale))


def display_name(page: Page) -> str:
    """Storage name of the display image: by content and size, so it is made once."""
    if display_size(page) == (page.width, page.height):
        return page.image.name
    size = settings.REVIEW_IMAGE_SIZE
    return (
        f"display/{page.volume.book_id}/{page.volume_id}/"
        f"{page.sha256[:20]}-{page.source_frame}-{size}.jpg"
    )


def ensure_display_image(page: Page) -> str:
    """The display image's storage name, making it from the scan the first time."""
    name = display_name(page)
    if name == page.image.name or default_storage.exists(name):
        return name
    with page.image.open("rb") as handle:
        image = Image.open(handle)
        image.draft(image.mode, display_size(page))  # JPEG: decode at a fraction of the size
        image = image.convert("L" if image.mode in {"1", "L", "LA", "I;16"} else "RGB")
    image.thumbnail(display_size(page), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)
    if default_storage.exists(name):  # made by a concurrent request meanwhile
        return name
    return default_storage.save(name, ContentFile(buffer.getvalue()))
