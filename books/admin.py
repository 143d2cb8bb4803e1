"""Librarian screens: books with progress, volumes and pages with cached thumbnails."""

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from books.models import Book, Page, Volume


def progress_bar(done: int, total: int, label: str) -> str:
    percent = round(100 * done / total) if total else 0
    return format_html(
        '<div class="dp-progress" title="{} {} of {} pages">'
        '<div class="dp-progress-bar" style="width:{}%"></div>'
        '<span class="dp-progress-label">{}%</span></div>',
        label,
        done,
        total,
        percent,
        percent,
    )


def thumbnail_tag(name: str | None, page_id: int | None, alt: str, size: int = 64) -> str:
    """The page's stored thumbnail, or the URL that makes it on first view."""
    if name:
        from django.core.files.storage import default_storage

        src = default_storage.url(name)
    elif page_id:
        src = reverse("api:page-thumbnail", kwargs={"pk": page_id})
    else:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" loading="lazy" class="dp-thumb" style="max-height:{}px">',
        src,
        alt,
        size,
    )


def _enqueue(modeladmin, request, pages, *, force, keep_corrections=True):
    from ocr.queueing import enqueue_pages

    result = enqueue_pages(
        pages.values_list("pk", flat=True),
        force=force,
        keep_corrections=keep_corrections,
        user=request.user,
    )
    level = messages.SUCCESS if result.queued else messages.WARNING
    modeladmin.message_user(request, result.message(), level)


RECOGNIZE_PERMISSION = "ocr.add_ocrrun"  # the API's recognize actions need the same


def recognize_actions(pages_of):
    """Admin actions queueing OCR for the pages of the selected objects (Librarians: the
    ``recognize`` permission of ``RecognizeActionsMixin``)."""

    @admin.action(
        description=_("Recognize text (OCR) of the selected items"),
        permissions=["recognize"],
    )
    def recognize(modeladmin, request, queryset):
        _enqueue(modeladmin, request, pages_of(queryset), force=False)

    @admin.action(
        description=_("Recognize again, keeping corrected lines"), permissions=["recognize"]
    )
    def recognize_again(modeladmin, request, queryset):
        _enqueue(modeladmin, request, pages_of(queryset), force=True)

    @admin.action(
        description=_("Recognize again, discarding corrections (kept in the page's versions)"),
        permissions=["recognize"],
    )
    def recognize_again_discarding(modeladmin, request, queryset):
        _enqueue(modeladmin, request, pages_of(queryset), force=True, keep_corrections=False)

    return [recognize, recognize_again, recognize_again_discarding]


class RecognizeActionsMixin:
    def has_recognize_permission(self, request):
        return request.user.has_perm(RECOGNIZE_PERMISSION)


class ProgressColumns:
    """Columns shared by the book and volume lists; counts come from ``with_progress()``."""

    @admin.display(description=_("pages"), ordering="page_count")
    def pages(self, obj):
        return obj.page_count

    @admin.display(description=_("recognized"), ordering="recognized_count")
    def recognized(self, obj):
        return progress_bar(obj.recognized_count, obj.page_count, "recognized")

    @admin.display(description=_("reviewed"), ordering="reviewed_count")
    def reviewed(self, obj):
        return progress_bar(obj.reviewed_count, obj.page_count, "reviewed")

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count or "—"


def review_links(url: str) -> str:
    return format_html(
        '<a class="button" href="{}">{}</a> <a href="{}?order=confidence">{}</a>',
        url,
        _("Review"),
        url,
        _("lowest confidence first"),
    )


def review_progress_table(book) -> str:
    """Recognized %, reviewed % and corrected lines for the book and each of its volumes."""
    from ocr.review_queue import book_progress

    rows = []
    for row in book_progress(book):
        volume = row["volume"]
        if volume is None:
            name = format_html("<b>{}</b>", _("whole book"))
            url = reverse("admin:books_book_review", args=[book.pk])
        else:
            name = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:books_volume_change", args=[volume.pk]),
                volume.label or volume.sequence,
            )
            url = reverse("admin:books_volume_review", args=[volume.pk])
        rows.append(
            format_html(
                "<tr><td>{}</td><td>{}</td><td>{}%</td><td>{}%</td><td>{}</td><td>{}</td></tr>",
                name,
                row["pages"],
                row["recognized"],
                row["reviewed"],
                row["corrected"],
                review_links(url),
            )
        )
    return format_html(
        '<table class="dp-review-progress"><thead><tr><th></th><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th><th></th></tr></thead><tbody>{}</tbody></table>",
        _("pages"),
        _("recognized"),
        _("reviewed"),
        _("corrected lines"),
        format_html_join("", "{}", ((row,) for row in rows)),
    )


class ReviewQueueMixin:
    """A "review" URL on the object opening its first page not yet reviewed."""

    review_scope = ""

    def get_urls(self):
        from ocr.review_views import QueueView

        return QueueView(self, self.review_scope).urls() + super().get_urls()


