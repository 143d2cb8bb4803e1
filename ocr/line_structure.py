"""Changing a page's lines rather than their text: add, move, split, merge, delete.

The rules of ``ocr.corrections`` hold here too: the page row is locked first, the line must
still be at the version the editor saw (else ``Conflict``), and every change is a step in
the history. A place on the page is named by the line it comes after (``after``: a line
id; ``FIRST``: before every line), so a concurrent insert elsewhere does not shift it.
"""

import unicodedata

from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from books.models import Page
from ocr import boxes, reading_order
from ocr.corrections import (
    REVIEWABLE,
    Box,
    Conflict,
    CorrectionError,
    LineGone,
    PageNotReviewable,
    clean_text,
    current_line,
    lock_page,
    lock_page_of_line,
    record,
)
from ocr.models import LineAction, LineRevision, Region, TextLine
from search.indexing import refresh_page

FIRST = 0  # ``after=FIRST``: the line goes before every other line
OFFSET = 1_000_000  # orders are moved through this range (see ``place_lines``)


def add_line(page_id: int, box: Box, text: str, user, *, after: int | None = None) -> TextLine:
    """A line the engine missed, drawn as a box. Placed after the line ``after`` (``FIRST``:
    first); left out, where reading order puts the box among the page's lines."""
    text = clean_text(text).strip()
    if not text:
        raise CorrectionError(_("A new line needs its text: type it, then save."))
    with transaction.atomic():
        if lock_page(page_id) not in REVIEWABLE:
            raise PageNotReviewable(_("Lines can only be added to a recognized page."))
        lines = list(TextLine.objects.filter(page_id=page_id).order_by("order"))
        direction = _direction(page_id, lines)
        region = _region_holding(page_id, box)
        if after is None:
            position = _reading_position(lines, box, region, direction)
        else:
            position = _position_after(lines, after)
        order = lines[position].order if position < len(lines) else _next_order(lines)
        if position < len(lines):
            _shift_from(page_id, order)
        edges = (box.x0, box.y0, box.x1, box.y1)
        line = TextLine.objects.create(
            page_id=page_id,
            order=order,
            **box.fields,
            engine_text="",
            text=text,
            confidence=None,
            # As recognition sets it: a column of a vertical page.
            vertical=direction == reading_order.VERTICAL and reading_order.is_vertical_box(edges),
            region=region,
            corrected_by=user,
            corrected_at=timezone.now(),
        )
        record(line, LineAction.ADD, "", text, user)
        refresh_page(page_id)
    return line


def move_line(
    line_id: int, expected_version: int, after: int, user, *, page_id: int | None = None
) -> TextLine:
    """Put the line right after the line ``after`` (``FIRST``: first) in reading order."""
    if after == line_id:
        raise CorrectionError(_("A line cannot be moved after itself."))
    with transaction.atomic():
        page_id = lock_page_of_line(line_id, page_id)
        line = _at_version(line_id, expected_version)
        lines = [other for other in _page_lines(page_id) if other.pk != line_id]
        position = _position_after(lines, after)
        ordered = [*lines[:position], line, *lines[position:]]
        before = line.order
        place_lines(page_id, ordered)
        region_id = _region_between(lines[position - 1] if position else None, lines[position:])
        line.refresh_from_db()
        if line.order != before:
            TextLine.objects.filter(pk=line_id).update(
                version=F("version") + 1, region_id=region_id or line.region_id
            )
            line.refresh_from_db()
            record(line, LineAction.MOVE, line.text, line.text, user, order_before=before)
            refresh_page(page_id)
    return line


