"""What the review screen and its endpoints share: permissions, the per-line form token,
URLs, and the rule for what counts as a low-confidence line."""

import zlib

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import reverse

from ocr.models import TextLine

PERM_VIEW = ("books.view_page", "ocr.view_textline")
PERM_EDIT = "ocr.change_textline"
PERM_ADD = "ocr.add_textline"
PERM_DELETE = "ocr.delete_textline"
PERM_REVIEW = "ocr.add_pagereview"
LINE_FIELDS = (
    "pk",
    "order",
    "polygon",
    "text",
    "engine_text",
    "confidence",
    "version",
    "region_id",
)


def token(version: int, text: str) -> str:
    """What the form sends back per line: the version seen and a checksum of the text seen,
    so a plain form post saves only the lines the corrector changed."""
    return f"{version}.{zlib.crc32(text.encode()):08x}"


def review_url(page_id: int, **query) -> str:
    url = reverse("admin:books_page_review", args=[page_id])
    params = "&".join(f"{key}={value}" for key, value in query.items() if value)
    return f"{url}?{params}" if params else url


def is_low(confidence: float | None, corrected: bool) -> bool:
    """Marked for attention: the engine was unsure, and no person has corrected the line."""
    return not corrected and confidence is not None and confidence < settings.OCR_LOW_CONFIDENCE


def counts(page_id: int) -> dict:
    corrected = ~Q(text=F("engine_text"))
    return TextLine.objects.filter(page_id=page_id).aggregate(
        lines=Count("pk"),
        low=Count("pk", filter=Q(confidence__lt=settings.OCR_LOW_CONFIDENCE) & ~corrected),
        corrected=Count("pk", filter=corrected),
    )
