"""A tiny TrueType font whose one glyph is a 1 em square, for invisible PDF text layers.

An OCR text layer is never drawn (render mode 3), but viewers still measure its glyphs to
select and extract text; a font without glyphs gives empty boxes, and PDFium then drops
vertical text altogether. Every character is mapped to this square, so each one fills
exactly its cell. Built from the table layouts of the OpenType spec at import time.
"""

import struct

UNITS = 1000


def _square_glyph() -> bytes:
    header = struct.pack(">hhhhh", 1, 0, 0, UNITS, UNITS)  # one contour, its bbox
    points = [(0, 0), (0, UNITS), (UNITS, UNITS), (UNITS, 0)]
    body = struct.pack(">HH", len(points) - 1, 0)  # end point of the contour; no hinting
    body += bytes([0x01] * len(points))  # all points on the curve, 16-bit deltas
    deltas_x = [x - px for (x, _), (px, _) in zip(points, [(0, 0), *points], strict=False)]
    deltas_y = [y - py for (_, y), (_, py) in zip(points, [(0, 0), *points], strict=False)]
    body += struct.pack(f">{len(points)}h", *deltas_x)
    body += struct.pack(f">{len(points)}h", *deltas_y)
    glyph = header + body
    return glyph + b"\0" * (len(glyph) % 2)


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def build_font() -> bytes:
    glyph = _square_glyph()
    tables = {
        "cmap": struct.pack(">HHHHI", 0, 1, 3, 1, 12)
        + struct.pack(">HHHHHHHHHHhH", 4, 24, 0, 2, 2, 0, 0, 0xFFFF, 0, 0xFFFF, 1, 0),
        "glyf": glyph,
        "head": struct.pack(
            ">IIIIHHqqhhhhHHhhh",
            0x00010000,
            0x00010000,
            0,  # checkSumAdjustment, filled in below
            0x5F0F3CF5,
            0x000B,
            UNITS,
            0,
            0,
            0,
            0,
            UNITS,
            UNITS,
            0,
            8,
            2,
            0,  # short loca offsets
            0,
        ),
        "hhea": struct.pack(
            ">IhhhHhhhhhhhhhhhH",
            0x00010000,
            UNITS,
            0,
            0,
            UNITS,
            0,
            0,
            UNITS,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            2,
        ),
        "hmtx": struct.pack(">HhHh", UNITS, 0, UNITS, 0),
        "loca": struct.pack(">HHH", 0, 0, len(glyph) // 2),
        "maxp": struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, 2, 4, 1, 0, 0, 2, *[0] * 8),
        "name": struct.pack(">HHH", 0, 0, 6),
        "post": struct.pack(">IihhIIIII", 0x00030000, 0, -100, 50, 1, 0, 0, 0, 0),
    }
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(
        ">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16
    )
    offset = len(header) + 16 * count
    records, body = b"", b""
    for tag in sorted(tables):
        data = tables[tag]
        records += struct.pack(
            ">4sIII", tag.encode(), _checksum(data), offset + len(body), len(data)
        )
        body += data + b"\0" * (-len(data) % 4)
    font = header + records + body
    adjustment = (0xB1B0AFBA - _checksum(font)) & 0xFFFFFFFF
    head_at = font.index(b"\x5f\x0f\x3c\xf5") - 4
    return font[:head_at] + struct.pack(">I", adjustment) + font[head_at + 4 :]


FONT_BYTES = build_font()
