"""Recognition results: one OcrRun per attempt, TextLine rows per page, and line history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from books.models import Page


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    REUSED = "reused", _("Reused an identical page's result")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class OcrRun(models.Model):
    """One attempt to recognize a page: what ran, where, how long, and how it ended."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="ocr_runs")
    status = models.CharField(
        max_length=10, choices=RunStatus, default=RunStatus.QUEUED, db_index=True
    )
    force = models.BooleanField(default=False, help_text=_("Recognize a page that has text."))
    keep_corrections = models.BooleanField(
        default=True,
        help_text=_("Keep corrected lines over the new recognition (else they are replaced)."),
    )
    attempt = models.PositiveSmallIntegerField(default=1)
    page_status_before = models.CharField(
        max_length=12,
        blank=True,
        help_text=_("The page's status when queued: restored if a re-recognition fails."),
    )
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    engine = models.CharField(max_length=40, blank=True)
    det_model = models.CharField(_("detection model"), max_length=100, blank=True)
    rec_model = models.CharField(_("recognition model"), max_length=100, blank=True)
    device = models.CharField(max_length=20, blank=True)
    settings_key = models.CharField(
        max_length=64, blank=True, help_text=_("Hash of the engine settings, for result reuse.")
    )
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    line_count = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(_("recognition seconds"), null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("OCR run")
        permissions = [
            ("recognize_image", _("Can recognize an uploaded image at once (POST /recognize)")),
        ]

    def __str__(self) -> str:
        return f"OCR run {self.pk} of {self.page} ({self.status})"


class RegionKind(models.TextChoices):
    TEXT = "text", _("Text")
    TITLE = "title", _("Title")
    CAPTION = "caption", _("Caption")
    HEADER = "header", _("Running header")
    FOOTER = "footer", _("Footer")
    PAGE_NUMBER = "page_number", _("Page number")
    TABLE = "table", _("Table")
    FIGURE = "figure", _("Figure")
    EQUATION = "equation", _("Equation")


class Region(models.Model):
    """A layout region the layout stage found on the page, in reading order."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="regions")
    order = models.PositiveIntegerField(_("reading order"))
    kind = models.CharField(max_length=12, choices=RegionKind, default=RegionKind.TEXT)
    x0 = models.IntegerField()
    y0 = models.IntegerField()
    x1 = models.IntegerField()
    y1 = models.IntegerField()
    score = models.FloatField(null=True, blank=True, help_text=_("The layout model's confidence."))
    run = models.ForeignKey(
        OcrRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["page_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["page", "order"], name="region_unique_order"),
        ]
        verbose_name = _("layout region")

    def __str__(self) -> str:
        return f"{self.page} · {self.get_kind_display()} {self.order}"

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x0, self.y0, self.x1, self.y1)


class TextLine(models.Model):
    """A recognized line: where it stands on the page, what the engine read, what it says now."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveIntegerField(_("reading order"))
    polygon = models.JSONField(help_text=_("[[x, y], ...] in page image pixels."))
    x0 = models.IntegerField()
    y0 = models.IntegerField()
    x1 = models.IntegerField()
    y1 = models.IntegerField()
    engine_text = models.TextField(_("engine text"), blank=True)
    text = models.TextField(_("current text"), blank=True)
    confidence = models.FloatField(null=True, blank=True)
    vertical = models.BooleanField(default=False)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="lines"
    )
    run = models.ForeignKey(
        OcrRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text=_("Raised by every save."))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["page_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["page", "order"], name="textline_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.page} · line {self.order}"

    @property
    def is_corrected(self) -> bool:
        return self.text != self.engine_text

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x0, self.y0, self.x1, self.y1)


class LineAction(models.TextChoices):
    EDIT = "edit", _("Edited")
    REVERT = "revert", _("Reverted to engine text")
    ADD = "add", _("Added")
    DELETE = "delete", _("Deleted")
    SUPERSEDED = "superseded", _("Replaced by a forced re-recognition")
    MOVE = "move", _("Moved")
    SPLIT = "split", _("Split in two")
    MERGE = "merge", _("Merged with the next line")
    KEPT = "kept", _("Correction kept over a re-recognition")
    RESTORED = "restored", _("Restored from an earlier version")


class LineRevision(models.Model):
    """History of a line's text; the engine's original is never overwritten elsewhere."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="line_revisions")
    line = models.ForeignKey(
        TextLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    order = models.PositiveIntegerField()
    order_before = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("A move's place before it.")
    )
    action = models.CharField(max_length=12, choices=LineAction)
    text_before = models.TextField(blank=True)
    text_after = models.TextField(blank=True)
    engine_text = models.TextField(blank=True)
    polygon = models.JSONField(default=list, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} line {self.order} of {self.page}"


class PageReview(models.Model):
    """Who marked a page reviewed (or took the mark back), and when."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="reviews")
    reviewed = models.BooleanField(default=True, help_text=_("False: the mark was taken back."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("page review")

    def __str__(self) -> str:
        return f"{self.page} {'reviewed' if self.reviewed else 'unmarked'} by {self.user}"


class VersionReason(models.TextChoices):
    RECOGNIZED_AGAIN = "recognized_again", _("Before the page was recognized again")
    RESTORE = "restore", _("Before an earlier version was restored")


class PageVersion(models.Model):
    """A page's whole text as it was before a re-recognition or a restore replaced it: every
    line (box, polygon, order, engine and current text) and its layout regions. Restoring
    one makes it the page's text again (``ocr.page_versions``)."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="versions")
    reason = models.CharField(max_length=20, choices=VersionReason)
    lines = models.JSONField(default=list)
    regions = models.JSONField(default=list)
    line_count = models.PositiveIntegerField(default=0)
    corrected_count = models.PositiveIntegerField(default=0)
    run = models.ForeignKey(
        OcrRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The recognition that replaced this text."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("page version")

    def __str__(self) -> str:
        return f"{self.page} · {self.get_reason_display()} ({self.created_at:%Y-%m-%d %H:%M})"
