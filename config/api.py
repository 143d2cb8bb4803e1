"""Shared parts of the REST API: one error shape, role permissions, the schema's error answers.

Every error the API returns is ``{"code": ..., "detail": ..., ...}``: ``fields`` holds a
400's field errors, a 409 version conflict adds the lines in conflict. Permissions are the
admin's model permissions, so the roles (Librarians, Correctors, API readers) mean the same
in both places; anonymous requests get 401 everywhere except the schema and its docs.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import IntegrityError
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, filters, permissions, serializers, status, throttling
from rest_framework.pagination import PageNumberPagination

logger = logging.getLogger(__name__)

# --- Errors ----------------------------------------------------------------------------------


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request or one of its files is too large."
    default_code = "too_large"


class UnsupportedFileType(exceptions.APIException):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_detail = "Unsupported file type."
    default_code = "unsupported_type"


class Conflict(exceptions.APIException):
    """409 with extra members (the lines in conflict) next to code and detail."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource changed since it was read."
    default_code = "conflict"

    def __init__(self, detail=None, code=None, **extra):
        super().__init__(detail, code)
        self.extra = extra


class QueueUnavailable(exceptions.APIException):
    """503: the task queue refused the work; DRF sends ``wait`` as Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "queue_unavailable"
    retry_after = 30  # seconds: a broker restart, or the operator bringing Redis back

    def __init__(self, detail):
        super().__init__(detail)
        self.wait = self.retry_after


class BadRequest(exceptions.APIException):
    """400 without a serializer: ``fields`` maps a parameter to its messages."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail, fields=None, code=None):
        super().__init__(detail, code)
        self.fields = fields or {}


def exception_handler(exc, context):
    """DRF's handler, then the body reshaped into the one error shape."""
    # Imported here: rest_framework.views reads DEFAULT_THROTTLE_CLASSES, which names this
    # module, when it is first imported (a circular import at start-up otherwise).
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            "The request's form fields exceed DATA_UPLOAD_MAX_MEMORY_SIZE (files do not count)."
        )
    elif isinstance(exc, TooManyFilesSent):
        exc = BadRequest(
            "Too many files in one request (DATA_UPLOAD_MAX_NUMBER_FILES).",
            fields={"files": ["Send fewer files per request."]},
        )
    elif isinstance(exc, TooManyFieldsSent):
        exc = BadRequest(
            "Too many fields in one request (DATA_UPLOAD_MAX_NUMBER_FIELDS).",
            fields={"non_field_errors": ["Send fewer fields per request, or JSON."]},
        )
    elif isinstance(exc, IntegrityError):
        # A race past the serializers' checks (two requests creating the same thing): the
        # database refused it, so nothing was written; the client can reload and retry.
        logger.warning("API integrity error: %s", exc)
        exc = Conflict(
            "The change conflicts with data stored meanwhile (a duplicate or a reference "
            "that is gone). Nothing was saved; reload and try again.",
            code="integrity_conflict",
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging
    body: dict = {}
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "detail": "The request has invalid fields.",
            "fields": exc.detail
            if isinstance(exc.detail, dict)
            else {"non_field_errors": exc.detail},
        }
    elif isinstance(exc, exceptions.APIException):
        body = {"code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error"}
        body["detail"] = str(exc.detail)
        if isinstance(exc, BadRequest):
            body["fields"] = exc.fields
        if isinstance(exc, Conflict):
            body.update(exc.extra)
        if getattr(exc, "wait", None) is not None:  # 429 and 503: also in Retry-After
            body["retry_after"] = int(exc.wait + 0.999)
    response.data = body
    return response


@csrf_exempt  # answers every method; it changes nothing
def not_found(request, *args, **kwargs):
    """Any /api/ URL no route matches: a 404 in the error shape, not Django's HTML page."""
    from django.http import JsonResponse

    return JsonResponse(
        {"code": "not_found", "detail": f"No API endpoint at {request.path}."}, status=404
    )


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. not_found.")
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="400 only: each invalid field (or parameter) with its messages.",
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="429 and 503: seconds to wait (also in Retry-After)."
    )


# --- Permissions -----------------------------------------------------------------------------


