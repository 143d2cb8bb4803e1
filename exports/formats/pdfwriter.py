"""A minimal PDF writer that streams: each page (its JPEG and content) is written and
forgotten; only object offsets are kept, so memory does not grow with the page count.

Text is drawn in one Type0 font with Identity-H encoding: the code of each character is
its Unicode code point (characters beyond the BMP get spare codes from the surrogate
range), and a ToUnicode CMap maps codes back, so any script, Chinese included, extracts
and searches as the right Unicode text. The font has no glyphs to draw: the text layer is
invisible (render mode 3), as OCR text layers are, and every glyph is 1 em wide and 1 em
tall so a line's characters exactly fill its box.
"""

import zlib
from dataclasses import dataclass
from typing import BinaryIO

from exports.formats.glyphless import FONT_BYTES

FONT = "GlyphLessFont"


@dataclass(frozen=True)
class ImageStream:
    """An image as PDF holds it: JPEG data (DCTDecode) or PNG image data (FlateDecode with
    PNG predictors), ``bits`` per component, gray or RGB."""

    data: bytes
    width: int
    height: int
    gray: bool
    bits: int = 8
    png: bool = False

    def dictionary(self) -> bytes:
        space = b"/DeviceGray" if self.gray else b"/DeviceRGB"
        if self.png:
            colors = 1 if self.gray else 3
            coding = (
                b"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors %d "
                b"/BitsPerComponent %d /Columns %d >>" % (colors, self.bits, self.width)
            )
        else:
            coding = b"/Filter /DCTDecode"
        return (
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
            b"/BitsPerComponent %d %s /Length %d >>"
            % (
                self.width,
                self.height,
                space,
                self.bits,
                coding,
                len(self.data),
            )
        )


_SPARE_CODES = range(0xD800, 0xE000)  # surrogates: never a character of their own


