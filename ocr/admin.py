"""Operators' view of recognition: every attempt with its outcome, and the lines."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from ocr.models import LineRevision, OcrRun, PageReview, TextLine


@admin.register(OcrRun)
class OcrRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "page",
        "status",
        "attempt",
        "line_count",
        "seconds",
        "engine",
        "rec_model",
        "device",
        "created_at",
        "error",
    )
    list_filter = ("status", "engine", "rec_model", "device")
    list_select_related = ("page__volume__book",)
    search_fields = ("task_id", "page__volume__book__title", "error")
    raw_id_fields = ("page", "reused_from", "requested_by")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NoDirectDelete:
    """No delete screen or action of its own; rows still go when their page is deleted.

    (``has_delete_permission`` stays permission-based: the admin checks it on every related
    row when a page or book is deleted.)"""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied


@admin.register(TextLine)
class TextLineAdmin(NoDirectDelete, admin.ModelAdmin):
    list_display = ("page", "order", "text", "confidence", "corrected", "corrected_by")
    list_filter = ("vertical",)
    list_select_related = ("page__volume__book", "corrected_by")
    search_fields = ("text", "engine_text")
    raw_id_fields = ("page", "run", "corrected_by")

    # Lines change and go only through the page's review screen (ocr.corrections): it checks
    # the version, takes the page lock and writes the history that a plain form would skip.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("corrected"))
    def corrected(self, obj):
        return obj.is_corrected


@admin.register(LineRevision)
class LineRevisionAdmin(NoDirectDelete, admin.ModelAdmin):
    list_display = ("created_at", "page", "order", "action", "user", "text_before", "text_after")
    list_filter = ("action",)
    list_select_related = ("page__volume__book", "user")
    raw_id_fields = ("page", "line", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PageReview)
class PageReviewAdmin(NoDirectDelete, admin.ModelAdmin):
    list_display = ("created_at", "page", "reviewed", "user")
    list_filter = ("reviewed",)
    list_select_related = ("page__volume__book", "user")
    raw_id_fields = ("page", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
