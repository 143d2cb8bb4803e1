"""Dropping bleed-through: faint mirrored text from the other side of the leaf.

Old paper shows the verso's ink faintly. The detector finds it and the recognizer turns
it into low-confidence gibberish. Such a line's ink is much lighter than the page's real
text, so a line is dropped when its ink contrast is a small fraction of the page's and the
engine was unsure of it; a faint line read with confidence (a pencil note) is kept.
"""

from collections.abc import Sequence
from statistics import median

import numpy as np
from PIL import Image

from ocr.engine import RecognizedLine

SURE = 0.85  # lines read at least this confidently set the page's ink contrast


def ink_contrast(gray: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Paper brightness minus ink darkness inside ``box`` (0-255)."""
    x0, y0, x1, y1 = box
    region = gray[max(0, y0) : max(y0 + 1, y1), max(0, x0) : max(x0 + 1, x1)]
    if region.size == 0:
        return 0.0
    paper, ink = np.percentile(region, [90, 2])
    return float(paper - ink)


def remove_bleed_through(
    image: Image.Image, lines: Sequence[RecognizedLine], *, ratio: float, unsure_below: float
) -> list[RecognizedLine]:
    if not lines or ratio <= 0:
        return list(lines)
    gray = np.asarray(image.convert("L"), dtype=np.float32)
    contrasts = [ink_contrast(gray, line.box) for line in lines]
    sure = [c for c, line in zip(contrasts, lines, strict=True) if line.confidence >= SURE]
    reference = median(sure) if sure else max(contrasts)
    return [
        line
        for line, contrast in zip(lines, contrasts, strict=True)
        if contrast >= ratio * reference or line.confidence >= unsure_below
    ]
