"""Searching the books: the one function the API, the admin and the review screen call.

A query's terms are answered by the index (``search.backends``); the pages are filtered and
ranked in the same SQL statement (books whose title holds the terms first, then corrected
pages, then more hits), counted with a window function, and only the page of results shown
is read back, with its lines, to mark the hits (``search.hits``).
"""

from dataclasses import dataclass, field

from django.db import connection, transaction

from books.models import Book, Page
from ocr.models import TextLine
from search import backends
from search.folding import fold
from search.hits import page_hits
from search.models import Source
from search.query import Term, parse


@dataclass(frozen=True)
class Filters:
    book: int | None = None
    volume: int | None = None
    statuses: tuple[str, ...] = ()
    corrected_only: bool = False
    source: str = Source.CURRENT  # ENGINE: search what the engine read, not corrections
    exact_form: bool = False  # 張 finds 張 only, not 张


RANK_LIMIT = 1000
HIT_FIELDS = ("page_id", "order", "polygon", "x0", "y0", "x1", "y1")


@dataclass
class LineHit:
    line: TextLine  # its order, box and polygon
    text: str  # the text searched (current or engine)
    marks: list[tuple[int, int]]


@dataclass
class PageResult:
    page: Page
    hits: int
    lines: list[LineHit] = field(default_factory=list)


@dataclass
class Results:
    terms: list[Term]
    count: int = 0
    pages: list[PageResult] = field(default_factory=list)


def _source_condition(source: str) -> str:
    if source == Source.ENGINE:
        return "(t.source = 'engine' OR (t.source = 'current' AND NOT t.corrected))"
    return "t.source = 'current'"


def _titled_books(terms: list[Term], book: int | None) -> list[int]:
    wanted = [term.folded for term in terms if not term.exclude]
    books = Book.objects.all() if book is None else Book.objects.filter(pk=book)
    return [
        pk
        for pk, title in books.values_list("pk", "title")
        if all(term in fold(title) for term in wanted)
    ]


def _matches(
    terms: list[Term], filters: Filters, *, scored: bool, counting: bool = False
) -> tuple[str, list]:
    """``WITH hits ... FROM hits h JOIN ... WHERE ...``: the pages the terms match.

    ``counting``: leave out the pages and volumes where no filter needs them."""
    backend = backends.current()
    source = _source_condition(filters.source)
    positive = [term for term in terms if not term.exclude]
    first_sql, params = backend.term_rows(positive[0], scored=scored)
    sql = [
        "WITH hits AS (SELECT t.page_id, MAX(t.score) AS score, "
        "MAX(CASE WHEN t.corrected THEN 1 ELSE 0 END) AS corrected "
        f"FROM ({first_sql}) t WHERE {source} GROUP BY t.page_id) "
        "SELECT {columns} FROM hits h"
    ]
    if not counting or filters.book is not None or filters.volume or filters.statuses:
        sql.append(
            " JOIN books_page p ON p.id = h.page_id JOIN books_volume v ON v.id = p.volume_id"
        )
    where = []
    for term in terms:
        if term is positive[0]:
            continue
        term_sql, term_params = backend.term_rows(term, scored=False)
        negation = "NOT " if term.exclude else ""
        where.append(
            f"h.page_id {negation}IN (SELECT t.page_id FROM ({term_sql}) t WHERE {source})"
        )
        params += term_params
    if filters.book is not None:
        where.append("v.book_id = %s")
        params.append(filters.book)
    if filters.volume is not None:
        where.append("p.volume_id = %s")
        params.append(filters.volume)
    if filters.statuses:
        where.append(f"p.status IN ({', '.join(['%s'] * len(filters.statuses))})")
        params += list(filters.statuses)
    if filters.corrected_only:
        where.append("h.corrected = 1")
    if filters.exact_form:
        column = "engine_text" if filters.source == Source.ENGINE else "text"
        for term in positive:
            for run in term.cjk_runs:
                where.append(
                    "EXISTS (SELECT 1 FROM ocr_textline l WHERE l.page_id = h.page_id "
                    f"AND l.{column} LIKE %s)"
                )
                params.append(f"%{run}%")
    if where:
        sql.append(" WHERE " + " AND ".join(where))
    return "".join(sql), params


def _order(terms: list[Term], filters: Filters) -> tuple[str, list]:
    order, params = [], []
    titled = _titled_books(terms, filters.book)
    if titled:
        order.append(
            f"CASE WHEN v.book_id IN ({', '.join(['%s'] * len(titled))}) THEN 0 ELSE 1 END"
        )
        params += titled
    order += ["h.corrected DESC", "h.score DESC", "v.book_id", "v.sequence", "p.sequence"]
    return ", ".join(order), params


def matching_pages(terms: list[Term], filters: Filters, *, limit: int, offset: int = 0):
    """``(count, [page id])``: how many pages the terms match, and those of one result page.

    Pages are ranked by their hits only where there are at most ``RANK_LIMIT`` of them:
    scoring reads every matching page's tokens, and among thousands of pages holding a
    common word the catalogue order serves as well (titles and corrections still first).
    """
    order, order_params = _order(terms, filters)
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        backends.current().planned(cursor),
    ):
        sql, params = _matches(terms, filters, scored=False, counting=True)
        cursor.execute(sql.replace("{columns}", "COUNT(*)", 1), params)
        count = cursor.fetchone()[0]
        if not count or offset >= count:
            return count, []
        sql, params = _matches(terms, filters, scored=count <= RANK_LIMIT)
        cursor.execute(
            sql.replace("{columns}", "h.page_id", 1) + f" ORDER BY {order} LIMIT %s OFFSET %s",
            [*params, *order_params, limit, offset],
        )
        return count, [row[0] for row in cursor.fetchall()]


def search(query: str, filters: Filters = Filters(), *, limit: int = 20, offset: int = 0):
    """The pages matching ``query`` (``search.query``), ranked, with their hit lines."""
    terms = parse(query)
    results = Results(terms)
    if not terms:
        return results
    results.count, page_ids = matching_pages(terms, filters, limit=limit, offset=offset)
    pages = Page.objects.select_related("volume__book").in_bulk(page_ids)
    column = "engine_text" if filters.source == Source.ENGINE else "text"
    texts: dict[int, list[tuple[int, str]]] = {}
    rows = TextLine.objects.filter(page_id__in=page_ids).order_by("page_id", "order")
    for page_id, line_id, text in rows.values_list("page_id", "pk", column):
        texts.setdefault(page_id, []).append((line_id, text))
    marked: dict[int, tuple[str, list]] = {}
    for page_id in page_ids:
        page_lines = texts.get(page_id, [])
        hits, marks = page_hits(
            [text for _, text in page_lines], terms, exact_form=filters.exact_form
        )
        results.pages.append(PageResult(pages[page_id], hits))
        for index, line_marks in marks.items():
            marked[page_lines[index][0]] = (page_lines[index][1], line_marks)
    lines = TextLine.objects.filter(pk__in=marked).only(*HIT_FIELDS).order_by("order")
    by_page: dict[int, list[LineHit]] = {}
    for line in lines:
        text, line_marks = marked[line.pk]
        by_page.setdefault(line.page_id, []).append(LineHit(line, text, line_marks))
    for result in results.pages:
        result.lines = by_page.get(result.page.pk, [])
    return results
