"""The admin's search page: results grouped by book and volume, each page with its
thumbnail, the hit boxes drawn on it and the hit lines, linking to the review screen."""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from books.models import Book, PageStatus
from search.hits import marked_html
from search.models import Source
from search.query import QueryError
from search.service import Filters, search

PER_PAGE = 20
SEARCH_PERMS = ("books.view_page", "ocr.view_textline")


def _filters(params) -> Filters:
    book = params.get("book", "")
    statuses = tuple(s for s in params.getlist("status") if s in PageStatus.values)
    return Filters(
        book=int(book) if book.isdigit() and len(book) < 19 else None,
        statuses=statuses,
        corrected_only=params.get("corrected") == "1",
        source=Source.ENGINE if params.get("text") == Source.ENGINE else Source.CURRENT,
        exact_form=params.get("exact") == "1",
    )


def _number(params) -> int:
    raw = params.get("p", "1")
    return max(1, min(int(raw), 10_000)) if raw.isdigit() and len(raw) < 6 else 1


def _box(line) -> dict:
    return {"x": line.x0, "y": line.y0, "w": line.x1 - line.x0, "h": line.y1 - line.y0}


def _grouped(results, query: str) -> list[dict]:
    """Book > volume > pages, in the order each first appears in the ranking."""
    books: dict[int, dict] = {}
    for result in results.pages:
        page = result.page
        volume, book = page.volume, page.volume.book
        entry = books.setdefault(book.pk, {"book": book, "volumes": {}})
        pages = entry["volumes"].setdefault(volume.pk, {"volume": volume, "pages": []})["pages"]
        review = f"{reverse('admin:books_page_review', args=[page.pk])}?{urlencode({'q': query})}"
        pages.append(
            {
                "page": page,
                "hits": result.hits,
                # The review screen's display image: permission-checked, cached, and ready
                # when the result is opened.
                "image_url": reverse("admin:books_page_image", args=[page.pk]),
                "review_url": review,
                "boxes": [_box(hit.line) for hit in result.lines],
                "lines": [
                    {
                        "order": hit.line.order,
                        "html": marked_html(hit.text, hit.marks),
                        "url": f"{review}&line={hit.line.pk}",
                    }
                    for hit in result.lines
                ],
            }
        )
    return [
        {"book": entry["book"], "volumes": list(entry["volumes"].values())}
        for entry in books.values()
    ]


def search_page(request):
    if not request.user.has_perms(SEARCH_PERMS):
        raise PermissionDenied
    params = request.GET
    query = params.get("q", "").strip()[:500]
    filters = _filters(params)
    number = _number(params)
    context = {
        **admin.site.each_context(request),
        "title": _("Search"),
        "q": query,
        "filters": filters,
        "books": Book.objects.order_by("title").values_list("pk", "title")[:500],
        "statuses": PageStatus.choices,
        "error": "",
        "results": None,
    }
    if query:
        try:
            results = search(query, filters, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
        except QueryError as error:
            context["error"] = str(error)
        else:
            pages = max(1, -(-results.count // PER_PAGE))
            base = params.copy()
            base.pop("p", None)
            context.update(
                results=results,
                groups=_grouped(results, query),
                number=number,
                pages=pages,
                previous_url=f"?{_with(base, number - 1)}" if number > 1 else "",
                next_url=f"?{_with(base, number + 1)}" if number < pages else "",
            )
    return render(request, "admin/search/results.html", context)


def _with(params, number: int) -> str:
    params = params.copy()
    params["p"] = str(number)
    return params.urlencode()