def split_line(
    line_id: int, expected_version: int, at: int, user, *, page_id: int | None = None
) -> tuple[TextLine, TextLine]:
    """Cut the line in two before character ``at``; its box is cut where that character
    stands (by the characters' widths), the engine's text where it matches."""
    with transaction.atomic():
        page_id = lock_page_of_line(line_id, page_id)
        line = _at_version(line_id, expected_version)
        text = line.text
        if not 0 < at < len(text) or not text[:at].strip() or not text[at:].strip():
            raise CorrectionError(
                _("A line is split between two characters, with text on both sides.")
            )
        share = _width(text[:at]) / _width(text)
        first_box, second_box = _cut_box(line, share)
        engine_at = at if line.engine_text == text else round(share * len(line.engine_text))
        second_order = line.order + 1
        if TextLine.objects.filter(page_id=page_id, order=second_order).exists():
            _shift_from(page_id, second_order)
        second = TextLine.objects.create(
            page_id=page_id,
            order=second_order,
            **second_box.fields,
            engine_text=line.engine_text[engine_at:].strip(),
            text=text[at:].strip(),
            confidence=line.confidence,
            vertical=line.vertical,
            region_id=line.region_id,
            run_id=line.run_id,
            corrected_by=user if line.engine_text != text else None,
            corrected_at=timezone.now() if line.engine_text != text else None,
        )
        values = {
            "text": text[:at].strip(),
            "engine_text": line.engine_text[:engine_at].strip(),
            **first_box.fields,
        }
        TextLine.objects.filter(pk=line_id).update(**values, version=F("version") + 1)
        line.refresh_from_db()
        record(line, LineAction.SPLIT, text, line.text, user)
        record(second, LineAction.SPLIT, text, second.text, user)
        refresh_page(page_id)
    return line, second


def merge_lines(
    line_id: int,
    expected_version: int,
    other_id: int,
    other_version: int,
    user,
    *,
    page_id: int | None = None,
) -> TextLine:
    """Join two lines of a page into the one read first: texts in reading order, boxes
    united; the other line goes (its text stays in the history)."""
    if line_id == other_id:
        raise CorrectionError(_("A line cannot be merged with itself."))
    with transaction.atomic():
        page_id = lock_page_of_line(line_id, page_id)
        if lock_page_of_line(other_id, page_id) != page_id:
            raise LineGone(other_id)
        first, second = sorted(
            (_at_version(line_id, expected_version), _at_version(other_id, other_version)),
            key=lambda line: line.order,
        )
        box = Box(
            min(first.x0, second.x0),
            min(first.y0, second.y0),
            max(first.x1, second.x1),
            max(first.y1, second.y1),
        )
        confidences = [c for c in (first.confidence, second.confidence) if c is not None]
        before = first.text
        record(second, LineAction.MERGE, second.text, "", user)
        # The second line's history goes on under the line it joined.
        LineRevision.objects.filter(line_id=second.pk).update(line_id=first.pk)
        TextLine.objects.filter(pk=second.pk).delete()
        TextLine.objects.filter(pk=first.pk).update(
            text=join(first.text, second.text),
            engine_text=join(first.engine_text, second.engine_text),
            **box.fields,
            confidence=min(confidences) if confidences else None,
            version=F("version") + 1,
            corrected_by=user if user is not None and user.pk else None,
            corrected_at=timezone.now(),
        )
        first.refresh_from_db()
        record(first, LineAction.MERGE, before, first.text, user)
        refresh_page(page_id)
    return first


def delete_line(line_id: int, expected_version: int, user, *, page_id: int | None = None):
    """Remove a false line; its text, engine text and box stay in the history."""
    with transaction.atomic():
        page_id = lock_page_of_line(line_id, page_id)
        line = _at_version(line_id, expected_version)
        record(line, LineAction.DELETE, line.text, "", user)
        TextLine.objects.filter(pk=line_id, version=expected_version).delete()
        refresh_page(page_id)


def join(first: str, second: str) -> str:
    """Two texts as one line: no space between Chinese or Japanese characters."""
    if not first or not second:
        return first or second
    wide = _is_wide(first[-1]) or _is_wide(second[0])
    return f"{first}{'' if wide else ' '}{second}"


# --- places ----------------------------------------------------------------------------------


def _at_version(line_id: int, expected_version: int) -> TextLine:
    line = current_line(line_id)
    if line.version != expected_version:
        raise Conflict(line)
    return line


def _page_lines(page_id: int) -> list[TextLine]:
    return list(TextLine.objects.filter(page_id=page_id).order_by("order"))


def _position_after(lines: list[TextLine], after: int) -> int:
    """The index a line placed after ``after`` takes among ``lines``."""
    if after == FIRST:
        return 0
    for index, line in enumerate(lines):
        if line.pk == after:
            return index + 1
    raise LineGone(after)


class _NewBox:
    def __init__(self, box: Box):
        self.box = (box.x0, box.y0, box.x1, box.y1)


