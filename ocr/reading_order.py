"""Reading order of recognized lines: horizontal pages, multi-column pages, vertical pages.

Horizontal: find column gutters that no ordinary line crosses; lines that span gutters
(titles, footers) split the page into bands; each band is read column by column, left to
right, each column top to bottom. Vertical pages are the same problem turned a quarter:
columns read right to left, each top to bottom, so the page is rotated into horizontal
coordinates, ordered, and the order kept. Within a column of a vertical page the two
half-width sub-columns of a double-line small note (雙行小注) come after the main text,
right sub-column first.
"""

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


def _order(boxes: list[_Box]) -> list[_Box]:
    if len(boxes) <= 1:
        return boxes
    line_height = median(b.height for b in boxes) or 1
    columns = _columns(boxes, line_height)
    spanning = sum(_column_of(box, columns) is None for box in boxes)
    if len(columns) <= 1 or 3 * spanning > len(boxes) - spanning:
        # Gutters crossed by many lines are no gutters: e.g. on a vertical page the short
        # title columns and the small notes under long columns line up in two bands.
        return _rows(boxes)
    ordered: list[_Box] = []
    band: list[_Box] = []
    for box in sorted(boxes, key=_top_down):
        if _column_of(box, columns) is None:  # spans a gutter: closes the band above it
            ordered.extend(_read_band(band, columns))
            ordered.append(box)
            band = []
        else:
            band.append(box)
    ordered.extend(_read_band(band, columns))
    return ordered


def _columns(boxes: list[_Box], line_height: float) -> list[tuple[float, float]]:
    """Column x-ranges separated by gutters at least one line height wide.

    Only boxes narrower than half the text width make gutters: a title across the page
    must not hide the columns under it.
    """
    left = min(b.x0 for b in boxes)
    right = max(b.x1 for b in boxes)
    narrow = [b for b in boxes if b.width < 0.5 * (right - left)]
    if len(narrow) < 2:
        return [(left, right)]
    columns: list[list[float]] = []  # [start, end, number of boxes]
    for box in sorted(narrow, key=_left_right):
        if columns and box.x0 < columns[-1][1] + line_height:
            columns[-1][1] = max(columns[-1][1], box.x1)
            columns[-1][2] += 1
        else:
            columns.append([box.x0, box.x1, 1])
    if any(count < 2 for _, _, count in columns):
        return [(left, right)]  # a lone box is no column: read the page as one
    return [(start, end) for start, end, _ in columns]


def _column_of(box: _Box, columns: list[tuple[float, float]]) -> int | None:
    tolerance = 0.1 * box.width
    for number, (start, end) in enumerate(columns):
        if box.x0 >= start - tolerance and box.x1 <= end + tolerance:
            return number
    return None


def _read_band(band: list[_Box], columns) -> list[_Box]:
    by_column: dict[int, list[_Box]] = {}
    for box in band:
        by_column.setdefault(_column_of(box, columns), []).append(box)
    return [box for number in sorted(by_column) for box in _rows(by_column[number])]


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
