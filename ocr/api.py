"""Text and recognition API: a page's lines, corrections, plain text, review mark, and a
synchronous recognition of one uploaded image.

Corrections go through ``ocr.corrections`` (the review screen's service: version check,
history, page lock). The synchronous endpoint stores nothing and takes at most
``API_RECOGNIZE_CONCURRENCY`` images at once per process; the next gets 429 at once.
"""

import dataclasses
import io
import threading

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from PIL import Image
from rest_framework import exceptions, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from books import images, importing
from books.models import Page
from config.api import (
    BadRequest,
    Conflict,
    PayloadTooLarge,
    RolePermissions,
    UnsupportedFileType,
    errors,
)
from ocr import corrections, line_structure, page_versions, region_order
from ocr.models import PageVersion, Region, RegionKind, TextLine
from ocr.recognition import read_arranged

# --- Lines and corrections -------------------------------------------------------------------


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = TextLine
        fields = [
            "id",
            "page",
            "order",
            "polygon",
            "engine_text",
            "text",
            "confidence",
            "vertical",
            "version",
            "corrected_at",
        ]
        read_only_fields = fields


def version_field(help_text="The version the line was read at."):
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=help_text)


class LineEditSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=10_000)
    version = version_field()


class LineEditWithIdSerializer(LineEditSerializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class LinesEditSerializer(serializers.Serializer):
    lines = LineEditWithIdSerializer(many=True, allow_empty=False, max_length=2000)


class LinesSerializer(serializers.Serializer):
    lines = LineSerializer(many=True)


class ConflictLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True, help_text="The text saved meanwhile.")
    version = serializers.IntegerField(help_text="Its version: send it to overwrite.")
    corrected_by = serializers.CharField(allow_blank=True)
    corrected_at = serializers.DateTimeField(allow_null=True)
    your_text = serializers.CharField(allow_blank=True)


class ConflictSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    conflicts = ConflictLineSerializer(many=True)
    gone = serializers.ListField(
        child=serializers.IntegerField(), help_text="Lines deleted or replaced meanwhile."
    )
    saved = LineSerializer(many=True, help_text="The request's other lines, saved.")


def _conflict_body(conflict: corrections.Conflict, your_text: str) -> dict:
    return {
        "id": conflict.line_id,
        "text": conflict.text,
        "version": conflict.version,
        "corrected_by": conflict.corrected_by,
        "corrected_at": conflict.corrected_at,
        "your_text": your_text,
    }


CONFLICT_RESPONSE = OpenApiResponse(
    ConflictSerializer,
    description="Version conflict: a line was saved by someone else since it was read "
    "(its current text and version are in `conflicts`), or is gone; nothing of it was written.",
)


class LineAddSerializer(serializers.Serializer):
    box = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=2**31 - 1),
        min_length=4,
        max_length=4,
        help_text="[x0, y0, x1, y1] in page image pixels.",
    )
    text = serializers.CharField(trim_whitespace=False, max_length=10_000)
    after = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text="Place it after this line (0: first). Left out: where reading order puts "
        "the box among the page's lines.",
    )


class LineMoveSerializer(serializers.Serializer):
    version = version_field()
    after = serializers.IntegerField(
        min_value=0, max_value=2**63 - 1, help_text="The line it comes after (0: first)."
    )


class LineSplitSerializer(serializers.Serializer):
    version = version_field()
    at = serializers.IntegerField(
        min_value=1, max_value=10_000, help_text="Cut before this character (0-based)."
    )


class LineMergeSerializer(serializers.Serializer):
    version = version_field()
    line = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The other line.")
    line_version = version_field("The version the other line was read at.")


def structure_change(change, your_text: str = ""):
    """Run a line_structure change, its failures in the API's error shape."""
    try:
        return change()
    except corrections.LineGone as error:
        raise exceptions.NotFound(str(error)) from None
    except corrections.Conflict as conflict:
        raise Conflict(
            str(conflict),
            code="version_conflict",
            conflicts=[_conflict_body(conflict, your_text)],
            gone=[],
            saved=[],
        ) from None
    except corrections.PageNotReviewable as error:
        raise Conflict(str(error), code="not_reviewable", conflicts=[], gone=[], saved=[]) from None
    except corrections.CorrectionError as error:  # the change makes no sense: say why
        raise BadRequest(str(error), fields={"non_field_errors": [str(error)]}) from None


