"""How large the detector sees a page: larger when the page's text would be too small.

The detector shrinks a page to ``det_limit_side_len`` on its long side (1920 px). On a
newspaper-size scan that turns 13 px print into lines of 7-8 px, and whole lines are lost.
Once the first pass has found the page's lines, the height of a typical one (the median of
each box's short side, in page pixels) says how small the detector saw them; when that is
under ``det_min_text_px``, detection runs again with the long side enlarged just enough to
see them at that height, up to ``det_max_side_len`` and never past the page's own size. A
page whose text the first pass sees well enough is detected once, as before.
"""

import math
from statistics import median

# Enlarging the limit by less than this is not worth a second detection pass.
WORTH = 1.15


def second_pass_limit(
    size: tuple[int, int], boxes, limit: int, min_text_px: int, max_side_len: int
) -> int | None:
    """The long side for a second detection pass, or None when the first one suffices.

    ``size``: the page (width, height); ``boxes``: the first pass's boxes (x0, y0, x1, y1)
    in page pixels.
    """
    long_side = max(size)
    if not min_text_px or long_side <= limit or not boxes:
        return None
    typical = median(min(x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes)
    seen = typical * limit / long_side
    if seen <= 0 or seen >= min_text_px:
        return None
    wanted = math.ceil(limit * min_text_px / seen)
    enlarged = min(wanted, long_side, max(max_side_len, limit))
    return enlarged if enlarged >= limit * WORTH else None
