"""ALTO XML v4 (validated against the official alto-4-4.xsd in the tests).

Layout: Page > TopMargin / BottomMargin / PrintSpace > TextBlock > TextLine > String/SP,
pixel units. Blocks are the page's layout regions: running headers stand in TopMargin,
footers and page numbers in BottomMargin, the rest in PrintSpace, each block tagged with
its kind (a LayoutTag: title, caption, header...). Reading order is kept three ways:
blocks and lines stand in reading order, each block names the next one with IDNEXT (across
the margins too), and nothing is re-sorted by position. Vertical lines (and blocks of them) say
BASEDIRECTION="ttb": their text runs top to bottom; HPOS/VPOS/WIDTH/HEIGHT stay the
boxes. A corrected line carries CS="true" (correction status) and WC 1 on its strings.
"""

import itertools
from xml.sax.saxutils import quoteattr

from exports.formats import register
from exports.formats.base import (
    Exporter,
    PageData,
    page_blocks,
    split_words,
    union,
    xml_safe,
)

NAMESPACE = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA_LOCATION = "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"


KINDS = ("text", "title", "caption", "header", "footer", "page_number", "table", "equation")
TOP = {"header"}
BOTTOM = {"footer", "page_number"}


def _geometry(box) -> str:
    x0, y0, x1, y1 = box
    return f'HPOS="{x0}" VPOS="{y0}" WIDTH="{x1 - x0}" HEIGHT="{y1 - y0}"'


@register
class AltoExporter(Exporter):
    name = "alto"
    label = "ALTO XML v4"
    extension = "xml"
    media_type = "application/xml"

    def start(self):
        self.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<alto xmlns="{NAMESPACE}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{NAMESPACE} {SCHEMA_LOCATION}" SCHEMAVERSION="4.4">\n'
            "<Description>\n"
            "<MeasurementUnit>pixel</MeasurementUnit>\n"
        )
        if name := self.info.options.get("image_name"):
            self.write(
                "<sourceImageInformation>"
                f"<fileName>{_text(xml_safe(name))}</fileName>"
                "</sourceImageInformation>\n"
            )
        self.write(
            '<Processing ID="ocr">'
            "<processingCategory>contentGeneration</processingCategory>"
            "<processingSoftware><softwareName>PaddleOCR</softwareName></processingSoftware>"
            "</Processing>\n"
            "</Description>\n"
            "<Tags>\n"
            + "".join(f'<LayoutTag ID="kind_{kind}" LABEL="{kind}"/>\n' for kind in KINDS)
            + "</Tags>\n"
            "<Layout>\n"
        )

    def add_page(self, page: PageData):
        n = page.number
        blocks = [
            (f"p{n}_b{b}", kind, lines)
            for b, (kind, lines) in enumerate(page_blocks(page.published_lines()), start=1)
        ]
        following = {block[0]: after[0] for block, after in itertools.pairwise(blocks)}
        self.write(
            f'<Page ID="p{n}" PHYSICAL_IMG_NR="{n}" WIDTH="{page.width}" '
            f'HEIGHT="{page.height}" PROCESSING="ocr">\n'
        )
        self.line_no = 0
        top = [block for block in blocks if block[1] in TOP]
        bottom = [block for block in blocks if block[1] in BOTTOM]
        body = [block for block in blocks if block[1] not in TOP | BOTTOM]
        for name, part in (("TopMargin", top), ("BottomMargin", bottom)):
            if part:
                area = union(line.box for _, _, lines in part for line in lines)
                self.write(f'<{name} ID="p{n}_{name.lower()}" {_geometry(area)}>\n')
                self._blocks(part, following)
                self.write(f"</{name}>\n")
        area = union(line.box for _, _, lines in body for line in lines)
        space = (
            _geometry(area)
            if area
            else f'HPOS="0" VPOS="0" WIDTH="{page.width}" HEIGHT="{page.height}"'
        )
        self.write(f"<PrintSpace {space}>\n")
        self._blocks(body, following)
        self.write("</PrintSpace>\n</Page>\n")

    def _blocks(self, blocks, following):
        for block_id, kind, lines in blocks:
            attrs = [f'ID="{block_id}"', _geometry(union(line.box for line in lines))]
            if block_id in following:
                attrs.append(f'IDNEXT="{following[block_id]}"')
            if kind in KINDS:
                attrs.append(f'TAGREFS="kind_{kind}"')
            if lines[0].vertical:
                attrs.append('BASEDIRECTION="ttb"')
            self.write(f"<TextBlock {' '.join(attrs)}>\n")
            page_id = block_id.split("_")[0]
            for line in lines:
                self.line_no += 1
                self._line(line, f"{page_id}_l{self.line_no}")
            self.write("</TextBlock>\n")

    def _line(self, line, line_id):
        attrs = [f'ID="{line_id}"', _geometry(line.box)]
        if line.vertical:
            attrs.append('BASEDIRECTION="ttb"')
        if line.corrected and line.content == line.text:
            attrs.append('CS="true"')
        self.write(f"<TextLine {' '.join(attrs)}>\n")
        if len(line.polygon) >= 3:
            points = " ".join(f"{x},{y}" for x, y in line.polygon)
            self.write(f'<Shape><Polygon POINTS="{points}"/></Shape>\n')
        confidence = line.content_confidence
        wc = "" if confidence is None else f' WC="{confidence:.4f}"'
        words = split_words(line)
        for w, (text, box) in enumerate(words, start=1):
            if w > 1:
                self.write("<SP/>\n")
            content = quoteattr(xml_safe(text))
            self.write(f'<String ID="{line_id}_s{w}" {_geometry(box)} CONTENT={content}{wc}/>\n')
        self.write("</TextLine>\n")

    def finish(self):
        self.write("</Layout>\n</alto>\n")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
