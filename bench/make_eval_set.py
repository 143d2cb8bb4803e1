"""Build an OCR development set (page images + NAME.gt.txt) for ``manage.py ocr_eval``.

Groups (sub-folders of the output folder):

- ``zh-cn/``, ``zh-tw/``, ``en/``: real typeset pages rendered at 300 dpi from the PDFs that
  the Debian packages debian-reference-{zh-cn,zh-tw,en} and maint-guide{-zh-cn,-zh-tw,} ship;
  the ground truth is the page's own text layer (running header included: it is printed).
- ``zh-cn-scan/``: some zh-cn pages degraded to look scanned (rotation, uneven light, blur,
  noise, JPEG); deterministic.
- ``vertical/``: vertical Traditional Chinese pages rendered with bench/render_samples.py's
  ``vertical_page`` (columns right to left, some with double-line small notes); ground truth
  in reading order. Needs a CJK font (apt-get install fonts-noto-cjk).
- ``vertical-as-horizontal/``: the same characters in the same font set as horizontal lines,
  which tells an engine's reading of vertical columns apart from its knowledge of the
  characters (PP-OCRv4's dictionary lacks ~9% of them).

The packages are fetched with ``apt-get download`` and unpacked with ``dpkg -x`` into a
temporary folder (run ``apt-get update`` first on a fresh machine). The output is meant for
var/eval/ (git-ignored): never commit the images.

    python bench/make_eval_set.py [--out var/eval] [--pages 8] [--debs DIR]
"""

import argparse
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render_samples import CJK_FONTS, INK, find_font, new_page, vertical_page

ROOT = Path(__file__).resolve().parent.parent
DPI = 300

# group -> [(Debian package, PDF file name, share of the group's pages)]
SOURCES = {
    "zh-cn": [
        ("debian-reference-zh-cn", "debian-reference.zh-cn.pdf", 0.5),
        ("maint-guide-zh-cn", "maint-guide.zh-cn.pdf", 0.5),
    ],
    "zh-tw": [
        ("debian-reference-zh-tw", "debian-reference.zh-tw.pdf", 0.5),
        ("maint-guide-zh-tw", "maint-guide.zh-tw.pdf", 0.5),
    ],
    "en": [
        ("debian-reference-en", "debian-reference.en.pdf", 0.5),
        ("maint-guide", "maint-guide.en.pdf", 0.5),
    ],
}
# Body pages carry a running header "TITLE N / M" (front matter is numbered i, ii, ...).
BODY_HEADER = re.compile(r" \d+ / \d+$")


def fetch_pdf(package: str, filename: str, debs: Path) -> Path:
    """The PDF ``filename`` from Debian package ``package``, downloaded and unpacked once."""
    root = debs / package
    if not root.is_dir():
        debs.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", package], cwd=debs, check=True)
        deb = sorted(debs.glob(f"{package}_*.deb"))[-1]
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    found = sorted(root.rglob(filename))
    if not found:
        sys.exit(f"{package} has no {filename}")
    return found[0]


def page_text(page) -> str:
    """The text layer, lines as printed, clipped to the page: long code lines run off it.

    U+FFFE (or U+0002 from the bounded call) marks a word hyphenated at a line end; the
    hyphen is printed.
    """
    width, height = page.get_size()
    text = page.get_textpage().get_text_bounded(0, 0, width, height)
    text = text.replace("\ufffe", "-").replace("\x02", "-")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def is_body_page(text: str, cjk: bool) -> bool:
    """A numbered body page, mostly prose: no table of contents, code listing or near-blank."""
    lines = text.split("\n")
    if not BODY_HEADER.search(lines[0]) or ". . ." in text:
        return False
    body = "".join("".join(lines[1:]).split())
    if len(body) < 700:
        return False
    if cjk:
        return sum(map(is_cjk, body)) / len(body) >= 0.5
    return sum(c.isalpha() for c in body) / len(body) >= 0.85


def pick_pages(pdf_path: Path, count: int, cjk: bool) -> list[tuple[int, str]]:
    """``count`` body pages spread evenly over the document: (0-based index, text)."""
    pdf = pdfium.PdfDocument(pdf_path)
    candidates = []
    for index in range(len(pdf)):
        text = page_text(pdf[index])
        if is_body_page(text, cjk):
            candidates.append((index, text))
    if len(candidates) < count:
        sys.exit(f"{pdf_path.name}: only {len(candidates)} body pages")
    step = len(candidates) / count
    return [candidates[int(step * (i + 0.5))] for i in range(count)]


