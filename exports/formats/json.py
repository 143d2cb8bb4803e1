"""JSON: book > volumes > pages > lines with polygons, confidences and both texts.

Written as it goes: one page object per line of the file, volumes opened and closed as
the pages move from one volume to the next. Each line names its layout region's kind;
running headers, footers and page numbers are left out unless the export keeps them.
"""

import json

from exports.formats import register
from exports.formats.base import Exporter, PageData

SCHEMA = "digitization-export/1"


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


@register
class JsonExporter(Exporter):
    name = "json"
    label = "JSON (pages, lines, polygons, both texts)"
    extension = "json"
    media_type = "application/json"

    def start(self):
        info = self.info
        book = {
            "slug": info.book_slug,
            "title": info.book_title,
            "author": info.author,
            "language": info.language,
        }
        self.write(
            "{"
            f'"schema": {_dumps(SCHEMA)}, "book": {_dumps(book)}, '
            f'"scope": {_dumps(info.scope_label)}, "text_source": {_dumps(info.text_source)}, '
            '"volumes": ['
        )
        self.volume = None
        self.first_page = True

    def add_page(self, page: PageData):
        if page.volume_sequence != self.volume:
            if self.volume is not None:
                self.write("\n]},")
            volume = {"sequence": page.volume_sequence, "label": page.volume_label}
            self.write("\n" + _dumps(volume)[:-1] + ', "pages": [')
            self.volume = page.volume_sequence
            self.first_page = True
        record = {
            "number": page.number,
            "sequence": page.sequence,
            "image": page.original_name,
            "width": page.width,
            "height": page.height,
            "lines": [
                {
                    "order": line.order,
                    "text": line.text,
                    "engine_text": line.engine_text,
                    "corrected": line.corrected,
                    "confidence": line.confidence,
                    "vertical": line.vertical,
                    "region": line.kind,
                    "box": list(line.box),
                    "polygon": line.polygon,
                }
                for line in self.running(page.lines)
            ],
        }
        self.write(("\n" if self.first_page else ",\n") + _dumps(record))
        self.first_page = False

    def finish(self):
        self.write("\n]}" if self.volume is not None else "")
        self.write("\n]}\n")
