"""What every format is given (plain data, no ORM) and the streaming contract it follows.

A format is a class with ``start()``, ``add_page(page)`` and ``finish()`` that writes bytes
to a binary stream as it goes: the builder hands it one page at a time, so nothing that
grows with the book is kept in memory.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar

Box = tuple[int, int, int, int]

# Region kinds that are not running text: left out of TXT, CSV and JSON unless the export
# keeps them; hOCR, ALTO and PAGE mark them as what they are.
FURNITURE = frozenset({"header", "footer", "page_number"})


@dataclass(frozen=True)
class LineData:
    order: int
    box: Box
    polygon: list[list[int]]
    text: str  # the current (corrected) text
    engine_text: str
    confidence: float | None
    vertical: bool
    content: str  # what this export publishes: ``text`` or ``engine_text`` by text source
    region: int | None = None  # the layout region's order on the page; None: in none
    kind: str = "text"  # the layout region's kind (ocr.models.RegionKind)

    @property
    def corrected(self) -> bool:
        return self.text != self.engine_text

    @property
    def content_confidence(self) -> float | None:
        """Confidence in what is published: a corrector's text is certain (1.0); the
        engine's keeps the engine's confidence."""
        if self.corrected and self.content == self.text:
            return 1.0
        return self.confidence


@dataclass(frozen=True)
class PageData:
    number: int  # 1-based position of the page in this export
    id: int
    volume_sequence: int
    volume_label: str
    sequence: int
    width: int
    height: int
    image_name: str  # storage name of the page image
    original_name: str
    lines: list[LineData]
    open_image: Callable[[], BinaryIO] | None = None  # opens the stored image for reading
    regions: list["RegionData"] = field(default_factory=list)

    def published_lines(self) -> list[LineData]:
        """Lines with something to publish, in reading order (a line blanked by a
        corrector is not text)."""
        return [line for line in self.lines if line.content.strip()]


@dataclass(frozen=True)
class RegionData:
    order: int
    kind: str
    box: Box


@dataclass(frozen=True)
class ExportInfo:
    book_slug: str
    book_title: str
    author: str
    language: str
    text_source: str  # "corrected" or "engine"
    scope_label: str  # e.g. "book", "volume 2", "pages"
    options: dict = field(default_factory=dict)


class Exporter:
    """Base class: subclasses set the class attributes and write in the three hooks."""

    name: ClassVar[str]
    label: ClassVar[str]
    extension: ClassVar[str]
    media_type: ClassVar[str]
    needs_images: ClassVar[bool] = False
    one_file_per_page: ClassVar[bool] = False  # a format of one document per page (a ZIP)

    def __init__(self, out: BinaryIO, info: ExportInfo):
        self.out = out
        self.info = info

    def write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def start(self) -> None:
        """Called once before the first page."""

    def add_page(self, page: PageData) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last page."""

    def running(self, lines: list[LineData]) -> list[LineData]:
        """The lines without running headers, footers and page numbers, unless the export
        keeps them (for the formats that have no way to mark them)."""
        if self.info.options.get("keep_headers_footers"):
            return lines
        return [line for line in lines if line.kind not in FURNITURE]


_WORD = re.compile(r"\S+")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold (control characters, lone
    surrogates), which a pasted correction may carry."""
    return _NOT_XML.sub("", text)


def split_words(line: LineData) -> list[tuple[str, Box]]:
    """The line's words with boxes estimated along the line (x for horizontal lines, y for
    vertical ones) in proportion to character offsets: the engine gives line boxes only.
    Text without spaces (Chinese) is one word spanning the line."""
    text = line.content
    x0, y0, x1, y1 = line.box
    length = max(1, len(text))
    words = []
    for match in _WORD.finditer(text):
        start, end = match.start() / length, match.end() / length
        if line.vertical:
            box = (x0, y0 + round(start * (y1 - y0)), x1, y0 + round(end * (y1 - y0)))
        else:
            box = (x0 + round(start * (x1 - x0)), y0, x0 + round(end * (x1 - x0)), y1)
        words.append((match.group(), box))
    return words


def union(boxes) -> Box | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def page_blocks(lines: list[LineData]) -> list[tuple[str, list[LineData]]]:
    """(kind, lines) blocks in reading order: the layout regions where the page has them,
    else (and for lines in no region) consecutive lines of one column (``group_blocks``)."""
    blocks: list[tuple[str, list[LineData]]] = []
    loose: list[LineData] = []

    def flush():
        blocks.extend(("text", block) for block in group_blocks(loose))
        loose.clear()

    for line in lines:
        if line.region is None:
            loose.append(line)
            continue
        flush()
        if blocks and blocks[-1][1][-1].region == line.region:
            blocks[-1][1].append(line)
        else:
            blocks.append((line.kind, [line]))
    flush()
    return blocks


def group_blocks(lines: list[LineData]) -> list[list[LineData]]:
    """Consecutive lines (in reading order) that stand in the same column form a block.

    A new block starts where the direction changes or where a line shares less than half
    of the larger extent across the reading axis with the previous line: the next column
    of a two-column page, a title spanning columns, the next column group of a vertical
    page. Blocks stay in reading order, so the order of lines is never changed.
    """
    blocks: list[list[LineData]] = []
    for line in lines:
        if blocks and _same_block(blocks[-1][-1], line):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def _same_block(previous: LineData, line: LineData) -> bool:
    if previous.vertical != line.vertical:
        return False
    axis = (1, 3) if line.vertical else (0, 2)  # vertical lines stack along x; compare y
    lo, hi = axis
    overlap = min(previous.box[hi], line.box[hi]) - max(previous.box[lo], line.box[lo])
    larger = max(previous.box[hi] - previous.box[lo], line.box[hi] - line.box[lo], 1)
    return overlap >= 0.5 * larger