STRUCTURE_ERRORS = {409: CONFLICT_RESPONSE, **errors(400, 404)}


class PageLinesView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {
        "GET": ["ocr.view_textline"],
        "PATCH": ["ocr.change_textline"],
        "POST": ["ocr.add_textline"],
    }

    @extend_schema(
        summary="Add a line the engine missed",
        description="Drawn as a box, with its text (an empty line is refused). Kept in the "
        "line's history; exports and the page text read it in its place.",
        request=LineAddSerializer,
        responses={201: LineSerializer, **STRUCTURE_ERRORS},
    )
    def post(self, request, pk):
        page = get_object_or_404(Page, pk=pk)
        form = LineAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            box = corrections.Box(*data["box"])
        except corrections.CorrectionError as error:
            raise BadRequest(str(error), fields={"box": [str(error)]}) from None
        line = structure_change(
            lambda: line_structure.add_line(
                page.pk, box, data["text"], request.user, after=data.get("after")
            )
        )
        return Response(LineSerializer(line).data, status=201)

    @extend_schema(summary="A page's lines, in reading order", responses={200: LinesSerializer})
    def get(self, request, pk):
        page = get_object_or_404(Page, pk=pk)
        lines = TextLine.objects.filter(page=page).order_by("order")
        return Response({"lines": LineSerializer(lines, many=True).data})

    @extend_schema(
        summary="Correct one or many lines",
        description="Each line is saved only if it is still at `version` (the review "
        "screen's rule, with the same history). Lines without conflict are saved even when "
        "another line of the request conflicts; the 409 lists both.",
        request=LinesEditSerializer,
        responses={200: LinesSerializer, 409: CONFLICT_RESPONSE},
    )
    def patch(self, request, pk):
        page = get_object_or_404(Page, pk=pk)
        form = LinesEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        edits = [(e["id"], e["text"], e["version"]) for e in form.validated_data["lines"]]
        result = corrections.save_lines(edits, request.user, page_id=page.pk)
        saved = LineSerializer(result.saved, many=True).data
        if not result.ok:
            raise Conflict(
                "Some lines were changed or removed since they were read; they were not saved.",
                code="version_conflict",
                conflicts=[_conflict_body(c, mine) for c, mine in result.conflicts],
                gone=result.gone,
                saved=saved,
            )
        return Response({"lines": saved})


class LineView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {
        "GET": ["ocr.view_textline"],
        "PATCH": ["ocr.change_textline"],
        "DELETE": ["ocr.delete_textline"],
    }

    @extend_schema(
        summary="Delete a false line",
        description="Its text, engine text and box stay in the page's history.",
        parameters=[
            OpenApiParameter(
                "version", OpenApiTypes.INT, required=True, description="The version read."
            )
        ],
        responses={204: None, **STRUCTURE_ERRORS},
    )
    def delete(self, request, pk):
        raw = request.query_params.get("version", "")
        if not raw.isdigit() or not 0 < int(raw) < 2**31:
            raise BadRequest("version is required.", fields={"version": ["A positive integer."]})
        structure_change(lambda: line_structure.delete_line(pk, int(raw), request.user))
        return Response(status=204)

    @extend_schema(summary="A line", responses={200: LineSerializer})
    def get(self, request, pk):
        return Response(LineSerializer(get_object_or_404(TextLine, pk=pk)).data)

    @extend_schema(
        summary="Correct a line",
        request=LineEditSerializer,
        responses={200: LineSerializer, 409: CONFLICT_RESPONSE},
    )
    def patch(self, request, pk):
        form = LineEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        text, version = form.validated_data["text"], form.validated_data["version"]
        try:
            line = corrections.save_line(pk, text, version, request.user)
        except corrections.LineGone:
            raise exceptions.NotFound(f"Line {pk} does not exist.") from None
        except corrections.Conflict as conflict:
            raise Conflict(
                str(conflict),
                code="version_conflict",
                conflicts=[_conflict_body(conflict, text)],
                gone=[],
                saved=[],
            ) from None
        return Response(LineSerializer(line).data)


