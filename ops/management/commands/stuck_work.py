"""``manage.py stuck_work``: list the work in flight and queue the stuck part again now,
instead of waiting for the every-minute sweeps (which wait Q_TIMEOUT + OCR_STUCK_GRACE)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from exports import recovery
from exports.models import Export, ExportStatus
from ocr import queueing
from ocr.models import OcrRun, RunStatus
from ocr.recognition import stuck_runs, sweep_stuck_runs


class Command(BaseCommand):
    help = (
        "List pages and exports being recognized, built or waiting, and which count as stuck; "
        "with --requeue, queue the stuck ones again now (after a worker died, or Redis lost "
        "its data)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--requeue",
            action="store_true",
            help="queue again the work listed as stuck (each task claims its work once, so a "
            "worker that was only slow loses nothing)",
        )
        parser.add_argument(
            "--older-than",
            type=float,
            metavar="SECONDS",
            help="count as stuck what has run or waited this long (default: what the sweeps "
            "use, Q_TIMEOUT + OCR_STUCK_GRACE; 0 after you stopped every worker)",
        )

    def handle(self, *args, **options):
        seconds = options["older_than"]
        limits = (
            queueing.StuckLimits.from_settings()
            if seconds is None
            else queueing.StuckLimits.older_than(seconds)
        )
        stuck = {("page run", run.pk) for run in stuck_runs(limits)}
        stuck |= {("page run", run.pk) for run in queueing.lost_runs(limits)}
        stuck |= {("export", export.pk) for export in recovery.stuck_builds(limits)}
        stuck |= {("export", export.pk) for export in recovery.lost_exports(limits)}
        now = timezone.now()
        rows = []
        in_flight = (RunStatus.QUEUED, RunStatus.RUNNING)
        for run in OcrRun.objects.filter(status__in=in_flight).select_related("page"):
            since = run.started_at or run.created_at
            rows.append(("page run", run.pk, f"page {run.page_id}", run.status, since, run.task_id))
        for export in Export.objects.filter(status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)):
            since = export.started_at or export.submitted_at or export.created_at
            rows.append(("export", export.pk, export.format, export.status, since, export.task_id))
        if not rows:
            self.stdout.write("Nothing in flight.")
            return
        self.stdout.write(f"{'kind':<9} {'id':>7}  {'what':<12} {'state':<8} {'for':>8}  stuck")
        for kind, pk, what, state, since, task_id in sorted(rows, key=lambda row: row[4]):
            age = int((now - since).total_seconds())
            mark = "yes" if (kind, pk) in stuck else ""
            if mark and not task_id:
                mark = "yes (never handed to the broker)"
            self.stdout.write(f"{kind:<9} {pk:>7}  {what:<12} {state:<8} {age:>7}s  {mark}")
        pages = sum(kind == "page run" for kind, _ in stuck)
        self.stdout.write(f"{pages} page run(s) and {len(stuck) - pages} export(s) stuck.")
        if options["requeue"] and stuck:
            done = sweep_stuck_runs(limits) + recovery.sweep_stuck_exports(limits)
            self.stdout.write(self.style.SUCCESS(f"{done} queued again."))
        elif stuck:
            self.stdout.write("Run again with --requeue to queue them again now.")
