"""Render the bundled sample books under samples/books/ (page images + .gt.txt).

Standalone, Pillow only. Output is deterministic: no randomness, no timestamps.
Needs a CJK font: on Debian/Ubuntu `apt-get install fonts-noto-cjk`.

    python bench/render_samples.py [--out samples/books]
"""

import argparse
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CJK_FONTS = [
    # (path, face index of Traditional Chinese in the collection)
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 3),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]
LATIN_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
]
PAPER = 246  # off-white, grayscale
INK = 20

# --- Chinese book: 清河張氏族譜 -------------------------------------------------

VOL1_PAGE1 = [
    "清河張氏族譜序",
    "蓋聞木有本而水有源，人之有祖，亦猶是也。",
    "吾張氏系出清河，自宋南渡，遷居於此。",
    "歷世耕讀傳家，子孫蕃衍，散處四方。",
    "然譜牒久廢，世次莫詳，後人無所考據。",
    "余懼其久而湮沒也，乃訪求舊聞，",
    "參以墓誌碑銘，編次為譜，凡若干卷。",
    "俾後之覽者知所自出，而敦親睦之誼焉。",
]
VOL1_PAGE2 = [
    "家訓",
    "人之初，性本善。性相近，習相遠。",
    "苟不教，性乃遷。教之道，貴以專。",
    "昔孟母，擇鄰處。子不學，斷機杼。",
    "竇燕山，有義方。教五子，名俱揚。",
    "養不教，父之過。教不嚴，師之惰。",
    "子不學，非所宜。幼不學，老何為。",
    "玉不琢，不成器。人不學，不知義。",
]
VOL1_PAGE10 = [
    "千字文",
    "天地玄黃，宇宙洪荒。日月盈昃，辰宿列張。",
    "寒來暑往，秋收冬藏。閏餘成歲，律呂調陽。",
    "雲騰致雨，露結為霜。金生麗水，玉出崑岡。",
    "劍號巨闕，珠稱夜光。果珍李柰，菜重芥薑。",
    "海鹹河淡，鱗潛羽翔。龍師火帝，鳥官人皇。",
    "始制文字，乃服衣裳。推位讓國，有虞陶唐。",
]
# Vertical page, columns listed right to left: (main text, (right note, left note)).
VOL2_PAGE1 = [
    ("清河張氏族譜卷二", None),
    ("世系第一", None),
    ("始祖德明公字光遠宋紹興間自清河遷居於此", None),
    ("配李氏生子二長文達次文通", None),
    ("二世文達公字仲賢性孝友好讀書", ("事見郡志孝友傳", "墓在城南祖塋")),
    ("配王氏生子三長宗禮次宗義三宗信", None),
    ("二世文通公字叔明居東村", None),
]

# --- English book: annual report 1901 ----------------------------------------

REPORT_PAGE1_TITLE = "Annual Report of the Public Library, 1901"
REPORT_PAGE1 = (
    "The Trustees have the honour to present their report for the year "
    "ending the thirty-first of December, 1901. The year has been one of "
    "steady growth. The number of volumes upon the shelves now stands at "
    "forty-two thousand, of which some three thousand were added by "
    "purchase and nearly eight hundred by gift. The circulation of books "
    "for home use reached one hundred and six thousand, an increase of "
    "nine per cent over the year preceding. The reading room was open on "
    "every day save Christmas, and was at times so crowded that readers "
    "were obliged to stand."
)
REPORT_PAGE2_TITLE = "The Children's Room and the Branches"
REPORT_PAGE2_LEFT = (
    "The children's room, opened in March, has proved the most popular "
    "department of the library. Teachers bring their classes on Friday "
    "afternoons."
)
REPORT_PAGE2_RIGHT = (
    "Two delivery stations were opened in the outlying wards during the "
    "summer. Books are sent to them twice a week, and reach many who "
    "never visit the library."
)


def find_font(candidates, size, package):
    """Return the first installed font of `candidates`, or exit naming the Debian package."""
    for entry in candidates:
        path, index = entry if isinstance(entry, tuple) else (entry, 0)
        if Path(path).is_file():
            return ImageFont.truetype(path, size, index=index)
    paths = ", ".join(e[0] if isinstance(e, tuple) else e for e in candidates)
    sys.exit(f"No font found (looked for {paths}). Install it: apt-get install {package}")