class PageTextView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"GET": ["ocr.view_textline"]}

    @extend_schema(
        summary="A page's text as text/plain",
        description="One line per recognized line, in reading order.",
        parameters=[
            OpenApiParameter(
                "source",
                OpenApiTypes.STR,
                enum=["corrected", "engine"],
                description="corrected (default): the current text; engine: as recognized.",
            )
        ],
        responses={(200, "text/plain"): OpenApiTypes.STR, **errors(400)},
    )
    def get(self, request, pk):
        source = request.query_params.get("source", "corrected")
        if source not in ("corrected", "engine"):
            raise BadRequest(
                "source must be corrected or engine.",
                fields={"source": ["Expected corrected or engine."]},
            )
        page = get_object_or_404(Page, pk=pk)
        field = "text" if source == "corrected" else "engine_text"
        texts = TextLine.objects.filter(page=page).order_by("order").values_list(field, flat=True)
        body = "".join(f"{text}\n" for text in texts)
        return HttpResponse(body, content_type="text/plain; charset=utf-8")


class ReviewSerializer(serializers.Serializer):
    reviewed = serializers.BooleanField(default=True, help_text="false takes the mark back.")


class ReviewResultSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="The page's status now.")


class PageReviewView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"POST": ["ocr.add_pagereview"]}

    @extend_schema(
        summary="Mark a page reviewed (or take the mark back)",
        request=ReviewSerializer,
        responses={
            200: ReviewResultSerializer,
            **errors(409, e409="The page is not recognized, so it cannot be reviewed."),
        },
    )
    def post(self, request, pk):
        page = get_object_or_404(Page, pk=pk)
        form = ReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            status = corrections.mark_reviewed(
                page.pk, request.user, reviewed=form.validated_data["reviewed"]
            )
        except corrections.PageNotReviewable as error:
            raise Conflict(str(error), code="not_reviewable") from None
        return Response({"status": status})


# --- Line structure ----------------------------------------------------------------------------


class LineMoveView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"POST": ["ocr.change_textline"]}

    @extend_schema(
        summary="Move a line in the page's reading order",
        description="Exports and the page text follow the new order. Kept in the line's "
        "history; a stale version is a 409.",
        request=LineMoveSerializer,
        responses={200: LineSerializer, **STRUCTURE_ERRORS},
    )
    def post(self, request, pk):
        form = LineMoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        line = structure_change(
            lambda: line_structure.move_line(pk, data["version"], data["after"], request.user)
        )
        return Response(LineSerializer(line).data)


class LineSplitView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"POST": ["ocr.change_textline", "ocr.add_textline"]}

    @extend_schema(
        summary="Split a line in two",
        description="The text is cut before character `at`, the box where that character "
        "stands; the second part becomes a new line right after the first.",
        request=LineSplitSerializer,
        responses={200: LinesSerializer, **STRUCTURE_ERRORS},
    )
    def post(self, request, pk):
        form = LineSplitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        parts = structure_change(
            lambda: line_structure.split_line(pk, data["version"], data["at"], request.user)
        )
        return Response({"lines": LineSerializer(parts, many=True).data})


class LineMergeView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"POST": ["ocr.change_textline"]}

    @extend_schema(
        summary="Merge two lines of a page into one",
        description="The texts are joined in reading order (no space between Chinese "
        "characters), the boxes united; the line read second goes, its text kept in history.",
        request=LineMergeSerializer,
        responses={200: LineSerializer, **STRUCTURE_ERRORS},
    )
    def post(self, request, pk):
        form = LineMergeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        line = structure_change(
            lambda: line_structure.merge_lines(
                pk, data["version"], data["line"], data["line_version"], request.user
            )
        )
        return Response(LineSerializer(line).data)


