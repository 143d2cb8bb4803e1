#!/usr/bin/env python
"""Server time of the review screen of a page with 300 lines (median of 20).

    .venv/bin/python bench/review_bench.py [--lines 300] [--runs 20] [--corrector]

A fresh SQLite database in a temporary DATA_DIR (migrated), one book with three pages of
N lines each (dense Chinese text, polygons, mixed confidences, some lines corrected), and a
staff user (superuser, or a member of Correctors with ``--corrector``). The review screen
of the middle page is requested through Django's test client: the whole request (session,
authentication, queries, template) is timed, the network is not. Also prints the size of
the page and its queries. Nothing under var/ is touched. The target is <= 150 ms.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--corrector", action="store_true", help="time as a Corrector")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="review-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATA_DIR=data_dir,
        DEBUG="0",
        SECRET_KEY="review-bench",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    page = build_page(args.lines)
    client = Client()
    client.force_login(make_user(args.corrector))
    url = f"/admin/books/page/{page.pk}/review/"

    for _ in range(3):  # warm-up: templates compiled, connections open
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    who = "a Corrector" if args.corrector else "a superuser"
    print(f"review screen, {args.lines} lines, SQLite, as {who}:")
    print(f"  server time median of {args.runs}: {statistics.median(timings):.1f} ms")
    print(f"  min {min(timings):.1f} ms, max {max(timings):.1f} ms")
    print(f"  HTML {len(response.content) / 1024:.0f} KB, {len(queries)} SQL queries")


def build_page(line_count: int):
    from books.models import Book, Page, PageStatus, Volume
    from ocr.models import TextLine

    book = Book.objects.create(slug="bench", title="清河張氏族譜", text_direction="vertical")
    volume = Volume.objects.create(book=book, sequence=1, label="vol1")
    pages = [
        Page.objects.create(
            volume=volume,
            sequence=number,
            image=f"pages/{book.pk}/{volume.pk}/{number}.png",
            width=2480,
            height=3508,
            sha256=f"{number:064d}",
            status=PageStatus.RECOGNIZED,
        )
        for number in (1, 2, 3)
    ]
    text = "清河張氏族譜卷之一世系圖始祖德明公字光遠"
    for page in pages:
        rows = []
        for n in range(1, line_count + 1):
            column, row = divmod(n - 1, 10)
            x0, y0 = 2400 - 80 * column % 2300, 100 + 330 * row
            polygon = [[x0, y0], [x0 + 60, y0 + 2], [x0 + 61, y0 + 310], [x0 + 1, y0 + 308]]
            engine = text[: 8 + n % 13]
            rows.append(
                TextLine(
                    page=page,
                    order=n,
                    polygon=polygon,
                    x0=x0,
                    y0=y0,
                    x1=x0 + 61,
                    y1=y0 + 310,
                    engine_text=engine,
                    text=engine if n % 7 else engine + "。",
                    confidence=0.6 + (n % 40) / 100,
                    vertical=True,
                )
            )
        TextLine.objects.bulk_create(rows)
    return pages[1]


def make_user(corrector: bool):
    from django.contrib.auth.models import Group, User

    if not corrector:
        return User.objects.create_superuser("bench", password="bench-password-1")
    user = User.objects.create_user("bench", password="bench-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Correctors"))
    return user


if __name__ == "__main__":
    main()
