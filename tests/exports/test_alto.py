"""ALTO exports validate against the official ALTO 4 schema and keep reading order."""

import pytest
from lxml import etree

from tests.exports.conftest import export_now, read
from tests.exports.factories import HORIZONTAL_PAGE, TWO_COLUMN_PAGE, VERTICAL_PAGE, published

NS = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}


def validated(alto_schema, data: bytes):
    document = etree.fromstring(data, etree.XMLParser(no_network=True))
    if not alto_schema.validate(document):
        pytest.fail(f"ALTO is not valid: {alto_schema.error_log}")
    return document


def test_schema_rejects_an_invalid_document(alto_schema):
    """The validation can fail: a String without its required CONTENT is refused."""
    broken = (
        b'<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout>'
        b'<Page ID="p1" PHYSICAL_IMG_NR="1"><PrintSpace><TextBlock ID="b1">'
        b'<TextLine ID="l1"><String HPOS="1"/></TextLine>'
        b"</TextBlock></PrintSpace></Page></Layout></alto>"
    )
    assert not alto_schema.validate(etree.fromstring(broken))


def test_book_alto_is_valid_and_in_reading_order(fixed_book, alto_schema):
    document = validated(alto_schema, read(export_now(fixed_book, "alto")))
    pages = document.findall(".//a:Page", NS)
    assert len(pages) == 3
    expected = [published(HORIZONTAL_PAGE), published(TWO_COLUMN_PAGE), published(VERTICAL_PAGE)]
    for page, lines in zip(pages, expected, strict=True):
        found = [
            " ".join(s.get("CONTENT") for s in line.findall("a:String", NS))
            for line in page.findall(".//a:TextLine", NS)
        ]
        assert found == [text for _box, _engine, text, *_ in lines]
        boxes = [
            tuple(int(line.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
            for line in page.findall(".//a:TextLine", NS)
        ]
        assert boxes == [(b[0], b[1], b[2] - b[0], b[3] - b[1]) for b, *_ in lines]


def test_two_column_page_blocks_follow_reading_order(fixed_book, alto_schema):
    document = validated(alto_schema, read(export_now(fixed_book, "alto")))
    page = document.findall(".//a:Page", NS)[1]
    blocks = page.findall(".//a:TextBlock", NS)
    texts = [
        [line.find("a:String", NS).get("CONTENT") for line in block.findall("a:TextLine", NS)]
        for block in blocks
    ]
    assert texts == [["TWO"], ["Left", "Left", "Left"], ["Right", "Right", "Right"]]
    assert [b.get("IDNEXT") for b in blocks] == [blocks[1].get("ID"), blocks[2].get("ID"), None]


def test_vertical_lines_run_top_to_bottom_and_corrections_are_marked(fixed_book, alto_schema):
    document = validated(alto_schema, read(export_now(fixed_book, "alto")))
    vertical = document.findall(".//a:Page", NS)[2]
    lines = vertical.findall(".//a:TextLine", NS)
    assert {line.get("BASEDIRECTION") for line in lines} == {"ttb"}
    assert vertical.find(".//a:TextBlock", NS).get("BASEDIRECTION") == "ttb"
    assert [line.get("CS") for line in lines] == [None, None, "true"]
    assert lines[2].find("a:String", NS).get("CONTENT") == "世居清河郡"
    horizontal = document.findall(".//a:Page", NS)[0]
    assert all(
        line.get("BASEDIRECTION") is None for line in horizontal.iter(f"{{{NS['a']}}}TextLine")
    )


def test_engine_text_alto_is_valid_and_carries_no_corrections(fixed_book, alto_schema):
    document = validated(alto_schema, read(export_now(fixed_book, "alto", text_source="engine")))
    contents = [s.get("CONTENT") for s in document.iterfind(".//a:String", NS)]
    assert "Anual" in contents and "Annual" not in contents
    assert "世居清何郡" in contents
    assert not document.findall(".//a:TextLine[@CS]", NS)


def test_per_page_alto_files_are_each_valid(fixed_book, alto_schema):
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(read(export_now(fixed_book, "alto", per_page=True))))
    names = sorted(archive.namelist())
    assert names == [
        "fixed-book-alto/01-0001.xml",
        "fixed-book-alto/01-0002.xml",
        "fixed-book-alto/02-0001.xml",
    ]
    for name in names:
        document = validated(alto_schema, archive.read(name))
        assert len(document.findall(".//a:Page", NS)) == 1
        assert document.find(".//a:sourceImageInformation/a:fileName", NS) is not None
