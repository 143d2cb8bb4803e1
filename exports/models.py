"""An export: what was asked (scope, format, text source, options), how the build went,
and the file it produced, kept until it expires."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from books.models import Book, Volume
from exports import formats


class Scope(models.TextChoices):
    BOOK = "book", _("Whole book")
    VOLUME = "volume", _("One volume")
    PAGES = "pages", _("Chosen pages")


class TextSource(models.TextChoices):
    CORRECTED = "corrected", _("Corrected text")
    ENGINE = "engine", _("Engine text (as recognized)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def export_file_path(export: "Export", filename: str) -> str:
    """A random folder per export: where media is served as plain files, nobody can guess
    another export's address (downloads go through the permission-checked view)."""
    return f"exports/{export.pk}-{secrets.token_hex(8)}/{filename}"


class Export(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="exports")
    scope = models.CharField(max_length=10, choices=Scope, default=Scope.BOOK)
    volume = models.ForeignKey(
        Volume, null=True, blank=True, on_delete=models.CASCADE, related_name="exports"
    )
    page_ids = models.JSONField(
        default=list, blank=True, help_text=_("For chosen pages: their ids, sorted.")
    )
    format = models.CharField(max_length=20, choices=formats.choices)
    text_source = models.CharField(max_length=10, choices=TextSource, default=TextSource.CORRECTED)
    include_images = models.BooleanField(
        _("include page images"), default=False, help_text=_("A ZIP with the page images.")
    )
    per_page = models.BooleanField(
        _("one file per page"), default=False, help_text=_("A ZIP with a file per page.")
    )
    keep_headers_footers = models.BooleanField(
        _("keep headers and footers"),
        default=False,
        help_text=_(
            "Keep running headers, footers and page numbers in the text of TXT, CSV and "
            "JSON exports (hOCR, ALTO and PAGE XML always mark them as such)."
        ),
    )
    fingerprint = models.CharField(
        max_length=64, db_index=True, help_text=_("Hash of scope, format and options.")
    )
    content_stamp = models.CharField(
        max_length=64, blank=True, help_text=_("State of the text when the build read it.")
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus, default=ExportStatus.QUEUED, db_index=True
    )
    pages_done = models.PositiveIntegerField(default=0)
    pages_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_file_path, max_length=500, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When its task was last handed to the broker.")
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text=_("Builds started; a worker that died counts as one.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requesters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text=_(
            "Everyone who asked for this export (a reused export is shared with whoever "
            "asked for the same file); they may see and download it."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_all_exports", _("Can see and download every user's exports")),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} of {self.scope_label()} ({self.status})"

    def scope_label(self) -> str:
        if self.scope == Scope.VOLUME and self.volume_id:
            return f"{self.book} · {self.volume.label or f'vol. {self.volume.sequence}'}"
        if self.scope == Scope.PAGES:
            return f"{self.book} · {len(self.page_ids)} page(s)"
        return str(self.book)

    @property
    def progress_percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return round(100 * self.pages_done / self.pages_total) if self.pages_total else 0
