"""Lines grouped into layout regions and the regions put in reading order (no model here:
the regions are given as the layout model would return them)."""

from dataclasses import dataclass

from ocr import layout
from ocr.arrangement import arrange
from ocr.layout import LayoutRegion
from ocr.reading_order import HORIZONTAL, VERTICAL


@dataclass
class Line:
    text: str
    box: tuple[int, int, int, int]


def column(prefix, x0, x1, top, count, step=40):
    return [
        Line(f"{prefix}{i}", (x0, top + i * step, x1, top + i * step + 30)) for i in range(count)
    ]


def region(kind, box, score=0.9):
    return LayoutRegion(kind, box, score)


def texts(arrangement):
    return [line.text for line in arrangement.lines]


PAGE = (1000, 1400)


def test_caption_under_a_photo_at_the_bottom_left_follows_the_title_and_body_at_the_top_right():
    title = Line("title", (540, 100, 900, 150))
    body = column("b", 540, 900, 200, 20)
    caption = Line("caption", (100, 1100, 450, 1130))
    regions = [
        region(layout.TITLE, (530, 90, 910, 160)),
        region(layout.TEXT, (530, 190, 910, 1000)),
        region(layout.FIGURE, (90, 500, 460, 1080)),
        region(layout.CAPTION, (90, 1095, 460, 1135)),
    ]
    arranged = arrange([caption, *body, title], regions, size=PAGE)
    assert texts(arranged) == ["title", *(f"b{i}" for i in range(20)), "caption"]
    assert [block.kind for block in arranged.blocks] == [layout.TITLE, layout.TEXT, layout.CAPTION]
    assert [r.kind for r in arranged.empty_regions] == [layout.FIGURE]


def test_caption_under_a_figure_inside_a_column_stays_where_it_stands():
    above = column("a", 100, 900, 100, 3)
    caption = Line("caption", (300, 700, 700, 730))
    below = column("c", 100, 900, 800, 3)
    regions = [
        region(layout.TEXT, (90, 90, 910, 240)),
        region(layout.FIGURE, (300, 260, 700, 680)),
        region(layout.CAPTION, (290, 690, 710, 740)),
        region(layout.TEXT, (90, 790, 910, 940)),
    ]
    arranged = arrange([*below, caption, *above], regions, size=PAGE)
    assert texts(arranged) == ["a0", "a1", "a2", "caption", "c0", "c1", "c2"]


def test_a_caption_far_from_any_figure_is_read_as_text_in_place():
    left = column("a", 100, 480, 100, 5)
    headline = Line("headline", (520, 100, 900, 130))
    right = column("b", 520, 900, 140, 4)
    regions = [region(layout.CAPTION, (510, 95, 910, 135))]
    arranged = arrange([*right, headline, *left], regions, size=PAGE)
    assert texts(arranged) == [*(f"a{i}" for i in range(5)), "headline", "b0", "b1", "b2", "b3"]


def test_running_header_comes_first_and_page_number_footer_last():
    header = Line("Chapter 3", (100, 40, 300, 70))
    body = column("b", 100, 900, 150, 5)
    footer = Line("— 63 —", (450, 1330, 550, 1360))
    regions = [
        region(layout.TEXT, (90, 140, 910, 360)),
        region(layout.HEADER, (90, 35, 310, 75)),
        region(layout.FOOTER, (440, 1325, 560, 1365)),
    ]
    arranged = arrange([footer, *body, header], regions, size=PAGE)
    assert texts(arranged) == ["Chapter 3", *(f"b{i}" for i in range(5)), "— 63 —"]
    kinds = [block.kind for block in arranged.blocks]
    assert kinds == [layout.HEADER, layout.TEXT, layout.PAGE_NUMBER]


def test_a_header_region_in_the_middle_of_the_page_is_text():
    body = column("b", 100, 900, 100, 12)
    regions = [region(layout.HEADER, (90, 395, 910, 440))]  # around b7
    arranged = arrange(body, regions, size=PAGE)
    assert texts(arranged) == [f"b{i}" for i in range(12)]
    assert layout.HEADER not in {block.kind for block in arranged.blocks}


def test_a_table_that_swallows_the_page_is_not_believed():
    # The CDLA model reads a newspaper's columns as one table: the columns must still be
    # read one after the other.
    columns = [column(c, 100 + 200 * n, 280 + 200 * n, 100, 10) for n, c in enumerate("abcd")]
    lines = [line for col in columns for line in col]
    regions = [region(layout.TABLE, (50, 50, 950, 1300), 0.85)]
    arranged = arrange(lines, regions, size=PAGE)
    assert texts(arranged) == [f"{c}{i}" for c in "abcd" for i in range(10)]
    assert arranged.blocks[0].region is None  # lines stand in no region


def test_the_more_specific_of_two_duplicate_regions_is_kept():
    body = column("b", 100, 900, 200, 3)
    caption = Line("Figure 1", (300, 1000, 700, 1030))
    regions = [
        region(layout.TEXT, (90, 190, 910, 330)),
        region(layout.FIGURE, (300, 400, 700, 980)),
        region(layout.TEXT, (295, 995, 705, 1035), 0.73),
        region(layout.CAPTION, (296, 996, 704, 1034), 0.53),
    ]
    arranged = arrange([caption, *body], regions, size=PAGE)
    assert [block.kind for block in arranged.blocks] == [layout.TEXT, layout.CAPTION]


def test_vertical_pages_are_ordered_from_their_line_boxes_alone():
    columns = [Line(f"c{i}", (900 - 60 * i, 100, 940 - 60 * i, 800)) for i in range(5)]
    regions = [region(layout.FIGURE, (0, 0, 1000, 1400), 0.95)]
    arranged = arrange(list(reversed(columns)), regions, size=PAGE)
    assert arranged.direction == VERTICAL
    assert texts(arranged) == ["c0", "c1", "c2", "c3", "c4"]
    assert all(block.region is None for block in arranged.blocks)


def test_without_regions_lines_are_one_block_in_line_order():
    left, right = column("a", 100, 480, 100, 3), column("b", 520, 900, 100, 3)
    arranged = arrange([*right, *left], [], size=PAGE)
    assert arranged.direction == HORIZONTAL
    assert texts(arranged) == ["a0", "a1", "a2", "b0", "b1", "b2"]
    assert len(arranged.blocks) == 1 and arranged.blocks[0].region is None
