"""Exports in the admin: "Export as ..." actions on books, volumes and pages, and the list
of exports with status, progress and download links.

The actions are added to the catalogue's admin classes from here, so everything about
exports stays in this app.
"""

from collections import defaultdict

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from books.admin import BookAdmin, PageAdmin, VolumeAdmin, progress_bar
from exports import access, building, formats
from exports.forms import ExportOptionsForm
from exports.models import Export, ExportStatus, Scope


def _report(modeladmin, request, results):
    refused = [export for export, new in results if new and building.was_refused(export)]
    created = [export for export, new in results if new and export not in refused]
    reused = [export for export, new in results if not new]
    url = reverse("admin:exports_export_changelist")
    if refused:
        modeladmin.message_user(
            request,
            _("%(count)d export(s) could not be queued: %(reason)s. Try again later.")
            % {"count": len(refused), "reason": refused[0].error},
            messages.ERROR,
        )
    if created:
        modeladmin.message_user(
            request,
            format_html(
                '{} export(s) queued: see <a href="{}">Exports</a> for progress and downloads.',
                len(created),
                url,
            ),
            messages.SUCCESS,
        )
    if reused:
        modeladmin.message_user(
            request,
            format_html(
                '{} identical export(s) already exist with the same text: see <a href="{}">'
                "Exports</a>.",
                len(reused),
                url,
            ),
            messages.INFO,
        )


def _request_all(modeladmin, request, requests, fmt: str, **options) -> None:
    results = []
    for book, kwargs in requests:
        try:
            results.append(
                building.request_export(book, fmt, user=request.user, **kwargs, **options)
            )
        except ValueError as error:
            modeladmin.message_user(request, f"{book}: {error}", messages.WARNING)
    _report(modeladmin, request, results)


def _export_action(fmt, requests_for):
    def action(modeladmin, request, queryset):
        _request_all(modeladmin, request, requests_for(queryset), fmt.name)

    action.__name__ = f"export_{fmt.name}"
    return admin.action(
        description=_("Export as %(format)s") % {"format": fmt.label}, permissions=["export"]
    )(action)


def _options_action(requests_for):
    """An intermediate page: format, text source, per-page files, page images."""

    @admin.action(description=_("Export with options..."), permissions=["export"])
    def export_with_options(modeladmin, request, queryset):
        form = ExportOptionsForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            options = dict(form.cleaned_data)
            fmt = options.pop("format")
            _request_all(modeladmin, request, requests_for(queryset), fmt, **options)
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Export"),
            "queryset": queryset,
            "form": form,
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "admin/exports/export_options.html", context)

    return export_with_options


def _books(queryset):
    return [(book, {"scope": Scope.BOOK}) for book in queryset]


def _volumes(queryset):
    return [
        (volume.book, {"scope": Scope.VOLUME, "volume": volume})
        for volume in queryset.select_related("book")
    ]


def _pages(queryset):
    by_book = defaultdict(list)
    for page in queryset.select_related("volume__book"):
        by_book[page.volume.book].append(page.pk)
    return [(book, {"scope": Scope.PAGES, "page_ids": ids}) for book, ids in by_book.items()]


def _has_export_permission(model_admin, request):
    return request.user.has_perm("exports.add_export")  # as the API's POST /exports/


for model_admin, requests_for in (
    (BookAdmin, _books),
    (VolumeAdmin, _volumes),
    (PageAdmin, _pages),
):
    model_admin.has_export_permission = _has_export_permission
    model_admin.actions = [
        *model_admin.actions,
        *(_export_action(formats.get(name), requests_for) for name in formats.names()),
        _options_action(requests_for),
    ]


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "what",
        "format",
        "text_source",
        "status",
        "progress",
        "size_display",
        "requested_by",
        "created_at",
        "expires_at",
        "download",
    )
    list_filter = ("status", "format", "text_source", "scope")
    list_select_related = ("book", "volume", "requested_by")
    search_fields = ("book__title", "book__slug", "error")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Export._meta.fields] + ["download"]

    def get_queryset(self, request):
        """A user's own exports; every export for a role that sees all (Librarians)."""
        return access.visible_exports(request.user).select_related(*self.list_select_related)

    def has_add_permission(self, request):
        return False  # exports are started from books, volumes and pages

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("export of"))
    def what(self, obj):
        return obj.scope_label()

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj.status == ExportStatus.FAILED:
            return format_html('<span title="{}">{}</span>', obj.error, _("failed"))
        return progress_bar(
            obj.pages_total if obj.status == ExportStatus.DONE else obj.pages_done,
            obj.pages_total,
            "exported",
        )

    @admin.display(description=_("size"), ordering="size")
    def size_display(self, obj):
        from django.template.defaultfilters import filesizeformat

        return filesizeformat(obj.size) if obj.size is not None else "—"

    @admin.display(description=_("download"))
    def download(self, obj):
        if obj.status != ExportStatus.DONE or not obj.file:
            return "—"
        url = reverse("exports:download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file.name.rsplit("/", 1)[-1])
