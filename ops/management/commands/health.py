"""``manage.py health``: the readiness checks for shell use; exit status 1 when not ready."""

import json

from django.core.management.base import BaseCommand, CommandError

from ops import health


class Command(BaseCommand):
    help = "Check database, broker, storage and OCR models (and show queue workers)."
    requires_system_checks = []  # report a broken dependency rather than refuse to run

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the /health/ready body")
        parser.add_argument(
            "--require-workers",
            action="store_true",
            help="also fail when no queue worker cluster is running",
        )

    def handle(self, *args, **options):
        results = health.run_checks()
        body = health.report(results, require_workers=options["require_workers"])
        if options["json"]:
            self.stdout.write(json.dumps(body, indent=2))
        else:
            for result in results:
                mark = {True: "ok", False: "FAIL", None: "n/a"}[result.ok]
                self.stdout.write(f"{result.name:<9} {mark:<4} {result.detail}")
                for cluster in result.data.get("clusters", []):
                    self.stdout.write(
                        f"          cluster {cluster['cluster']} on {cluster['host']}: "
                        f"{cluster['status']}, {cluster['workers']} worker(s)"
                    )
            self.stdout.write(body["status"])
        if body["failed"]:
            raise CommandError(f"not ready: {', '.join(body['failed'])}", returncode=1)