class RolePermissions(permissions.DjangoModelPermissions):
    """The admin's model permissions, reading included (``view_<model>`` for GET).

    A viewset names the permissions of its extra actions in ``action_perms``
    (``{"recognize": ["ocr.add_ocrrun"]}``); a plain view names them per method in
    ``required_perms`` (``{"GET": [...], "PATCH": [...]}``); a method it leaves out is refused.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        by_action = getattr(view, "action_perms", {})
        if getattr(view, "action", None) in by_action:
            return request.user.has_perms(by_action[view.action])
        action_perms = getattr(view, "required_perms", None)
        if action_perms is not None:
            method = "GET" if request.method == "HEAD" else request.method
            needed = action_perms.get(method)
            if needed is None:
                return False
            return request.user.has_perms(needed)
        return super().has_permission(request, view)


# --- Throttling ------------------------------------------------------------------------------


class UserRateThrottle(throttling.UserRateThrottle):
    """Requests per authenticated user (``API_THROTTLE_RATE``, e.g. ``600/min``; empty: no
    limit), counted in Django's cache: per process with the default local-memory cache."""

    def get_rate(self):
        return settings.API_THROTTLE_RATE or None

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


# --- Schema ----------------------------------------------------------------------------------

ERROR_TEXTS = {
    400: "Invalid request: `fields` names each invalid field.",
    401: "Not authenticated: send `Authorization: Token <key>` or a session cookie.",
    403: "Authenticated, but the user's role does not allow this.",
    404: "No such object (on a list: no such page of results).",
    429: "Too many requests: retry after `Retry-After` seconds (API_THROTTLE_RATE, or for "
    "/recognize all engine slots busy).",
}


def errors(*codes: int, **texts) -> dict:
    """``responses`` entries for extend_schema: the error shape under each code."""
    descriptions = {
        409: "Version conflict or a state that does not allow this.",
        413: "Too large (UPLOAD_MAX_BYTES, API_RECOGNIZE_MAX_BYTES).",
        415: "Unsupported file type: use JPEG, PNG, TIFF, BMP, WebP or PDF.",
        503: "The task queue is unreachable and nothing was queued: retry after "
        "`Retry-After` seconds.",
        **ERROR_TEXTS,
    }
    return {
        code: OpenApiResponse(
            ErrorSerializer, description=texts.get(f"e{code}", descriptions[code])
        )
        for code in codes
    }


# --- Lists -----------------------------------------------------------------------------------


class ApiPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        """DRF quietly falls back to the default for a page_size it cannot read
        (``page_size=true``); the API refuses it, as the schema's integer promises."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            why = f"A whole number from 1 (larger is capped at {self.max_page_size})."
            raise BadRequest("Invalid value for page_size.", fields={"page_size": [why]})
        return super().get_page_size(request)


class QueryFilter(filters.BaseFilterBackend):
    """Exact-match filters a view names in ``filter_params``: ``{param: (lookup, field)}``;
    a value the field rejects is a 400 naming the parameter. A parameter named in
    ``refused_params`` (``{param: why}``) is a 400 too, rather than silently ignored."""

    def filter_queryset(self, request, queryset, view):
        for name, why in getattr(view, "refused_params", {}).items():
            if name in request.query_params:
                raise BadRequest(why, fields={name: [why]})
        for name, (lookup, field) in getattr(view, "filter_params", {}).items():
            raw = request.query_params.get(name)
            if raw is None or raw == "":
                continue
            try:
                value = field.run_validation(raw)
            except exceptions.ValidationError as error:
                raise BadRequest(
                    f"Invalid value for {name}.", fields={name: error.detail}
                ) from None
            queryset = queryset.filter(**{lookup: value})
        return queryset

    def get_schema_operation_parameters(self, view):
        parameters = []
        for name, (_lookup, field) in getattr(view, "filter_params", {}).items():
            if isinstance(field, serializers.ChoiceField):
                schema = {"type": "string", "enum": list(field.choices)}
            else:
                schema = {"type": "integer"}
                for validator in field.validators:
                    if hasattr(validator, "limit_value"):
                        key = "minimum" if "Min" in type(validator).__name__ else "maximum"
                        schema[key] = validator.limit_value
            parameters.append(
                {
                    "name": name,
                    "required": False,
                    "in": "query",
                    "description": field.help_text or f"Only those with this {name}.",
                    "schema": schema,
                }
            )
        return parameters
