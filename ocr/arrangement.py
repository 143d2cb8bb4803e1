"""A page's text in reading order: lines grouped into layout regions, the regions ordered.

The layout model's regions are checked before they are believed: a figure or table that
would swallow most of the page's lines is a misreading (newspaper columns, vertical pages)
and is dropped; a caption is a caption only beside a figure or table; a header or footer
only in the top or bottom sixth of the page. Lines go to the region that holds most of
their box; lines in no region stand as blocks of their own. Blocks are then ordered:
headers first, the body by XY-cut over the block boxes, each caption after the text block
above it in its column (or after the body when none is), footers and page numbers last.
Lines within a block follow ``ocr.reading_order``. Vertical pages (and pages without
regions) are ordered from the line boxes alone: the CDLA model knows horizontal pages only.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median

from ocr import layout
from ocr.layout import LayoutRegion
from ocr.reading_order import AUTO, HORIZONTAL, VERTICAL, HasBox, detect_direction, order_boxes
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
SWALLOW_SHARE = 0.5
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


def _arrange_regions(lines, regions, size) -> Arrangement:
    regions = _believed(regions, lines)
    members: dict[int, list] = {}
    orphans = []
    for line in lines:
        home = _home(line.box, regions)
        if home is None:
            orphans.append(line)
        else:
            members.setdefault(home, []).append(line)
    height = size[1] if size else max(line.box[3] for line in lines)
    blocks, empty = [], []
    for number, region in enumerate(regions):
        if number not in members:
            empty.append(region)
            continue
        held, _ = order_by_boxes(members[number], HORIZONTAL)
        kind = _kind(region, held, regions, height)
        blocks.append(Block(kind, _union(line.box for line in held), held, region))
    blocks.extend(Block(layout.TEXT, line.box, [line]) for line in orphans)
    line_height = median(line.box[3] - line.box[1] for line in lines) or 1
    return Arrangement(HORIZONTAL, _in_reading_order(blocks, line_height), empty)


def _believed(regions: list[LayoutRegion], lines) -> list[LayoutRegion]:
    """Regions without the figures and tables that swallow the page, and without duplicates."""
    kept = []
    for region in regions:
        if region.kind in (layout.FIGURE, layout.TABLE):
            inside = sum(_share_inside(line.box, region.box) >= 0.5 for line in lines)
            if inside > 2 and inside > SWALLOW_SHARE * len(lines):
                continue
        kept.append(region)
    kept.sort(key=lambda r: (PRIORITY.index(r.kind), -r.score))
    unique: list[LayoutRegion] = []
    for region in kept:
        if all(_iou(region.box, other.box) < DUPLICATE_IOU for other in unique):
            unique.append(region)
    return unique


def _home(box, regions: list[LayoutRegion]) -> int | None:
    """The region holding most of the box (at least half of it); the smaller one on a tie."""
    best, best_key = None, None
    for number, region in enumerate(regions):
        share = _share_inside(box, region.box)
        if share >= 0.5:
            key = (round(share, 3), -_area(region.box))
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
    if kind == layout.CAPTION and not any(
        other.kind in (layout.FIGURE, layout.TABLE) and _beside(region.box, other.box)
        for other in regions
    ):
        kind = layout.TEXT
    if kind in (layout.HEADER, layout.FOOTER) and _PAGE_NUMBER.match(
        " ".join(line.text for line in lines if hasattr(line, "text"))
    ):
        kind = layout.PAGE_NUMBER
    return kind


def _beside(caption, other) -> bool:
    """The caption touches the figure's box from above or below (within its own height
    twice over) and shares some of its width."""
    gap = max(other[1] - caption[3], caption[1] - other[3], 0)
    overlap = min(caption[2], other[2]) - max(caption[0], other[0])
    return overlap > 0 and gap <= 2 * (caption[3] - caption[1]) + 20


def _in_reading_order(blocks: list[Block], line_height: float) -> list[Block]:
    middle = max(b.box[3] for b in blocks) / 2

    def group(block: Block) -> str:
        if block.kind == layout.PAGE_NUMBER:  # a page number in the header stays there
            return "head" if block.box[1] < middle else "foot"
        return {layout.HEADER: "head", layout.FOOTER: "foot", layout.CAPTION: "caption"}.get(
            block.kind, "body"
        )

    def ordered(name: str) -> list[Block]:
        chosen = [b for b in blocks if group(b) == name]
        return [chosen[i] for i in order_boxes([b.box for b in chosen], line_height)]

    body = ordered("body")
    for caption in ordered("caption"):
        above = [
            number
            for number, block in enumerate(body)
            if block.kind != layout.CAPTION
            and block.box[3] <= caption.box[1] + line_height / 2
            and min(block.box[2], caption.box[2]) > max(block.box[0], caption.box[0])
        ]
        if not above:
            body.append(caption)
            continue
        at = max(above) + 1
        while at < len(body) and body[at].kind == layout.CAPTION:
            at += 1
        body.insert(at, caption)
    return [*ordered("head"), *body, *ordered("foot")]


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


def _area(box) -> float:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def _intersection(a, b) -> float:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def _share_inside(box, region) -> float:
    return _intersection(box, region) / (_area(box) or 1)


def _iou(a, b) -> float:
    both = _intersection(a, b)
    return both / ((_area(a) + _area(b) - both) or 1)
