#!/usr/bin/env python
"""Export a generated book in every format: seconds, size and peak memory per format.

    .venv/bin/python bench/export_bench.py [--pages 500] [--small 50] [--formats txt,pdf]
                                           [--database-url postgres://...]

Generates a book of --pages pages (A4 scans at 300 dpi, 2480x3508 grayscale JPEG; 10
distinct images shared by the pages; 30 horizontal lines of mixed Chinese and English per
page, every fourth page 16 vertical columns instead) and a book of --small pages built the
same way. Each export runs in a fresh process (``exports.building`` as the queue task
calls it, in-process), so its peak RSS is its own: "peak RSS" is the whole process's
peak (ru_maxrss), "build peak" the high-water mark of the build alone (Linux VmHWM, reset
once Django is loaded). The target is peak RSS
for the big book <= 1.5x that for the small one. Everything happens in a temporary folder
with a fresh SQLite database (or a fresh PostgreSQL database, dropped at the end).
"""

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGE_SIZE = (2480, 3508)  # A4 at 300 dpi
IMAGES = 10
FORMATS = ["txt", "json", "csv", "hocr", "alto", "pdf"]
CHINESE = "清河張氏宗譜卷之一始祖諱公字子明世居郡望族人丁興旺田產數畝讀書耕作傳家"
WORDS = [
    "the",
    "annual",
    "report",
    "of",
    "the",
    "society",
    "was",
    "read",
    "and",
    "adopted",
    "by",
    "members",
    "present",
]


def make_image(path: Path, number: int) -> None:
    from PIL import Image, ImageDraw

    rng = random.Random(number)
    width, height = PAGE_SIZE
    noise = Image.effect_noise((width // 4, height // 4), 12).resize(PAGE_SIZE)
    page = Image.blend(Image.new("L", PAGE_SIZE, 236), noise, 0.15)
    draw = ImageDraw.Draw(page)
    for y in range(200, height - 200, 100):
        x = 200
        while x < width - 300:
            word = rng.randint(40, 220)
            draw.rectangle((x, y, x + word, y + 45), fill=rng.randint(30, 70))
            x += word + rng.randint(20, 40)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.save(path, "JPEG", quality=85)


def page_lines(number: int):
    """(box, text, vertical) of a page's lines; every fourth page is vertical."""
    rng = random.Random(number)
    lines = []
    if number % 4 == 0:
        for column in range(16):
            x1 = 2300 - column * 130
            text = "".join(rng.choice(CHINESE) for _ in range(rng.randint(18, 30)))
            lines.append(((x1 - 90, 200, x1, 3300), text, True))
        return lines
    for row in range(30):
        y0 = 200 + row * 100
        if row % 3 == 0:
            text = "".join(rng.choice(CHINESE) for _ in range(rng.randint(12, 24)))
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 11)))
        lines.append(((200, y0, 2280, y0 + 60), text, False))
    return lines


