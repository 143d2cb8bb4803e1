#!/usr/bin/env python
"""Search on a large corpus: build time, index size, latency and exactness against a scan.

    .venv/bin/python bench/search_bench.py [--lines 1000000] [--database sqlite|postgres]
        [--queries 200] [--alternatives]

The corpus is real text cut into lines of 10-40 characters, 30 lines a page: Chinese
(Debian's fortunes-zh and manpages-zh in simplified and traditional script, when
installed: `apt-get install fortunes-zh manpages-zh`; the project's seeds and layout
texts otherwise) mixed with English (the English man pages). It is loaded into a fresh
database (a temporary SQLite file, or a database ``search_bench`` on the PostgreSQL of
PG_URL), then indexed with ``search.indexing.rebuild`` (timed). Queries: 1, 2, 3 and 4
characters taken from the corpus, absent ones, and English words; half of the Chinese
ones are asked in the other script. Each query's server time is ``search.service.search``
(first result page with hits marked); its full result set is compared page by page with
the truth: a substring scan of every page's folded, joined text (for English: the word).
``--alternatives`` also times a LIKE scan and a trigram index (pg_trgm / FTS5 trigram) of
the same page texts, with their exactness.
"""

import argparse
import gzip
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
CHINESE_SOURCES = [
    "/usr/share/games/fortunes/chinese.u8",
    "/usr/share/games/fortunes/tang300.u8",
    "/usr/share/games/fortunes/song100.u8",
    "/usr/share/man/zh_CN",
    "/usr/share/man/zh_TW",
]
ENGLISH_SOURCE = "/usr/share/man/man1"
TROFF = re.compile(r"\\f[A-Z]|\\\(..|\\[-e&|^]|\\s[-+]?\d|\\\*\(..|\\\*.")


def _read(path: Path) -> str:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    text = data.decode("utf-8", "ignore")
    lines = [line for line in text.splitlines() if not line.startswith((".", "'\\\"", "%"))]
    return TROFF.sub("", " ".join(lines))


def texts(sources, limit_bytes: int) -> str:
    parts, size = [], 0
    for source in sources:
        path = Path(source)
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                part = _read(file)
                parts.append(part)
                size += len(part)
                if size > limit_bytes:
                    return " ".join(parts)
    return " ".join(parts)


def corpus_text() -> tuple[str, str]:
    chinese = texts(CHINESE_SOURCES, 20_000_000)
    if len(re.findall(r"[\u4e00-\u9fff]", chinese)) < 100_000:
        sys.path.insert(0, str(ROOT))
        from bench import layout_texts

        seeds = [p.read_text() for p in sorted(Path(ROOT, "..", "shared", "seeds").glob("*"))]
        chinese = " ".join(layout_texts.ZH_MODERN + layout_texts.ZH_CLASSIC + seeds)
        print("fortunes-zh/manpages-zh not installed: a small Chinese corpus is repeated")
    english = texts([ENGLISH_SOURCE], 20_000_000)
    return re.sub(r"\s+", " ", chinese), re.sub(r"\s+", " ", english)


def make_lines(count: int, seed: int = 7) -> list[str]:
    chinese, english = corpus_text()
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        source = english if rng.random() < 0.2 else chinese
        length = rng.randint(10, 40) * (2 if source is english else 1)
        start = rng.randrange(0, max(1, len(source) - length))
        lines.append(source[start : start + length].strip() or "空")
    return lines


