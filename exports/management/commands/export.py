"""``manage.py export --book ID --format alto``: build an export here and now.

The same service as the admin and the queue: an identical fresh export is reused. With
``--output`` the file is also copied out of storage to PATH.
"""

import shutil

from django.core.management.base import BaseCommand, CommandError

from books.importing import find_book
from exports import building, formats
from exports.models import ExportStatus, Scope, TextSource


class Command(BaseCommand):
    help = "Export a book (or one volume) in a format; prints where the file is."

    def add_arguments(self, parser):
        parser.add_argument("--book", required=True, help="book identifier or id")
        parser.add_argument("--format", required=True, choices=formats.names())
        parser.add_argument("--volume", type=int, help="only this volume (sequence number)")
        parser.add_argument(
            "--source",
            choices=TextSource.values,
            default=TextSource.CORRECTED,
            help="corrected text (default) or the engine's text as recognized",
        )
        parser.add_argument("--per-page", action="store_true", help="a ZIP, one file per page")
        parser.add_argument("--images", action="store_true", help="a ZIP with the page images")
        parser.add_argument(
            "--keep-headers-footers",
            action="store_true",
            help="keep running headers, footers and page numbers in TXT, CSV and JSON text",
        )
        parser.add_argument("--output", metavar="PATH", help="also copy the file to PATH")

    def handle(self, *args, **options):
        book = find_book(options["book"])
        if book is None:
            raise CommandError(f"no book with identifier or id {options['book']!r}")
        volume = None
        if options["volume"] is not None:
            volume = book.volumes.filter(sequence=options["volume"]).first()
            if volume is None:
                raise CommandError(f"{book} has no volume {options['volume']}")
        try:
            export, created = building.request_export(
                book,
                options["format"],
                scope=Scope.VOLUME if volume else Scope.BOOK,
                volume=volume,
                text_source=options["source"],
                include_images=options["images"],
                per_page=options["per_page"],
                keep_headers_footers=options["keep_headers_footers"],
                enqueue=False,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if created or export.status == ExportStatus.QUEUED:
            export = building.build(export.pk) or export
            export.refresh_from_db()
        elif export.status == ExportStatus.RUNNING:
            raise CommandError(
                f"export {export.pk} is being built by a worker now: run again when it is ready"
            )
        else:
            self.stdout.write(f"Reusing export {export.pk}: nothing changed since it was built.")
        if export.status != ExportStatus.DONE:
            raise CommandError(f"export {export.pk} {export.status}: {export.error}")
        if options["output"]:
            with export.file.open("rb") as source, open(options["output"], "wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            where = options["output"]
        else:
            where = export.file.name
        self.stdout.write(self.style.SUCCESS(f"Export {export.pk}: {where} ({export.size} bytes)"))
