#!/usr/bin/env python
"""How much slower is ``import_directory`` than copying the same files?

    .venv/bin/python bench/import_bench.py [--pages N] [--rounds R] [--database-url URL]
                                           [--profile] [--cold]

Generates N realistic scans (grayscale JPEG, 1240x1754 px = A4 at 150 dpi, lines of text-like
strokes on slightly noisy paper, each page different) in 10 volume folders, then times, in
R rounds (3 by default) that alternate the two:

  (a) a plain copy of the tree (``shutil.copytree``), the floor for any import;
  (b) ``manage.py import_directory`` on the same tree into an emptied database and media
      folder (hash, check, store; rows committed many files per transaction; JPEGs are
      checked without decoding and get their thumbnail on first view, see
      books/thumbnails.py).

Writing files on a shared virtual disk varies by 2-3x from one minute to the next (the
kernel writing out earlier data, discards of deleted files), so every timed run starts after
``sync`` and the ratio is of the medians.

Everything happens in a temporary folder (DATA_DIR, MEDIA_ROOT, a fresh SQLite database),
with DEBUG off as in production (Django's query log would add its own cost);
with ``--database-url postgres://...`` a fresh PostgreSQL database is created next to the one
named in the URL and dropped at the end. Nothing under var/ is touched. Generating the pages
is not timed. The target is import/copy <= 3.

By default the source files are in the page cache (just generated), so the copy runs at
memory speed. ``--cold`` is closer to a librarian's import from a disk or a network share:
it empties the page cache before each timed run (needs root; ``/proc/sys/vm/drop_caches``)
and includes writing the results to disk (``sync``) in both timings.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi
VOLUMES = 10


# --- Realistic pages (not timed) --------------------------------------------------------------


def make_page(job: tuple[str, int]) -> int:
    """One scanned-looking page: noisy paper, a header with its number, lines of 'words'."""
    from PIL import Image, ImageDraw, ImageFilter

    path, number = job
    rng = random.Random(number)
    width, height = PAGE_SIZE
    noise = Image.effect_noise((width // 4, height // 4), 12).resize(PAGE_SIZE)
    paper = Image.new("L", PAGE_SIZE, 236)
    page = Image.blend(paper, noise, 0.15)
    draw = ImageDraw.Draw(page)
    draw.text((width // 2 - 40, 60), f"- {number} -", fill=40)
    margin, y = 110, 150
    while y < height - 140:
        x = margin + (rng.randint(0, 1) * 40 if rng.random() < 0.1 else 0)
        line_end = width - margin - (rng.randint(200, 700) if rng.random() < 0.08 else 0)
        while x < line_end:
            word = rng.randint(18, 110)
            for stroke in range(x, min(x + word, line_end), rng.randint(5, 8)):
                top = y + rng.randint(0, 8)
                draw.line((stroke, top, stroke + rng.randint(0, 4), y + 22), fill=35, width=2)
            draw.line((x, y + 22, min(x + word, line_end), y + 22), fill=70, width=1)
            x += word + rng.randint(10, 18)
        y += rng.choice((34, 36, 38)) + (30 if rng.random() < 0.06 else 0)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    page.save(path, "JPEG", quality=85)
    return os.path.getsize(path)


def generate(folder: Path, pages: int) -> int:
    jobs = []
    for number in range(1, pages + 1):
        volume = folder / f"vol{(number - 1) % VOLUMES + 1}"
        volume.mkdir(parents=True, exist_ok=True)
        jobs.append((str(volume / f"p{(number - 1) // VOLUMES + 1}.jpg"), number))
    with ProcessPoolExecutor() as pool:
        return sum(pool.map(make_page, jobs, chunksize=16))


# --- A fresh database ----------------------------------------------------------------------


def create_postgres_database(url: str) -> tuple[str, str]:
    """CREATE DATABASE bench_import_<random> on the server of ``url``; returns (url, name)."""

    parts = urlsplit(url)
    name = f"bench_import_{uuid.uuid4().hex[:10]}"
    with _admin_connection(parts) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_postgres_database(url: str, name: str) -> None:
    with _admin_connection(urlsplit(url)) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_connection(parts):
    """A connection to the maintenance database ``postgres`` of the same server."""
    import psycopg

    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


# --- The benchmark ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="page images (default 2000)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="copy and import this many times (default 3)"
    )
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/db: benchmark on a fresh database on that server "
        "(default: a fresh SQLite file)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the import and print the top costs"
    )
    parser.add_argument(
        "--cold", action="store_true", help="empty the page cache before, sync after each run"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
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
            SECRET_KEY="bench-secret-key-not-for-production-0123456789abcdef",
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


def drop_page_cache() -> None:
    """Write dirty pages out, then forget cached file contents (root only)."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as error:
        raise SystemExit(f"--cold needs root to empty the page cache: {error}") from None


