"""Split detected boxes that swallow a double-line small note (雙行小注) on vertical pages.

Detectors often return one box for a column's main text together with the note under it,
or one box for the note's two half-width sub-columns side by side. Turned for the
recognizer, such a box reads as two lines drawn over each other and comes out garbled
(PP-OCRv4 mobile's detector merges them most). A vertical box much wider than the page's
typical column is split where a white gutter runs down its middle to its bottom: the main
text above it, the right and the left sub-column beside it. Reading order then puts the
sub-columns after the main text, right first.
"""

from collections import namedtuple

import numpy as np

from ocr.ink import bounds as _bounds
from ocr.ink import ink as _ink
from ocr.ink import rect as _rect
from ocr.reading_order import VERTICAL, detect_direction, is_vertical_box

# A vertical box this much wider than the page's median column holds more than one column
# (0.95, every box with a gutter: vertical set 1.26% -> 2.39% CER with PP-OCRv6, worse).
WIDE = 1.3
# The gutter between the sub-columns lies in this middle share of the box's width.
GUTTER_ZONE = (0.3, 0.7)

_Line = namedtuple("_Line", "box")


def split_note_columns(page: np.ndarray, polygons: list[np.ndarray]) -> list[np.ndarray]:
    """``polygons`` (4x2 corner arrays on ``page``, BGR or gray) with merged note boxes split."""
    boxes = [_bounds(polygon) for polygon in polygons]
    columns = [box for box in boxes if is_vertical_box(box)]
    if len(columns) < 2 or detect_direction([_Line(box) for box in boxes]) != VERTICAL:
        return polygons
    column_width = float(np.median([x1 - x0 for x0, _, x1, _ in columns]))
    split = []
    for polygon, box in zip(polygons, boxes, strict=True):
        x0, y0, x1, y1 = box
        wide = x1 - x0 >= WIDE * column_width and y1 - y0 > x1 - x0
        pieces = _split(page, box, column_width) if wide else None
        split.extend(pieces or [polygon])
    return split


def _split(page, box, column_width) -> list[np.ndarray] | None:
    x0, y0, x1, y1 = box
    ink = _ink(page[y0:y1, x0:x1])
    height = ink.shape[0]
    inked = np.flatnonzero(ink.any(axis=0))
    if not len(inked):
        return None
    # The gutter lies in the middle of the ink, wherever the box's margins are.
    left, span = int(inked[0]), int(inked[-1] - inked[0])
    lo, hi = left + int(span * GUTTER_ZONE[0]), left + int(span * GUTTER_ZONE[1]) + 1
    zone = ink[:, lo:hi]
    # For each column of the zone: how far up from the bottom it stays white.
    last_ink = np.where(zone.any(axis=0), height - 1 - np.argmax(zone[::-1], axis=0), -1)
    white_run = height - 1 - last_ink
    if white_run.max() < 0.5 * column_width:
        return None  # no gutter: one wide column (bigger type), not a note
    top = height - int(white_run.max())
    if top:
        # The gutter may reach up into the last main character (叔, 川: a gap of their
        # own); the note starts at the first blank row below it.
        blank = np.flatnonzero(~ink.any(axis=1))
        below = blank[(blank >= top) & (blank < top + column_width)]
        if len(below):
            top = int(below[0])
    white = np.flatnonzero(~zone[top:].any(axis=0))
    if not len(white):
        return None
    gutter = lo + int(white[np.argmin(np.abs(white - (hi - lo) / 2))])
    if not (ink[top:, :gutter].any() and ink[top:, gutter:].any()):
        return None
    gutter += x0
    pieces = []
    # Less than half a column above the note is the tail of the character above, caught by the box's
    # margin (its own box reads it), not main text: read alone it comes out as a stray glyph.
    if top >= 0.5 * column_width:
        pieces.append(_rect(x0, y0, x1, y0 + top))
    pieces.append(_rect(gutter, y0 + top, x1, y1))  # right sub-column, read first
    pieces.append(_rect(x0, y0 + top, gutter, y1))
    return pieces
