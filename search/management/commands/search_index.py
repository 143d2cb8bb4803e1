"""``manage.py search_index rebuild``: write the search index anew from the pages' lines;
``manage.py search_index status``: how many pages it holds and its size."""

import sys
import time

from django.core.management.base import BaseCommand
from django.db import connection

from books.models import Page
from search import backends
from search.indexing import rebuild
from search.models import PageChunk


class Command(BaseCommand):
    help = (
        "rebuild: write the search index anew (after a bulk load or an upgrade of the "
        "folding tables); status: pages indexed and the index's size."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status"])

    def handle(self, *args, action, **options):
        if action == "rebuild":
            self._rebuild(quiet=options["verbosity"] == 0)
        self._status()

    def _rebuild(self, *, quiet: bool):
        total = Page.objects.count()
        progress = _Progress(total, self.stdout, quiet=quiet)
        started = time.monotonic()
        try:
            rebuild(progress=progress)
        finally:
            progress.close()
        seconds = time.monotonic() - started
        rate = total / seconds if seconds else 0
        self.stdout.write(f"Indexed {total} pages in {seconds:.1f} s ({rate:.0f} pages/s)")

    def _status(self):
        with connection.cursor() as cursor:
            size = backends.current().size(cursor)["index_bytes"]
        indexed = PageChunk.objects.values("page").distinct().count()
        with_text = Page.objects.filter(lines__isnull=False).distinct().count()
        self.stdout.write(
            f"Search index ({connection.vendor}): {indexed} of {with_text} pages with text, "
            f"{PageChunk.objects.count()} rows, {size / 2**20:.1f} MiB"
        )


class _Progress:
    """A tqdm bar on a terminal; otherwise a line every 10% so logs stay readable."""

    def __init__(self, total: int, stdout, *, quiet: bool):
        self.total, self.done, self.stdout, self.quiet = total, 0, stdout, quiet
        self.step = max(1, total // 10)
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="page", desc="Indexing", file=sys.stderr)

    def __call__(self, count: int):
        before, self.done = self.done, self.done + count
        if self.bar is not None:
            self.bar.update(count)
        elif not self.quiet and (before // self.step != self.done // self.step):
            self.stdout.write(f"Indexed {self.done}/{self.total} pages")

    def close(self):
        if self.bar is not None:
            self.bar.close()
