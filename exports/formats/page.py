"""PAGE XML (2019-07-15), the format eScriptorium, Transkribus and OCR-D exchange: one
document per page, so the export is always a ZIP with a file per page.

Each page holds its layout regions as ``TextRegion`` elements (type paragraph, heading,
caption, header, footer or page-number), in reading order and named in that order by the
page's ``ReadingOrder``; lines as ``TextLine`` with their polygons and text. Regions with
no text (figures, tables without lines) are ``ImageRegion`` and ``TableRegion``; lines in
no region form regions of their column, as in hOCR and ALTO. Validated against the
official schema in the tests.
"""

from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from exports.formats import register
from exports.formats.base import Exporter, PageData, page_blocks, union, xml_safe

NAMESPACE = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
TEXT_TYPES = {
    "text": "paragraph",
    "title": "heading",
    "caption": "caption",
    "header": "header",
    "footer": "footer",
    "page_number": "page-number",
}
EMPTY_TYPES = {"figure": "ImageRegion", "table": "TableRegion"}


def _points(points) -> str:
    return " ".join(f"{max(0, round(x))},{max(0, round(y))}" for x, y in points)


def _box_points(box) -> str:
    x0, y0, x1, y1 = box
    return _points([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


@register
class PageXmlExporter(Exporter):
    name = "page"
    label = "PAGE XML (a ZIP, one file per page)"
    extension = "xml"
    media_type = "application/xml"
    one_file_per_page = True

    def start(self):
        self.created = datetime.now(UTC).replace(microsecond=0).isoformat()
        self.pages = 0

    def add_page(self, page: PageData):
        if self.pages:  # one document per page: only a per-page build writes more than one
            raise ValueError("PAGE XML holds one page per file: build it with per_page")
        self.pages += 1
        blocks = page_blocks(page.published_lines())
        ids = [f"r{number}" for number in range(1, len(blocks) + 1)]
        self.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<PcGts xmlns="{NAMESPACE}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{NAMESPACE} {NAMESPACE}/pagecontent.xsd">\n'
            "<Metadata><Creator>digitization-platform (PaddleOCR)</Creator>"
            f"<Created>{self.created}</Created><LastChange>{self.created}</LastChange>"
            "</Metadata>\n"
            f"<Page imageFilename={quoteattr(xml_safe(page.original_name or page.image_name))} "
            f'imageWidth="{page.width}" imageHeight="{page.height}">\n'
        )
        if ids:
            self.write('<ReadingOrder><OrderedGroup id="ro" caption="reading order">\n')
            for index, region_id in enumerate(ids):
                self.write(f'<RegionRefIndexed index="{index}" regionRef="{region_id}"/>\n')
            self.write("</OrderedGroup></ReadingOrder>\n")
        for region_id, (kind, lines) in zip(ids, blocks, strict=True):
            self._region(region_id, kind, lines)
        with_text = {line.region for line in page.lines if line.region is not None}
        for region in page.regions:
            if region.order not in with_text and region.kind in EMPTY_TYPES:
                element = EMPTY_TYPES[region.kind]
                self.write(
                    f'<{element} id="e{region.order}">'
                    f'<Coords points="{_box_points(region.box)}"/></{element}>\n'
                )
        self.write("</Page>\n</PcGts>\n")

    def _region(self, region_id: str, kind: str, lines) -> None:
        attrs = f'id="{region_id}" type="{TEXT_TYPES.get(kind, "other")}"'
        if lines[0].vertical:
            attrs += ' readingDirection="top-to-bottom" textLineOrder="right-to-left"'
        self.write(f"<TextRegion {attrs}>\n")
        self.write(f'<Coords points="{_box_points(union(line.box for line in lines))}"/>\n')
        for number, line in enumerate(lines, start=1):
            polygon = line.polygon if len(line.polygon) >= 3 else None
            points = _points(polygon) if polygon else _box_points(line.box)
            confidence = line.content_confidence
            conf = "" if confidence is None else f' conf="{min(1.0, max(0.0, confidence)):.4f}"'
            self.write(
                f'<TextLine id="{region_id}_l{number}"><Coords points="{points}"/>'
                f"<TextEquiv{conf}><Unicode>{escape(xml_safe(line.content))}</Unicode>"
                "</TextEquiv></TextLine>\n"
            )
        text = "\n".join(xml_safe(line.content) for line in lines)
        self.write(f"<TextEquiv><Unicode>{escape(text)}</Unicode></TextEquiv>\n</TextRegion>\n")
