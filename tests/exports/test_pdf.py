"""The searchable PDF: corrected text in an invisible layer, each character inside its
line's box (vertical lines too), page images re-encoded as the settings say."""

import ctypes
import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from books.models import Book, Volume
from tests.exports.conftest import export_now, read
from tests.exports.factories import (
    HORIZONTAL_PAGE,
    TWO_COLUMN_PAGE,
    VERTICAL_PAGE,
    add_page,
    published,
)

TOLERANCE = 0.5  # points: glyph outlines are rounded a little when measured


def characters(page) -> list[tuple[str, tuple]]:
    """(character, loose box) of each character in the page's text (pdfium's own line
    breaks left out); a character beyond the BMP comes back as one surrogate pair."""
    text_page = page.get_textpage()
    merged: list[tuple[str, tuple]] = []
    for index in range(text_page.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(text_page.raw, index):
            continue
        code = pdfium_c.FPDFText_GetUnicode(text_page.raw, index)
        box = text_page.get_charbox(index, loose=True)
        if 0xDC00 <= code < 0xE000 and merged and 0xD800 <= ord(merged[-1][0]) < 0xDC00:
            high = ord(merged[-1][0])
            merged[-1] = (chr(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)), box)
        else:
            merged.append((chr(code), box))
    return merged


