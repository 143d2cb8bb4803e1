"""Small helpers over detected text polygons and the ink inside them (shared by the
box splitters in ``ocr.note_columns`` and ``ocr.gutters``)."""

import cv2
import numpy as np


def bounds(polygon) -> tuple[int, int, int, int]:
    points = np.asarray(polygon)
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    return max(0, int(x0)), max(0, int(y0)), int(x1), int(y1)


def ink(region: np.ndarray) -> np.ndarray:
    """Dark pixels of a box (Otsu's threshold within it)."""
    if region.ndim == 3:  # only the boxes examined are turned gray, not every page
        region = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY)
    _, binary = cv2.threshold(region, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary.astype(bool)


def rect(x0, y0, x1, y1) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def narrowed_to_ink(gray: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The box with its ends moved in to the first and last ink along the line (x for a
    horizontal box, y for a vertical one): the detector grows boxes well past the ink, so
    that neighbouring columns' boxes nearly touch and their gutter cannot be seen."""
    x0, y0, x1, y1 = box
    region = gray[max(0, y0) : y1, max(0, x0) : x1]
    if not region.size:
        return box
    along_x = x1 - x0 >= y1 - y0
    found = np.flatnonzero(ink(region).any(axis=0 if along_x else 1))
    if len(found) < 2:
        return box
    if along_x:
        return (max(0, x0) + int(found[0]), y0, max(0, x0) + int(found[-1]) + 1, y1)
    return (x0, max(0, y0) + int(found[0]), x1, max(0, y0) + int(found[-1]) + 1)
