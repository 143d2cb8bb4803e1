"""Reading order on synthetic line boxes: columns, spanning titles, vertical pages, small notes."""

import itertools
from dataclasses import dataclass

import pytest

from ocr.reading_order import AUTO, HORIZONTAL, VERTICAL, detect_direction, order_lines


@dataclass
class Line:
    name: str
    box: tuple[int, int, int, int]


def names(lines, direction=AUTO):
    ordered, used = order_lines(lines, direction)
    return [line.name for line in ordered], used


def test_single_column_reads_top_to_bottom_whatever_the_input_order():
    lines = [Line(f"l{i}", (100, 100 + 50 * i, 900, 130 + 50 * i)) for i in range(5)]
    order, direction = names(list(reversed(lines)))
    assert order == ["l0", "l1", "l2", "l3", "l4"]
    assert direction == HORIZONTAL


def test_order_depends_on_the_boxes_only_not_on_the_order_the_detector_returned_them():
    # A table row (from a real page): a two-line cell beside cells centred on the same y;
    # rows were once grown in input order, so which row a cell joined depended on it.
    lines = [
        Line("description", (1396, 2596, 2296, 2640)),
        Line("size", (956, 2615, 1061, 2669)),
        Line("tag", (1122, 2620, 1316, 2664)),
    ]
    orders = {tuple(names(list(p))[0]) for p in itertools.permutations(lines)}
    assert orders == {("size", "tag", "description")}


def test_fragments_of_one_row_read_left_to_right():
    lines = [
        Line("right", (520, 102, 900, 130)),
        Line("left", (100, 100, 480, 131)),
        Line("next", (100, 150, 900, 180)),
    ]
    assert names(lines)[0] == ["left", "right", "next"]


def test_two_columns_read_column_by_column_under_a_spanning_title():
    title = Line("title", (100, 40, 900, 80))
    left = [Line(f"a{i}", (100, 120 + 50 * i, 480, 150 + 50 * i)) for i in range(4)]
    right = [Line(f"b{i}", (540, 120 + 50 * i, 900, 150 + 50 * i)) for i in range(4)]
    footer = Line("footer", (100, 400, 900, 430))
    order, _ = names([*right, footer, *left, title])
    assert order == ["title", "a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3", "footer"]


def test_vertical_columns_read_right_to_left_each_top_to_bottom():
    columns = [Line(f"c{i}", (900 - 60 * i, 100, 940 - 60 * i, 800)) for i in range(5)]
    order, direction = names(list(reversed(columns)))
    assert direction == VERTICAL
    assert order == ["c0", "c1", "c2", "c3", "c4"]


def test_vertical_column_split_in_two_boxes_reads_top_box_first():
    lines = [
        Line("c1-bottom", (840, 500, 880, 800)),
        Line("c0", (900, 100, 940, 800)),
        Line("c1-top", (840, 100, 880, 450)),
    ]
    assert names(lines)[0] == ["c0", "c1-top", "c1-bottom"]


def test_double_line_small_note_follows_its_column_right_sub_column_first():
    lines = [
        Line("c0", (900, 100, 940, 800)),
        # Column 1: main text, then a two-line small note below it.
        Line("c1-main", (840, 100, 880, 500)),
        Line("c1-note-left", (840, 510, 858, 790)),
        Line("c1-note-right", (862, 510, 880, 760)),
        Line("c2", (780, 100, 820, 800)),
    ]
    assert names(lines)[0] == ["c0", "c1-main", "c1-note-right", "c1-note-left", "c2"]


def test_book_direction_overrides_detection():
    lines = [Line("a", (100, 100, 140, 140)), Line("b", (200, 100, 240, 140))]
    assert names(lines, VERTICAL)[0] == ["b", "a"]
    assert names(lines, HORIZONTAL)[0] == ["a", "b"]


@pytest.mark.parametrize(
    ("boxes", "expected"),
    [
        ([(0, 0, 40, 400), (60, 0, 100, 380)], VERTICAL),
        ([(0, 0, 400, 40), (0, 60, 380, 100)], HORIZONTAL),
        ([], HORIZONTAL),
    ],
)
def test_direction_detection_from_line_shapes(boxes, expected):
    assert detect_direction([Line(str(i), b) for i, b in enumerate(boxes)]) == expected


def test_short_columns_and_notes_lining_up_do_not_make_registers_on_a_vertical_page():
    # Like the sample genealogy page: short title columns at the top, a small note under a
    # long column at the bottom, long columns crossing both bands.
    lines = [
        Line("title", (940, 120, 980, 420)),
        Line("subtitle", (880, 120, 920, 260)),
        Line("c2", (820, 120, 860, 830)),
        Line("c3", (760, 120, 800, 570)),
        Line("c4-main", (700, 120, 741, 650)),
        Line("c4-note-right", (721, 655, 742, 790)),
        Line("c4-note-left", (700, 655, 720, 760)),
        Line("c5", (640, 120, 680, 690)),
        Line("c6", (580, 120, 620, 540)),
    ]
    assert names(lines)[0] == [
        "title",
        "subtitle",
        "c2",
        "c3",
        "c4-main",
        "c4-note-right",
        "c4-note-left",
        "c5",
        "c6",
    ]


def column(name, x0, x1, top, count, height=30, leading=10):
    return [
        Line(
            f"{name}{i}",
            (x0, top + i * (height + leading), x1, top + i * (height + leading) + height),
        )
        for i in range(count)
    ]