def settle(cold: bool) -> None:
    """Start a timed run with nothing of the previous one still being written out."""
    if cold:
        drop_page_cache()
    else:
        os.sync()


def copy_time(source: Path, work: Path, cold: bool) -> float:
    target = work / "copy"
    settle(cold)
    started = time.perf_counter()
    shutil.copytree(source, target)
    if cold:
        os.sync()
    seconds = time.perf_counter() - started
    shutil.rmtree(target)
    return seconds


def import_time(source: Path, cold: bool, profiler) -> tuple[float, str]:
    """One import of the tree into the emptied database and media folder."""
    from django.core.management import call_command

    output = io.StringIO()
    settle(cold)
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    call_command("import_directory", str(source), no_progress=True, stdout=output)
    if profiler:
        profiler.disable()
    if cold:
        os.sync()
    return time.perf_counter() - started, output.getvalue().strip()


def empty_catalogue() -> None:
    """Remove what an import made: rows (TRUNCATE on PostgreSQL) and stored files."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def run(args, work: Path) -> int:
    source = work / "scans"
    started = time.perf_counter()
    total_bytes = generate(source, args.pages)
    print(
        f"Generated {args.pages} pages ({total_bytes / 1024**2:.0f} MiB, "
        f"{total_bytes / args.pages / 1024:.0f} KiB/page) in {VOLUMES} volumes "
        f"in {time.perf_counter() - started:.1f} s (not timed)"
    )

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from books.models import Page

    call_command("migrate", verbosity=0)
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    print("Page cache: " + ("emptied before each run, sync included" if args.cold else "warm"))

    profiler = cProfile.Profile() if args.profile else None
    copies, imports = [], []
    for round_number in range(1, args.rounds + 1):
        if round_number > 1:
            empty_catalogue()
        copies.append(copy_time(source, work, args.cold))
        seconds, output = import_time(source, args.cold, profiler)
        imports.append(seconds)
        pages = Page.objects.count()
        if pages != args.pages:
            print(output, f"ERROR: {pages} pages imported, expected {args.pages}", file=sys.stderr)
            return 1
        print(
            f"round {round_number}: copy {copies[-1]:6.2f} s, import {seconds:6.2f} s "
            f"(ratio {seconds / copies[-1]:.2f})"
        )

    stored = sum(f.stat().st_size for f in Path(settings.MEDIA_ROOT).rglob("*") if f.is_file())
    print(output)
    copy_seconds, import_seconds = statistics.median(copies), statistics.median(imports)
    print(f"copy:   {copy_seconds:7.2f} s  {args.pages / copy_seconds:8.0f} pages/s  (median)")
    print(
        f"import: {import_seconds:7.2f} s  {args.pages / import_seconds:8.0f} pages/s  (median; "
        f"stored {stored / 1024**2:.0f} MiB)"
    )
    print(f"ratio import/copy: {import_seconds / copy_seconds:.2f} (target <= 3)")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
