"""Searchable PDF: each page image (re-encoded as JPEG) under an invisible text layer.

Each line's text is laid over its box: the font size is the box's height (its width for a
vertical line) and the horizontal scaling stretches the characters to fill the box's
length, so selecting or searching in a viewer lands on the words where they stand.
Vertical lines are written with a text matrix turned a quarter clockwise, running down
their column. The page size comes from ``EXPORT_PDF_DPI`` (the scans' resolution); images
are downsampled to ``EXPORT_PDF_IMAGE_DPI`` at most and saved at
``EXPORT_PDF_JPEG_QUALITY``, never upsampled; the stored file goes in as it is when that is
smaller (see ``pdf_images``).
"""

from django.conf import settings
from PIL import Image

from exports.formats import register
from exports.formats.base import Exporter, LineData, PageData
from exports.formats.pdf_images import page_image
from exports.formats.pdfwriter import ImageStream, PdfWriter, pdf_number


class PageImageError(Exception):
    """A page image could not be read: the export says which page."""


@register
class PdfExporter(Exporter):
    name = "pdf"
    label = "Searchable PDF"
    extension = "pdf"
    media_type = "application/pdf"
    needs_images = True

    def start(self):
        self.pdf = PdfWriter(self.out)
        self.dpi = settings.EXPORT_PDF_DPI
        self.image_dpi = min(settings.EXPORT_PDF_IMAGE_DPI, self.dpi)
        self.quality = settings.EXPORT_PDF_JPEG_QUALITY

    def add_page(self, page: PageData):
        scale = 72 / self.dpi  # points per image pixel
        width_pt, height_pt = page.width * scale, page.height * scale
        image = self._image(page)
        ops = []
        if image is not None:
            ops.append(
                b"q %s 0 0 %s 0 0 cm /Im0 Do Q" % (pdf_number(width_pt), pdf_number(height_pt))
            )
        lines = page.published_lines()
        if lines:
            ops.append(b"BT 3 Tr")
            ops.extend(self._line(line, scale, height_pt) for line in lines)
            ops.append(b"ET")
        self.pdf.add_page(width_pt, height_pt, b"\n".join(ops), image)

    def _line(self, line: LineData, scale: float, page_height: float) -> bytes:
        x0, y0, x1, y1 = line.box
        text = line.content
        if line.vertical:
            size, length = (x1 - x0) * scale, (y1 - y0) * scale
            matrix = b"0 -1 1 0 %s %s" % (
                pdf_number(x0 * scale),
                pdf_number(page_height - y0 * scale),
            )
        else:
            size, length = (y1 - y0) * scale, (x1 - x0) * scale
            matrix = b"1 0 0 1 %s %s" % (
                pdf_number(x0 * scale),
                pdf_number(page_height - y1 * scale),
            )
        size = max(size, 0.1)
        stretch = 100 * length / (len(text) * size)
        return b"/F1 %s Tf %s Tz %s Tm %s Tj" % (
            pdf_number(size),
            pdf_number(stretch),
            matrix,
            self.pdf.encode(text),
        )

    def _image(self, page: PageData) -> ImageStream | None:
        if page.open_image is None:
            return None
        try:
            with page.open_image() as handle:
                data = handle.read()
            return page_image(
                data, (page.width, page.height), self.image_dpi / self.dpi, self.quality
            )
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            raise PageImageError(
                f"page {page.sequence} of volume {page.volume_sequence} "
                f"({page.original_name or page.image_name}): image cannot be read: {error}"
            ) from error

    def finish(self):
        self.pdf.close(self.info.book_title)