def _direction(page_id: int, lines: list[TextLine]) -> str:
    """The page's text direction: the book's, or read from its lines' shapes (``auto``)."""
    direction = Page.objects.filter(pk=page_id).values_list(
        "volume__book__text_direction", flat=True
    )[0]
    if direction == reading_order.AUTO:
        direction = reading_order.detect_direction(lines) if lines else reading_order.HORIZONTAL
    return direction


def _region_holding(page_id: int, box: Box) -> Region | None:
    """The layout region most of the box lies in (the smallest such), if any."""
    edges = (box.x0, box.y0, box.x1, box.y1)
    holding = [
        region
        for region in Region.objects.filter(page_id=page_id)
        if boxes.share_inside(edges, region.box) >= 0.5
    ]
    return min(holding, key=lambda region: boxes.area(region.box), default=None)


def _reading_position(
    lines: list[TextLine], box: Box, region: Region | None, direction: str
) -> int:
    """Where reading order puts a new box among the lines, their own order kept: among the
    lines of the region it stands in (if that region has lines), right after the one
    reading order puts just before it; before them all when it comes first."""
    members = [line for line in lines if region is not None and line.region_id == region.pk]
    among = members or lines
    new = _NewBox(box)
    ordered, _direction = reading_order.order_lines([*among, new], direction)
    at = ordered.index(new)
    if at == 0:
        return lines.index(among[0]) if among else 0
    return lines.index(ordered[at - 1]) + 1


def _region_between(previous: TextLine | None, later: list[TextLine]) -> int | None:
    """The region a line moved between these lines joins: theirs, when they agree (or the
    one neighbour it has); None when it lands on a border between two regions."""
    following = later[0] if later else None
    neighbours = {line.region_id for line in (previous, following) if line is not None}
    return neighbours.pop() if len(neighbours) == 1 else None


def _next_order(lines: list[TextLine]) -> int:
    return max((line.order for line in lines), default=0) + 1


def _shift_from(page_id: int, start: int) -> None:
    """Make room at ``start``: lines from there move down one place, in two steps through a
    range no line uses (the unique (page, order) constraint is checked row by row)."""
    later = TextLine.objects.filter(page_id=page_id, order__gte=start)
    later.update(order=F("order") + OFFSET)
    TextLine.objects.filter(page_id=page_id, order__gte=OFFSET).update(
        order=F("order") - OFFSET + 1
    )


def place_lines(page_id: int, ordered: list[TextLine]) -> None:
    """Give the lines the order of ``ordered``, reusing the order numbers they hold (gaps
    left by deleted lines stay where they are); only lines whose number changes are written."""
    slots = sorted(line.order for line in ordered)
    changed = {
        line.pk: slot for line, slot in zip(ordered, slots, strict=True) if line.order != slot
    }
    renumber(TextLine.objects.filter(page_id=page_id), changed)


def renumber(rows, orders: dict[int, int]) -> None:
    """Give the rows (of one page) these ``order`` numbers, ``{pk: order}``, in two steps
    through a range none uses: the unique (page, order) constraint is checked row by row."""
    if not orders:
        return
    moving = rows.filter(pk__in=orders)
    moving.update(order=F("order") + OFFSET)
    moving.update(
        order=Case(
            *(When(pk=pk, then=Value(order)) for pk, order in orders.items()),
            output_field=IntegerField(),
        )
    )


# --- where a line is cut -----------------------------------------------------------------------


def _is_wide(character: str) -> bool:
    return unicodedata.east_asian_width(character) in ("W", "F")


def _width(text: str) -> float:
    """A text's length in half-width units: a Chinese character takes about two."""
    return sum(2 if _is_wide(character) else 1 for character in text) or 1


def _cut_box(line: TextLine, share: float) -> tuple[Box, Box]:
    x0, y0, x1, y1 = line.box
    if line.vertical:
        cut = min(y1 - 1, max(y0 + 1, round(y0 + share * (y1 - y0))))
        return Box(x0, y0, x1, cut), Box(x0, cut, x1, y1)
    cut = min(x1 - 1, max(x0 + 1, round(x0 + share * (x1 - x0))))
    return Box(x0, y0, cut, y1), Box(cut, y0, x1, y1)
