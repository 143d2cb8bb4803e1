"""Reading order of recognized lines: horizontal pages, multi-column pages, vertical pages.

Horizontal pages are cut recursively along the whitespace between boxes (XY-cut):

1. gutters that no box crosses split a part of the page into columns, read left to right;
2. where a few boxes cross an otherwise clear gutter (a title, a centred footer, a headline
   over some columns), those boxes cut the part into bands, each read on its own, top down;
3. otherwise gaps that no box crosses split it into rows, read top to bottom.

Gutters count from 40% of a median line height, so newspaper gutters of one line height
are found; a lone box beside a column is one more column and never merges the others.
Vertical pages are the same problem turned a quarter: columns read right to left, each top
to bottom, so the page is rotated into horizontal coordinates, ordered, and the order kept.
Within a column of a vertical page the two half-width sub-columns of a double-line small
note (雙行小注) come after the main text, right sub-column first.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Protocol

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
AUTO = "auto"

# A box this much taller than wide is a vertical line of text.
VERTICAL_ASPECT = 1.5


class HasBox(Protocol):
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class _Box:
    index: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def is_vertical_box(box: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = box
    return (y1 - y0) > VERTICAL_ASPECT * max(1, x1 - x0)


def detect_direction(lines: Sequence[HasBox]) -> str:
    """Vertical when most of the text (by box length) stands in vertical boxes."""
    vertical = horizontal = 0
    for line in lines:
        x0, y0, x1, y1 = line.box
        if is_vertical_box(line.box):
            vertical += y1 - y0
        elif (x1 - x0) > VERTICAL_ASPECT * max(1, y1 - y0):
            horizontal += x1 - x0
    return VERTICAL if vertical > horizontal else HORIZONTAL


def order_lines[T: HasBox](lines: Sequence[T], direction: str = AUTO) -> tuple[list[T], str]:
    """Lines in reading order, and the direction used (``auto`` resolved)."""
    if direction == AUTO:
        direction = detect_direction(lines)
    if direction == VERTICAL:
        # Turn the page so that columns (right to left) become rows (top to bottom).
        boxes = [_Box(i, y0, -x1, y1, -x0) for i, (x0, y0, x1, y1) in _boxes(lines)]
    else:
        boxes = [_Box(i, x0, y0, x1, y1) for i, (x0, y0, x1, y1) in _boxes(lines)]
    return [lines[box.index] for box in _order(boxes)], direction


def _boxes(lines):
    return [(i, tuple(float(v) for v in line.box)) for i, line in enumerate(lines)]


# A gutter is at least this share of the median line height wide.
GUTTER_SHARE = 0.4
# Articles stacked in the same columns are parted by a break at least this share of the
# median line height high, and this many times the usual blank between lines, in each of
# the columns.
BREAK_SHARE = 0.5
BREAK_LEADING = 1.8
# A running header or footer row stands this many line heights apart from the text.
MARGIN_GAP = 1.5


def columns_of[T: HasBox](lines: Sequence[T]) -> list[list[T]]:
    """Horizontal lines grouped by the gutters that no line crosses, left to right."""
    if not lines:
        return []
    boxes = [_Box(i, *box) for i, box in _boxes(lines)]
    gutter = max(2.0, GUTTER_SHARE * (median(b.height for b in boxes) or 1))
    return [[lines[b.index] for b in group] for group in _split(boxes, gutter, vertical_gaps=True)]


def order_rows[T: HasBox](lines: Sequence[T]) -> list[T]:
    """Horizontal lines row by row, top to bottom, each row left to right (table cells)."""
    boxes = [_Box(i, *box) for i, box in _boxes(lines)]
    return [lines[box.index] for box in _rows(boxes)]


def _order(boxes: list[_Box], line_height: float | None = None) -> list[_Box]:
    if len(boxes) <= 1:
        return boxes
    line_height = line_height or median(b.height for b in boxes) or 1
    wide = max(BREAK_SHARE * line_height, BREAK_LEADING * _leading(boxes))
    return _cut(boxes, _Gaps(max(2.0, GUTTER_SHARE * line_height), wide, line_height))


def _leading(boxes: list[_Box]) -> float:
    """The usual blank between a line and the next one below it in its column."""
    ordered = sorted(boxes, key=_top_down)
    gaps = []
    for number, box in enumerate(ordered):
        for below in ordered[number + 1 : number + 30]:
            if below.y0 >= box.y1 and _x_overlap(box, below) > 0:
                gaps.append(below.y0 - box.y1)
                break
    return median(gaps) if gaps else 0.0


@dataclass(frozen=True)
class _Gaps:
    gutter: float  # least width of a gutter between columns
    wide: float  # least height of a break between stacked articles across columns
    line: float  # the median line height


def _cut(boxes: list[_Box], gaps: _Gaps) -> list[_Box]:
    if len(boxes) <= 1:
        return boxes
    head, body, foot = _margin_rows(boxes, gaps)
    if head or foot:
        return [*_cut(head, gaps), *_cut(body, gaps), *_cut(foot, gaps)]
    columns = _split(boxes, gaps.gutter, vertical_gaps=True)
    if len(columns) > 1:
        parts = _join_stacked_columns(columns, gaps.wide)
        if len(parts) == 1:
            # Articles stacked across all the columns: cut between them first; else the
            # columns, if no break runs across them all after all.
            parts = _split(boxes, gaps.wide, vertical_gaps=False)
            if len(parts) == 1:
                parts = columns
        return [box for part in parts for box in _cut(part, gaps)]
    for parts in (
        _bands_under_spanners(boxes, gaps.gutter, gaps.line),
        _split(boxes, 0.5, vertical_gaps=False),
    ):
        if len(parts) > 1:
            return [box for part in parts for box in _cut(part, gaps)]
    return _rows(boxes)  # nothing separates them: overlapping boxes, read row by row


def _margin_rows(boxes: list[_Box], gaps: _Gaps):
    """(head, body, foot): a single row of text at the top (a running header: title left,
    page number right) or bottom, set apart by a wide blank, is read before (or after) the
    rest, not as the tops of columns."""
    rows = _split(boxes, max(gaps.wide, MARGIN_GAP * gaps.line), vertical_gaps=False)
    if len(rows) < 2:
        return [], boxes, []

    def one_row(row):
        return max(b.y1 for b in row) - min(b.y0 for b in row) <= MARGIN_GAP * gaps.line

    head = rows.pop(0) if one_row(rows[0]) else []
    foot = rows.pop() if rows and one_row(rows[-1]) else []
    return head, [box for row in rows for box in row], foot


def _join_stacked_columns(columns: list[list[_Box]], wide: float) -> list[list[_Box]]:
    """Neighbouring columns that share a break in their text (one article ends in both and
    another begins below) belong together: the articles are read one after the other,
    each across its columns, not column by column down the page."""
    joined = [list(columns[0])]
    previous = _breaks(columns[0], wide)
    for column in columns[1:]:
        breaks = _breaks(column, wide)
        if any(min(a1, b1) - max(a0, b0) >= wide for a0, a1 in previous for b0, b1 in breaks):
            joined[-1].extend(column)
        else:
            joined.append(list(column))
        previous = breaks
    return joined


def _breaks(column: list[_Box], wide: float) -> list[tuple[float, float]]:
    """Gaps at least ``wide`` across a column with at least two boxes above and below."""
    found = []
    boxes = sorted(column, key=_top_down)
    reach = boxes[0].y1
    for above, box in enumerate(boxes[1:], start=1):
        if box.y0 - reach >= wide and above >= 2 and len(boxes) - above >= 2:
            found.append((reach, box.y0))
        reach = max(reach, box.y1)
    return found


def _split(boxes: list[_Box], min_gap: float, *, vertical_gaps: bool) -> list[list[_Box]]:
    """Groups separated by gaps at least ``min_gap`` wide that no box crosses: columns
    (``vertical_gaps``) left to right, or rows top to bottom."""
    start, end = ("x0", "x1") if vertical_gaps else ("y0", "y1")
    groups: list[list[_Box]] = []
    reach = 0.0
    for box in sorted(boxes, key=_left_right if vertical_gaps else _top_down):
        if groups and getattr(box, start) < reach + min_gap:
            groups[-1].append(box)
            reach = max(reach, getattr(box, end))
        else:
            groups.append([box])
            reach = getattr(box, end)
    return groups


def _bands_under_spanners(boxes: list[_Box], gutter: float, line: float) -> list[list[_Box]]:
    """Bands cut by the few boxes that cross an otherwise clear gutter, top to bottom.

    The gutter chosen is the one crossed by the fewest boxes, with at least two boxes on
    each side and at most a quarter as many crossing it as not. Each crossing box (a
    title, a footer, a headline) closes the band above it and is a band of its own. A box
    that only leaks into the gutter (the detector grew a column's line a little past its
    edge: it reaches less than ``LEAK_SHARE`` line heights past one side) spans nothing:
    it belongs to the side most of it stands on, and when only such boxes cross, the
    gutter parts two columns, read left, then right.
    """
    limit = len(boxes) // 4
    if limit < 1:
        return [boxes]
    left = math.floor(min(b.x0 for b in boxes))
    right = math.ceil(max(b.x1 for b in boxes))
    coverage = [0] * (right - left + 1)
    for box in boxes:
        coverage[math.floor(box.x0) - left] += 1
        coverage[math.ceil(box.x1) - left] -= 1
    coverage = list(itertools.accumulate(coverage))
    best: set[int] | None = None
    parted: tuple[float, float] | None = None
    for crossing in sorted({c for c in coverage if 0 < c <= limit}):
        for start, end in _runs(coverage, crossing, gutter):
            x0, x1 = left + start, left + end
            crossers = [b for b in boxes if b.x0 < x1 and b.x1 > x0]
            spanners = {id(b) for b in crossers if not _leaks(b, x0, x1, line)}
            if len(crossers) > limit or (best is not None and len(spanners) >= len(best)):
                continue
            rest = [b for b in boxes if id(b) not in spanners]
            if 3 * len(spanners) > len(rest):
                continue
            if sum(b.x1 <= x0 for b in rest) >= 2 and sum(b.x0 >= x1 for b in rest) >= 2:
                best, parted = spanners, (x0, x1)
        if best is not None:
            break
    if best is None:
        return [boxes]
    if not best:  # only leaks cross: two columns
        middle = sum(parted) / 2
        sides = (
            [b for b in boxes if b.x0 + b.x1 < 2 * middle],
            [b for b in boxes if b.x0 + b.x1 >= 2 * middle],
        )
        return [side for side in sides if side]
    bands: list[list[_Box]] = [[]]
    for box in sorted(boxes, key=_top_down):
        if id(box) in best:
            bands.extend(([box], []))
        else:
            bands[-1].append(box)
    return [band for band in bands if band]


# A box reaching less than this many line heights past a gutter's edge only leaks into it.
LEAK_SHARE = 0.5


def _leaks(box: _Box, x0: float, x1: float, line: float) -> bool:
    """The box crosses the gutter (x0, x1) by a little only, on either side."""
    return min(x0 - box.x0, box.x1 - x1) < LEAK_SHARE * line


def _runs(coverage: list[int], most: int, width: float):
    """(start, end) of the stretches at least ``width`` long covered by at most ``most``
    boxes, inside the outermost boxes."""
    start = None
    for x, count in enumerate(coverage):
        if count <= most and x < len(coverage) - 1:
            if start is None:
                start = x
        else:
            if start is not None and start > 0 and x - start >= width:
                yield start, x
            start = None


def _rows(boxes: list[_Box]) -> list[_Box]:
    """Top to bottom; boxes sharing a row are read left to right.

    Boxes stacked inside one row (x-ranges overlapping, e.g. the two sub-columns of a small
    note) are read top first.
    """
    rows: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: ((b.y0 + b.y1) / 2, *_left_right(b))):
        for row in rows:
            if any(_same_row(box, other) for other in row):
                row.append(box)
                break
        else:
            rows.append([box])
    rows.sort(key=lambda row: min(_top_down(b) for b in row))
    return [box for row in rows for box in _along_row(row)]


def _same_row(a: _Box, b: _Box) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap >= 0.5 * min(a.height, b.height)


def _along_row(row: list[_Box]) -> list[_Box]:
    groups: list[list[_Box]] = []
    for box in sorted(row, key=_left_right):
        group = groups[-1] if groups else None
        if group and any(
            _x_overlap(box, other) > 0.5 * min(box.width, other.width) for other in group
        ):
            group.append(box)
        else:
            groups.append([box])
    return [box for group in groups for box in sorted(group, key=_top_down)]


# Sort keys over the whole box, so that the order never depends on the order the detector
# returned the lines in (ties otherwise keep it).
def _top_down(box: _Box) -> tuple[float, ...]:
    return box.y0, box.x0, box.y1, box.x1


def _left_right(box: _Box) -> tuple[float, ...]:
    return box.x0, box.y0, box.x1, box.y1


def _x_overlap(a: _Box, b: _Box) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)