def wrap(text, font, width):
    """Greedy word wrap by measured pixel width."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if line and font.getlength(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def new_page(width, height):
    image = Image.new("L", (width, height), PAPER)
    return image, ImageDraw.Draw(image)


def horizontal_page(lines, font, title_font, width=1100, margin=110, leading=1.9):
    """Lines top to bottom; the first line is a centred title."""
    step = int(font.size * leading)
    height = max(int(width * 1.35), 2 * margin + step * (len(lines) + 1))
    image, draw = new_page(width, height)
    y = margin
    for i, line in enumerate(lines):
        if i == 0:
            x = (width - title_font.getlength(line)) / 2
            draw.text((x, y), line, font=title_font, fill=INK)
            y += int(title_font.size * 2.4)
        else:
            draw.text((margin, y), line, font=font, fill=INK)
            y += step
    assert y < height - margin // 2, "text overflows the page"
    return image


def vertical_page(columns, font, note_font, width=1100, height=1500, margin=130):
    """Columns top to bottom, placed right to left; notes as two half-width sub-columns."""
    size, note = font.size, note_font.size
    col_step = int(size * 2.6)
    image, draw = new_page(width, height)
    x = width - margin - size
    for text, notes in columns:
        y = margin
        for ch in text:
            draw.text((x, y), ch, font=font, fill=INK)
            y += int(size * 1.12)
        if notes:
            right, left = notes
            for sub_x, sub in ((x + size - note, right), (x, left)):
                sy = y + size // 6
                for ch in sub:
                    draw.text((sub_x, sy), ch, font=note_font, fill=INK)
                    sy += int(note * 1.15)
                assert sy < height - margin // 2, "note overflows the page"
        assert y < height - margin // 2, "column overflows the page"
        x -= col_step
    assert x > margin // 2 - size, "columns overflow the page"
    return image


def two_column_page(title, left, right, font, title_font, width=1200, margin=110):
    """A centred title over two columns; the left column is read first."""
    gutter = 60
    col_w = (width - 2 * margin - gutter) // 2
    left_lines, right_lines = wrap(left, font, col_w), wrap(right, font, col_w)
    step = int(font.size * 1.7)
    height = int(width * 1.3)
    image, draw = new_page(width, height)
    draw.text(((width - title_font.getlength(title)) / 2, margin), title, font=title_font, fill=INK)
    top = margin + int(title_font.size * 2.6)
    for x, lines in ((margin, left_lines), (margin + col_w + gutter, right_lines)):
        for i, line in enumerate(lines):
            draw.text((x, top + i * step), line, font=font, fill=INK)
    rows = max(len(left_lines), len(right_lines))
    assert top + rows * step < height - margin // 2, "text overflows the page"
    return image, [title, *left_lines, *right_lines]


def save(image, path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".jpg":
        image.save(path, quality=85, optimize=True)
    else:
        image.save(path, optimize=True)
    path.with_suffix(".gt.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{path} ({path.stat().st_size // 1024} KB, {len(lines)} lines)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "samples" / "books"
    )
    out = parser.parse_args().out

    cjk = find_font(CJK_FONTS, 36, "fonts-noto-cjk")
    cjk_title = find_font(CJK_FONTS, 44, "fonts-noto-cjk")
    cjk_vertical = find_font(CJK_FONTS, 40, "fonts-noto-cjk")
    cjk_note = find_font(CJK_FONTS, 20, "fonts-noto-cjk")
    latin = find_font(LATIN_FONTS, 32, "fonts-dejavu-core")
    latin_title = find_font(LATIN_FONTS, 38, "fonts-dejavu-core")

    book = out / "qinghe-zhang-genealogy"
    for name, lines in (
        ("page-1.png", VOL1_PAGE1),
        ("page-2.png", VOL1_PAGE2),
        ("page-10.jpg", VOL1_PAGE10),
    ):
        save(horizontal_page(lines, cjk, cjk_title), book / "vol1" / name, lines)
    gt = [text + "".join(notes or ()) for text, notes in VOL2_PAGE1]
    save(vertical_page(VOL2_PAGE1, cjk_vertical, cjk_note), book / "vol2" / "page-1.png", gt)

    report = out / "annual-report-1901"
    lines = [REPORT_PAGE1_TITLE, *wrap(REPORT_PAGE1, latin, 1100 - 2 * 110)]
    save(horizontal_page(lines, latin, latin_title, leading=1.7), report / "page-1.png", lines)
    image, lines = two_column_page(
        REPORT_PAGE2_TITLE, REPORT_PAGE2_LEFT, REPORT_PAGE2_RIGHT, latin, latin_title
    )
    save(image, report / "page-2.png", lines)


if __name__ == "__main__":
    main()