def render_page(pdf_path: Path, index: int) -> Image.Image:
    pdf = pdfium.PdfDocument(pdf_path)
    bitmap = pdf[index].render(scale=DPI / 72, grayscale=True)
    return bitmap.to_pil().convert("L")


def save(image: Image.Image, path: Path, truth: str, **save_args) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **save_args)
    path.with_suffix(".gt.txt").write_text(truth.rstrip("\n") + "\n", encoding="utf-8")
    print(f"{path} ({path.stat().st_size // 1024} KB, {len(''.join(truth.split()))} chars)")


# --- scanned look -----------------------------------------------------------------------


def degrade(image: Image.Image, seed: int) -> Image.Image:
    """Slight skew, uneven lighting, blur, sensor noise; the caller saves it as JPEG."""
    rng = np.random.default_rng(seed)
    angle = float(rng.uniform(-1.0, 1.0))
    image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(radius=float(rng.uniform(0.8, 1.4))))
    page = np.asarray(image, dtype=np.float32)
    height, width = page.shape
    # Paper tone darkening towards one corner (a page lifted off the glass), ink a bit grey.
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = rng.uniform(0, width), rng.uniform(0, height)
    distance = np.hypot(xs - cx, ys - cy) / np.hypot(width, height)
    light = 1.0 - float(rng.uniform(0.2, 0.35)) * distance
    page = (25 + page * (225 / 255)) * light
    page += rng.normal(0, 7, page.shape)
    return Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))


# --- vertical pages ---------------------------------------------------------------------

# Classical texts (without punctuation, as in old woodblock books), cut into columns below.
VERTICAL_TEXT = (
    "天地玄黃宇宙洪荒日月盈昃辰宿列張寒來暑往秋收冬藏閏餘成歲律呂調陽雲騰致雨露結為霜"
    "金生麗水玉出崑岡劍號巨闕珠稱夜光果珍李柰菜重芥薑海鹹河淡鱗潛羽翔龍師火帝鳥官人皇"
    "始制文字乃服衣裳推位讓國有虞陶唐弔民伐罪周發殷湯坐朝問道垂拱平章愛育黎首臣伏戎羌"
    "晉太元中武陵人捕魚為業緣溪行忘路之遠近忽逢桃花林夾岸數百步中無雜樹芳草鮮美落英繽紛"
    "漁人甚異之復前行欲窮其林林盡水源便得一山山有小口髣髴若有光便捨船從口入初極狹纔通人"
    "復行數十步豁然開朗土地平曠屋舍儼然有良田美池桑竹之屬阡陌交通雞犬相聞其中往來種作"
    "男女衣著悉如外人黃髮垂髫並怡然自樂見漁人乃大驚問所從來具答之便要還家設酒殺雞作食"
    "慶曆四年春滕子京謫守巴陵郡越明年政通人和百廢具興乃重修岳陽樓增其舊制刻唐賢今人詩賦"
    "於其上屬予作文以記之予觀夫巴陵勝狀在洞庭一湖銜遠山吞長江浩浩湯湯橫無際涯朝暉夕陰"
    "氣象萬千此則岳陽樓之大觀也前人之述備矣然則北通巫峽南極瀟湘遷客騷人多會於此覽物之情"
    "得無異乎學而時習之不亦說乎有朋自遠方來不亦樂乎人不知而不慍不亦君子乎其為人也孝弟"
    "而好犯上者鮮矣不好犯上而好作亂者未之有也君子務本本立而道生孝弟也者其為仁之本與"
    "吾日三省吾身為人謀而不忠乎與朋友交而不信乎傳不習乎道千乘之國敬事而信節用而愛人使民以時"
    "始祖德明公字光遠宋紹興間自清河遷居於此配李氏生子二長文達次文通二世文達公字仲賢"
    "性孝友好讀書配王氏生子三長宗禮次宗義三宗信二世文通公字叔明居東村配趙氏生子一宗智"
    "三世宗禮公字履中少穎悟年十五補邑庠生家貧授徒自給晚歲築室南山之麓題曰耕讀堂"
)
NOTES = [
    ("事見郡志孝友傳", "墓在城南祖塋"),
    ("一作光遠", "見舊譜"),
    ("卒年七十有三", "葬東山之陽坐北向南"),
    ("詳見藝文卷", "此從舊本"),
    ("音義同上", "下同"),
]
# (page name, font size, number of columns, column length range, columns with a note)
VERTICAL_PAGES = [
    ("short", 40, 4, (8, 16), ()),
    ("full", 40, 14, (24, 28), ()),
    ("mixed", 40, 12, (4, 28), (3,)),
    ("notes", 40, 10, (10, 18), (1, 4, 7)),
    ("small", 32, 18, (30, 36), (5,)),
    ("large", 52, 8, (12, 20), (2,)),
]


