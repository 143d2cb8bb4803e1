"""Catalogue API: books, volumes and pages, page uploads, and queueing recognition.

Uploads go through ``books.importing.add_file`` (the import command's validation and
dedupe); recognition through ``ocr.queueing``. Lists run a fixed number of queries whatever
the page size: progress counts and each page's last run are annotations, not per-row queries.
"""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_unicode_slug
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.http import HttpResponseRedirect
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from books import importing, ordering, thumbnails
from books.models import Book, Page, PageStatus, Volume
from config.api import (
    BadRequest,
    PayloadTooLarge,
    QueryFilter,
    RolePermissions,
    UnsupportedFileType,
    errors,
)
from ocr.models import OcrRun
from ocr.queueing import EnqueueResult, enqueue_book, enqueue_pages

MAX_ID = 2**63 - 1

# --- Serializers -----------------------------------------------------------------------------


class ProgressFields(serializers.Serializer):
    """Counts annotated by ``with_progress()`` (0 on an object fresh from create)."""

    page_count = serializers.IntegerField(read_only=True, default=0)
    recognized_count = serializers.IntegerField(read_only=True, default=0)
    reviewed_count = serializers.IntegerField(read_only=True, default=0)
    failed_count = serializers.IntegerField(read_only=True, default=0)
    recognized_percent = serializers.IntegerField(read_only=True)
    reviewed_percent = serializers.IntegerField(read_only=True)


class BookSerializer(ProgressFields, serializers.ModelSerializer):
    # A CharField checked in validate_slug: SlugField's pattern would go into the schema as
    # ^[-\w]+$, where \w is ASCII only in JSON Schema, and identifiers may be Chinese.
    slug = serializers.CharField(
        max_length=120,
        required=False,
        help_text="Stable identifier; made from the title when left out.",
    )
    volume_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Book
        fields = [
            "id",
            "slug",
            "title",
            "author",
            "category",
            "description",
            "language",
            "text_direction",
            "metadata",
            "created_at",
            "updated_at",
            "volume_count",
            "page_count",
            "recognized_count",
            "reviewed_count",
            "failed_count",
            "recognized_percent",
            "reviewed_percent",
        ]

    def validate_slug(self, slug):
        try:
            validate_unicode_slug(slug)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        others = Book.objects.filter(slug=slug)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError("A book with this identifier already exists.")
        return slug

    def validate_metadata(self, metadata):
        if not isinstance(metadata, dict):
            raise serializers.ValidationError("Expected a JSON object.")
        return metadata

    def create(self, validated_data):
        validated_data.setdefault("slug", importing.unique_slug(validated_data["title"]))
        return super().create(validated_data)


class VolumeSerializer(ProgressFields, serializers.ModelSerializer):
    sequence = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text="Place in the book; the next free number when left out.",
    )

    class Meta:
        model = Volume
        fields = [
            "id",
            "book",
            "sequence",
            "label",
            "created_at",
            "page_count",
            "recognized_count",
            "reviewed_count",
            "failed_count",
            "recognized_percent",
            "reviewed_percent",
        ]
        validators = []  # (book, sequence) is checked in validate(), sequence being optional

    def validate(self, data):
        book = data.get("book") or (self.instance.book if self.instance else None)
        sequence = data.get("sequence")
        if sequence is None and self.instance is not None and book != self.instance.book:
            sequence = self.instance.sequence  # moving to another book keeps the number
        if sequence is None and self.instance is None:
            last = book.volumes.aggregate(last=Max("sequence"))["last"] or 0
            data["sequence"] = last + 1
        elif sequence is not None:
            taken = Volume.objects.filter(book=book, sequence=sequence)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError(
                    {"sequence": ["The book already has a volume with this number."]}
                )
        return data


class LastRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class PageSerializer(serializers.ModelSerializer):
    book = serializers.IntegerField(source="book_id", read_only=True)
    image = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()
    last_run = serializers.SerializerMethodField(
        help_text="The page's latest recognition run: its outcome and error; null if none."
    )

    class Meta:
        model = Page
        fields = [
            "id",
            "book",
            "volume",
            "sequence",
            "status",
            "error",
            "width",
            "height",
            "original_name",
            "source_frame",
            "sha256",
            "image",
            "thumbnail",
            "created_at",
            "updated_at",
            "last_run",
        ]
        read_only_fields = fields

    def get_image(self, page) -> str:
        return page.image.url if page.image else ""

    def get_thumbnail(self, page) -> str:
        return thumbnails.thumbnail_url(page)

    @extend_schema_field(LastRunSerializer(allow_null=True))
    def get_last_run(self, page) -> dict | None:
        if getattr(page, "last_run_id", None) is None:
            return None
        return {
            "id": page.last_run_id,
            "status": page.last_run_status,
            "error": page.last_run_error,
            "created_at": page.last_run_created_at,
            "finished_at": page.last_run_finished_at,
        }


class PageMoveSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="New place in the volume (1 = first; past the end = last); the pages "
        "between move up or down by one.",
    )


class EnqueueSerializer(serializers.Serializer):
    force = serializers.BooleanField(
        default=False, help_text="Recognize pages that already have text again."
    )
    discard_corrections = serializers.BooleanField(
        default=False,
        help_text="With force: replace corrected lines by the new recognition. By default a "
        "corrected line is kept (matched to the new line over it by box overlap). Either way "
        "the page's previous text is kept as one of its versions (GET .../versions/).",
    )


class EnqueueResultSerializer(serializers.Serializer):
    queued = serializers.ListField(child=serializers.IntegerField(), help_text="Page ids queued.")
    in_flight = serializers.ListField(
        child=serializers.IntegerField(), help_text="Already queued or processing: left alone."
    )
    need_force = serializers.ListField(
        child=serializers.IntegerField(), help_text="Already recognized: send force to redo."
    )
    message = serializers.CharField()


def recognize_response(request, enqueue) -> Response:
    """The recognize actions: read the options from the body, call
    ``enqueue(force=, keep_corrections=, user=)``."""
    options = EnqueueSerializer(data=request.data)
    options.is_valid(raise_exception=True)
    return enqueue_response(
        enqueue(
            force=options.validated_data["force"],
            keep_corrections=not options.validated_data["discard_corrections"],
            user=request.user,
        )
    )


def enqueue_response(result: EnqueueResult) -> Response:
    body = {
        "queued": result.queued,
        "in_flight": result.in_flight,
        "need_force": result.need_force,
        "message": result.message(),
    }
    return Response(body, status=status.HTTP_202_ACCEPTED)


class UploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        min_length=1,
        help_text="One or more page files (repeat the field): JPEG, PNG, TIFF, BMP, WebP, PDF. "
        "Each PDF page and TIFF frame becomes a page.",
    )
    position = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text="Insert the new pages before the page with this sequence number; "
        "left out (or past the end): append.",
    )


class UploadResultSerializer(serializers.Serializer):
    created = PageSerializer(many=True)
    skipped = serializers.ListField(
        child=serializers.CharField(), help_text="Files whose content the volume already holds."
    )


# --- Querysets -------------------------------------------------------------------------------


def pages_with_last_run():
    """Pages with their book id and latest run's outcome as annotations (one query)."""
    runs = OcrRun.objects.filter(page=OuterRef("pk")).order_by("-created_at", "-id")
    return Page.objects.annotate(
        book_id=F("volume__book_id"),
        last_run_id=Subquery(runs.values("pk")[:1]),
        last_run_status=Subquery(runs.values("status")[:1]),
        last_run_error=Subquery(runs.values("error")[:1]),
        last_run_created_at=Subquery(runs.values("created_at")[:1]),
        last_run_finished_at=Subquery(runs.values("finished_at")[:1]),
    )