class LabelledFormSet(BaseInlineFormSet):
    """A tabular inline's fields are labelled by column headers only: give each field its
    name for screen readers too (axe: form elements must have labels)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            label = field.label or (_("Delete") if name == "DELETE" else name)
            field.widget.attrs.setdefault(
                "aria-label", f"{label} {index + 1 if index is not None else ''}".strip()
            )


class VolumeInline(admin.TabularInline):
    model = Volume
    formset = LabelledFormSet
    fields = ("sequence", "label", "source_directory", "page_list")
    readonly_fields = ("source_directory", "page_list")
    extra = 0
    show_change_link = True

    @admin.display(description=_("pages"))
    def page_list(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:books_page_changelist") + f"?volume__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Show pages"))


@admin.register(Book)
class BookAdmin(RecognizeActionsMixin, ReviewQueueMixin, ProgressColumns, admin.ModelAdmin):
    review_scope = "book"
    list_display = (
        "title",
        "author",
        "category",
        "language",
        "text_direction",
        "volumes",
        "pages",
        "recognized",
        "reviewed",
        "failed",
        "updated_at",
    )
    list_display_links = ("title",)
    list_filter = ("category", "language", "text_direction", "created_at")
    search_fields = ("title", "author", "slug", "description", "category")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("review_progress", "source_directory", "created_at", "updated_at")
    inlines = [VolumeInline]
    list_per_page = 50
    actions = recognize_actions(lambda books: Page.objects.filter(volume__book__in=books))
    fieldsets = (
        (_("Review"), {"fields": ("review_progress",)}),
        (None, {"fields": ("title", "slug", "author", "category", "description")}),
        (_("Recognition"), {"fields": ("language", "text_direction")}),
        (
            _("Provenance"),
            {"fields": ("source_directory", "metadata", "created_at", "updated_at")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress()

    @admin.display(description=_("volumes"), ordering="volume_count")
    def volumes(self, obj):
        return obj.volume_count

    @admin.display(description=_("progress"))
    def review_progress(self, obj):
        return review_progress_table(obj) if obj.pk else "—"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[1:]


@admin.register(Volume)
class VolumeAdmin(RecognizeActionsMixin, ReviewQueueMixin, ProgressColumns, admin.ModelAdmin):
    review_scope = "volume"
    list_display = ("cover", "__str__", "sequence", "pages", "recognized", "reviewed", "failed")
    list_display_links = ("__str__",)
    list_filter = ("book",)
    list_select_related = ("book",)
    search_fields = ("label", "book__title", "book__slug")
    readonly_fields = ("review", "source_directory", "created_at")
    autocomplete_fields = ("book",)
    list_per_page = 50
    actions = recognize_actions(lambda volumes: Page.objects.filter(volume__in=volumes))

    def get_queryset(self, request):
        first_thumb = Page.objects.filter(volume=OuterRef("pk")).order_by("sequence")
        return (
            super()
            .get_queryset(request)
            .with_progress()
            .annotate(
                cover_thumbnail=Subquery(first_thumb.values("thumbnail")[:1]),
                cover_page=Subquery(first_thumb.values("pk")[:1]),
            )
        )

    @admin.display(description=_("cover"))
    def cover(self, obj):
        return thumbnail_tag(obj.cover_thumbnail, obj.cover_page, str(obj))

    @admin.display(description=_("review"))
    def review(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            "{} · {}",
            review_links(reverse("admin:books_volume_review", args=[obj.pk])),
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:books_book_change", args=[obj.book_id]),
                _("progress of the book"),
            ),
        )


@admin.register(Page)
class PageAdmin(RecognizeActionsMixin, admin.ModelAdmin):
    change_form_template = "admin/books/page/change_form.html"

    list_display = ("thumb", "__str__", "original_name", "status", "size", "updated_at")
    list_display_links = ("thumb", "__str__")
    list_filter = ("status", "volume__book")
    list_select_related = ("volume__book",)
    search_fields = ("original_name", "source_path", "sha256", "volume__book__title")
    # status and error belong to the OCR pipeline (queueing, workers, retries): a hand edit
    # would desynchronize them from the page's OcrRun rows. Use the recognize actions.
    readonly_fields = (
        "preview",
        "status",
        "error",
        "original_name",
        "source_path",
        "source_frame",
        "sha256",
        "width",
        "height",
        "created_at",
        "updated_at",
    )
    fields = (
        "preview",
        "volume",
        "sequence",
        "status",
        "error",
        "original_name",
        "source_path",
        "source_frame",
        "sha256",
        "width",
        "height",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("volume",)
    list_per_page = 100
    actions = recognize_actions(lambda pages: pages)

    def has_add_permission(self, request):
        # Pages come from imports and uploads, which validate and deduplicate the files.
        return False

    def get_urls(self):
        from ocr.review_views import ReviewViews

        return ReviewViews(self).urls() + super().get_urls()

    @admin.display(description=_("page"))
    def thumb(self, obj):
        return thumbnail_tag(obj.thumbnail.name, obj.pk, str(obj))

    @admin.display(description=_("pixels"))
    def size(self, obj):
        return f"{obj.width} × {obj.height}"

    @admin.display(description=_("page"))
    def preview(self, obj):
        """The page image beside its recognized text, in reading order."""
        if not obj.image:
            return "—"
        lines = list(obj.lines.values_list("text", flat=True)) if obj.pk else []
        text = "\n".join(lines) if lines else _("No recognized text yet.")
        return format_html(
            '<div class="dp-page"><a href="{}" target="_blank">'
            '<img src="{}" alt="{}" class="dp-page-image"></a>'
            '<pre class="dp-text" lang="{}">{}</pre></div>',
            obj.image.url,
            obj.image.url,
            str(obj),
            obj.volume.book.language,
            text,
        )
