"""``manage.py recognize --book ID``: queue recognition of a book, a volume or failed pages."""

import time

from django.core.management.base import BaseCommand, CommandError

from books.importing import find_book
from books.models import Page, PageStatus
from ocr import queueing


class Command(BaseCommand):
    help = "Queue OCR for a book's pages (a worker, `manage.py qcluster`, does the work)."

    def add_arguments(self, parser):
        parser.add_argument("--book", required=True, help="book identifier or id")
        parser.add_argument("--volume", type=int, help="only this volume (sequence number)")
        parser.add_argument(
            "--force", action="store_true", help="recognize again pages that already have text"
        )
        parser.add_argument(
            "--discard-corrections",
            action="store_true",
            help="with --force: replace corrected lines too (by default they are kept; the "
            "page's previous text stays one of its versions either way)",
        )
        parser.add_argument(
            "--wait",
            type=int,
            metavar="SECONDS",
            help="wait up to SECONDS for the queued pages to finish, showing progress",
        )

    def handle(self, *args, **options):
        book = find_book(options["book"])
        if book is None:
            raise CommandError(f"no book with identifier or id {options['book']!r}")
        if options["discard_corrections"] and not options["force"]:
            raise CommandError("--discard-corrections only applies with --force")
        result = queueing.enqueue_book(
            book,
            volume=options["volume"],
            force=options["force"],
            keep_corrections=not options["discard_corrections"],
        )
        self.stdout.write(result.message())
        if options["wait"] and result.queued:
            self._wait(result.queued, options["wait"])

    def _wait(self, page_ids, seconds):
        deadline = time.monotonic() + seconds
        pending = Page.objects.filter(pk__in=page_ids, status__in=queueing.IN_FLIGHT)
        last = None
        while (left := pending.count()) and time.monotonic() < deadline:
            if left != last:
                self.stdout.write(f"  {len(page_ids) - left}/{len(page_ids)} pages done")
                last = left
            time.sleep(1)
        failed = Page.objects.filter(pk__in=page_ids, status=PageStatus.FAILED)
        for page in failed:
            self.stderr.write(f"failed: {page}: {page.error}")
        if left:
            raise CommandError(
                f"{left} page(s) still queued after {seconds} s: is a worker running "
                "(`manage.py qcluster`)?"
            )
        if failed:
            raise CommandError(f"{len(failed)} page(s) failed")
        self.stdout.write(self.style.SUCCESS(f"All {len(page_ids)} page(s) recognized."))
