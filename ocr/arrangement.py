"""A page's text in reading order: lines grouped into layout regions, the regions ordered.

The layout model's regions are checked before they are believed: a figure or table that
would swallow most of the page's lines is a misreading (newspaper columns, vertical pages)
and is dropped, and so is a text region inside another region; a caption is a caption only
beside a figure or table; a header or footer only in the top or bottom sixth of the page.
Lines go to the region that holds most of their box. The body is then ordered line by line
(``ocr.reading_order``: columns from the gutters between lines, which is steadier than the
model's overlapping boxes), a table's or figure's lines as one unit read row by row;
running headers come first, footers and page numbers last, and each caption after the
text above it in its column (or after the body when none is). Vertical pages (and pages
without regions) are ordered from the line boxes alone: the CDLA model knows horizontal
pages only.
"""

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median

from ocr import layout
from ocr.boxes import area, iou, share_inside
from ocr.layout import LayoutRegion
from ocr.reading_order import (
    AUTO,
    HORIZONTAL,
    VERTICAL,
    HasBox,
    columns_of,
    detect_direction,
    order_rows,
)
from ocr.reading_order import order_lines as order_by_boxes

# When two regions overlap this much (intersection over union), the more specific one stays.
DUPLICATE_IOU = 0.6
PRIORITY = [
    layout.PAGE_NUMBER,
    layout.HEADER,
    layout.FOOTER,
    layout.CAPTION,
    layout.TITLE,
    layout.TABLE,
    layout.FIGURE,
    layout.EQUATION,
    layout.TEXT,
]
# Headers stand in the top sixth of the page, footers in the bottom sixth.
MARGIN_SHARE = 1 / 6
# A figure or table holding more than this share of the page's lines is not believed.
SWALLOW_SHARE = 0.8
# A text region this much inside another region is part of it (a code block's lines
# inside its table, a paragraph inside a text column).
INSIDE_SHARE = 0.8
# A text region of at most this many lines right under a figure is its caption.
CAPTION_LINES = 2
# A table's lines are cells, read row by row, unless this share of them are at least
# FULL_LINE as wide as the wide lines of their column, as running text is.
CELL_SHARE = 0.8
FULL_LINE = 0.7
# Columns this many line heights apart are a table's, not running text's.
TABLE_GUTTER = 2.5
# Kinds left out of the running text by default (exports keep them on request).
FURNITURE = frozenset({layout.HEADER, layout.FOOTER, layout.PAGE_NUMBER})
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–·•.,()\[\]第]*(page|p\.)?\s*"
    r"(\d{1,4}|[ivxlcdm]{1,8}|[〇零一二三四五六七八九十百]{1,6})[\s\-—–·•.,()\[\]頁页]*$",
    re.IGNORECASE,
)


@dataclass
class Block[T: HasBox]:
    kind: str
    box: tuple[int, int, int, int]
    lines: list[T]
    region: LayoutRegion | None = None  # what the model found; None: lines in no region


@dataclass
class Arrangement[T: HasBox]:
    direction: str
    blocks: list[Block[T]] = field(default_factory=list)
    # Regions with no text on them (figures, mostly), kept to draw and export.
    empty_regions: list[LayoutRegion] = field(default_factory=list)

    @property
    def lines(self) -> list[T]:
        return [line for block in self.blocks for line in block.lines]


def arrange[T: HasBox](
    lines: Sequence[T],
    regions: Sequence[LayoutRegion] = (),
    direction: str = AUTO,
    size: tuple[int, int] | None = None,
) -> Arrangement[T]:
    """The lines in reading order, grouped into blocks; ``size`` is the page's (w, h)."""
    if direction == AUTO:
        direction = detect_direction(lines)
    if direction == VERTICAL or not regions or not lines:
        ordered, direction = order_by_boxes(lines, direction)
        blocks = [Block(layout.TEXT, _union(line.box for line in ordered), ordered)]
        return Arrangement(direction, blocks if ordered else [])
    return _arrange_regions(list(lines), list(regions), size)


@dataclass(frozen=True)
class _Unit:
    """What the body is ordered by: one line, or a table's lines read as one, row by row."""

    box: tuple[int, int, int, int]
    lines: list


def _arrange_regions(lines, regions, size) -> Arrangement:
    regions = _believed(regions, lines)
    members: dict[int, list] = {}
    home_of: dict[int, int] = {}
    for line in lines:
        home = _home(line.box, regions)
        if home is not None:
            members.setdefault(home, []).append(line)
            home_of[id(line)] = home
    height = size[1] if size else max(line.box[3] for line in lines)
    line_height = median(line.box[3] - line.box[1] for line in lines) or 1
    kinds = {n: _kind(regions[n], held, regions, height) for n, held in members.items()}
    head, foot, captions = [], [], []
    units = [_Unit(line.box, [line]) for line in lines if id(line) not in home_of]
    for number, held in members.items():
        kind = kinds[number]
        if kind == layout.HEADER or (kind == layout.PAGE_NUMBER and _above(held, height / 2)):
            head.extend(held)
        elif kind in (layout.FOOTER, layout.PAGE_NUMBER):
            foot.extend(held)
        elif kind == layout.CAPTION:
            captions.extend(held)
        elif kind in (layout.TABLE, layout.FIGURE) and _cells(held):
            units.append(_Unit(_union(line.box for line in held), order_rows(held)))
        else:
            units.extend(_Unit(line.box, [line]) for line in held)
    ordered_units, _ = order_by_boxes(units, HORIZONTAL)
    body = [line for unit in ordered_units for line in unit.lines]
    _place_captions(body, order_by_boxes(captions, HORIZONTAL)[0], line_height)
    ordered = [*order_by_boxes(head, HORIZONTAL)[0], *body, *order_by_boxes(foot, HORIZONTAL)[0]]
    blocks: list[Block] = []
    for line in ordered:
        home = home_of.get(id(line))
        if blocks and home is not None and blocks[-1].region is regions[home]:
            blocks[-1].lines.append(line)
            continue
        if home is None:
            blocks.append(Block(layout.TEXT, line.box, [line]))
        else:
            blocks.append(Block(kinds[home], regions[home].box, [line], regions[home]))
    for block in blocks:
        block.box = _union(line.box for line in block.lines)
    empty = [region for number, region in enumerate(regions) if number not in members]
    return Arrangement(HORIZONTAL, blocks, empty)


