"""Exports in the API: ask for one, follow its build, download its file.

Requests go through ``exports.building.request_export``, the service behind the admin's
actions and the command: same validation, same reuse of a fresh identical export, same
queue. Who sees which export is ``exports.access``: a user their own exports (those they
asked for, a shared reused one included), a role with ``exports.view_all_exports``
(Librarians) every export; an export one may not see answers 404, as if it did not exist.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from books.models import Book, Page, Volume
from config.api import (
    BadRequest,
    Conflict,
    QueryFilter,
    QueueUnavailable,
    RolePermissions,
    errors,
)
from exports import access, building, formats
from exports.models import Export, ExportStatus, Scope, TextSource

MAX_ID = 2**63 - 1
MAX_PAGES = 10_000

# --- Serializers -----------------------------------------------------------------------------


class ExportOptionsSerializer(serializers.Serializer):
    per_page = serializers.BooleanField(default=False, help_text="A ZIP with a file per page.")
    include_images = serializers.BooleanField(
        default=False, help_text="A ZIP with the page images too."
    )
    keep_headers_footers = serializers.BooleanField(
        default=False,
        help_text="Keep running headers, footers and page numbers in TXT, CSV and JSON text "
        "(hOCR, ALTO and PAGE XML always mark them as such).",
    )


class ExportRequestSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        Scope.choices, help_text="book, volume or pages: what `ids` name."
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_PAGES,
        help_text="The book's id, the volume's id, or the pages' ids (all of one book).",
    )
    format = serializers.ChoiceField(formats.choices(), help_text="The export format.")
    source = serializers.ChoiceField(
        TextSource.choices,
        default=TextSource.CORRECTED,
        help_text="corrected (default): the current text; engine: as recognized.",
    )
    options = ExportOptionsSerializer(required=False)

    def validate(self, data):
        scope, ids = data["scope"], data["ids"]
        if scope in (Scope.BOOK, Scope.VOLUME) and len(ids) != 1:
            raise serializers.ValidationError({"ids": [f"A {scope} export names one {scope}."]})
        if scope == Scope.BOOK:
            data["book"] = Book.objects.filter(pk=ids[0]).first()
            data["volume"] = None
            if data["book"] is None:
                raise serializers.ValidationError({"ids": [f"No book {ids[0]}."]})
        elif scope == Scope.VOLUME:
            data["volume"] = Volume.objects.select_related("book").filter(pk=ids[0]).first()
            if data["volume"] is None:
                raise serializers.ValidationError({"ids": [f"No volume {ids[0]}."]})
            data["book"] = data["volume"].book
        else:
            found = dict(Page.objects.filter(pk__in=ids).values_list("pk", "volume__book_id"))
            missing = sorted(set(ids) - set(found))
            if missing:
                raise serializers.ValidationError(
                    {"ids": [f"No page {', '.join(map(str, missing[:20]))}."]}
                )
            if len(set(found.values())) > 1:
                raise serializers.ValidationError({"ids": ["The pages must be of one book."]})
            data["book"] = Book.objects.get(pk=next(iter(found.values())))
            data["volume"] = None
        return data


class ExportSerializer(serializers.ModelSerializer):
    pages = serializers.ListField(
        source="page_ids",
        child=serializers.IntegerField(),
        read_only=True,
        help_text="For a pages export: the pages' ids; else empty.",
    )
    source = serializers.CharField(source="text_source", read_only=True)
    options = serializers.SerializerMethodField()
    progress = serializers.IntegerField(
        source="progress_percent", read_only=True, help_text="Percent of the pages written."
    )
    requested_by = serializers.SerializerMethodField(help_text="Who asked for it first.")
    expired = serializers.SerializerMethodField(
        help_text="Past its expiry: no longer downloadable (deleted soon)."
    )
    download_url = serializers.SerializerMethodField(
        help_text="Where to fetch the file once it is ready; null until then and after expiry."
    )

    class Meta:
        model = Export
        fields = [
            "id",
            "status",
            "scope",
            "book",
            "volume",
            "pages",
            "format",
            "source",
            "options",
            "progress",
            "pages_done",
            "pages_total",
            "size",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "expired",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(ExportOptionsSerializer)
    def get_options(self, export) -> dict:
        return {
            "per_page": export.per_page,
            "include_images": export.include_images,
            "keep_headers_footers": export.keep_headers_footers,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_requested_by(self, export) -> str | None:
        return export.requested_by.get_username() if export.requested_by else None

    def get_expired(self, export) -> bool:
        return access.is_expired(export)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, export) -> str | None:
        if not access.is_ready(export):
            return None
        url = reverse("api:export-download", args=[export.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


# --- Views -----------------------------------------------------------------------------------


class ExportViewMixin:
    permission_classes = [RolePermissions]
    serializer_class = ExportSerializer

    def get_queryset(self):
        return access.visible_exports(self.request.user).select_related("requested_by")


class ExportListView(ExportViewMixin, generics.ListCreateAPIView):
    required_perms = {"GET": ["exports.view_export"], "POST": ["exports.add_export"]}
    parser_classes = [JSONParser]  # options nest; a form would need flattening
    filter_backends = [QueryFilter]
    filter_params = {
        "status": (
            "status",
            serializers.ChoiceField(ExportStatus.choices, help_text="Status."),
        ),
        "book": (
            "book_id",
            serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Book id."),
        ),
    }

    @extend_schema(
        summary="List exports",
        description="Newest first. Your own exports (those you asked for); every export "
        "with exports.view_all_exports (Librarians).",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Ask for an export",
        description="Queues a build through `exports.building.request_export`. When an "
        "identical export is fresh (same scope, format, source and options, text unchanged "
        "since) or already queued or building, that one is answered with 200 instead, and "
        "it becomes yours too. Needs exports.add_export.",
        request=ExportRequestSerializer,
        responses={
            202: OpenApiResponse(ExportSerializer, description="Queued: poll its URL."),
            200: OpenApiResponse(ExportSerializer, description="An identical export, reused."),
            **errors(503),
        },
    )
    def post(self, request, *args, **kwargs):
        form = ExportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        options = data.get("options") or {}
        try:
            export, created = building.request_export(
                data["book"],
                data["format"],
                scope=data["scope"],
                volume=data["volume"],
                page_ids=data["ids"] if data["scope"] == Scope.PAGES else (),
                text_source=data["source"],
                include_images=options.get("include_images", False),
                per_page=options.get("per_page", False),
                keep_headers_footers=options.get("keep_headers_footers", False),
                user=request.user,
            )
        except ValueError as error:  # building.ExportError: an empty scope, a wrong volume
            raise BadRequest(str(error), fields={"ids": [str(error)]}) from None
        if created and building.was_refused(export):
            raise QueueUnavailable(
                f"The task queue did not take the export ({export.error}); it is kept as "
                f"failed and nothing will build it. Ask again in {QueueUnavailable.retry_after} "
                "seconds."
            )
        body = ExportSerializer(export, context={"request": request}).data
        if not created:
            return Response(body, status=status.HTTP_200_OK)
        location = reverse("api:export-detail", args=[export.pk])
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class ExportDetailView(ExportViewMixin, generics.RetrieveAPIView):
    required_perms = {"GET": ["exports.view_export"]}

    @extend_schema(
        summary="An export: status, progress, size, expiry, error, download URL",
        description="404 for an export that is not yours (without exports.view_all_exports).",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FileContentNegotiation(BaseContentNegotiation):
    """The file whatever the Accept header asks for; errors as JSON (never a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FILE_TYPES = sorted(
    {cls.media_type.split(";")[0] for cls in map(formats.get, formats.names())}
    | {"application/zip"}
)


class ExportDownloadView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"GET": ["exports.view_export"]}
    content_negotiation_class = FileContentNegotiation

    @extend_schema(
        summary="Download an export's file",
        description="The file as an attachment, or (storage that makes signed URLs, e.g. S3) "
        "a 302 to a signed URL valid for five minutes. Only an export you may see; 409 while "
        "it is queued or building, or when it failed; 404 once it has expired.",
        responses={
            **{(200, media): OpenApiTypes.BINARY for media in FILE_TYPES},
            302: OpenApiResponse(description="Redirect to a short-lived signed storage URL."),
            **errors(
                404,
                409,
                e404="No such export, not yours, expired (code `expired`) or its file is gone.",
                e409="Not ready: queued or building (code `not_ready`), or failed "
                "(code `export_failed`, with the reason).",
            ),
        },
    )
    def get(self, request, pk):
        export = access.visible_exports(request.user).filter(pk=pk).first()
        if export is None:
            raise exceptions.NotFound()
        if access.is_expired(export):
            raise exceptions.NotFound("This export has expired: ask for it again.", code="expired")
        if export.status == ExportStatus.FAILED:
            raise Conflict(f"The export failed: {export.error}", code="export_failed")
        if not access.is_ready(export):
            raise Conflict(
                f"The export is {export.get_status_display().lower()} "
                f"({export.progress_percent}%): poll it, then download.",
                code="not_ready",
            )
        try:
            return access.file_response(export)
        except FileNotFoundError:
            raise exceptions.NotFound("The export's file is gone.", code="gone") from None
