"""Split detected line boxes that run across a column gutter on horizontal pages.

Where columns stand closer than about two line heights (textbooks, newspapers) the text
detector often joins the lines of neighbouring columns into one box. No reading order
can undo that: the recognizer reads both halves as one line. A box is split where a blank
run of at least ``MIN_GAP`` of its height crosses it, but only at a gutter: most of the
lines around that place must be blank there, or end just before it, or begin just after
it, so that a wide word space or a river of spaces in justified text, which most lines
of the column cross, is never taken for one.
"""

import numpy as np

from ocr.ink import bounds, ink, rect

# A gutter inside a box is blank over at least this share of the box's height.
MIN_GAP = 0.45
# Lines that make a place a gutter (blank there, or ending or beginning beside it), and
# their least share of the lines there.
MIN_BOXES = 3
MIN_SHARE = 0.6
# Only boxes this much wider than tall are examined: lines, not words or vertical columns.
WIDE = 4
# Each piece of a split line is at least this many of its heights wide.
MIN_PIECE = 2
# A line whose ink ends (or begins) within this many of its heights of a gutter is a line
# of the column beside it.
EDGE_NEAR = 1.5


def split_at_gutters(page: np.ndarray, polygons: list[np.ndarray]) -> list[np.ndarray]:
    """``polygons`` (4x2 corner arrays on ``page``, BGR or gray) with boxes that cross a
    gutter split there, left piece first."""
    boxes = [bounds(polygon) for polygon in polygons]
    wide = [i for i, (x0, y0, x1, y1) in enumerate(boxes) if x1 - x0 > WIDE * max(1, y1 - y0)]
    if not wide:
        return polygons
    lines = [i for i, (x0, y0, x1, y1) in enumerate(boxes) if x1 - x0 > y1 - y0]
    inked = {i: _ink_extent(page, boxes[i]) for i in lines}
    gaps = {i: runs if i in wide else [] for i, (_, runs) in inked.items()}
    extents = {i: extent for i, (extent, _) in inked.items() if extent}
    heights = {i: boxes[i][3] - boxes[i][1] for i in lines}
    gutters = [
        (start, end)
        for i in wide
        for start, end in gaps[i]
        if _is_gutter((start + end) / 2, extents, gaps, heights)
    ]
    if not gutters:
        return polygons
    split: list[np.ndarray] = []
    for i, polygon in enumerate(polygons):
        cuts = [gap for gap in gaps.get(i, []) if any(_overlaps(gap, g) for g in gutters)]
        if cuts:
            cuts = _leaving_lines(cuts, extents[i], MIN_PIECE * heights[i])
        if not cuts:
            split.append(polygon)
            continue
        x0, y0, x1, y1 = boxes[i]
        edges = [x0, *(v for start, end in cuts for v in (start, end)), x1]
        split.extend(rect(a, y0, b, y1) for a, b in zip(edges[::2], edges[1::2], strict=True))
    return split


def _leaving_lines(cuts, extent, least: float) -> list[tuple[int, int]]:
    """The cuts that leave a piece of text at least ``least`` wide on each side: a list's
    bullets and numbers stay with their items."""
    kept: list[tuple[int, int]] = []
    left = extent[0]
    for number, (start, end) in enumerate(cuts):
        right = cuts[number + 1][0] if number + 1 < len(cuts) else extent[1]
        if start - left >= least and right - end >= least:
            kept.append((start, end))
            left = end
    return kept


def _ink_extent(page: np.ndarray, box) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """Where the box's ink starts and ends (detector boxes are grown past it), and the
    x-ranges between with no ink from top to bottom, at least ``MIN_GAP`` wide."""
    x0, y0, x1, y1 = box
    region = page[y0:y1, x0:x1]
    if not region.size:
        return None, []
    inked = ink(region).any(axis=0)
    columns = np.flatnonzero(inked)
    if len(columns) < 2:
        return None, []
    width = MIN_GAP * (y1 - y0)
    runs = []
    previous = columns[0]
    for column in columns[1:]:  # blank stretches between the first and the last ink
        if column - previous - 1 >= width:
            runs.append((x0 + int(previous) + 1, x0 + int(column)))
        previous = column
    return (x0 + int(columns[0]), x0 + int(columns[-1])), runs


def _is_gutter(x: float, extents: dict[int, tuple[int, int]], gaps, heights) -> bool:
    """A column gutter runs through ``x``: of the lines around it, at least a few and most
    are blank there, or end just before it, or begin just after it (the lines of the two
    columns that the detector did not join)."""
    evidence = against = 0
    for i, (start, end) in extents.items():
        near = EDGE_NEAR * heights[i]
        if start < x < end:
            if any(a <= x <= b for a, b in gaps[i]):
                evidence += 1
            else:
                against += 1
        elif x - near <= end <= x or x <= start <= x + near:
            evidence += 1
    return evidence >= MIN_BOXES and evidence >= MIN_SHARE * (evidence + against)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])
