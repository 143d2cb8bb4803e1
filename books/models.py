"""The catalogue: a Book has Volumes, a Volume has Pages (one page image each)."""

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _


class TextDirection(models.TextChoices):
    AUTO = "auto", _("Detect from the page")
    HORIZONTAL = "horizontal", _("Horizontal, left to right")
    VERTICAL = "vertical", _("Vertical columns, right to left")


class PageStatus(models.TextChoices):
    NEW = "new", _("New")
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    RECOGNIZED = "recognized", _("Recognized")
    REVIEWED = "reviewed", _("Reviewed")
    FAILED = "failed", _("Failed")


# Statuses that count as "has text": a reviewed page was recognized first.
RECOGNIZED_STATUSES = (PageStatus.RECOGNIZED, PageStatus.REVIEWED)


def _progress_annotations(prefix: str) -> dict:
    """Page counts by status in one aggregate query (no per-row queries in lists)."""
    return {
        "page_count": Count(f"{prefix}", distinct=True),
        "recognized_count": Count(
            f"{prefix}", filter=Q(**{f"{prefix}__status__in": RECOGNIZED_STATUSES}), distinct=True
        ),
        "reviewed_count": Count(
            f"{prefix}", filter=Q(**{f"{prefix}__status": PageStatus.REVIEWED}), distinct=True
        ),
        "failed_count": Count(
            f"{prefix}", filter=Q(**{f"{prefix}__status": PageStatus.FAILED}), distinct=True
        ),
    }


class BookQuerySet(models.QuerySet):
    def with_progress(self):
        return self.annotate(
            volume_count=Count("volumes", distinct=True), **_progress_annotations("volumes__pages")
        )


class VolumeQuerySet(models.QuerySet):
    def with_progress(self):
        return self.annotate(**_progress_annotations("pages"))


class ProgressMixin:
    """Percentages from the counts that ``with_progress()`` annotates."""

    def _percent(self, count_name: str) -> int:
        total = getattr(self, "page_count", 0) or 0
        return round(100 * (getattr(self, count_name, 0) or 0) / total) if total else 0

    @property
    def recognized_percent(self) -> int:
        return self._percent("recognized_count")

    @property
    def reviewed_percent(self) -> int:
        return self._percent("reviewed_count")


class Book(ProgressMixin, models.Model):
    slug = models.SlugField(
        _("identifier"),
        max_length=120,
        unique=True,
        allow_unicode=True,
        help_text=_("Stable identifier used in URLs, exports and the import command."),
    )
    title = models.CharField(_("title"), max_length=500)
    author = models.CharField(_("author"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=20,
        default="ch",
        help_text=_("OCR language code, e.g. ch (Chinese and English), en, chinese_cht."),
    )
    text_direction = models.CharField(
        _("text direction"), max_length=12, choices=TextDirection, default=TextDirection.AUTO
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    source_directory = models.CharField(_("source directory"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Volume(ProgressMixin, models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="volumes")
    sequence = models.PositiveIntegerField(_("sequence"))
    label = models.CharField(_("label"), max_length=300, blank=True)
    source_directory = models.CharField(
        _("source folder"),
        max_length=1000,
        blank=True,
        help_text=_("Folder inside the book's source directory that was imported as this volume."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VolumeQuerySet.as_manager()

    class Meta:
        ordering = ["book_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["book", "sequence"], name="volume_unique_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.book} · {self.label or f'vol. {self.sequence}'}"


def page_image_path(page: "Page", filename: str) -> str:
    return f"pages/{page.volume.book_id}/{page.volume_id}/{filename}"


class Page(models.Model):
    volume = models.ForeignKey(Volume, on_delete=models.CASCADE, related_name="pages")
    sequence = models.PositiveIntegerField(_("sequence"))
    image = models.ImageField(_("image"), upload_to=page_image_path, max_length=500)
    thumbnail = models.ImageField(_("thumbnail"), max_length=500, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    original_name = models.CharField(_("original file name"), max_length=500, blank=True)
    source_path = models.CharField(_("source path"), max_length=2000, blank=True)
    source_frame = models.PositiveIntegerField(
        _("source frame"), default=0, help_text=_("Page or frame number inside a PDF or TIFF.")
    )
    sha256 = models.CharField(_("SHA-256 of the source file"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PageStatus, default=PageStatus.NEW, db_index=True
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["volume_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["volume", "sequence"], name="page_unique_sequence"),
            models.UniqueConstraint(
                fields=["volume", "sha256", "source_frame"], name="page_unique_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volume} · p. {self.sequence}"