# --- Layout regions ----------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "page", "order", "kind", "x0", "y0", "x1", "y1", "score"]
        read_only_fields = fields


class RegionMoveSerializer(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0, max_value=2**63 - 1, help_text="The region it comes after (0: first)."
    )
    order = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="Its place when you read the regions."
    )


class PageRegionsView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"GET": ["ocr.view_textline"]}

    @extend_schema(
        summary="A page's layout regions, in reading order",
        responses={200: RegionSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        page = get_object_or_404(Page, pk=pk)
        return Response(RegionSerializer(Region.objects.filter(page=page), many=True).data)


class RegionMoveView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"POST": ["ocr.change_textline"]}

    @extend_schema(
        summary="Move a layout region in the page's reading order",
        description="The region's lines move with it as one block; the page text and every "
        "export read them there, and each moved line's history has the step. A page whose "
        "regions were reordered since `order` was read is a 409.",
        request=RegionMoveSerializer,
        responses={200: RegionSerializer(many=True), **errors(400, 404, 409)},
    )
    def post(self, request, pk, region):
        page = get_object_or_404(Page, pk=pk)
        form = RegionMoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            region_order.move_region(page.pk, region, data["after"], data["order"], request.user)
        except region_order.RegionGone as error:
            raise exceptions.NotFound(str(error)) from None
        except (region_order.RegionConflict, corrections.PageNotReviewable) as error:
            raise Conflict(str(error), code="conflict") from None
        except corrections.CorrectionError as error:
            raise BadRequest(str(error), fields={"after": [str(error)]}) from None
        return Response(RegionSerializer(Region.objects.filter(page=page), many=True).data)


# --- Page versions ---------------------------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):
    user = serializers.StringRelatedField()

    class Meta:
        model = PageVersion
        fields = [
            "id",
            "page",
            "reason",
            "created_at",
            "user",
            "run",
            "line_count",
            "corrected_count",
        ]
        read_only_fields = fields


class VersionLineSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    box = serializers.ListField(child=serializers.IntegerField(), help_text="[x0, y0, x1, y1]")
    polygon = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    engine_text = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    confidence = serializers.FloatField(allow_null=True)


class VersionDetailSerializer(VersionSerializer):
    lines = VersionLineSerializer(many=True)

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class RestoreResultSerializer(serializers.Serializer):
    replaced = VersionSerializer(
        allow_null=True, help_text="The version now holding the text the restore replaced."
    )
    lines = LineSerializer(many=True)


class PageVersionsView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"GET": ["ocr.view_pageversion"]}

    @extend_schema(
        summary="A page's earlier texts, newest first",
        description="One version is kept each time a re-recognition or a restore replaced "
        "the page's lines.",
        responses={200: VersionSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        page = get_object_or_404(Page, pk=pk)
        versions = PageVersion.objects.filter(page=page).select_related("user")
        return Response(VersionSerializer(versions, many=True).data)


class PageVersionView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"GET": ["ocr.view_pageversion"]}

    @extend_schema(
        summary="One earlier text of a page, with its lines",
        responses={200: VersionDetailSerializer, **errors(404)},
    )
    def get(self, request, pk, version):
        found = get_object_or_404(PageVersion.objects.select_related("user"), pk=version, page=pk)
        return Response(VersionDetailSerializer(found).data)


class RestoreVersionView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"POST": [*page_versions.RESTORE_PERMISSIONS]}

    @extend_schema(
        summary="Make an earlier text the page's text again",
        description="The page's lines and regions become the version's; the text they "
        "replace is kept as a version of its own (so a restore can be undone).",
        request=None,
        responses={
            200: RestoreResultSerializer,
            **errors(404, 409, e409="The page is being recognized, or not recognized."),
        },
    )
    def post(self, request, pk, version):
        page = get_object_or_404(Page, pk=pk)
        try:
            replaced = page_versions.restore(page.pk, version, request.user)
        except page_versions.VersionGone as error:
            raise exceptions.NotFound(str(error)) from None
        except corrections.PageNotReviewable as error:
            raise Conflict(str(error), code="not_reviewable") from None
        lines = TextLine.objects.filter(page=page).order_by("order")
        return Response(
            {
                "replaced": VersionSerializer(replaced).data if replaced else None,
                "lines": LineSerializer(lines, many=True).data,
            }
        )


