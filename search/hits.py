"""Where on a page a query's terms stand: spans of the page's text, then marks in its lines.

The same tokens as the index (``search.tokens``), matched in Python on the pages shown, so
the marks are exactly the index's hits, a hit across a line break marking both lines.
"""

from search.folding import fold
from search.query import Term
from search.tokens import PageText, Position, is_cjk, page_text, positions


def _matches(position: Position, token: str, prefix: bool) -> bool:
    return position.token.startswith(token) if prefix else position.token == token


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    found, at = [], text.find(needle)
    while at >= 0:
        found.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    return found


def spans(folded: str, term: Term, text: str, *, exact_form: bool, tokens=None) -> list[tuple]:
    """The term's hits in the page's folded text: ``(start, end)`` offsets.

    Chinese characters alone are a substring, as in the index (which holds each pair of
    neighbours); anything with words or gaps is matched on the index's tokens (``tokens``:
    the page's positions, made when first needed).
    """
    if all(is_cjk(character) for character in term.folded):
        result = _occurrences(folded, term.folded)
    else:
        found = tokens() if tokens is not None else positions(folded)
        result = _token_spans(found, term)
    if exact_form:
        wanted = [c for c in fold(term.text, exact_form=True) if is_cjk(c)]
        result = [
            (start, end)
            for start, end in result
            if [c for c in fold(text[start:end], exact_form=True) if is_cjk(c)] == wanted
        ]
    return result


def _token_spans(found: list[Position], term: Term) -> list[tuple[int, int]]:
    units = term.units
    first, rest, last = units[0], units[1:], units[-1]
    result = []
    for index in range(len(found) - last.offset):
        if not _matches(found[index], first.token, first.prefix):
            continue
        if all(_matches(found[index + unit.offset], unit.token, unit.prefix) for unit in rest):
            end_position = found[index + last.offset]
            cut = last.prefix and is_cjk(last.token[:1])
            end = end_position.start + len(last.token) if cut else end_position.end
            result.append((found[index].start, end))
    return result


def page_hits(texts: list[str], terms: list[Term], *, exact_form: bool = False):
    """``(hit count, {line index: merged marks})`` for a page's line texts in reading order."""
    joined: PageText = page_text(texts)
    folded = fold(joined.text)
    cache: list = []

    def tokens():
        if not cache:
            cache.append(positions(folded))
        return cache[0]

    marks: dict[int, list[tuple[int, int]]] = {}
    count = 0
    for term in terms:
        if term.exclude:
            continue
        for start, end in spans(folded, term, joined.text, exact_form=exact_form, tokens=tokens):
            count += 1
            for index, low, high in joined.line_spans(start, end):
                marks.setdefault(index, []).append((low, high))
    return count, {index: _merged(marks[index]) for index in sorted(marks)}


def _merged(marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result: list[list[int]] = []
    for start, end in sorted(marks):
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(start, end) for start, end in result]


def marked_html(text: str, marks) -> str:
    """The line's text, HTML-escaped, with each mark in ``<mark>``."""
    from django.utils.html import escape

    parts, cursor = [], 0
    for start, end in marks:
        parts += [escape(text[cursor:start]), "<mark>", escape(text[start:end]), "</mark>"]
        cursor = end
    parts.append(escape(text[cursor:]))
    return "".join(parts)
