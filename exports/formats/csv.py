"""CSV: one row per line, both texts, confidence, layout region kind and box (RFC 4180,
UTF-8); running headers, footers and page numbers only when the export keeps them.

Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) get a leading apostrophe, as OWASP's CSV-injection guidance asks: Excel,
LibreOffice and Google Sheets then show the text instead of evaluating it."""

import csv
import io

from exports.formats import register
from exports.formats.base import Exporter, PageData

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "book",
    "volume",
    "page",
    "line",
    "text",
    "engine_text",
    "corrected",
    "confidence",
    "vertical",
    "x0",
    "y0",
    "x1",
    "y1",
    "region",
]


@register
class CsvExporter(Exporter):
    name = "csv"
    label = "CSV (one row per line)"
    extension = "csv"
    media_type = "text/csv; charset=utf-8"

    def start(self):
        self._row(HEADER)

    def add_page(self, page: PageData):
        for line in self.running(page.lines):
            self._row(
                [
                    inert(self.info.book_slug),
                    page.volume_sequence,
                    page.sequence,
                    line.order,
                    inert(line.text),
                    inert(line.engine_text),
                    int(line.corrected),
                    "" if line.confidence is None else f"{line.confidence:.4f}",
                    int(line.vertical),
                    *line.box,
                    inert(line.kind),
                ]
            )

    def _row(self, values):
        buffer = io.StringIO()
        csv.writer(buffer).writerow(values)
        self.write(buffer.getvalue())


def inert(text: str) -> str:
    """The text as a cell no spreadsheet evaluates."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
