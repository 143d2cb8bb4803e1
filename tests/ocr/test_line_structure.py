"""Moving, splitting and merging lines: the order and boxes change, history and versions hold."""

import pytest

from ocr import corrections, line_structure
from ocr.corrections import Conflict, CorrectionError, LineGone
from ocr.line_structure import FIRST
from ocr.models import LineAction, LineRevision, TextLine
from tests.ocr.lines import make_page_with_lines, make_user

pytestmark = pytest.mark.django_db


def texts(page) -> list[str]:
    return list(page.lines.order_by("order").values_list("text", flat=True))


def line(page, order) -> TextLine:
    return page.lines.get(order=order)


def test_moving_a_line_after_another_reorders_the_page_and_is_in_history():
    page = make_page_with_lines(4)
    alice = make_user("alice")
    third, first = line(page, 3), line(page, 1)

    moved = line_structure.move_line(third.pk, third.version, first.pk, alice)

    assert texts(page) == ["engine line 1", "engine line 3", "engine line 2", "engine line 4"]
    assert moved.order == 2 and moved.version == third.version + 1
    step = LineRevision.objects.get(line=moved)
    assert (step.action, step.order_before, step.order, step.user) == (
        LineAction.MOVE,
        3,
        2,
        alice,
    )


def test_a_line_moves_first_and_last():
    page = make_page_with_lines(3)
    last, first = line(page, 3), line(page, 1)
    line_structure.move_line(last.pk, last.version, FIRST, None)
    assert texts(page)[0] == "engine line 3"
    first.refresh_from_db()
    now_last = page.lines.order_by("order").last()
    line_structure.move_line(first.pk, first.version, now_last.pk, None)
    assert texts(page) == ["engine line 3", "engine line 2", "engine line 1"]
    assert list(page.lines.order_by("order").values_list("order", flat=True)) == [1, 2, 3]


def test_moving_keeps_the_gaps_a_deleted_line_left_and_touches_only_the_moved_range():
    page = make_page_with_lines(5)
    gone = line(page, 2)
    line_structure.delete_line(gone.pk, gone.version, None)
    fifth, fourth = line(page, 5), line(page, 4)
    untouched = line(page, 1), line(page, 3)

    line_structure.move_line(fifth.pk, fifth.version, line(page, 3).pk, None)

    assert list(page.lines.order_by("order").values_list("order", "text")) == [
        (1, "engine line 1"),
        (3, "engine line 3"),
        (4, "engine line 5"),
        (5, "engine line 4"),
    ]
    for kept in untouched:
        assert TextLine.objects.get(pk=kept.pk).version == kept.version
    assert TextLine.objects.get(pk=fourth.pk).version == fourth.version  # moved down, not edited


def test_a_stale_move_conflicts_and_an_anchor_that_is_gone_is_said():
    page = make_page_with_lines(3)
    first, second = line(page, 1), line(page, 2)
    corrections.save_line(first.pk, "fixed", first.version, None)
    with pytest.raises(Conflict):
        line_structure.move_line(first.pk, first.version, second.pk, None)
    with pytest.raises(LineGone):
        line_structure.move_line(second.pk, second.version, 999_999, None)
    with pytest.raises(CorrectionError):
        line_structure.move_line(second.pk, second.version, second.pk, None)
    assert texts(page) == ["fixed", "engine line 2", "engine line 3"]


def test_splitting_a_line_cuts_its_text_and_box_where_the_cursor_stands():
    page = make_page_with_lines(2)  # boxes 10..190 wide
    first = line(page, 1)
    corrections.save_line(first.pk, "one two", first.version, None)  # 7 characters
    first.refresh_from_db()

    left, right = line_structure.split_line(first.pk, first.version, 4, make_user("alice"))

    assert texts(page) == ["one", "two", "engine line 2"]
    assert (left.x0, left.x1, right.x0, right.x1) == (10, 113, 113, 190)
    assert (left.y0, left.y1) == (right.y0, right.y1) == (first.y0, first.y1)
    assert right.order == 2 and line(page, 3).text == "engine line 2"
    assert list(LineRevision.objects.filter(action=LineAction.SPLIT).values_list(
        "text_before", "text_after"
    ).order_by("id")) == [("one two", "one"), ("one two", "two")]  # fmt: skip


def test_an_uncorrected_line_split_stays_uncorrected_on_both_sides():
    page = make_page_with_lines(1)
    first = line(page, 1)  # "engine line 1"
    left, right = line_structure.split_line(first.pk, first.version, 7, None)
    assert (left.text, left.engine_text) == ("engine", "engine")
    assert (right.text, right.engine_text) == ("line 1", "line 1")
    assert not left.is_corrected and not right.is_corrected


