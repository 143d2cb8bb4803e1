"""``manage.py import_directory PATH``: a folder of scans becomes a book (or several)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from books import importing
from books.models import TextDirection


class Command(BaseCommand):
    help = (
        "Import a folder of page images or PDFs as a book: files directly in PATH form one "
        "volume, each sub-folder another (natural order). With --books each sub-folder of PATH "
        "is its own book. Re-running imports only what is new."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="folder to import")
        parser.add_argument(
            "--books", action="store_true", help="each sub-folder of PATH is a separate book"
        )
        parser.add_argument("--book", help="add to this existing book (identifier or id)")
        parser.add_argument("--title", help="title of the new book (default: the folder name)")
        parser.add_argument(
            "--pattern",
            action="append",
            dest="patterns",
            metavar="GLOB",
            help="file name pattern, repeatable, case-insensitive (default: all supported types)",
        )
        parser.add_argument(
            "--no-recursive",
            action="store_true",
            help="ignore folders nested inside a volume folder",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be imported; write nothing"
        )
        parser.add_argument(
            "--text-direction", choices=TextDirection.values, help="text direction of new books"
        )
        parser.add_argument("--lang", help="OCR language of new books (e.g. ch, en)")
        parser.add_argument("--ocr", action="store_true", help="queue recognition of new pages")
        parser.add_argument(
            "--no-progress", action="store_true", help="log lines instead of a progress bar"
        )

    def handle(self, *args, **options):
        if options["books"] and (options["book"] or options["title"]):
            raise CommandError(
                "--books imports many books: it cannot be combined with --book or --title"
            )
        book = None
        if options["book"]:
            book = importing.find_book(options["book"])
            if book is None:
                raise CommandError(f"no book with identifier or id {options['book']!r}")
        try:
            plans = importing.plan_directory(
                options["path"],
                as_books=options["books"],
                patterns=options["patterns"],
                recursive=not options["no_recursive"],
                title=options["title"],
            )
        except (FileNotFoundError, importing.BookJsonError) as error:
            raise CommandError(str(error)) from None

        total = sum(plan.file_count for plan in plans)
        if options["dry_run"]:
            self._print_plan(plans, total)
            return
        if total == 0:
            self._write_ignored(self.stderr, [item for plan in plans for item in plan.ignored])
            self.stderr.write("No matching files found; nothing imported.")
            return

        report = self._progress(total, quiet=options["no_progress"] or options["verbosity"] == 0)
        summary = importing.import_plans(
            plans,
            importing.ImportOptions(
                book=book, text_direction=options["text_direction"], language=options["lang"]
            ),
            progress=report,
        )
        report.close()
        if options["ocr"] and summary.page_ids:
            self._enqueue(summary.page_ids)
        self._print_summary(summary)
        if not summary.ok:
            raise CommandError(f"{len(summary.failures)} file(s) could not be imported (see above)")

    def _print_plan(self, plans, total):
        for plan in plans:
            self.stdout.write(f"Book {plan.title!r} from {plan.source} ({plan.file_count} files)")
            for number, volume in enumerate(plan.volumes, start=1):
                self.stdout.write(f"  volume {number}: {volume.label} ({len(volume.files)} files)")
                for path in volume.files:
                    shown = importing.display_name(importing.relative_name(path, plan.source))
                    self.stdout.write(f"    {shown}")
            self._write_ignored(self.stdout, plan.ignored, indent="  ")
        self.stdout.write(f"Dry run: {len(plans)} book(s), {total} file(s); nothing was written.")

    @staticmethod
    def _write_ignored(stream, ignored, indent=""):
        for item in ignored:
            stream.write(f"{indent}not imported: {item.path}: {item.reason}")

    def _progress(self, total, *, quiet):
        return _Progress(total, self.stdout, self.stderr, quiet=quiet)

    def _enqueue(self, page_ids):
        from ocr.queueing import enqueue_pages

        result = enqueue_pages(page_ids)
        self.stdout.write(f"OCR: {result.message()}.")

    def _print_summary(self, summary):
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning.path}: {warning.reason}")
        self._write_ignored(self.stderr, summary.ignored)
        for failure in summary.failures:
            self.stderr.write(self.style.ERROR(f"failed: {failure.path}: {failure.reason}"))
        mib = summary.bytes_read / 1024**2
        rate = summary.files_imported / summary.seconds if summary.seconds else 0
        self.stdout.write(
            f"Books created: {summary.books_created}, volumes created: {summary.volumes_created}\n"
            f"Pages created: {summary.pages_created} from {summary.files_imported} file(s); "
            f"skipped (already imported): {summary.files_skipped}; "
            f"failed: {len(summary.failures)}; not page files: {len(summary.ignored)}\n"
            f"Read {mib:.1f} MiB in {summary.seconds:.1f} s ({rate:.1f} files/s)"
            + (
                f"; removed {summary.orphans_removed} orphan file(s)"
                if summary.orphans_removed
                else ""
            )
        )


class _Progress:
    """A tqdm bar on a terminal; otherwise a log line every 5% so logs stay readable."""

    def __init__(self, total, stdout, stderr, *, quiet):
        self.total, self.done, self.stdout = total, 0, stdout
        self.step = max(1, total // 20)
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", desc="Importing", file=sys.stderr)
        self.quiet = quiet

    def __call__(self, outcome):
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            if outcome.error:
                self.bar.write(f"failed: {outcome.path}: {outcome.error}", file=sys.stderr)
        elif not self.quiet and (self.done % self.step == 0 or self.done == self.total):
            self.stdout.write(f"Imported {self.done}/{self.total} files")

    def close(self):
        if self.bar is not None:
            self.bar.close()