def vertical_pages(out: Path) -> None:
    rng = random.Random(1)
    position = 0
    for name, size, count, (shortest, longest), noted in VERTICAL_PAGES:
        font = find_font(CJK_FONTS, size, "fonts-noto-cjk")
        note_font = find_font(CJK_FONTS, size // 2, "fonts-noto-cjk")
        columns = []
        for i in range(count):
            length = rng.randint(shortest, longest)
            notes = NOTES[(position + i) % len(NOTES)] if i in noted else None
            if notes:  # leave room below the main text for the half-height note glyphs
                length = min(length, longest - (max(map(len, notes)) + 2) // 2)
            text = (VERTICAL_TEXT * 2)[position : position + length]
            position = (position + length) % len(VERTICAL_TEXT)
            columns.append((text, notes))
        col_step = int(size * 2.6)
        height = 2 * 130 + int(size * 1.12) * longest + size
        width = max(1100, 2 * 130 + col_step * count)
        image = vertical_page(columns, font, note_font, width=width, height=height)
        truth = "\n".join(text + "".join(notes or ()) for text, notes in columns)
        save(image, out / "vertical" / f"{name}.png", truth, optimize=True)
        lines = horizontal_lines("".join(truth.split()), font)
        save(lines, out / "vertical-as-horizontal" / f"{name}.png", truth, optimize=True)


def horizontal_lines(text: str, font, per_line: int = 24, margin: int = 110) -> Image.Image:
    rows = [text[i : i + per_line] for i in range(0, len(text), per_line)]
    step = int(font.size * 1.9)
    image, draw = new_page(2 * margin + per_line * font.size, 2 * margin + step * len(rows))
    for i, row in enumerate(rows):
        draw.text((margin, margin + i * step), row, font=font, fill=INK)
    return image


# --- main -------------------------------------------------------------------------------


def typeset_pages(out: Path, per_group: int, debs: Path, scans: int) -> None:
    for group, sources in SOURCES.items():
        cjk = group != "en"
        ordinal = 0
        remaining = per_group
        for n, (package, filename, share) in enumerate(sources):
            count = remaining if n == len(sources) - 1 else round(per_group * share)
            remaining -= count
            pdf_path = fetch_pdf(package, filename, debs)
            stem = filename.removesuffix(".pdf").split(".")[0]
            for index, text in pick_pages(pdf_path, count, cjk):
                image = render_page(pdf_path, index)
                name = f"{stem}-p{index + 1:03d}"
                save(image, out / group / f"{name}.png", text, optimize=True)
                ordinal += 1
                if group == "zh-cn" and ordinal % 2 and scans > 0:  # every other page
                    scans -= 1
                    scan = degrade(image, seed=index)
                    save(scan, out / "zh-cn-scan" / f"{name}.jpg", text, quality=55)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "eval")
    parser.add_argument("--pages", type=int, default=8, help="typeset pages per language group")
    parser.add_argument("--scans", type=int, default=4, help="zh-cn pages degraded to scans")
    parser.add_argument(
        "--debs", type=Path, help="keep downloaded packages here (default: a temporary folder)"
    )
    args = parser.parse_args()
    if args.debs:
        typeset_pages(args.out, args.pages, args.debs, args.scans)
    else:
        with tempfile.TemporaryDirectory() as debs:
            typeset_pages(args.out, args.pages, Path(debs), args.scans)
    vertical_pages(args.out)


if __name__ == "__main__":
    main()