def _cells(lines) -> bool:
    """Lines that look like table cells (or labels in a picture): their columns stand far
    apart, or most are much narrower than the wide lines of their column, where running
    text fills its column line after line. A "table" of newspaper columns must not be
    read row by row across them."""
    columns = columns_of(lines)
    if len(columns) < 2:
        return True
    height = median(line.box[3] - line.box[1] for line in lines) or 1
    gutters = [
        min(line.box[0] for line in right) - max(line.box[2] for line in left)
        for left, right in itertools.pairwise(columns)
    ]
    if median(gutters) >= TABLE_GUTTER * height:
        return True
    full = 0
    for column in columns:
        widths = sorted(line.box[2] - line.box[0] for line in column)
        wide = widths[int(0.9 * (len(widths) - 1))]
        full += sum(width >= FULL_LINE * wide for width in widths)
    return full < CELL_SHARE * len(lines)


def _above(lines, middle: float) -> bool:
    return min(line.box[1] for line in lines) < middle


def _place_captions(body: list, captions: list, line_height: float) -> None:
    """Each caption line after the last line above it in its column (the text it stands
    under), or after the body when none is (a caption under a picture at the foot of an
    otherwise empty column belongs to the article, not before it)."""
    for caption in captions:
        above = [
            number
            for number, line in enumerate(body)
            if line not in captions
            and line.box[3] <= caption.box[1] + line_height / 2
            and min(line.box[2], caption.box[2]) > max(line.box[0], caption.box[0])
        ]
        at = max(above) + 1 if above else len(body)
        while at < len(body) and body[at] in captions:
            at += 1
        body.insert(at, caption)


def _believed(regions: list[LayoutRegion], lines) -> list[LayoutRegion]:
    """Regions without the figures and tables that swallow the page, without duplicates,
    and without text regions inside others."""
    kept = []
    for region in regions:
        if region.kind in (layout.FIGURE, layout.TABLE):
            inside = sum(share_inside(line.box, region.box) >= 0.5 for line in lines)
            if inside > 2 and inside > SWALLOW_SHARE * len(lines):
                continue
        kept.append(region)
    kept.sort(key=lambda r: (PRIORITY.index(r.kind), -r.score))
    unique: list[LayoutRegion] = []
    for region in kept:
        if all(iou(region.box, other.box) < DUPLICATE_IOU for other in unique):
            unique.append(region)
    return [
        region
        for region in unique
        if region.kind != layout.TEXT
        or not any(
            other is not region
            and area(other.box) >= area(region.box)
            and share_inside(region.box, other.box) >= INSIDE_SHARE
            for other in unique
        )
    ]


def _home(box, regions: list[LayoutRegion]) -> int | None:
    """The region holding most of the box (at least half of it); the smaller one on a tie."""
    best, best_key = None, None
    for number, region in enumerate(regions):
        share = share_inside(box, region.box)
        if share >= 0.5:
            key = (round(share, 3), -area(region.box))
            if best_key is None or key > best_key:
                best, best_key = number, key
    return best


def _kind(region: LayoutRegion, lines, regions: list[LayoutRegion], page_height: int) -> str:
    kind = region.kind
    _, y0, _, y1 = region.box
    middle = (y0 + y1) / 2
    if kind == layout.HEADER and middle > MARGIN_SHARE * page_height:
        kind = layout.TEXT
    if kind == layout.FOOTER and middle < (1 - MARGIN_SHARE) * page_height:
        kind = layout.TEXT
    beside_picture = any(
        other.kind in (layout.FIGURE, layout.TABLE) and _beside(region.box, other.box)
        for other in regions
    )
    if kind == layout.CAPTION and not beside_picture:
        kind = layout.TEXT
    elif (
        kind == layout.TEXT
        and len(lines) <= CAPTION_LINES
        and any(other.kind == layout.FIGURE and _under(region.box, other.box) for other in regions)
    ):
        kind = layout.CAPTION  # the model often calls a short caption under a picture text
    if kind in (layout.HEADER, layout.FOOTER) and _PAGE_NUMBER.match(
        " ".join(line.text for line in lines if hasattr(line, "text"))
    ):
        kind = layout.PAGE_NUMBER
    return kind


def _under(caption, picture) -> bool:
    return _beside(caption, picture) and caption[1] >= picture[3] - (caption[3] - caption[1])


def _beside(caption, other) -> bool:
    """The caption touches the figure's box from above or below (within its own height
    twice over) and shares some of its width."""
    gap = max(other[1] - caption[3], caption[1] - other[3], 0)
    overlap = min(caption[2], other[2]) - max(caption[0], other[0])
    return overlap > 0 and gap <= 2 * (caption[3] - caption[1]) + 20


def _union(boxes) -> tuple[int, int, int, int]:
    boxes = list(boxes)
    if not boxes:
        return (0, 0, 0, 0)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
