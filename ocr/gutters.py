"""Split detected line boxes that run across a column gutter on horizontal pages.

Where columns stand closer than about two line heights (textbooks, newspapers) the text
detector often joins the lines of neighbouring columns into one box. No reading order
can undo that: the recognizer reads both halves as one line. A box is split where a blank
run of at least ``MIN_GAP`` of its height crosses it, but only at a gutter: several boxes
must be blank at the same place, and most of the boxes crossing that place, so that a wide
word space or a river of spaces in justified text is never taken for one.
"""

import numpy as np

from ocr.ink import bounds, ink, rect

# A gutter inside a box is blank over at least this share of the box's height.
MIN_GAP = 0.45
# Boxes blank at one place that make it a gutter, and their least share of the boxes
# crossing it.
MIN_BOXES = 3
MIN_SHARE = 0.6
# Only boxes this much wider than tall are examined: lines, not words or vertical columns.
WIDE = 4


def split_at_gutters(page: np.ndarray, polygons: list[np.ndarray]) -> list[np.ndarray]:
    """``polygons`` (4x2 corner arrays on ``page``, BGR or gray) with boxes that cross a
    gutter split there, left piece first."""
    boxes = [bounds(polygon) for polygon in polygons]
    lines = [i for i, (x0, y0, x1, y1) in enumerate(boxes) if x1 - x0 > WIDE * max(1, y1 - y0)]
    if len(lines) < MIN_BOXES:
        return polygons
    inked = {i: _ink_extent(page, boxes[i]) for i in lines}
    gaps = {i: runs for i, (_, runs) in inked.items()}
    extents = {i: extent for i, (extent, _) in inked.items() if extent}
    gutters = [
        (start, end)
        for i in lines
        for start, end in gaps[i]
        if _is_gutter((start + end) / 2, extents, gaps)
    ]
    if not gutters:
        return polygons
    split: list[np.ndarray] = []
    for i, polygon in enumerate(polygons):
        cuts = [gap for gap in gaps.get(i, []) if any(_overlaps(gap, g) for g in gutters)]
        if not cuts:
            split.append(polygon)
            continue
        x0, y0, x1, y1 = boxes[i]
        edges = [x0, *(v for start, end in cuts for v in (start, end)), x1]
        split.extend(rect(a, y0, b, y1) for a, b in zip(edges[::2], edges[1::2], strict=True))
    return split


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


def _is_gutter(x: float, extents: dict[int, tuple[int, int]], gaps) -> bool:
    """Most of the lines whose ink spans ``x`` are blank there, and at least a few."""
    crossing = [i for i, (start, end) in extents.items() if start < x < end]
    blank = sum(any(start <= x <= end for start, end in gaps[i]) for i in crossing)
    return blank >= MIN_BOXES and blank >= MIN_SHARE * len(crossing)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])
