"""Splitting detected boxes that merge a column with its double-line small note."""

import numpy as np

from ocr.note_columns import split_note_columns

SIZE = 40  # main characters; note characters are half as wide
NOTE = 18


def page_with_columns(columns, height=900, width=700):
    """A white page; each column is (x, main characters, note characters per sub-column),
    characters drawn as ink blocks top to bottom from y=100."""
    page = np.full((height, width), 255, dtype=np.uint8)
    for x, main, notes in columns:
        y = 100
        for _ in range(main):
            page[y + 4 : y + SIZE - 4, x + 4 : x + SIZE - 4] = 0
            y += SIZE + 6
        for sub_x in (x + SIZE - NOTE, x):
            sy = y
            for _ in range(notes):
                page[sy + 2 : sy + NOTE - 2, sub_x + 2 : sub_x + NOTE - 2] = 0
                sy += NOTE + 4
    return page


def rect(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def boxes(polygons):
    return [tuple(int(v) for v in (*p.min(axis=0), *p.max(axis=0))) for p in polygons]


def test_a_column_merged_with_its_note_splits_into_main_text_then_right_and_left_note():
    page = page_with_columns([(500, 12, 0), (400, 8, 6), (300, 12, 0)])
    note_top = 100 + 8 * (SIZE + 6)
    merged = rect(390, 96, 456, note_top + 6 * (NOTE + 4) + 4)
    polygons = [rect(496, 96, 544, 650), merged, rect(296, 96, 344, 650)]

    split = boxes(split_note_columns(page, polygons))

    assert len(split) == 5
    main, right, left = split[1:4]
    assert main[1] == 96 and note_top - 12 <= main[3] <= note_top + 2
    assert right[0] > left[0], "right sub-column first"
    assert left[2] == right[0]
    assert 400 + NOTE - 2 <= right[0] <= 400 + SIZE - NOTE + 2, "cut in the gutter"
    assert right[1] == left[1] == main[3]


def test_two_note_sub_columns_in_one_box_split_into_right_then_left():
    page = page_with_columns([(500, 12, 0), (400, 0, 10), (300, 12, 0), (200, 12, 0)])
    polygons = [rect(496, 96, 544, 650), rect(390, 96, 456, 330), rect(296, 96, 344, 650)]
    polygons.append(rect(196, 96, 244, 650))

    split = boxes(split_note_columns(page, polygons))

    assert len(split) == 5
    right, left = split[1:3]
    assert right[0] > left[0] and right[1] == left[1] == 96


def test_a_wide_column_without_a_gutter_is_left_whole():
    page = page_with_columns([(500, 12, 0), (300, 12, 0)])
    for y in range(100, 640, 70):
        page[y + 4 : y + 64, 394:458] = 0  # big characters, one per row: no gutter
    polygons = [rect(496, 96, 544, 650), rect(390, 96, 462, 650), rect(296, 96, 344, 650)]

    assert boxes(split_note_columns(page, polygons)) == boxes(polygons)


def test_a_box_tight_to_its_note_keeps_the_note_s_first_characters():
    page = page_with_columns([(500, 12, 0), (400, 0, 10), (300, 12, 0)])
    # The box starts on the first note characters' ink (y=102), as at a page's top edge.
    polygons = [rect(496, 96, 544, 650), rect(390, 102, 456, 330), rect(296, 96, 344, 650)]

    right, left = boxes(split_note_columns(page, polygons))[1:3]

    assert right[1] == left[1] == 102


def test_a_sliver_of_ink_above_a_note_is_not_read_as_main_text():
    page = page_with_columns([(500, 12, 0), (300, 12, 0)])
    page[100:108, 404:436] = 0  # the tail of the character above, inside the box's margin
    note = page_with_columns([(400, 0, 6)], height=900 - 20)
    page[20 + 100 :, 400:440] = note[100:, 400:440]  # the note from y=120
    polygons = [rect(496, 96, 544, 650), rect(390, 96, 456, 300), rect(296, 96, 344, 650)]

    split = boxes(split_note_columns(page, polygons))

    assert len(split) == 4, split
    right, left = split[1:3]
    assert right[0] > left[0] and 108 <= right[1] == left[1] <= 120


def test_horizontal_pages_are_not_touched():
    page = page_with_columns([(400, 8, 6), (300, 8, 0), (200, 8, 0)])
    lines = [rect(50, 750 + 20 * i, 650, 765 + 20 * i) for i in range(6)]
    lines += [rect(20, 20 + 20 * i, 680, 35 + 20 * i) for i in range(3)]
    wide = rect(390, 96, 456, 600)
    polygons = [*lines, wide, rect(296, 96, 344, 470), rect(196, 96, 244, 470)]

    assert boxes(split_note_columns(page, polygons)) == boxes(polygons)
    # The same columns without the lines: a vertical page, and the wide box is split.
    assert len(split_note_columns(page, polygons[-3:])) == 5
