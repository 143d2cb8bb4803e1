"""Exports of a page with layout regions: running headers, footers and page numbers left
out of the running text by default and marked as such where the format can say so; PAGE
XML with regions and reading order, valid against the official schema."""

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.exports.conftest import export_now, read
from tests.exports.factories import make_layout_book
from tests.exports.test_alto import validated

SCHEMAS = Path(__file__).parent / "schemas"
PAGE_NS = {"pc": "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"}
BODY = ["Layout and order", "Left 1", "Left 2", "Left 3", "Right 1", "Right 2", "Right 3"]
BODY += ["Figure 1. A press"]


@pytest.fixture
def layout_book(db):
    return make_layout_book()


@pytest.fixture(scope="module")
def page_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "pagecontent-2019-07-15.xsd")))


def test_text_leaves_out_headers_and_page_numbers_unless_asked(layout_book):
    assert read(export_now(layout_book, "txt")).decode().splitlines() == BODY
    kept = read(export_now(layout_book, "txt", keep_headers_footers=True)).decode()
    assert kept.splitlines() == ["Chapter 3", *BODY, "63"]


def test_csv_and_json_name_each_line_region_and_leave_out_the_furniture(layout_book):
    rows = list(csv.DictReader(io.StringIO(read(export_now(layout_book, "csv")).decode())))
    assert [row["text"] for row in rows] == BODY
    assert [row["region"] for row in rows][:2] == ["title", "text"]
    assert rows[-1]["region"] == "caption"
    data = json.loads(read(export_now(layout_book, "json", keep_headers_footers=True)))
    lines = data["volumes"][0]["pages"][0]["lines"]
    assert (lines[0]["text"], lines[0]["region"]) == ("Chapter 3", "header")
    assert lines[-1]["region"] == "page_number"


def test_hocr_marks_header_caption_and_page_number_blocks(layout_book):
    document = etree.fromstring(read(export_now(layout_book, "hocr")))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    blocks = document.xpath("//h:div[@class!='ocr_page']", namespaces=ns)
    assert [block.get("class") for block in blocks] == [
        "ocr_header",
        "ocr_carea",
        "ocr_carea",
        "ocr_carea",
        "ocr_caption",
        "ocr_pageno",
    ]


def test_alto_puts_headers_and_footers_in_the_margins_and_keeps_the_order(layout_book, alto_schema):
    document = validated(alto_schema, read(export_now(layout_book, "alto")))
    ns = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
    top = document.xpath("//a:TopMargin//a:String/@CONTENT", namespaces=ns)
    bottom = document.xpath("//a:BottomMargin//a:String/@CONTENT", namespaces=ns)
    assert top == ["Chapter", "3"] and bottom == ["63"]
    blocks = {b.get("ID"): b for b in document.xpath("//a:TextBlock", namespaces=ns)}
    first = next(iter(document.xpath("//a:TopMargin/a:TextBlock", namespaces=ns)))
    chain, block = [], first
    while block is not None:
        chain.append(block.get("TAGREFS"))
        block = blocks.get(block.get("IDNEXT"))
    assert chain == [f"kind_{kind}" for kind in ("header", "title", "text", "text")] + [
        "kind_caption",
        "kind_page_number",
    ]


def test_page_xml_is_valid_with_regions_in_reading_order(layout_book, page_schema):
    export = export_now(layout_book, "page")
    assert export.per_page  # one document per page, always
    with zipfile.ZipFile(io.BytesIO(read(export))) as archive:
        names = [name for name in archive.namelist() if name.endswith(".xml")]
        assert len(names) == 1
        document = etree.fromstring(archive.read(names[0]))
    if not page_schema.validate(document):
        pytest.fail(f"PAGE XML is not valid: {page_schema.error_log}")
    refs = document.xpath("//pc:RegionRefIndexed/@regionRef", namespaces=PAGE_NS)
    regions = document.xpath("//pc:TextRegion", namespaces=PAGE_NS)
    assert refs == [region.get("id") for region in regions]
    assert [region.get("type") for region in regions] == [
        "header",
        "heading",
        "paragraph",
        "paragraph",
        "caption",
        "page-number",
    ]
    lines = document.xpath("//pc:TextLine/pc:TextEquiv/pc:Unicode/text()", namespaces=PAGE_NS)
    assert lines == ["Chapter 3", *BODY, "63"]
    assert len(document.xpath("//pc:ImageRegion", namespaces=PAGE_NS)) == 1


def test_page_xml_of_pages_without_regions_groups_lines_by_column(fixed_book, page_schema):
    with zipfile.ZipFile(io.BytesIO(read(export_now(fixed_book, "page")))) as archive:
        documents = [
            etree.fromstring(archive.read(name))
            for name in sorted(archive.namelist())
            if name.endswith(".xml")
        ]
    assert len(documents) == 3
    for document in documents:
        assert page_schema.validate(document), page_schema.error_log
    two_columns = documents[1].xpath("//pc:TextRegion", namespaces=PAGE_NS)
    assert len(two_columns) == 3  # the title, then each column
    vertical = documents[2].xpath("//pc:TextRegion", namespaces=PAGE_NS)[0]
    assert vertical.get("textLineOrder") == "right-to-left"
