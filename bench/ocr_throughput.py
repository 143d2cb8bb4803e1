"""OCR throughput: the bare engine in one process vs the whole queue pipeline.

    .venv/bin/python bench/ocr_throughput.py [--pages N] [--database-url URL]

Pipeline = enqueue -> qcluster worker -> lines saved, with the ORM broker and with Redis,
on the same pages (the bundled samples, made distinct so hash reuse cannot kick in) and the
same engine settings. Prints pages/min, the pipeline/bare ratio, what the pipeline adds per
page besides reading it (queue, task, saving lines: wall time minus the worker's recognition
seconds, which does not drift with the machine's speed) and each worker's peak RSS.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(data_dir: Path, database_url: str | None) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATA_DIR": str(data_dir),
        "OCR_MODEL_DIR": os.environ.get("OCR_MODEL_DIR", str(ROOT / "var" / "models")),
        "Q_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


def distinct_pages(count: int, salt: int) -> list[tuple[str, bytes]]:
    """The sample pages, cycled, each copy changed by one pixel so its hash differs."""
    import io

    from PIL import Image

    sources = sorted((ROOT / "samples" / "books").rglob("page-*.*"))
    sources = [p for p in sources if p.suffix in {".png", ".jpg"}]
    pages = []
    rng = random.Random(salt)
    for number in range(count):
        path = sources[number % len(sources)]
        image = Image.open(path).convert("L")
        for _ in range(3):
            image.putpixel((rng.randrange(20), rng.randrange(20)), rng.randrange(200))
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        pages.append((f"{number:04d}-{path.name}", buffer.getvalue()))
    return pages


def bare_engine(pages) -> float:
    from PIL import Image

    from ocr.configuration import engine_config
    from ocr.engine import get_engine

    engine = get_engine(engine_config())
    engine.recognize(Image.open(__import__("io").BytesIO(pages[0][1])))  # warm-up
    started = time.perf_counter()
    for _, data in pages:
        engine.recognize(Image.open(__import__("io").BytesIO(data)))
    return time.perf_counter() - started


def worker_peak_rss_mib(cluster_pid: int) -> list[float]:
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if int(stat[1]) == cluster_pid or _descends(int(stat[1]), cluster_pid):
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    return sorted(peaks, reverse=True)


def _descends(pid: int, ancestor: int) -> bool:
    for _ in range(5):
        if pid in (0, 1):
            return False
        if pid == ancestor:
            return True
        try:
            pid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
    return False


def pipeline(pages, env: dict, broker: str) -> tuple[float, float, list[float]]:
    """Wall seconds from enqueue to the last page's lines, the seconds the worker's engine
    spent on those pages, and the cluster processes' peak RSS."""
    from books import importing
    from books.models import Book, Page, PageStatus, Volume

    book = Book.objects.create(slug=f"bench-{broker}-{uuid.uuid4().hex[:6]}", title="bench")
    volume = Volume.objects.create(book=book, sequence=1)
    page_ids = []
    for name, data in pages:
        outcome = importing.add_file(volume, data, original_name=name)
        page_ids.extend(page.pk for page in outcome.pages)
    warm, timed = page_ids[0], page_ids[1:]

    worker_env = {**os.environ, **env, "Q_CLUSTER_NAME": f"bench-{uuid.uuid4().hex[:6]}"}
    if broker == "redis":
        worker_env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    cluster = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # The enqueueing side must use the same broker: run it as a command with that env.
        def enqueue(ids):
            subprocess.run(
                [sys.executable, "-c", ENQUEUE, ",".join(map(str, ids))],
                env=worker_env,
                cwd=ROOT,
                check=True,
            )

        enqueue([warm])
        _wait(Page.objects.filter(pk=warm), PageStatus)
        started = time.perf_counter()
        enqueue(timed)
        _wait(Page.objects.filter(pk__in=timed), PageStatus)
        seconds = time.perf_counter() - started
        peaks = worker_peak_rss_mib(cluster.pid)
    finally:
        cluster.terminate()
        cluster.wait(timeout=60)
    from ocr.models import OcrRun

    engine_seconds = sum(OcrRun.objects.filter(page_id__in=timed).values_list("seconds", flat=True))
    return seconds, engine_seconds, peaks


ENQUEUE = """
import os, sys, django
sys.path.insert(0, os.getcwd())
django.setup()
from ocr.queueing import enqueue_pages
enqueue_pages([int(i) for i in sys.argv[1].split(",")])
"""


def _wait(pages, PageStatus, timeout=1800):
    deadline = time.monotonic() + timeout
    while pages.exclude(status__in=[PageStatus.RECOGNIZED, PageStatus.FAILED]).exists():
        if time.monotonic() > deadline:
            raise SystemExit("pipeline did not finish in time")
        time.sleep(0.1)
    failed = pages.filter(status=PageStatus.FAILED)
    if failed.exists():
        raise SystemExit(f"pages failed: {list(failed.values_list('error', flat=True))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12, help="pages per measurement")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    env = setup_django(data_dir, args.database_url)
    pages = distinct_pages(args.pages + 1, salt=0)

    # The engine's speed drifts on a shared machine: the bare figure is the mean of a run
    # before and one after the pipelines, and the queue's own cost is shown apart from it.
    first = bare_engine(pages[1:])
    results = []
    for salt, broker in enumerate(("orm", "redis"), start=1):
        results.append((broker, *pipeline(distinct_pages(args.pages + 1, salt), env, broker)))
    bare = (first + bare_engine(pages[1:])) / 2
    bare_rate = 60 * args.pages / bare
    print(f"bare engine      : {bare_rate:6.1f} pages/min ({bare / args.pages:.2f} s/page)")
    for broker, seconds, engine_seconds, peaks in results:
        rate = 60 * args.pages / seconds
        rss = ", ".join(f"{p:.0f}" for p in peaks[:3])
        print(
            f"pipeline {broker:<6}: {rate:6.1f} pages/min ({seconds / args.pages:.2f} s/page), "
            f"ratio to bare {rate / bare_rate:.2f}; queue and saving "
            f"{(seconds - engine_seconds) / args.pages:.3f} s/page "
            f"(engine {engine_seconds / seconds:.0%} of the time); "
            f"peak RSS of cluster processes (MiB): {rss}"
        )


if __name__ == "__main__":
    main()
