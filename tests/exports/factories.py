"""A small fixed book for the format tests: a horizontal page with a corrected line, an
added line and a blanked one; a two-column page under a spanning title; a vertical page
read right to left, with a corrected column and a character beyond the BMP.

Lines are created directly with fixed boxes (no OCR); page images are drawn with a grey
bar where each line stands and imported through the real import service.
"""

import io

from PIL import Image, ImageDraw

from books import importing
from books.models import Book, Page, Volume
from ocr.models import Region, TextLine

# (box, engine text, current text, confidence, vertical)
HORIZONTAL_PAGE = [
    ((50, 40, 550, 90), "ANNUAL REPORT 1901", "ANNUAL REPORT 1901", 0.98, False),
    ((50, 120, 550, 160), "The Anual meeting was held", "The Annual meeting was held", 0.71, False),
    (
        (50, 170, 550, 210),
        'on the 3rd of May & "noted" <here>',
        'on the 3rd of May & "noted" <here>',
        0.93,
        False,
    ),
    ((50, 220, 300, 260), "", "Added by hand", None, False),
    ((50, 270, 550, 310), "stray mark", "", 0.2, False),
]
TWO_COLUMN_PAGE = [
    ((100, 50, 700, 110), "TWO COLUMNS", "TWO COLUMNS", 0.99, False),
    ((60, 150, 380, 190), "Left one", "Left one", 0.95, False),
    ((60, 200, 380, 240), "Left two", "Left two", 0.94, False),
    ((60, 250, 380, 290), "Left three", "Left three", 0.93, False),
    ((420, 150, 740, 190), "Right one", "Right one", 0.92, False),
    ((420, 200, 740, 240), "Right two", "Right two", 0.91, False),
    ((420, 250, 740, 290), "Right three", "Right three", 0.9, False),
]
VERTICAL_PAGE = [
    ((500, 50, 550, 650), "清河張氏宗譜卷二", "清河張氏宗譜卷二", 0.95, True),
    ((420, 50, 470, 650), "始祖諱𠀀公字子明", "始祖諱𠀀公字子明", 0.88, True),
    ((340, 50, 390, 450), "世居清何郡", "世居清河郡", 0.66, True),
]


def page_png(size: tuple[int, int], lines, shade: int) -> bytes:
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for box, *_ in lines:
        draw.rectangle(box, fill=shade)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def add_page(volume: Volume, name: str, size: tuple[int, int], lines, shade: int) -> Page:
    outcome = importing.add_file(volume, page_png(size, lines, shade), original_name=name)
    assert not outcome.error, outcome.error
    page = outcome.pages[0]
    TextLine.objects.bulk_create(
        TextLine(
            page=page,
            order=order,
            polygon=[[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]],
            x0=box[0],
            y0=box[1],
            x1=box[2],
            y1=box[3],
            engine_text=engine_text,
            text=text,
            confidence=confidence,
            vertical=vertical,
        )
        for order, (box, engine_text, text, confidence, vertical) in enumerate(lines, start=1)
    )
    return page


def make_fixed_book() -> Book:
    book = Book.objects.create(
        slug="fixed-book",
        title="A Fixed Book & Co.",
        author="Test Author",
        language="ch",
    )
    first = Volume.objects.create(book=book, sequence=1, label="Volume one")
    second = Volume.objects.create(book=book, sequence=2, label="卷二")
    add_page(first, "p1.png", (600, 800), HORIZONTAL_PAGE, 200)
    add_page(first, "p2.png", (800, 1000), TWO_COLUMN_PAGE, 210)
    add_page(second, "v2-p1.png", (600, 800), VERTICAL_PAGE, 220)
    return book


def published(lines) -> list[tuple]:
    """The fixture lines a text export publishes (corrected text, blank lines left out)."""
    return [line for line in lines if line[2].strip()]


# A page with layout regions, as the layout stage stores them: (kind, region box, lines),
# in reading order; the last region is a figure with no text.
LAYOUT_PAGE = [
    ("header", (60, 20, 300, 50), [((60, 20, 300, 50), "Chapter 3")]),
    ("title", (200, 80, 600, 130), [((200, 80, 600, 130), "Layout and order")]),
    (
        "text",
        (60, 160, 380, 300),
        [((60, 160 + 50 * i, 380, 200 + 50 * i), f"Left {i + 1}") for i in range(3)],
    ),
    (
        "text",
        (420, 160, 740, 300),
        [((420, 160 + 50 * i, 740, 200 + 50 * i), f"Right {i + 1}") for i in range(3)],
    ),
    ("caption", (420, 700, 740, 740), [((420, 700, 740, 740), "Figure 1. A press")]),
    ("page_number", (380, 950, 420, 980), [((380, 950, 420, 980), "63")]),
    ("figure", (420, 330, 740, 690), []),
]


def make_layout_book() -> Book:
    book = Book.objects.create(slug="layout-book", title="Layout Book", language="en")
    volume = Volume.objects.create(book=book, sequence=1, label="one")
    lines = [line for _, _, region_lines in LAYOUT_PAGE for line in region_lines]
    outcome = importing.add_file(
        volume,
        page_png((800, 1000), [(box,) for box, _ in lines], 200),
        original_name="layout.png",
    )
    assert not outcome.error, outcome.error
    page = outcome.pages[0]
    order = 0
    for number, (kind, (x0, y0, x1, y1), region_lines) in enumerate(LAYOUT_PAGE, start=1):
        region = Region.objects.create(
            page=page, order=number, kind=kind, x0=x0, y0=y0, x1=x1, y1=y1, score=0.9
        )
        for box, text in region_lines:
            order += 1
            TextLine.objects.create(
                page=page,
                order=order,
                region=region,
                polygon=[[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]],
                x0=box[0],
                y0=box[1],
                x1=box[2],
                y1=box[3],
                engine_text=text,
                text=text,
                confidence=0.9,
            )
    return book