def setup_django(database: str) -> None:
    data_dir = tempfile.mkdtemp(prefix="search-bench-")
    env = dict(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATA_DIR=data_dir,
        DEBUG="0",
        SECRET_KEY="search-bench",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    if database == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS search_bench")
            connection.execute("CREATE DATABASE search_bench")
        env["DATABASE_URL"] = f"{PG_URL}/search_bench"
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(lines: list[str], per_page: int = 30) -> int:
    from books.models import Book, Page, PageStatus, Volume
    from ocr.models import TextLine

    pages_count = (len(lines) + per_page - 1) // per_page
    book = Book.objects.create(slug="corpus", title="Corpus", category="bench")
    per_volume = 500
    for start in range(0, pages_count, per_volume):
        volume = Volume.objects.create(book=book, sequence=start // per_volume + 1)
        pages = Page.objects.bulk_create(
            Page(
                volume=volume,
                sequence=n + 1,
                image=f"pages/{n}.png",
                width=1000,
                height=1500,
                sha256=f"{start + n:064d}",
                status=PageStatus.RECOGNIZED,
            )
            for n in range(min(per_volume, pages_count - start))
        )
        rows = []
        for index, page in enumerate(pages):
            first = (start + index) * per_page
            for order, text in enumerate(lines[first : first + per_page], start=1):
                rows.append(
                    TextLine(
                        page=page,
                        order=order,
                        polygon=[],
                        x0=0,
                        y0=order * 40,
                        x1=900,
                        y1=order * 40 + 30,
                        engine_text=text,
                        text=text,
                    )
                )
        TextLine.objects.bulk_create(rows, batch_size=5000)
    return pages_count


def page_texts() -> dict[int, str]:
    from itertools import groupby

    from ocr.models import TextLine
    from search.folding import fold
    from search.tokens import page_text

    rows = TextLine.objects.order_by("page_id", "order").values_list("page_id", "text")
    return {
        page_id: fold(page_text([text for _, text in group]).text)
        for page_id, group in groupby(rows.iterator(chunk_size=20000), key=lambda r: r[0])
    }


def choose_queries(texts: dict[int, str], count: int, seed: int = 11) -> list[tuple[str, str]]:
    from search.tokens import is_cjk

    rng = random.Random(seed)
    pages = list(texts.values())
    traditional = {v: k for k, v in _script_pairs().items()}
    queries = []
    per_kind = max(1, (count - count // 10 * 2) // 4)
    for length in (1, 2, 3, 4):
        while sum(1 for kind, _ in queries if kind == f"{length} char") < per_kind:
            text = rng.choice(pages)
            at = rng.randrange(0, max(1, len(text) - length))
            piece = text[at : at + length]
            if len(piece) == length and all(is_cjk(c) for c in piece):
                if rng.random() < 0.5:  # asked in traditional script
                    piece = "".join(traditional.get(c, c) for c in piece)
                queries.append((f"{length} char", piece))
    common = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年"
    while sum(1 for kind, _ in queries if kind == "absent") < count // 10:
        piece = "".join(rng.choice(common) for _ in range(rng.choice((2, 3, 4))))
        queries.append(("absent", piece))
    words = sorted({w for text in pages[:2000] for w in re.findall(r"[a-z]{4,12}", text)})
    for word in rng.sample(words, min(len(words), count - len(queries))):
        queries.append(("english", word))
    return queries


def _script_pairs() -> dict[str, str]:
    from search.folding import script_table

    return script_table()


def truth(texts: dict[int, str], kind: str, query: str) -> set[int]:
    from search.folding import fold

    folded = fold(query)
    if kind == "english":
        word = re.compile(rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])")
        return {page for page, text in texts.items() if word.search(text)}
    return {page for page, text in texts.items() if folded in text}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--alternatives", action="store_true")
    args = parser.parse_args()

    setup_django(args.database)
    from django.db import connection

    from search import backends
    from search.indexing import rebuild
    from search.query import parse
    from search.service import Filters, matching_pages, search

    started = time.perf_counter()
    lines = make_lines(args.lines)
    pages = load(lines)
    print(
        f"{args.database}: {len(lines)} lines, {pages} pages loaded in "
        f"{time.perf_counter() - started:.0f} s"
    )
    text_bytes = sum(len(line.encode()) for line in lines)
    started = time.perf_counter()
    rebuild()
    build = time.perf_counter() - started
    with connection.cursor() as cursor:
        if args.database == "postgres":
            cursor.execute("VACUUM ANALYZE search_pagechunk")
        else:
            cursor.execute("ANALYZE")
        size = backends.current().size(cursor)["index_bytes"]
    print(
        f"index built in {build:.0f} s ({pages / build:.0f} pages/s); "
        f"{size / 2**20:.1f} MiB = {size / text_bytes:.2f}x the text ({text_bytes / 2**20:.1f} MiB)"
    )

    texts = page_texts()
    queries = choose_queries(texts, args.queries)
    timings: dict[str, list[float]] = {}
    wrong = []
    for kind, query in queries:
        terms = parse(query)
        search(query)  # warm
        started = time.perf_counter()
        search(query)
        timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        count, found = matching_pages(terms, Filters(), limit=10**9)
        expected = truth(texts, kind, query)
        if set(found) != expected or count != len(expected):
            wrong.append((kind, query, len(found), len(expected)))
    print(f"{'queries':<10} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, values in timings.items():
        print(
            f"{kind:<10} {len(values):>4} {statistics.median(values):>8.2f} "
            f"{percentile(values, 0.95):>8.2f}"
        )
    print(f"exact: {len(queries) - len(wrong)}/{len(queries)} queries equal the substring scan")
    for kind, query, got, expected in wrong[:20]:
        print(f"  differs: {kind} {query!r}: {got} pages, truth {expected}")
    if args.alternatives:
        alternatives(args.database, texts, queries)


def alternatives(database: str, texts: dict[int, str], queries) -> None:
    """A LIKE scan and a trigram index over the same folded page texts."""
    from django.db import connection

    from search.folding import fold

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_text (page_id integer PRIMARY KEY, body text)")
        cursor.executemany("INSERT INTO bench_text VALUES (%s, %s)", list(texts.items()))
        if database == "postgres":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            started = time.perf_counter()
            cursor.execute("CREATE INDEX bench_trgm ON bench_text USING gin (body gin_trgm_ops)")
            built = time.perf_counter() - started
            cursor.execute("VACUUM ANALYZE bench_text")
            cursor.execute("SELECT pg_relation_size('bench_trgm')")
            methods = {
                "LIKE scan": (
                    "SET enable_bitmapscan = off",
                    "SELECT page_id FROM bench_text WHERE body LIKE %s",
                ),
                "pg_trgm": (
                    "SET enable_bitmapscan = on",
                    "SELECT page_id FROM bench_text WHERE body LIKE %s",
                ),
            }
        else:
            started = time.perf_counter()
            cursor.execute("CREATE VIRTUAL TABLE bench_tri USING fts5(body, tokenize='trigram')")
            cursor.execute(
                "INSERT INTO bench_tri(rowid, body) SELECT page_id, body FROM bench_text"
            )
            built = time.perf_counter() - started
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'bench_tri%'")
            methods = {
                "LIKE scan": (None, "SELECT page_id FROM bench_text WHERE body LIKE %s"),
                "FTS5 trigram": (None, "SELECT rowid FROM bench_tri WHERE bench_tri MATCH %s"),
            }
        size = cursor.fetchone()[0] or 0
        print(f"trigram index: {size / 2**20:.1f} MiB, built in {built:.0f} s")
        for name, (setup, sql) in methods.items():
            if setup:
                cursor.execute(setup)
            timings: dict[str, list[float]] = {}
            wrong = 0
            for kind, query in queries:
                if kind == "english":
                    continue
                folded = fold(query)
                value = f'"{folded}"' if "MATCH" in sql else f"%{folded}%"
                started = time.perf_counter()
                cursor.execute(sql, [value])
                found = {row[0] for row in cursor.fetchall()}
                timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                wrong += found != truth(texts, kind, query)
            medians = " ".join(f"{k} {statistics.median(v):.1f}" for k, v in timings.items())
            print(f"{name}: p50 ms {medians}; {wrong} queries differ from the scan")


if __name__ == "__main__":
    main()