def test_centred_footer_narrower_than_half_the_page_does_not_merge_two_columns():
    # A textbook page: a 21 px gutter, lines on the same baselines in both columns, and a
    # centred footer under the gutter (it once made the page read row by row).
    left = column("a", 100, 489, 100, 6)
    right = column("b", 510, 900, 100, 6)
    footer = Line("footer", (400, 360, 600, 390))
    order, _ = names([footer, *right, *left])
    assert order == [*(f"a{i}" for i in range(6)), *(f"b{i}" for i in range(6)), "footer"]


def test_newspaper_columns_with_gutters_of_one_line_height_under_a_headline_strip():
    # Four columns, 10 px gutters, 10 px lines; a headline strip over the first two columns.
    headline = Line("headline", (0, 0, 210, 24))
    columns = [
        column(c, 110 * n, 110 * n + 100, 30 if n < 2 else 0, 8, 10, 3)
        for n, c in enumerate("abcd")
    ]
    lines = [headline, *(line for col in columns for line in col)]
    order, _ = names(list(reversed(lines)))
    expected = ["headline", *(f"{c}{i}" for c in "abcd" for i in range(8))]
    assert order == expected


def test_lone_page_number_beside_a_column_does_not_make_the_page_one_column():
    left = column("a", 100, 480, 100, 5, height=20, leading=8)
    right = column("b", 520, 900, 100, 5, height=20, leading=8)
    page_number = Line("page", (924, 300, 950, 320))
    order, _ = names([page_number, *left, *right])
    assert order[:10] == [*(f"a{i}" for i in range(5)), *(f"b{i}" for i in range(5))]


def test_two_stacked_articles_read_one_after_the_other():
    # Each article: a headline over its two columns; the gutters line up down the page.
    first = [
        Line("h1", (100, 100, 900, 140)),
        *column("a", 100, 480, 160, 3),
        *column("b", 520, 900, 160, 3),
    ]
    second = [
        Line("h2", (100, 300, 900, 340)),
        *column("c", 100, 480, 360, 3),
        *column("d", 520, 900, 360, 3),
    ]
    order, _ = names([*second, *first])
    assert order == [
        "h1",
        "a0",
        "a1",
        "a2",
        "b0",
        "b1",
        "b2",
        "h2",
        "c0",
        "c1",
        "c2",
        "d0",
        "d1",
        "d2",
    ]


def test_vertical_page_in_two_registers_reads_the_upper_register_first():
    upper = [Line(f"u{i}", (900 - 60 * i, 100, 940 - 60 * i, 400)) for i in range(4)]
    lower = [Line(f"l{i}", (900 - 60 * i, 450, 940 - 60 * i, 800)) for i in range(4)]
    order, direction = names([*lower, *upper])
    assert direction == VERTICAL
    assert order == ["u0", "u1", "u2", "u3", "l0", "l1", "l2", "l3"]


def test_articles_stacked_in_the_same_columns_are_read_one_after_the_other():
    # A five-column newspaper page: article 1 over columns 0-2 (its headline over 0-1),
    # article 3 under it in the same columns, article 2 down columns 3-4 beside both.
    def col(name, n, top, count):
        return column(name, 20 + 110 * n, 120 + 110 * n, top, count, height=10, leading=2)

    first = [
        Line("h1", (20, 0, 200, 20)),
        *col("a", 0, 30, 20),
        *col("b", 1, 30, 20),
        *col("c", 2, 30, 20),
    ]
    third = [
        Line("h3", (20, 290, 200, 310)),
        *col("d", 0, 320, 10),
        *col("e", 1, 320, 10),
        *col("f", 2, 320, 10),
    ]
    second = [Line("h2", (350, 0, 560, 20)), *col("g", 3, 30, 35), *col("h", 4, 30, 35)]
    order, _ = names([*second, *third, *first])
    assert order == [
        "h1",
        *(f"{c}{i}" for c in "abc" for i in range(20)),
        "h3",
        *(f"{c}{i}" for c in "def" for i in range(10)),
        "h2",
        *(f"{c}{i}" for c in "gh" for i in range(35)),
    ]


def test_a_line_grown_a_little_past_a_narrow_gutter_does_not_cut_the_columns_into_bands():
    # From a held-out textbook page: a left-column line whose box the detector grew 8 px
    # past the 22 px gutter, into the right column; it was taken for a spanning title and
    # the page was read top band left-right, then bottom band left-right.
    left = [Line(f"a{i}", (163, 294 + 52 * i, 860, 326 + 52 * i)) for i in range(20)]
    left[10] = Line("a10", (163, 294 + 520, 911, 326 + 520))  # the leaking line
    right = [Line(f"b{i}", (903, 294 + 52 * i, 1610, 326 + 52 * i)) for i in range(20)]
    order, _ = names([*right, *left])
    assert order == [f"a{i}" for i in range(20)] + [f"b{i}" for i in range(20)]


def test_a_centred_footer_over_a_narrow_gutter_still_spans_it():
    left = [Line(f"a{i}", (100, 100 + 50 * i, 480, 130 + 50 * i)) for i in range(8)]
    right = [Line(f"b{i}", (502, 100 + 50 * i, 900, 130 + 50 * i)) for i in range(8)]
    footer = Line("footer", (420, 520, 560, 550))  # 60 px past each side of the gutter
    order, _ = names([footer, *right, *left])
    assert order == [*(f"a{i}" for i in range(8)), *(f"b{i}" for i in range(8)), "footer"]