# --- Synchronous recognition -----------------------------------------------------------------

_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


def recognition_slots() -> threading.BoundedSemaphore:
    """The process-wide cap on synchronous recognitions (API_RECOGNIZE_CONCURRENCY)."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.API_RECOGNIZE_CONCURRENCY)
        return _slots


class RecognizeSerializer(serializers.Serializer):
    image = serializers.FileField(
        allow_empty_file=True,
        help_text="One page image (JPEG, PNG, TIFF, BMP, WebP; of a PDF or multi-page TIFF "
        "only the first page is read).",
    )


class RecognizedLineSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    polygon = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="[[x, y], ...] in image pixels.",
    )
    confidence = serializers.FloatField()
    region = serializers.ChoiceField(
        choices=RegionKind.choices,
        help_text="The kind of layout region the line stands in (text where none was found).",
    )


class RecognitionSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    lines = RecognizedLineSerializer(many=True)


class RecognizeView(APIView):
    permission_classes = [RolePermissions]
    # Its own permission: each call holds one of the web process's few engine slots, so it
    # is for integrations (API readers) and Librarians, not for everyone who may read.
    required_perms = {"POST": ["ocr.recognize_image"]}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Recognize one image now, storing nothing",
        description="Runs the engine in the web process: at most API_RECOGNIZE_CONCURRENCY "
        "at once per process (429 with Retry-After beyond), images up to "
        "API_RECOGNIZE_MAX_BYTES and API_RECOGNIZE_MAX_PIXELS (413). Needs "
        "ocr.recognize_image (API readers, Librarians).",
        request={"multipart/form-data": RecognizeSerializer},
        responses={200: RecognitionSerializer, **errors(413, 415, 429)},
    )
    def post(self, request):
        form = RecognizeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["image"]
        if upload.size > settings.API_RECOGNIZE_MAX_BYTES:
            raise PayloadTooLarge(
                f"{upload.size} bytes exceeds API_RECOGNIZE_MAX_BYTES="
                f"{settings.API_RECOGNIZE_MAX_BYTES}"
            )
        slots = recognition_slots()
        if not slots.acquire(blocking=False):
            raise exceptions.Throttled(
                wait=settings.API_RECOGNIZE_RETRY_AFTER,
                detail="The recognition slots are all busy; retry later.",
            )
        try:
            image = _first_page(upload.read())
            arranged = read_arranged(image)
        finally:
            slots.release()
        return Response(
            {
                "width": image.width,
                "height": image.height,
                "lines": [
                    {
                        "text": line.text,
                        "polygon": [[int(x), int(y)] for x, y in line.polygon],
                        "confidence": float(line.confidence),
                        "region": block.kind,
                    }
                    for block in arranged.blocks
                    for line in block.lines
                ],
            }
        )


def _first_page(data: bytes) -> Image.Image:
    """The first page of the file, decoded with the import's rules (formats, pixel limit)."""
    limits = dataclasses.replace(
        importing.decode_limits(),
        max_pixels=min(settings.IMPORT_MAX_PIXELS, settings.API_RECOGNIZE_MAX_PIXELS),
        max_pixels_setting="API_RECOGNIZE_MAX_PIXELS",
    )
    try:
        page = next(iter(images.decode_pages(data, limits)))
    except images.BadFile as error:
        reason = str(error)
        if reason.startswith(("not an image or PDF", "unsupported image format")):
            raise UnsupportedFileType(reason) from None
        if "decompression bomb" in reason:  # refused from its header, before decoding
            raise PayloadTooLarge(reason) from None
        raise BadRequest(reason, fields={"image": [reason]}) from None
    except StopIteration:
        raise BadRequest("The file holds no page.", fields={"image": ["No page."]}) from None
    return Image.open(io.BytesIO(page.data)).convert("RGB")
