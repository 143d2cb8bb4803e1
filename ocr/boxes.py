"""Geometry of axis-aligned boxes ``(x0, y0, x1, y1)`` in page pixels."""


def area(box) -> float:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def intersection(a, b) -> float:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def share_inside(box, other) -> float:
    """How much of ``box`` lies inside ``other`` (0 to 1)."""
    return intersection(box, other) / (area(box) or 1)


def iou(a, b) -> float:
    both = intersection(a, b)
    return both / ((area(a) + area(b) - both) or 1)
