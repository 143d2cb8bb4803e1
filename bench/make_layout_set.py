"""Build a layout development set: pages laid out like real books, ground truth in reading order.

For ``manage.py ocr_eval``: each page is NAME.png (or .jpg) with NAME.gt.txt beside it,
the text in the order a reader reads it (running headers first, footers and page numbers
last). Groups, as sub-folders of the output folder:

- ``zh-layout/``, ``en-layout/``: a two-column textbook page (21 px gutter, running header,
  centred footer), a newspaper page (4 or 5 columns, gutters of about one line height, small
  print, a
  masthead and headlines crossing some columns), a magazine page (photo and caption at the
  bottom left, title and body at the top right), a single-column book page with a
  footnote, a report page with a figure and caption in the middle of the text.
- ``vertical-layout/``: vertical Traditional Chinese pages read right to left, in two
  registers, with double-line small notes and a side note.

Pages are degraded like scans (a slight skew, blur, noise, JPEG) from a fixed seed: the
output is the same on every run. Needs the CJK fonts (apt-get install fonts-noto-cjk) and
DejaVu. The output is meant for var/eval-layout/ (git-ignored).

    python bench/make_layout_set.py [--out var/eval-layout] [--variant N]
"""

import argparse
import itertools
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from layout_texts import EN, EN_HEADLINES, ZH_CLASSIC, ZH_HEADLINES, ZH_MODERN, ZH_NOTES
from render_samples import INK, LATIN_FONTS, PAPER, find_font, wrap

