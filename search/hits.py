"""Where on a page a query's terms stand: spans of the page's text, then marks in its lines.

The same tokens as the index (``search.tokens``), matched in Python on the pages shown, so
the marks are exactly the index's hits, a hit across a line break marking both lines.
"""

from dataclasses import dataclass, field

from search.folding import fold
from search.query import Term
from search.tokens import CHAR, PageText, Position, is_cjk, page_text, positions


@dataclass
class LineHit:
    line: object  # the TextLine
    text: str
    marks: list[tuple[int, int]] = field(default_factory=list)


def _matches(position: Position, token: str, prefix: bool) -> bool:
    return position.token.startswith(token) if prefix else position.token == token


def spans(found: list[Position], term: Term, text: str, *, exact_form: bool) -> list[tuple]:
    units = term.units
    if len(units) == 1 and units[0].token.startswith(CHAR):
        character = units[0].token[1:]
        result = [(p.start, p.start + 1) for p in found if p.token[:1] == character]
    else:
        last = units[-1]
        result = []
        for index in range(len(found) - last.offset):
            if all(_matches(found[index + unit.offset], unit.token, unit.prefix) for unit in units):
                end_position = found[index + last.offset]
                cut = last.prefix and is_cjk(last.token[:1])
                end = end_position.start + len(last.token) if cut else end_position.end
                result.append((found[index].start, end))
    if exact_form:
        wanted = [c for c in fold(term.text, exact_form=True) if is_cjk(c)]
        result = [
            (start, end)
            for start, end in result
            if [c for c in fold(text[start:end], exact_form=True) if is_cjk(c)] == wanted
        ]
    return result


def page_hits(lines, texts: list[str], terms: list[Term], *, exact_form: bool = False):
    """``(hit count, [LineHit])`` for a page's lines (in reading order) and their texts."""
    joined: PageText = page_text(texts)
    found = positions(fold(joined.text))
    by_line: dict[int, LineHit] = {}
    count = 0
    for term in terms:
        if term.exclude:
            continue
        for start, end in spans(found, term, joined.text, exact_form=exact_form):
            count += 1
            for index, low, high in joined.line_spans(start, end):
                hit = by_line.setdefault(index, LineHit(lines[index], texts[index]))
                hit.marks.append((low, high))
    for hit in by_line.values():
        hit.marks = _merged(hit.marks)
    return count, [by_line[index] for index in sorted(by_line)]


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
