#!/usr/bin/env python
"""REST API throughput and latency: page list and page text, concurrent clients, gunicorn,
PostgreSQL.

    .venv/bin/python bench/api_bench.py [--database-url postgres://postgres@127.0.0.1:5432/digitization_api_bench]
        [--pages 2000] [--lines 40] [--clients 8] [--requests 3000] [--workers 4]

Creates the database if needed (dropped again at the end unless --keep), migrates it, fills
it with one book of N pages with L lines each (half recognized), makes an API reader with
a token, starts a real gunicorn process (sync workers, DEBUG=0) and sends the requests from
C client processes, each with its own connections, as fast as answers come back. Prints
requests/s and p50/p95 latency per endpoint. Figures only, no assertions.
"""

import argparse
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/digitization_api_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=3000, help="per endpoint")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    create_database(args.database_url)
    data_dir = tempfile.mkdtemp(prefix="api-bench-")
    (Path(data_dir) / "static").mkdir()  # whitenoise's folder (no static file is timed)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": args.database_url,
        "DATA_DIR": data_dir,
        "DEBUG": "0",
        "SECRET_KEY": "api-bench-only",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(Path(data_dir) / "static"),
        "OCR_MODEL_DIR": os.environ.get("OCR_MODEL_DIR", str(ROOT / "var" / "models")),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    token, page_ids = seed(args.pages, args.lines)
    connections.close_all()

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
        print(
            f"gunicorn: {args.workers} sync workers; PostgreSQL; {args.pages} pages x "
            f"{args.lines} lines; {args.clients} client processes; {args.requests} requests "
            f"per endpoint"
        )
        recognized = page_ids[::2]
        endpoints = {
            f"page list (page_size={args.page_size}, status filter, ordering)": lambda i: (
                f"/api/v1/pages/?status=recognized&ordering=-sequence&page_size={args.page_size}"
                f"&page={1 + i % max(1, len(recognized) // args.page_size)}"
            ),
            f"page text ({args.lines} lines, text/plain)": lambda i: (
                f"/api/v1/pages/{recognized[i % len(recognized)]}/text"
            ),
        }
        for name, make_path in endpoints.items():
            # Warm-up, untimed: every worker has imported, connected and built its caches.
            client(port, token, [make_path(i) for i in range(4 * args.workers)])
            paths = [make_path(i) for i in range(args.requests)]
            random.Random(1).shuffle(paths)
            run(name, port, token, paths, args.clients)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        if not args.keep:
            drop_database(args.database_url)


def seed(pages: int, lines: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from books.models import Book, Page, PageStatus, Volume
    from ocr.models import TextLine

    Book.objects.filter(slug="api-bench").delete()
    book = Book.objects.create(slug="api-bench", title="API bench")
    volume = Volume.objects.create(book=book, sequence=1)
    Page.objects.bulk_create(
        Page(
            volume=volume,
            sequence=n,
            image=f"pages/{book.pk}/{volume.pk}/{n}.png",
            thumbnail=f"thumbs/{book.pk}/{volume.pk}/{n}.jpg",
            width=2000,
            height=3000,
            sha256=f"{n:064d}",
            status=PageStatus.RECOGNIZED if n % 2 else PageStatus.NEW,
        )
        for n in range(1, pages + 1)
    )
    page_ids = list(volume.pages.order_by("sequence").values_list("pk", flat=True))
    rows = []
    for page_id in page_ids[::2]:
        for n in range(1, lines + 1):
            text = f"第{n}行 清河張氏族譜 卷之一 世系 line {n}"
            rows.append(
                TextLine(
                    page_id=page_id,
                    order=n,
                    polygon=[
                        [100, 60 * n],
                        [1900, 60 * n],
                        [1900, 60 * n + 40],
                        [100, 60 * n + 40],
                    ],
                    x0=100,
                    y0=60 * n,
                    x1=1900,
                    y1=60 * n + 40,
                    engine_text=text,
                    text=text,
                    confidence=0.93,
                )
            )
    TextLine.objects.bulk_create(rows, batch_size=5000)
    user, _ = get_user_model().objects.get_or_create(username="api-bench")
    user.groups.add(Group.objects.get(name="API readers"))
    token, _ = Token.objects.get_or_create(user=user)
    return token.key, page_ids


def run(name: str, port: int, token: str, paths: list[str], clients: int) -> None:
    shares = [paths[i::clients] for i in range(clients)]
    started = time.perf_counter()
    with ProcessPoolExecutor(clients) as pool:
        results = list(pool.map(client, [port] * clients, [token] * clients, shares))
    seconds = time.perf_counter() - started
    latencies = sorted(t for timings, _ in results for t in timings)
    failures = sum(f for _, f in results)
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000
    print(
        f"{name}: {len(latencies) / seconds:.0f} requests/s, p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms ({len(latencies)} requests, {failures} not 200)"
    )


def client(port: int, token: str, paths: list[str]):
    """One client: a request at a time, each on a new connection (gunicorn's sync workers
    close it after every answer)."""
    timings, failures = [], 0
    headers = {"Authorization": f"Token {token}"}
    for path in paths:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        timings.append(time.perf_counter() - started)
        failures += response.status != 200
    return timings, failures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/live")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on port {port} within {seconds} s")


def _admin_connection(url: str):
    import psycopg

    parts = urlparse(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ), parts.path.lstrip("/")


def create_database(url: str) -> None:
    connection, name = _admin_connection(url)
    with connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    connection, name = _admin_connection(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
