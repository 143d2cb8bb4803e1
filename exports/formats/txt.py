"""Plain text: each page's lines in reading order, pages separated by a form feed; running
headers, footers and page numbers only when the export keeps them."""

from exports.formats import register
from exports.formats.base import Exporter, PageData


@register
class TextExporter(Exporter):
    name = "txt"
    label = "Plain text (TXT)"
    extension = "txt"
    media_type = "text/plain; charset=utf-8"

    def start(self):
        self.pages = 0

    def add_page(self, page: PageData):
        if self.pages:
            self.write("\f")  # form feed: the page break of plain text (as pdftotext writes)
        self.pages += 1
        for line in self.running(page.published_lines()):
            self.write(line.content + "\n")
