"""``GET /api/v1/search/``: pages holding the query, with their hit lines and boxes."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from books import thumbnails
from books.models import PageStatus
from config.api import BadRequest, RolePermissions, errors
from search.models import Source
from search.query import QueryError
from search.service import Filters, search

SEARCH_PERMS = ["books.view_page", "ocr.view_textline"]
MAX_PAGE_SIZE = 100


class SearchParameters(serializers.Serializer):
    q = serializers.CharField(
        max_length=500,
        help_text='Terms a page must all hold: 张氏 江夏; -term to leave out; "black cat" '
        "for Latin words in order; hist* for a prefix. Simplified and traditional forms "
        "find each other.",
    )
    book = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    volume = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    status = serializers.MultipleChoiceField(
        choices=PageStatus.choices, required=False, help_text="Pages in these statuses only."
    )
    corrected = serializers.BooleanField(
        default=False, help_text="Only pages with corrected lines."
    )
    text = serializers.ChoiceField(
        choices=[Source.CURRENT, Source.ENGINE],
        default=Source.CURRENT,
        help_text="current: the text as corrected; engine: what the engine read.",
    )
    exact_form = serializers.BooleanField(
        default=False, help_text="Match the characters as typed: 張 does not find 张."
    )
    page = serializers.IntegerField(default=1, min_value=1, max_value=10_000)
    page_size = serializers.IntegerField(default=20, min_value=1, max_value=MAX_PAGE_SIZE)


class HitLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="line.pk")
    order = serializers.IntegerField(source="line.order")
    text = serializers.CharField()
    marks = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="[start, end) character offsets of the hits in text.",
    )
    box = serializers.ListField(
        source="line.box", child=serializers.IntegerField(), help_text="[x0, y0, x1, y1]"
    )
    polygon = serializers.JSONField(source="line.polygon", help_text="[[x, y], ...]")


class SearchPageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="page.pk")
    book = serializers.IntegerField(source="page.volume.book_id")
    book_title = serializers.CharField(source="page.volume.book.title")
    volume = serializers.IntegerField(source="page.volume_id")
    volume_sequence = serializers.IntegerField(source="page.volume.sequence")
    sequence = serializers.IntegerField(source="page.sequence")
    status = serializers.CharField(source="page.status")
    width = serializers.IntegerField(source="page.width")
    height = serializers.IntegerField(source="page.height")
    thumbnail = serializers.SerializerMethodField()
    review_url = serializers.SerializerMethodField(
        help_text="The admin's review screen at this page, the hits highlighted."
    )
    hits = serializers.IntegerField()
    lines = HitLineSerializer(many=True, help_text="The lines holding hits, in reading order.")

    def get_thumbnail(self, result) -> str:
        return thumbnails.thumbnail_url(result.page)

    def get_review_url(self, result) -> str:
        from urllib.parse import urlencode

        url = reverse("admin:books_page_review", args=[result.page.pk])
        return f"{url}?{urlencode({'q': self.context['q']})}"


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="All the pages found.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchPageSerializer(many=True)


def filters_from(data: dict) -> Filters:
    return Filters(
        book=data.get("book"),
        volume=data.get("volume"),
        statuses=tuple(sorted(data.get("status") or ())),
        corrected_only=data["corrected"],
        source=data["text"],
        exact_form=data["exact_form"],
    )


def run_search(request, data: dict):
    """The search, or a 400 naming ``q`` when the query cannot be searched."""
    try:
        return search(
            data["q"],
            filters_from(data),
            limit=data["page_size"],
            offset=(data["page"] - 1) * data["page_size"],
        )
    except QueryError as error:
        raise BadRequest(str(error), fields={"q": [str(error)]}) from None


class SearchView(APIView):
    permission_classes = [RolePermissions]
    required_perms = {"GET": SEARCH_PERMS}

    @extend_schema(
        summary="Search the text of every book",
        description="Pages whose current text (corrected where corrected) holds every term, "
        "ranked: books whose title holds them first, then corrected pages, then pages with "
        "more hits. Each page comes with its lines that hold hits, the hits' offsets and "
        "the lines' boxes, to draw them on the page image. Chinese needs no spaces; "
        "simplified, traditional and variant forms, case and full-width forms find each "
        "other (exact_form: only as typed). A correction is found as soon as it is saved.",
        parameters=[SearchParameters],
        responses={200: SearchResultsSerializer, **errors(400)},
    )
    def get(self, request):
        parameters = SearchParameters(data=request.query_params)
        if not parameters.is_valid():
            raise BadRequest("Invalid search parameters.", fields=parameters.errors)
        data = parameters.validated_data
        results = run_search(request, data)
        url = request.build_absolute_uri()
        size, number = data["page_size"], data["page"]
        more = number * size < results.count
        previous = None
        if number > 1:
            previous = (
                replace_query_param(url, "page", number - 1)
                if number > 2
                else remove_query_param(url, "page")
            )
        body = {
            "count": results.count,
            "next": replace_query_param(url, "page", number + 1) if more else None,
            "previous": previous,
            "results": SearchPageSerializer(
                results.pages, many=True, context={"q": data["q"]}
            ).data,
        }
        return Response(body)