def make_book(slug: str, pages: int, image_names: list[str]) -> None:
    from books.models import Book, Page, Volume
    from ocr.models import TextLine

    book = Book.objects.create(slug=slug, title=f"Benchmark {slug}", language="ch")
    per_volume = 100
    for first in range(0, pages, per_volume):
        volume = Volume.objects.create(book=book, sequence=first // per_volume + 1)
        rows = Page.objects.bulk_create(
            Page(
                volume=volume,
                sequence=n - first + 1,
                image=image_names[n % len(image_names)],
                width=PAGE_SIZE[0],
                height=PAGE_SIZE[1],
                original_name=f"p{n + 1}.jpg",
                sha256=hashlib.sha256(f"{slug}-{n}".encode()).hexdigest(),
                status="recognized",
            )
            for n in range(first, min(pages, first + per_volume))
        )
        lines = []
        for page in rows:
            number = page.sequence + first
            for order, (box, text, vertical) in enumerate(page_lines(number), start=1):
                corrected = text.replace("the", "The") if order == 2 else text
                x0, y0, x1, y1 = box
                lines.append(
                    TextLine(
                        page=page,
                        order=order,
                        polygon=[[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
                        x0=x0,
                        y0=y0,
                        x1=x1,
                        y1=y1,
                        engine_text=text,
                        text=corrected,
                        confidence=round(0.8 + 0.2 * random.Random(number + order).random(), 4),
                        vertical=vertical,
                    )
                )
        TextLine.objects.bulk_create(lines, batch_size=2000)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def reset_peak() -> bool:
    """Linux: restart the process's high-water mark (VmHWM) from its current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def high_water_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(slug: str, fmt: str) -> None:
    """One export in this fresh process; prints its figures as JSON."""
    import django

    django.setup()
    from books.models import Book
    from exports import building

    book = Book.objects.get(slug=slug)
    import gc

    gc.collect()
    reset_peak()
    started = time.perf_counter()
    export, _ = building.request_export(book, fmt, enqueue=False)
    export = building.build(export.pk)
    seconds = time.perf_counter() - started
    if export.status != "done":
        print(json.dumps({"error": export.error}))
        return
    print(json.dumps({
        "seconds": seconds,
        "peak": peak_rss_mib(),
        "build": high_water_mib(),
        "size": export.size,
        "pages": export.pages_total,
    }))  # fmt: skip


def run_child(slug: str, fmt: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", slug, fmt],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{slug} {fmt} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--database-url", help="postgres://...: use a fresh database there")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0

    from import_bench import create_postgres_database, drop_postgres_database

    work = Path(tempfile.mkdtemp(prefix="export-bench-"))
    created_db = None
    try:
        if args.database_url:
            database_url, created_db = create_postgres_database(args.database_url)
        else:
            database_url = f"sqlite:///{work / 'bench.sqlite3'}"
        for leftover in ("MEDIA_ROOT", "AWS_STORAGE_BUCKET_NAME", "REDIS_URL"):
            os.environ.pop(leftover, None)
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            SECRET_KEY="export-bench",
            DATA_DIR=str(work / "data"),
            DATABASE_URL=database_url,
            LOG_LEVEL="WARNING",
        )
        return run(args, work)
    finally:
        if created_db:
            from django.db import connections

            connections.close_all()
            drop_postgres_database(args.database_url, created_db)
        shutil.rmtree(work, ignore_errors=True)


def run(args, work: Path) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    names = []
    for number in range(IMAGES):
        name = f"pages/bench/{number}.jpg"
        make_image(Path(settings.MEDIA_ROOT) / name, number)
        names.append(name)
    big, small = f"bench-{args.pages}", f"bench-{args.small}"
    make_book(big, args.pages, names)
    make_book(small, args.small, names)
    connection.close()
    print(
        f"Generated books of {args.pages} and {args.small} pages (A4 at 300 dpi, "
        f"{IMAGES} distinct images) on {connection.vendor} in "
        f"{time.perf_counter() - started:.1f} s (not timed)"
    )
    source = sum((Path(settings.MEDIA_ROOT) / name).stat().st_size for name in names) / IMAGES
    print(f"Source page images: {source / 1024:.0f} KiB each (JPEG quality 85, 300 dpi)")
    print(
        f"PDF: EXPORT_PDF_DPI={settings.EXPORT_PDF_DPI}, "
        f"EXPORT_PDF_IMAGE_DPI={settings.EXPORT_PDF_IMAGE_DPI}, "
        f"EXPORT_PDF_JPEG_QUALITY={settings.EXPORT_PDF_JPEG_QUALITY}"
    )
    header = (
        f"{'format':6} {'pages':>5} {'seconds':>8} {'pages/s':>8} {'size MiB':>9} "
        f"{'peak RSS MiB':>12} {'build peak MiB':>14}"
    )
    print(header)
    ratios = {}
    for fmt in args.formats.split(","):
        figures = {}
        for slug, pages in ((small, args.small), (big, args.pages)):
            result = run_child(slug, fmt)
            if "error" in result:
                print(f"{fmt}: {result['error']}", file=sys.stderr)
                return 1
            figures[pages] = result
            print(
                f"{fmt:6} {pages:5d} {result['seconds']:8.2f} {pages / result['seconds']:8.1f} "
                f"{result['size'] / 1024**2:9.2f} {result['peak']:12.1f} {result['build']:14.1f}"
            )
        ratios[fmt] = (
            figures[args.pages]["peak"] / figures[args.small]["peak"],
            figures[args.pages]["build"] / figures[args.small]["build"],
        )
    print(f"RSS ratio {args.pages} / {args.small} pages (target <= 1.5): process peak, build peak")
    for fmt, (peak, build) in ratios.items():
        print(f"  {fmt:6} {peak:.2f}  {build:.2f}")
    return 0 if all(max(pair) <= 1.5 for pair in ratios.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