class PdfWriter:
    def __init__(self, out: BinaryIO):
        self.out = out
        self.offsets: dict[int, int] = {}
        self.next_id = 1
        self.page_ids: list[int] = []
        self.extra_codes: dict[str, int] = {}  # non-BMP character -> spare code
        self.catalog_id = self._reserve()
        self.pages_id = self._reserve()
        self.font_id = self._reserve()
        self._raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    # --- low level ---------------------------------------------------------------------
    def _reserve(self) -> int:
        obj_id = self.next_id
        self.next_id += 1
        return obj_id

    def _raw(self, data: bytes) -> None:
        self.out.write(data)
        self.position = getattr(self, "position", 0) + len(data)

    def _object(self, obj_id: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[obj_id] = self.position
        self._raw(b"%d 0 obj\n" % obj_id + body)
        if stream is not None:
            self._raw(b"\nstream\n" + stream + b"\nendstream")
        self._raw(b"\nendobj\n")

    # --- text encoding -----------------------------------------------------------------
    def encode(self, text: str) -> bytes:
        """Hex string of 2-byte codes for ``text`` in the document font."""
        codes = []
        for char in text:
            point = ord(char)
            if point > 0xFFFF or 0xD800 <= point < 0xE000:
                if char not in self.extra_codes:
                    if len(self.extra_codes) >= len(_SPARE_CODES):
                        point = 0xFFFD  # out of spare codes: a replacement character
                    else:
                        self.extra_codes[char] = _SPARE_CODES[len(self.extra_codes)]
                point = self.extra_codes.get(char, point)
            codes.append(b"%04X" % point)
        return b"<" + b"".join(codes) + b">"

    # --- pages ---------------------------------------------------------------------------
    def add_page(
        self,
        width_pt: float,
        height_pt: float,
        content: bytes,
        image: "ImageStream | None" = None,
    ) -> None:
        """One page: an optional image drawn as ``/Im0`` (the content draws it) and the
        content stream."""
        resources = b"/Font << /F1 %d 0 R >>" % self.font_id
        if image is not None:
            image_id = self._reserve()
            self._object(image_id, image.dictionary(), image.data)
            resources += b" /XObject << /Im0 %d 0 R >>" % image_id
        content_id = self._reserve()
        self._object(content_id, b"<< /Length %d >>" % len(content), content)
        page_id = self._reserve()
        self._object(
            page_id,
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << %s >> "
            b"/Contents %d 0 R >>"
            % (self.pages_id, pdf_number(width_pt), pdf_number(height_pt), resources, content_id),
        )
        self.page_ids.append(page_id)

    # --- end -----------------------------------------------------------------------------
    def close(self, title: str = "") -> None:
        self._write_font()
        kids = b" ".join(b"%d 0 R" % page for page in self.page_ids)
        self._object(
            self.pages_id,
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.page_ids)),
        )
        self._object(self.catalog_id, b"<< /Type /Catalog /Pages %d 0 R >>" % self.pages_id)
        info_id = self._reserve()
        self._object(
            info_id,
            b"<< /Title %s /Producer (digitization-platform) >>" % _text_string(title),
        )
        xref_at = self.position
        lines = [b"xref\n0 %d\n" % self.next_id, b"0000000000 65535 f \n"]
        for obj_id in range(1, self.next_id):
            lines.append(b"%010d 00000 n \n" % self.offsets[obj_id])
        self._raw(b"".join(lines))
        self._raw(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (self.next_id, self.catalog_id, info_id, xref_at)
        )

    def _write_font(self) -> None:
        cid_font, descriptor, to_unicode = self._reserve(), self._reserve(), self._reserve()
        font_file, gid_map = self._reserve(), self._reserve()
        self._object(
            self.font_id,
            b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
            b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>"
            % (FONT.encode(), cid_font, to_unicode),
        )
        self._object(
            cid_font,
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            b"/FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap %d 0 R >>"
            % (FONT.encode(), descriptor, gid_map),
        )
        self._object(
            descriptor,
            b"<< /Type /FontDescriptor /FontName /%s /Flags 5 /FontBBox [0 0 1000 1000] "
            b"/ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 "
            b"/FontFile2 %d 0 R >>" % (FONT.encode(), font_file),
        )
        self._object(
            font_file,
            b"<< /Length %d /Length1 %d >>" % (len(FONT_BYTES), len(FONT_BYTES)),
            FONT_BYTES,
        )
        every_code_to_glyph_1 = zlib.compress(b"\x00\x01" * 0x10000, 9)
        self._object(
            gid_map,
            b"<< /Length %d /Filter /FlateDecode >>" % len(every_code_to_glyph_1),
            every_code_to_glyph_1,
        )
        cmap = _to_unicode_cmap(self.extra_codes)
        self._object(to_unicode, b"<< /Length %d >>" % len(cmap), cmap)


def _to_unicode_cmap(extra_codes: dict[str, int]) -> bytes:
    ranges = [
        b"<%02X00> <%02XFF> <%02X00>" % (high, high, high)
        for high in range(0x100)
        if not 0xD8 <= high <= 0xDF
    ]
    parts = [
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    ]
    for start in range(0, len(ranges), 100):
        chunk = ranges[start : start + 100]
        parts.append(b"%d beginbfrange\n" % len(chunk) + b"\n".join(chunk) + b"\nendbfrange\n")
    pairs = sorted((code, char) for char, code in extra_codes.items())
    for start in range(0, len(pairs), 100):
        chunk = pairs[start : start + 100]
        body = b"\n".join(
            b"<%04X> <%s>" % (code, char.encode("utf-16-be").hex().upper().encode())
            for code, char in chunk
        )
        parts.append(b"%d beginbfchar\n" % len(chunk) + body + b"\nendbfchar\n")
    parts.append(b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
    return b"".join(parts)


def pdf_number(value: float) -> bytes:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return (text or "0").encode()


def _text_string(value: str) -> bytes:
    """A PDF text string (UTF-16BE with BOM, hex) for the document info."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"
