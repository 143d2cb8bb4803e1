"""Variant forms for the character picker, from the Unihan and OpenCC tables the wheels ship."""

import json

import pytest

from ocr import corrections, variants
from tests.ocr.lines import make_page_with_lines, make_user


def test_both_tables_are_installed_and_read_from_their_wheels():
    found = variants.sources()
    assert found["Unihan"] is not None and found["Unihan"].name == "Unihan_Variants.txt"
    assert all(found.values()), found
    assert len(variants.table()) > 10_000


@pytest.mark.parametrize(
    ("character", "expected"),
    [
        ("异", {"異"}),  # Unihan kTraditionalVariant
        ("異", {"异"}),  # and back
        ("張", {"张"}),
        ("於", {"于"}),  # OpenCC: one traditional form of 于
        ("裡", {"裏", "里"}),  # Taiwan's standard form and its variant
    ],
)
def test_variant_forms_both_ways(character, expected):
    assert expected <= set(variants.variants(character))
    assert character not in variants.variants(character)


def test_compatibility_ideographs_come_last():
    forms = variants.variants("異")
    assert forms[0] == "异"


def test_used_characters_most_used_first_and_by_variant_family():
    texts = ["張氏族譜", "张氏 vol. 2", "張公"]
    assert variants.used_characters(texts)[:2] == [("張", 2), ("氏", 2)]
    assert variants.used_characters(texts, "张") == [("張", 2), ("张", 1)]
    assert variants.used_characters(texts, "U+5F35") == [("張", 2), ("张", 1)]
    assert variants.used_characters(texts, "U+ZZ") == []
    assert ("v", 1) not in variants.used_characters(texts)  # Chinese characters only


@pytest.mark.django_db
def test_the_picker_endpoint_answers_variants_and_the_books_characters(client):
    page = make_page_with_lines(2)
    line = page.lines.first()
    corrections.save_line(line.pk, "異姓", line.version, None)
    client.force_login(make_user("carol", "Correctors"))
    url = f"/admin/books/page/{page.pk}/review/characters/"
    body = json.loads(client.get(url, {"c": "异"}).content)
    assert body["char"] == "异" and "異" in body["variants"]
    assert body["used"] == [["異", 1]]  # the family of 异 in this book
    assert json.loads(client.get(url, {"c": "异", "q": "姓"}).content)["used"] == [["姓", 1]]