def text_objects(page) -> list[str]:
    """The text of each text object, in content-stream order (the order written)."""
    text_page = page.get_textpage()
    texts = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        size = pdfium_c.FPDFTextObj_GetText(obj.raw, text_page.raw, None, 0)
        buffer = (ctypes.c_ushort * (size // 2))()
        pdfium_c.FPDFTextObj_GetText(obj.raw, text_page.raw, buffer, size)
        texts.append(bytes(buffer)[: size - 2].decode("utf-16-le"))
    return texts


def inside(char_box, line_box) -> bool:
    left, bottom, right, top = char_box
    x0, y0, x1, y1 = line_box
    return (
        x0 - TOLERANCE <= left <= right <= x1 + TOLERANCE
        and y0 - TOLERANCE <= bottom <= top <= y1 + TOLERANCE
    )


def center_in(char_box, line_box) -> bool:
    left, bottom, right, top = char_box
    x0, y0, x1, y1 = line_box
    return x0 <= (left + right) / 2 <= x1 and y0 <= (bottom + top) / 2 <= y1


@pytest.fixture
def fixed_pdf(fixed_book):
    return pdfium.PdfDocument(read(export_now(fixed_book, "pdf")))


def test_text_layer_is_the_corrected_text_and_each_character_stands_in_its_line(
    fixed_pdf, settings
):
    scale = 72 / settings.EXPORT_PDF_DPI
    assert len(fixed_pdf) == 3
    pages = [HORIZONTAL_PAGE, TWO_COLUMN_PAGE, VERTICAL_PAGE]
    for page, lines in zip(fixed_pdf, pages, strict=True):
        expected = published(lines)
        # Written in reading order, one text object per line, corrected text.
        assert text_objects(page) == [text for _b, _e, text, *_ in expected]
        chars = characters(page)
        assert len(chars) == sum(len(text) for _b, _e, text, *_ in expected)
        height = page.get_height()
        for box, _engine, text, _confidence, vertical in expected:
            x0, y0, x1, y1 = box
            line_box = (x0 * scale, height - y1 * scale, x1 * scale, height - y0 * scale)
            found = [(c, b) for c, b in chars if center_in(b, line_box)]
            # What a viewer selects over the line's box is the line's corrected text...
            assert "".join(c for c, _ in found) == text
            # ...every character lies wholly inside the box...
            for char, char_box in found:
                assert inside(char_box, line_box), (char, char_box, line_box)
            # ...and follows the reading direction: down a column, rightwards along a line.
            starts = [b[3] if vertical else b[0] for _, b in found]
            assert starts == sorted(starts, reverse=vertical)
            assert len(set(starts)) == len(starts)


def test_horizontal_pages_extract_in_reading_order(fixed_pdf):
    """Two columns come out column by column: the title, the left one, the right one."""
    text = fixed_pdf[1].get_textpage().get_text_range()
    assert text.split("\r\n") == [t for _b, _e, t, *_ in TWO_COLUMN_PAGE]


def test_search_finds_corrected_words_not_the_engine_misreading(fixed_pdf):
    first = fixed_pdf[0].get_textpage()
    assert first.search("Annual meeting").get_next() is not None
    assert first.search("Anual").get_next() is None
    vertical = fixed_pdf[2].get_textpage()
    assert vertical.search("世居清河郡").get_next() is not None
    assert "始祖諱𠀀公" in vertical.get_text_range()


def test_text_layer_is_invisible(fixed_pdf, settings):
    """Rendering shows the page image only: the line bars keep their grey, no glyphs."""
    page = fixed_pdf[0]
    bitmap = page.render(scale=settings.EXPORT_PDF_DPI / 72, grayscale=True).to_pil()
    box = HORIZONTAL_PAGE[1][0]
    region = bitmap.convert("L").crop((box[0] + 5, box[1] + 5, box[2] - 5, box[3] - 5))
    low, high = region.getextrema()
    assert 190 <= low <= high <= 210  # JPEG of a flat bar of 200


def test_engine_source_pdf_carries_engine_text(fixed_book):
    pdf = pdfium.PdfDocument(read(export_now(fixed_book, "pdf", text_source="engine")))
    text = pdf[0].get_textpage().get_text_range()
    assert "Anual" in text and "Added by hand" not in text


def test_300_dpi_page_is_reencoded_at_the_image_resolution(db, settings):
    settings.EXPORT_PDF_DPI = 300
    settings.EXPORT_PDF_IMAGE_DPI = 150
    settings.EXPORT_PDF_JPEG_QUALITY = 60
    book = Book.objects.create(slug="a4", title="A4")
    volume = Volume.objects.create(book=book, sequence=1)
    add_page(
        volume, "a4.png", (2480, 3508), [((200, 200, 2280, 300), "x", "Title", 0.9, False)], 180
    )
    pdf = pdfium.PdfDocument(read(export_now(book, "pdf")))
    page = pdf[0]
    assert (round(page.get_width(), 1), round(page.get_height(), 1)) == (595.2, 841.9)  # A4
    images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    assert len(images) == 1
    assert images[0].get_filters() == ["DCTDecode"]
    assert tuple(images[0].get_px_size()) == (1240, 1754)
    assert page.get_textpage().get_text_range() == "Title"


def test_images_are_never_upsampled(db, settings):
    settings.EXPORT_PDF_DPI = 300
    settings.EXPORT_PDF_IMAGE_DPI = 600
    book = Book.objects.create(slug="small", title="Small")
    volume = Volume.objects.create(book=book, sequence=1)
    add_page(volume, "s.png", (600, 800), HORIZONTAL_PAGE, 200)
    pdf = pdfium.PdfDocument(read(export_now(book, "pdf")))
    image = next(pdf[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
    assert tuple(image.get_px_size()) == (600, 800)


def test_a_stored_image_smaller_than_its_jpeg_goes_in_as_it_is(db, settings):
    """A bilevel scan (1-bit PNG) would grow as a JPEG: its own data is embedded, losslessly."""
    import random

    from PIL import Image, ImageDraw

    from books import importing

    settings.EXPORT_PDF_DPI = 300
    settings.EXPORT_PDF_IMAGE_DPI = 300
    rng = random.Random(7)
    image = Image.new("1", (1240, 1754), 1)
    draw = ImageDraw.Draw(image)
    for _ in range(4000):
        x, y = rng.randrange(1200), rng.randrange(1700)
        draw.rectangle((x, y, x + rng.randrange(2, 30), y + rng.randrange(2, 20)), fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    book = Book.objects.create(slug="bilevel", title="Bilevel")
    volume = Volume.objects.create(book=book, sequence=1)
    outcome = importing.add_file(volume, buffer.getvalue(), original_name="bw.png")
    assert not outcome.error
    pdf_bytes = read(export_now(book, "pdf"))
    embedded = next(
        pdfium.PdfDocument(pdf_bytes)[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
    )
    assert embedded.get_filters() == ["FlateDecode"]
    assert tuple(embedded.get_px_size()) == (1240, 1754)
    assert len(pdf_bytes) < len(buffer.getvalue()) + 20_000  # the PNG's data plus the PDF's own
    extracted = embedded.get_bitmap().to_pil().convert("L")
    assert extracted.tobytes() == image.convert("L").tobytes()