def test_a_chinese_line_is_cut_by_the_width_of_its_characters():
    page = make_page_with_lines(1)
    first = line(page, 1)
    corrections.save_line(first.pk, "張氏族譜 vol", first.version, None)  # 4 wide + 4 narrow
    first.refresh_from_db()
    left, right = line_structure.split_line(first.pk, first.version, 4, None)
    assert (left.text, right.text) == ("張氏族譜", "vol")
    assert left.x1 == 10 + round(180 * 8 / 12)


def test_a_split_with_no_text_on_one_side_is_refused():
    page = make_page_with_lines(1)
    first = line(page, 1)
    for at in (0, len(first.text), -1):
        with pytest.raises(CorrectionError):
            line_structure.split_line(first.pk, first.version, at, None)
    assert texts(page) == ["engine line 1"]


def test_merging_two_lines_joins_text_and_boxes_and_keeps_the_second_in_history():
    page = make_page_with_lines(3)
    second, first = line(page, 2), line(page, 1)

    merged = line_structure.merge_lines(second.pk, second.version, first.pk, first.version, None)

    assert merged.pk == first.pk
    assert texts(page) == ["engine line 1 engine line 2", "engine line 3"]
    assert merged.engine_text == "engine line 1 engine line 2" and not merged.is_corrected
    assert merged.box == (10, 20, 190, 55)
    gone = LineRevision.objects.get(action=LineAction.MERGE, text_after="")
    assert gone.text_before == "engine line 2"


def test_chinese_lines_merge_without_a_space():
    assert line_structure.join("張氏", "族譜") == "張氏族譜"
    assert line_structure.join("vol.", "2") == "vol. 2"
    assert line_structure.join("", "x") == "x"


def test_a_stale_merge_conflicts_and_changes_nothing():
    page = make_page_with_lines(2)
    first, second = line(page, 1), line(page, 2)
    corrections.save_line(second.pk, "theirs", second.version, None)
    with pytest.raises(Conflict):
        line_structure.merge_lines(first.pk, first.version, second.pk, second.version, None)
    assert texts(page) == ["engine line 1", "theirs"]


def test_lines_of_two_pages_are_not_merged():
    page = make_page_with_lines(1)
    other = make_page_with_lines(1, number=2)
    a, b = line(page, 1), line(other, 1)
    with pytest.raises(LineGone):
        line_structure.merge_lines(a.pk, a.version, b.pk, b.version, None)


def test_a_line_added_in_a_region_is_read_among_its_lines_and_belongs_to_it():
    from ocr.models import Region

    page = make_page_with_lines(4)  # lines at y 20, 40, 60, 80, all x 10..190
    # Two columns' worth of regions: lines 1-2 in the left one, 3-4 in the right one.
    left = Region.objects.create(page=page, order=1, x0=0, y0=0, x1=100, y1=200)
    right = Region.objects.create(page=page, order=2, x0=100, y0=0, x1=200, y1=200)
    TextLine.objects.filter(page=page, order__in=(1, 2)).update(region=left)
    TextLine.objects.filter(page=page, order__in=(3, 4)).update(region=right)
    # A box high up in the right region: reading order of the whole page would put it first.
    added = line_structure.add_line(page.pk, corrections.Box(120, 5, 190, 15), "top right", None)
    assert added.region == right
    expected = ["engine line 1", "engine line 2", "top right", "engine line 3", "engine line 4"]
    assert texts(page) == expected
    one_character = line_structure.add_line(page.pk, corrections.Box(150, 100, 160, 140), "x", None)
    assert not one_character.vertical  # a tall box on a horizontal page is not a column


def test_a_moved_line_joins_the_region_of_the_lines_around_it():
    from ocr.models import Region

    page = make_page_with_lines(4)
    first = Region.objects.create(page=page, order=1, x0=0, y0=0, x1=9, y1=9)
    second = Region.objects.create(page=page, order=2, x0=0, y0=0, x1=9, y1=9)
    TextLine.objects.filter(page=page, order__in=(1, 2)).update(region=first)
    TextLine.objects.filter(page=page, order__in=(3, 4)).update(region=second)
    one, three = line(page, 1), line(page, 3)
    moved = line_structure.move_line(one.pk, one.version, three.pk, None)  # between 3 and 4
    assert moved.region == second


def test_merging_keeps_the_second_lines_history_under_the_merged_line():
    page = make_page_with_lines(2)
    first, second = line(page, 1), line(page, 2)
    corrections.save_line(second.pk, "second fixed", second.version, None)
    second.refresh_from_db()
    merged = line_structure.merge_lines(first.pk, first.version, second.pk, second.version, None)
    actions = list(merged.revisions.order_by("id").values_list("action", flat=True))
    assert actions == [LineAction.EDIT, LineAction.MERGE, LineAction.MERGE]
