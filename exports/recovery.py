"""Exports whose worker died mid-build, or whose task the broker lost, queued again.

The rules of the pages' sweep (``ocr.recognition.sweep_stuck_runs``, ``StuckLimits``): a build
running longer than Q_TIMEOUT + OCR_STUCK_GRACE lost its worker and is queued again, up to
OCR_MAX_RETRIES times, then failed with the reason (a book whose build kills its worker,
out of memory say, must not loop); a queued export whose task is lost is handed over again.
``build`` claims an export once and only the latest build may finish it, so an extra
delivery or a slow worker that was not dead is harmless.
"""

import logging

from django.conf import settings
from django.db.models.functions import Coalesce
from django.utils import timezone

from exports import building
from exports.models import Export, ExportStatus
from ocr.queueing import StuckLimits, broker_is_empty

logger = logging.getLogger(__name__)

WORKER_STOPPED = "worker stopped during the build"


def stuck_builds(limits: StuckLimits):
    limit = timezone.now() - limits.running
    return Export.objects.filter(status=ExportStatus.RUNNING, started_at__lt=limit).order_by("pk")


def lost_exports(limits: StuckLimits) -> list[Export]:
    """Queued exports never handed over, or handed over long ago to a broker now empty."""
    now = timezone.now()
    queued = Export.objects.filter(status=ExportStatus.QUEUED).order_by("pk")
    lost = list(queued.filter(task_id="", created_at__lt=now - limits.unsent))
    if broker_is_empty():
        since = Coalesce("submitted_at", "created_at")
        lost += queued.exclude(task_id="").alias(since=since).filter(since__lt=now - limits.lost)
    return lost


def sweep_stuck_exports(limits: StuckLimits | None = None) -> int:
    limits = limits or StuckLimits.from_settings()
    swept = 0
    for export in stuck_builds(limits):
        if export.attempts > settings.OCR_MAX_RETRIES:
            reason = f"gave up after {export.attempts} attempts: {WORKER_STOPPED}"
            changes = {
                "status": ExportStatus.FAILED,
                "error": reason,
                "finished_at": timezone.now(),
            }
        else:
            changes = {"status": ExportStatus.QUEUED, "error": f"{WORKER_STOPPED}; queued again"}
        # Only if it is still the build that looked dead (not finished meanwhile).
        moved = Export.objects.filter(
            pk=export.pk, status=ExportStatus.RUNNING, started_at=export.started_at
        ).update(**changes)
        if moved and changes["status"] == ExportStatus.QUEUED:
            export.status = ExportStatus.QUEUED
            building.submit(export)
        swept += moved
    resubmitted = 0
    for export in lost_exports(limits):
        building.submit(export)
        resubmitted += 1
    if swept or resubmitted:
        logger.warning(
            "export sweep: %s stuck build(s) queued again or failed, %s lost task(s) resubmitted",
            swept,
            resubmitted,
        )
    return swept + resubmitted
