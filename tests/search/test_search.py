"""Searching: what a query finds, marks and ranks, on the database the suite runs on."""

import pytest

from books.models import PageStatus
from search.query import QueryError
from search.service import Filters, search

pytestmark = pytest.mark.django_db


def found(query, **filters):
    return [result.page.pk for result in search(query, Filters(**filters)).pages]


def marks(query, **filters):
    """{page id: [(line order, marked text), ...]} of the first result page."""
    return {
        result.page.pk: [
            (hit.line.order, [hit.text[start:end] for start, end in hit.marks])
            for hit in result.lines
        ]
        for result in search(query, Filters(**filters)).pages
    }


@pytest.fixture
def volume():
    from tests.search.pages import make_volume

    return make_volume()


def page(volume, *lines, **options):
    from tests.search.pages import add_page

    return add_page(volume, list(lines), **options)


def test_a_two_character_name_is_found_in_either_script(volume):
    simplified = page(volume, "清河张氏族谱卷一", "始祖德明公")
    traditional = page(volume, "江夏張氏世系", "陳氏附")
    other = page(volume, "张三李四", "氏族志")
    assert set(found("张氏")) == {simplified.pk, traditional.pk}
    assert set(found("張氏")) == {simplified.pk, traditional.pk}
    assert other.pk not in found("张氏")
    assert marks("張氏")[traditional.pk] == [(1, ["張氏"])]


def test_one_character_finds_every_page_holding_it(volume):
    first = page(volume, "陳氏")
    second = page(volume, "耳东陈")
    page(volume, "李氏")
    assert set(found("陈")) == {first.pk, second.pk}
    assert marks("陈")[second.pk] == [(1, ["陈"])]


def test_three_and_four_characters_must_stand_in_a_row(volume):
    row = page(volume, "太原王氏宗谱")
    apart = page(volume, "太原", "王氏宗谱")  # a line break between Chinese characters
    scattered = page(volume, "王氏在太原，宗谱在此")
    assert set(found("太原王氏")) == {row.pk, apart.pk}
    assert set(found("王氏宗谱")) == {row.pk, apart.pk}
    assert found("原王氏宗") == [row.pk, apart.pk]
    assert scattered.pk not in found("原王氏") + found("王氏宗")


def test_a_name_broken_across_two_lines_is_found_and_marks_both(volume):
    broken = page(volume, "始祖张", "氏德明")
    assert found("张氏德") == [broken.pk]
    assert marks("张氏德")[broken.pk] == [(1, ["张"]), (2, ["氏德"])]


def test_punctuation_and_latin_break_a_phrase(volume):
    page(volume, "张，氏")
    page(volume, "张 氏")
    page(volume, "张A氏")
    assert found("张氏") == []


def test_several_terms_must_all_be_on_the_page_and_minus_excludes(volume):
    both = page(volume, "张氏", "迁居江夏")
    only_one = page(volume, "张氏迁居太原")
    assert found("张氏 江夏") == [both.pk]
    assert found("张氏 -江夏") == [only_one.pk]
    assert set(found("迁居 -太原 -江夏")) == set()


def test_latin_words_fold_case_and_width_and_take_a_prefix(volume):
    english = page(volume, "The Genealogy of the Zhang Family", "printed 1998")
    full_width = page(volume, "ＺＨＡＮＧ　ｆａｍｉｌｙ")
    assert set(found("zhang")) == {english.pk, full_width.pk}
    assert set(found("FAMILY")) == {english.pk, full_width.pk}
    assert found("genea*") == [english.pk]
    assert found("genea") == []  # a word is a whole word without *
    assert set(found('"zhang family"')) == {english.pk, full_width.pk}
    assert found('"family zhang"') == []
    assert marks("genea*")[english.pk] == [(1, ["Genealogy"])]


def test_exact_form_tells_the_scripts_apart(volume):
    simplified = page(volume, "张氏")
    traditional = page(volume, "張氏")
    assert set(found("張氏")) == {simplified.pk, traditional.pk}
    assert found("張氏", exact_form=True) == [traditional.pk]
    assert found("张氏", exact_form=True) == [simplified.pk]


def test_variant_forms_fold_to_the_standard_one(volume):
    variant = page(volume, "家裡")  # Taiwan form of 裏
    assert found("家里") == [variant.pk]
    assert found("家裏") == [variant.pk]


def test_filters_by_book_volume_status_and_corrected(volume):
    from tests.search.pages import make_volume

    second_volume = make_volume(sequence=2)
    other_book = make_volume(title="Other", slug="other")
    in_first = page(volume, "江夏")
    reviewed = page(second_volume, "江夏", status=PageStatus.REVIEWED)
    elsewhere = page(other_book, ("江夏黄氏", "江夏黄民"))
    assert found("江夏", book=volume.book_id) == [in_first.pk, reviewed.pk]
    assert found("江夏", volume=second_volume.pk) == [reviewed.pk]
    assert found("江夏", statuses=(PageStatus.REVIEWED,)) == [reviewed.pk]
    assert found("江夏", corrected_only=True) == [elsewhere.pk]


def test_engine_text_is_searchable_apart_from_corrections(volume):
    corrected = page(volume, ("黄氏宗祠", "黄民宗祠"), "another line")
    plain = page(volume, "黄民")
    assert found("黄民") == [plain.pk]
    assert set(found("黄民", source="engine")) == {corrected.pk, plain.pk}
    assert found("黄氏", source="engine") == []
    assert marks("黄民", source="engine")[corrected.pk] == [(1, ["黄民"])]


def test_titles_then_corrected_pages_then_more_hits_rank_first(volume):
    from tests.search.pages import make_volume

    titled = make_volume(title="江夏黄氏族谱", slug="titled")
    many = page(volume, "黄氏 黄氏 黄氏", "黄氏 黄氏")
    one = page(volume, "黄氏")
    corrected = page(volume, ("黄氏", "黄民"))
    in_titled = page(titled, "黄氏")
    assert found("黄氏") == [in_titled.pk, corrected.pk, many.pk, one.pk]
    result = search("黄氏").pages
    assert [r.hits for r in result] == [1, 1, 5, 1]


def test_results_are_counted_and_paginated(volume):
    pages = [page(volume, f"第{n}页 江夏") for n in range(7)]
    first = search("江夏", limit=3)
    rest = search("江夏", limit=3, offset=6)
    beyond = search("江夏", limit=3, offset=30)
    assert (first.count, rest.count, beyond.count) == (7, 7, 7)
    assert [r.page.pk for r in first.pages] + [r.page.pk for r in rest.pages] == [
        p.pk for p in pages[:3] + pages[6:]
    ]
    assert beyond.pages == []


def test_queries_that_cannot_be_searched_say_why():
    with pytest.raises(QueryError, match="not only what to leave out"):
        search("-江夏")
    with pytest.raises(QueryError, match="at most"):
        search(" ".join(f"词{n}" for n in range(11)))
    assert search("  ，。 ").pages == []


def test_past_the_rank_limit_pages_come_in_catalogue_order_corrected_first(volume, monkeypatch):
    from search import service

    monkeypatch.setattr(service, "RANK_LIMIT", 2)
    one = page(volume, "黄氏")
    many = page(volume, "黄氏 黄氏 黄氏")
    corrected = page(volume, ("黄氏", "黄民"))
    assert found("黄氏") == [corrected.pk, one.pk, many.pk]
    monkeypatch.setattr(service, "RANK_LIMIT", 1000)
    assert found("黄氏") == [corrected.pk, many.pk, one.pk]
