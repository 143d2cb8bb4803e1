"""hOCR 1.2: an XHTML page per ``ocr_page``, blocks as ``ocr_carea`` (each one ``ocr_par``),
lines as ``ocr_line`` and words as ``ocrx_word`` with ``bbox`` and ``x_wconf`` (confidence
0-100). Blocks are the page's layout regions, in reading order; running headers, footers,
page numbers and captions are ``ocr_header``, ``ocr_footer``, ``ocr_pageno`` and
``ocr_caption`` blocks instead of ``ocr_carea``.

Vertical lines carry ``textangle 270`` (their baseline runs down the page). Word boxes are
estimated along the line: the engine reports line boxes only.
"""

from html import escape

from exports.formats import register
from exports.formats.base import (
    Exporter,
    PageData,
    page_blocks,
    split_words,
    union,
    xml_safe,
)

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="{lang}" lang="{lang}">
<head>
<title>{title}</title>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
<meta name="ocr-system" content="digitization-platform (PaddleOCR)"/>
<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word \
ocr_header ocr_footer ocr_pageno ocr_caption"/>
<meta name="ocr-number-of-pages" content="{pages}"/>
</head>
<body>
"""


BLOCK_CLASSES = {
    "header": "ocr_header",
    "footer": "ocr_footer",
    "page_number": "ocr_pageno",
    "caption": "ocr_caption",
}


def _bbox(box) -> str:
    return "bbox {} {} {} {}".format(*box)


def _wconf(line) -> str:
    confidence = line.content_confidence
    return "" if confidence is None else f"; x_wconf {round(confidence * 100)}"


def _language(code: str) -> str:
    """Book language codes are OCR model codes (ch, en, chinese_cht): map to BCP 47."""
    return {"ch": "zh", "chinese_cht": "zh-Hant", "en": "en"}.get(code, code or "und")


@register
class HocrExporter(Exporter):
    name = "hocr"
    label = "hOCR (XHTML)"
    extension = "hocr"
    media_type = "application/xhtml+xml; charset=utf-8"

    def start(self):
        pages = self.info.options.get("page_count", "")
        lang = _language(self.info.language)
        self.write(HEAD.format(lang=lang, title=escape(self.info.book_title), pages=pages))

    def add_page(self, page: PageData):
        n = page.number
        title = (
            f'image "{page.original_name}"; bbox 0 0 {page.width} {page.height}; ppageno {n - 1}'
        )
        self.write(f'<div class="ocr_page" id="page_{n}" title="{escape(title)}">\n')
        line_no = word_no = 0
        blocks = page_blocks(page.published_lines())
        for block_no, (kind, block) in enumerate(blocks, start=1):
            area = union(line.box for line in block)
            kind_class = BLOCK_CLASSES.get(kind, "ocr_carea")
            self.write(
                f'<div class="{kind_class}" id="block_{n}_{block_no}" title="{_bbox(area)}">\n'
                f'<p class="ocr_par" id="par_{n}_{block_no}" title="{_bbox(area)}">\n'
            )
            for line in block:
                line_no += 1
                angle = "; textangle 270" if line.vertical else ""
                self.write(
                    f'<span class="ocr_line" id="line_{n}_{line_no}" '
                    f'title="{_bbox(line.box)}{angle}{_wconf(line)}">'
                )
                words = []
                for text, box in split_words(line):
                    word_no += 1
                    words.append(
                        f'<span class="ocrx_word" id="word_{n}_{word_no}" '
                        f'title="{_bbox(box)}{_wconf(line)}">{escape(xml_safe(text))}</span>'
                    )
                self.write(" ".join(words) + "</span>\n")
            self.write("</p>\n</div>\n")
        self.write("</div>\n")

    def finish(self):
        self.write("</body>\n</html>\n")
