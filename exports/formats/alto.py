"""ALTO XML v4 (validated against the official alto-4-4.xsd in the tests).

Layout: Page > PrintSpace > TextBlock > TextLine > String/SP, pixel units. Reading order
is kept three ways: blocks and lines stand in reading order, each block names the next one
with IDNEXT, and nothing is re-sorted by position. Vertical lines (and blocks of them) say
BASEDIRECTION="ttb": their text runs top to bottom; HPOS/VPOS/WIDTH/HEIGHT stay the
boxes. A corrected line carries CS="true" (correction status) and WC 1 on its strings.
"""

from xml.sax.saxutils import quoteattr

from exports.formats import register
from exports.formats.base import (
    Exporter,
    PageData,
    group_blocks,
    split_words,
    union,
    xml_safe,
)

NAMESPACE = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA_LOCATION = "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"


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
            "<Layout>\n"
        )

    def add_page(self, page: PageData):
        n = page.number
        blocks = group_blocks(page.published_lines())
        self.write(
            f'<Page ID="p{n}" PHYSICAL_IMG_NR="{n}" WIDTH="{page.width}" '
            f'HEIGHT="{page.height}" PROCESSING="ocr">\n'
        )
        area = union(line.box for block in blocks for line in block)
        space = (
            _geometry(area)
            if area
            else f'HPOS="0" VPOS="0" WIDTH="{page.width}" HEIGHT="{page.height}"'
        )
        self.write(f"<PrintSpace {space}>\n")
        line_no = 0
        for b, block in enumerate(blocks, start=1):
            attrs = [f'ID="p{n}_b{b}"', _geometry(union(line.box for line in block))]
            if b < len(blocks):
                attrs.append(f'IDNEXT="p{n}_b{b + 1}"')
            if block[0].vertical:
                attrs.append('BASEDIRECTION="ttb"')
            self.write(f"<TextBlock {' '.join(attrs)}>\n")
            for line in block:
                line_no += 1
                self._line(line, f"p{n}_l{line_no}")
            self.write("</TextBlock>\n")
        self.write("</PrintSpace>\n</Page>\n")

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