# --- Views -----------------------------------------------------------------------------------

RECOGNIZE_SCHEMA = extend_schema(
    summary="Queue recognition",
    request=EnqueueSerializer,
    responses={202: EnqueueResultSerializer},
    description="Queue OCR for the pages (never twice at once; pages with text only with "
    "force). Needs the Librarians' role (ocr.add_ocrrun).",
)


class CatalogueViewSet(viewsets.ModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"  # longer: 404, not an overflow
    permission_classes = [RolePermissions]
    action_perms = {"recognize": ["ocr.add_ocrrun"], "upload": ["books.add_page"]}
    filter_backends = [QueryFilter, filters.OrderingFilter]

    def perform_create(self, serializer):
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        serializer.save()
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


@extend_schema_view(
    list=extend_schema(summary="List books", description="With progress figures."),
    retrieve=extend_schema(summary="A book"),
    create=extend_schema(summary="Create a book"),
    update=extend_schema(summary="Replace a book's fields"),
    partial_update=extend_schema(summary="Change a book's fields"),
    destroy=extend_schema(summary="Delete a book with its volumes and pages"),
)
class BookViewSet(CatalogueViewSet):
    serializer_class = BookSerializer
    filter_params = {
        "category": ("category", serializers.CharField(max_length=100, help_text="Category.")),
    }
    ordering_fields = ["title", "slug", "created_at", "updated_at", "id"]
    ordering = ["title", "id"]

    def get_queryset(self):
        return Book.objects.with_progress()

    @RECOGNIZE_SCHEMA
    @action(detail=True, methods=["post"])
    def recognize(self, request, pk=None):
        book = self.get_object()
        return recognize_response(request, functools.partial(enqueue_book, book))


@extend_schema_view(
    list=extend_schema(summary="List volumes", description="With progress figures."),
    retrieve=extend_schema(summary="A volume"),
    create=extend_schema(summary="Create a volume"),
    update=extend_schema(summary="Replace a volume's fields"),
    partial_update=extend_schema(summary="Change a volume's fields"),
    destroy=extend_schema(summary="Delete a volume with its pages"),
)
class VolumeViewSet(CatalogueViewSet):
    serializer_class = VolumeSerializer
    filter_params = {
        "book": (
            "book_id",
            serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Book id."),
        )
    }
    ordering_fields = ["sequence", "created_at", "id", "book"]
    ordering = ["book_id", "sequence"]

    def get_queryset(self):
        return Volume.objects.with_progress()

    @RECOGNIZE_SCHEMA
    @action(detail=True, methods=["post"])
    def recognize(self, request, pk=None):
        volume = self.get_object()
        return recognize_response(
            request, functools.partial(enqueue_book, volume.book, volume=volume.sequence)
        )

    @extend_schema(
        summary="Upload page files",
        description="Multipart upload of one or many files, validated and deduplicated as "
        "`import_directory` does. All or nothing: when one file is refused, no page of the "
        "request is kept and nothing stays in storage. Needs books.add_page (Librarians).",
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: UploadResultSerializer,
            200: OpenApiResponse(UploadResultSerializer, description="Every file was known."),
            **errors(413, 415),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="pages",
        parser_classes=[MultiPartParser, FormParser],
    )
    def upload(self, request, pk=None):
        volume = self.get_object()
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        files = form.validated_data["files"]
        for upload in files:  # before reading anything
            if upload.size > settings.UPLOAD_MAX_BYTES:
                raise PayloadTooLarge(
                    f"{upload.name}: {upload.size} bytes exceeds "
                    f"UPLOAD_MAX_BYTES={settings.UPLOAD_MAX_BYTES}"
                )
        prepared = []
        for upload in files:
            data = upload.read()
            ready = importing.prepare(data, decode=True)
            if ready.error:
                raise _file_error(upload.name, ready.error)
            prepared.append((upload.name, data, ready))
        created, skipped = store_uploads(volume, prepared, form.validated_data.get("position"))
        pages = pages_with_last_run().filter(pk__in=[page.pk for page in created])
        body = {
            "created": PageSerializer(pages.order_by("sequence"), many=True).data,
            "skipped": skipped,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _file_error(name: str, reason: str):
    message = f"{name}: {reason}"
    if reason.startswith("file too large"):
        return PayloadTooLarge(message)
    if reason.startswith(("not an image or PDF", "unsupported image format")):
        return UnsupportedFileType(message)
    return BadRequest(message, fields={"files": [message]})


def store_uploads(volume: Volume, prepared, position: int | None):
    """Add the files' pages in one transaction; on any failure nothing is kept (rows rolled
    back, stored files no committed row references removed)."""
    created: list[Page] = []
    skipped: list[str] = []
    try:
        with transaction.atomic():
            # Locks the volume (PostgreSQL): concurrent uploads number pages one by one.
            Volume.objects.select_for_update().filter(pk=volume.pk).exists()
            last = volume.pages.aggregate(last=Max("sequence"))["last"] or 0
            known = set(volume.pages.values_list("sha256", "source_frame"))
            for name, data, ready in prepared:
                outcome = importing.add_file(
                    volume, data, original_name=name, known=known, prepared=ready
                )
                created.extend(outcome.pages)
                if outcome.error:
                    raise _file_error(name, outcome.error)
                if outcome.skipped:
                    skipped.append(name)
            if position is not None and created and position <= last:
                ordering.insert_pages(volume, created, position)
    except BaseException:
        importing._delete_unreferenced(
            [name for page in created for name in (page.image.name, page.thumbnail.name)]
        )
        raise
    return created, skipped


@extend_schema_view(
    list=extend_schema(summary="List pages", description="Status and last run of each page."),
    retrieve=extend_schema(summary="A page, its status and its last run's outcome"),
    destroy=extend_schema(summary="Delete a page with its lines"),
    partial_update=extend_schema(
        summary="Move a page within its volume",
        request=PageMoveSerializer,
        responses={200: PageSerializer},
    ),
)
class PageViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PageSerializer
    lookup_value_regex = "[0-9]{1,18}"  # longer: 404, not an overflow
    permission_classes = [RolePermissions]
    action_perms = {"recognize": ["ocr.add_ocrrun"]}
    filter_backends = [QueryFilter, filters.OrderingFilter]
    filter_params = {
        "status": ("status", serializers.ChoiceField(PageStatus.choices, help_text="Status.")),
        "book": (
            "volume__book_id",
            serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Book id."),
        ),
        "volume": (
            "volume_id",
            serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Volume id."),
        ),
    }
    refused_params = {"search": "Pages are not searched here: use /api/v1/search/?q=..."}
    ordering_fields = ["sequence", "status", "created_at", "updated_at", "id"]
    ordering = ["volume_id", "sequence"]

    def get_queryset(self):
        return pages_with_last_run()

    def partial_update(self, request, pk=None):
        page = self.get_object()
        move = PageMoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        ordering.move_page(page, move.validated_data["sequence"])
        moved = self.get_queryset().get(pk=page.pk)
        return Response(self.get_serializer(moved).data)

    @extend_schema(
        summary="The page's thumbnail image",
        description="Redirects to the stored thumbnail, made on first request if the import "
        "stored the page without one.",
        responses={302: OpenApiResponse(description="Location: the thumbnail"), **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def thumbnail(self, request, pk=None):
        page = self.get_object()
        name = thumbnails.ensure_thumbnail(page)
        if not name:
            raise exceptions.NotFound("the page image cannot be decoded; no thumbnail")
        return HttpResponseRedirect(default_storage.url(name))

    @RECOGNIZE_SCHEMA
    @action(detail=True, methods=["post"])
    def recognize(self, request, pk=None):
        page = self.get_object()
        return recognize_response(request, functools.partial(enqueue_pages, [page.pk]))