ROOT = Path(__file__).resolve().parent.parent
SC_FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
]
TC_FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 3),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3),
]
BOLD_SC_FONTS = [("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2), *SC_FONTS]
BOLD_LATIN_FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", *LATIN_FONTS]


def font(lang: str, size: int, bold: bool = False):
    if lang == "zh":
        return find_font(BOLD_SC_FONTS if bold else SC_FONTS, size, "fonts-noto-cjk")
    return find_font(BOLD_LATIN_FONTS if bold else LATIN_FONTS, size, "fonts-dejavu-core")


class Sheet:
    """A page being laid out: what is drawn is appended to the truth in reading order."""

    variant = 0  # 0: the fixed set; others draw sizes, gutters and scale from their seed

    def __init__(self, width: int, height: int, lang: str, seed: int):
        seed += 1000 * Sheet.variant
        self.image = Image.new("L", (width, height), PAPER)
        self.draw = ImageDraw.Draw(self.image)
        self.width, self.height, self.lang = width, height, lang
        self.truth: list[str] = []
        self.random = random.Random(seed)
        self.texts = itertools.cycle(self._shuffled(ZH_MODERN if lang == "zh" else EN))

    def _shuffled(self, items):
        items = list(items)
        self.random.shuffle(items)
        return items

    def vary(self, value: float, low: float, high: float) -> float:
        """``value`` in the fixed set, else ``value`` times a factor drawn in [low, high]."""
        return value * self.random.uniform(low, high) if Sheet.variant else value

    def line(self, x: float, y: float, text: str, face) -> None:
        self.draw.text((x, y), text, font=face, fill=INK)
        self.truth.append(text)

    def centred(self, x0: float, x1: float, y: float, text: str, face) -> None:
        self.line((x0 + x1 - face.getlength(text)) / 2, y, text, face)

    def wrap(self, text: str, face, width: float) -> list[str]:
        if self.lang == "zh":
            lines, line = [], ""
            for char in text:
                if line and face.getlength(line + char) > width:
                    lines.append(line)
                    line = ""
                line += char
            return [*lines, line] if line else lines
        return wrap(text, face, width)

    def flow(self, frames, face, leading: float = 1.5, paragraphs: int | None = None) -> float:
        """Fill the frames (x0, y0, x1, y1) in order with paragraphs; returns the last y."""
        step = int(face.size * leading)
        queue: list[str] = []
        used = 0
        y = frames[0][1]
        for x0, y0, x1, y1 in frames:
            y = y0
            while y + step <= y1:
                if not queue:
                    if paragraphs is not None and used == paragraphs:
                        return y
                    queue = self.wrap(next(self.texts), face, x1 - x0)
                    used += 1
                self.line(x0, y, queue.pop(0), face)
                y += step
        return y

    def photo(self, box) -> None:
        """A halftone-like picture: no text in it."""
        x0, y0, x1, y1 = (int(v) for v in box)
        rng = np.random.default_rng(self.random.randrange(1 << 30))
        yy, xx = np.mgrid[0 : y1 - y0, 0 : x1 - x0]
        shade = 90 + 60 * np.sin(xx / 37.0) * np.cos(yy / 53.0) + rng.normal(0, 25, xx.shape)
        self.image.paste(Image.fromarray(np.clip(shade, 0, 255).astype(np.uint8)), (x0, y0))

    def rule(self, x0, y, x1, width=2) -> None:
        self.draw.line((x0, y, x1, y), fill=INK, width=width)

    def scanned(self) -> Image.Image:
        """Slight skew, blur and noise, like a flatbed scan."""
        rng = np.random.default_rng(self.random.randrange(1 << 30))
        image = self.image.rotate(self.random.uniform(-0.25, 0.25), fillcolor=PAPER, resample=2)
        image = image.filter(ImageFilter.GaussianBlur(0.6))
        scale = self.vary(1.0, 0.8, 1.2)  # another scanning resolution
        if scale != 1.0:
            size = (round(image.width * scale), round(image.height * scale))
            image = image.resize(size, Image.Resampling.LANCZOS)
        pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 6, (image.height, image.width))
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def textbook(lang: str, seed: int) -> Sheet:
    """Two columns 21 px apart, running header left and right, centred footer."""
    sheet = Sheet(1654, 2339, lang, seed)
    body, small = font(lang, round(sheet.vary(30, 0.8, 1.15))), font(lang, 24)
    margin, gutter = 150, round(sheet.vary(21, 0.7, 2.0))
    header = ("第三章 文献数字化", "63") if lang == "zh" else ("Chapter 3. Digitization", "63")
    sheet.line(margin, 90, header[0], small)
    sheet.line(sheet.width - margin - small.getlength(header[1]), 90, header[1], small)
    title = "3.2 版式分析与阅读顺序" if lang == "zh" else "3.2 Layout and reading order"
    sheet.centred(margin, sheet.width - margin, 170, title, font(lang, 44, bold=True))
    column = (sheet.width - 2 * margin - gutter) / 2
    top, bottom = 270, sheet.height - 260
    sheet.flow(
        [
            (margin, top, margin + column, bottom),
            (margin + column + gutter, top, sheet.width - margin, bottom),
        ],
        body,
        leading=1.55,
    )
    footer = "— 63 —" if lang == "zh" else "— page 63 —"
    sheet.centred(0, sheet.width, sheet.height - 170, footer, small)
    return sheet


def newspaper(lang: str, seed: int, columns: int, size: int | None = None) -> Sheet:
    """Narrow gutters, small print, headlines over some columns, a second article below."""
    sheet = Sheet(2480, 3508, lang, seed)
    body = font(lang, size or round(sheet.vary(22 if lang == "zh" else 21, 0.85, 1.2)))
    # About one line height, as in print.
    margin, gutter = 100, round(sheet.vary(body.size + 2 * (seed % 3), 0.7, 1.4))
    width = (sheet.width - 2 * margin - (columns - 1) * gutter) / columns
    x = [margin + i * (width + gutter) for i in range(columns + 1)]
    masthead = "文 献 周 报" if lang == "zh" else "THE LIBRARY GAZETTE"
    sheet.centred(margin, sheet.width - margin, 90, masthead, font(lang, 110, bold=True))
    dated = "2026年12月3日 星期四 第4821期" if lang == "zh" else "Thursday, December 3, 2026"
    sheet.centred(margin, sheet.width - margin, 240, dated, font(lang, 26))
    sheet.rule(margin, 290, sheet.width - margin, 4)
    headlines = iter(ZH_HEADLINES if lang == "zh" else EN_HEADLINES)
    left = columns - 2  # the first article spans these columns, the last two hold another

    def headline(size, span):  # as large as fits over its columns
        text = next(headlines)
        while font(lang, size, bold=True).getlength(text) > span and size > 24:
            size -= 2
        return text, font(lang, size, bold=True)

    head = headline(52, x[left] - gutter - margin)
    middle, bottom = 1900, sheet.height - 160
    # Article 1 over the left columns, article 3 under it, then article 2 on the right.
    sheet.line(margin, 320, *head)
    sheet.flow([(x[i], 420, x[i] + width, middle) for i in range(left)], body, 1.4)
    sheet.line(margin, middle + 30, *headline(52, x[left] - gutter - margin))
    sheet.flow([(x[i], middle + 130, x[i] + width, bottom) for i in range(left)], body, 1.4)
    sheet.line(x[left], 320, *headline(40, x[left + 2] - gutter - x[left]))
    sheet.flow([(x[i], 400, x[i] + width, bottom) for i in (left, left + 1)], body, 1.4)
    return sheet


def magazine(lang: str, seed: int) -> Sheet:
    """Title and body at the top right; photo with its caption at the bottom left."""
    sheet = Sheet(1654, 2339, lang, seed)
    margin, gutter = 130, round(sheet.vary(40, 0.5, 1.5))
    column = (sheet.width - 2 * margin - gutter) / 2
    right = margin + column + gutter
    title = "走进古籍修复室" if lang == "zh" else "Inside the Bindery"
    sheet.line(right, 160, title, font(lang, 64, bold=True))
    lead = font(lang, 34)
    intro = "修复师们正在抢救一批清代族谱。" if lang == "zh" else "Saving a shelf of old registers."
    sheet.line(right, 270, intro, lead)
    end = sheet.flow([(right, 360, sheet.width - margin, sheet.height - 160)], font(lang, 30), 1.5)
    assert end > 1800
    sheet.photo((margin, 900, margin + column, 1850))
    caption = "图：修复师为族谱更换书衣。" if lang == "zh" else "A conservator re-sews a register."
    sheet.line(margin, 1880, caption, font(lang, 26))
    return sheet


def book_page(lang: str, seed: int) -> Sheet:
    """One column, running header, a footnote in small print under a short rule."""
    sheet = Sheet(1240, 1754, lang, seed)
    margin = 140
    small = font(lang, 20)
    header = "清河张氏族谱研究" if lang == "zh" else "A HISTORY OF THE PUBLIC LIBRARY"
    sheet.centred(margin, sheet.width - margin, 80, header, small)
    body = font(lang, round(sheet.vary(26, 0.85, 1.15)))
    end = sheet.flow([(margin, 160, sheet.width - margin, 1420)], body, sheet.vary(1.6, 0.85, 1.1))
    sheet.rule(margin, end + 20, margin + 300, 1)
    note = "① 见《郡志》卷十二。" if lang == "zh" else "1 See the report of the Trustees for 1899."
    sheet.line(margin, end + 40, note, small)
    sheet.centred(0, sheet.width, sheet.height - 110, "17", small)
    return sheet


def report_page(lang: str, seed: int) -> Sheet:
    """One column with a figure and its caption in the middle of the text."""
    sheet = Sheet(1240, 1754, lang, seed)
    margin = 140
    body = font(lang, 24)
    top = sheet.flow([(margin, 140, sheet.width - margin, 700)], body, 1.5, paragraphs=2)
    sheet.photo((margin + 200, top + 30, sheet.width - margin - 200, top + 530))
    caption = "图2 各馆年度扫描量" if lang == "zh" else "Figure 2. Pages scanned per year"
    sheet.centred(margin, sheet.width - margin, top + 550, caption, font(lang, 22))
    sheet.flow([(margin, top + 630, sheet.width - margin, sheet.height - 140)], body, 1.5)
    return sheet


def vertical_registers(seed: int) -> Sheet:
    """Columns right to left in two registers; small notes; a side note at the far left."""
    sheet = Sheet(1400, 2000, "zh-tw", seed)
    face, note, side = (find_font(TC_FONTS, size, "fonts-noto-cjk") for size in (40, 20, 26))
    margin, step = 140, int(40 * 2.4)
    texts = itertools.cycle(ZH_CLASSIC[seed % len(ZH_CLASSIC) :] + ZH_CLASSIC)
    notes = itertools.cycle(ZH_NOTES)
    registers = [(margin, 930), (1030, sheet.height - margin)]
    sheet.rule(margin + 100, 985, sheet.width - margin, 2)
    for register, (top, bottom) in enumerate(registers):
        x = sheet.width - margin - face.size
        text = next(texts)
        column = 0
        while x > margin + 150:
            per_column = int((bottom - top) / (face.size * 1.12))
            with_note = register == 0 and column == 2
            take = per_column - 4 if with_note else per_column
            chars, text = text[:take], text[take:] or next(texts)
            y = top
            for char in chars:
                sheet.draw.text((x, y), char, font=face, fill=INK)
                y += int(face.size * 1.12)
            sheet.truth.append(chars)
            if with_note:
                pair = next(notes), next(notes)
                for sub_x, sub in ((x + face.size - note.size, pair[0]), (x, pair[1])):
                    sy = y + 6
                    for char in sub[:7]:
                        sheet.draw.text((sub_x, sy), char, font=note, fill=INK)
                        sy += int(note.size * 1.15)
                    sheet.truth.append(sub[:7])
            x -= step
            column += 1
    side_note = "此頁據乾隆舊譜補錄"  # beside both registers: read after them
    y = 800
    for char in side_note:
        sheet.draw.text((margin - 60, y), char, font=side, fill=INK)
        y += int(side.size * 1.2)
    sheet.truth.append(side_note)
    return sheet


def pages():
    for lang in ("zh", "en"):
        group = f"{lang}-layout"
        yield group, "textbook-2col", textbook(lang, 1)
        if Sheet.variant:
            yield group, "newspaper-3col", newspaper(lang, 2, 3)
            yield group, "newspaper-6col", newspaper(lang, 3, 6)
        else:
            yield group, "newspaper-4col", newspaper(lang, 2, 4)
            yield group, "newspaper-5col", newspaper(lang, 3, 5)
        # Newspaper-size print: 13 px type on a 300-dpi page, under 8 px once the detector
        # has shrunk the page to its usual size limit.
        yield group, "newspaper-small-print", newspaper(lang, 9, 6, size=13)
        yield group, "magazine-caption", magazine(lang, 4)
        yield group, "book-footnote", book_page(lang, 5)
        yield group, "report-figure", report_page(lang, 6)
    yield "vertical-layout", "registers-1", vertical_registers(7)
    yield "vertical-layout", "registers-2", vertical_registers(8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "eval-layout")
    parser.add_argument(
        "--variant",
        type=int,
        default=0,
        help="0: the fixed set; N: font sizes, gutters, column counts and scan resolution "
        "drawn from seed N (a held-out set for checking that nothing is tuned to set 0)",
    )
    args = parser.parse_args()
    Sheet.variant = args.variant
    for group, name, sheet in pages():
        path = args.out / group / f"{name}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        sheet.scanned().save(path, quality=80)
        path.with_suffix(".gt.txt").write_text("\n".join(sheet.truth) + "\n", encoding="utf-8")
        print(f"{path} ({path.stat().st_size // 1024} KB, {len(sheet.truth)} lines)")


if __name__ == "__main__":
    main()
