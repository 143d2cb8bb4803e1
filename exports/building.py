"""Exports from request to expiry: the one service behind the admin, the command, the queue
task and the API (exports/api.py).

- ``request_export`` returns a fresh identical export when there is one (same scope,
  format, options and text unchanged since), otherwise records a new one and queues it.
- ``build`` (the task body) writes the file to a temporary file page by page, then hands it
  to storage whole; a failure records why and leaves no file behind.
- ``delete_expired`` (a django-q2 schedule) removes exports and their files past expiry.
"""

import hashlib
import json
import logging
import os
import tempfile
import time
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from exports import formats
from exports.models import Export, ExportStatus, Scope, TextSource, export_file_path
from exports.source import content_stamp, pages_in_scope
from exports.writing import file_name, write_export
from ocr.queueing import broker_is_empty

logger = logging.getLogger(__name__)

BUILD_TASK = "exports.tasks.build_export"
NOT_QUEUED = "could not be queued"  # the start of the error of an export the broker refused


class ExportError(ValueError):
    """A request that cannot be an export (unknown format, empty scope...)."""


def request_export(
    book,
    format: str,
    *,
    scope: str = Scope.BOOK,
    volume=None,
    page_ids=(),
    text_source: str = TextSource.CORRECTED,
    include_images: bool = False,
    per_page: bool = False,
    keep_headers_footers: bool = False,
    user=None,
    enqueue: bool = True,
) -> tuple[Export, bool]:
    """(export, created): a fresh identical export is returned instead of a new build, and
    ``user`` joins its requesters (who may see and download it, exports.access)."""
    exporter = formats.get(format)  # raises ValueError for an unknown format
    if text_source not in TextSource.values:
        raise ExportError(f"unknown text source {text_source!r}: use corrected or engine")
    export = Export(
        book=book,
        scope=scope,
        volume=volume if scope == Scope.VOLUME else None,
        page_ids=sorted(set(page_ids)) if scope == Scope.PAGES else [],
        format=format,
        text_source=text_source,
        include_images=include_images,
        per_page=per_page or exporter.one_file_per_page,
        keep_headers_footers=keep_headers_footers,
        requested_by=user,
    )
    if scope == Scope.VOLUME and (volume is None or volume.book_id != book.pk):
        raise ExportError("a volume export needs a volume of the book")
    if not pages_in_scope(export).exists():
        raise ExportError(f"nothing to export: {export.scope_label()} has no pages")
    export.fingerprint = fingerprint(export)
    existing = find_fresh(export)
    if existing is not None:
        if user is not None:  # shared: whoever asked for the same file may fetch it
            existing.requesters.add(user)
        return existing, False
    export.expires_at = timezone.now() + timedelta(hours=settings.EXPORT_TTL_HOURS)
    with transaction.atomic():
        export.save()
        if user is not None:
            export.requesters.add(user)
        if enqueue:
            transaction.on_commit(lambda: submit(export))
    return export, True


def fingerprint(export: Export) -> str:
    """What makes two exports the same file: scope, format, options (and PDF settings)."""
    key = {
        "book": export.book_id,
        "scope": export.scope,
        "volume": export.volume_id,
        "pages": export.page_ids,
        "format": export.format,
        "source": export.text_source,
        "images": export.include_images,
        "per_page": export.per_page,
        "headers_footers": export.keep_headers_footers,
    }
    if formats.get(export.format).needs_images:
        key["pdf"] = [
            settings.EXPORT_PDF_DPI,
            settings.EXPORT_PDF_IMAGE_DPI,
            settings.EXPORT_PDF_JPEG_QUALITY,
        ]
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def find_fresh(export: Export) -> Export | None:
    """A ready export built from the same text, or one being built now (not a lost one)."""
    now = timezone.now()
    candidates = Export.objects.filter(
        fingerprint=export.fingerprint,
        expires_at__gt=now + timedelta(minutes=5),
        status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.DONE),
    ).order_by("-created_at")
    stamp = None
    lost_before = now - timedelta(seconds=settings.Q_CLUSTER["timeout"])
    for candidate in candidates:
        if candidate.status == ExportStatus.QUEUED:
            if task_lost(candidate, waited=timedelta(seconds=settings.OCR_STUCK_GRACE)):
                submit(candidate)  # e.g. Redis restarted without its data: hand it over again
            return candidate  # it will read the text as it is when it runs
        if candidate.status == ExportStatus.RUNNING:
            if candidate.started_at and candidate.started_at > lost_before:
                return candidate
            continue
        stamp = stamp or content_stamp(export)
        if candidate.content_stamp == stamp and default_storage.exists(candidate.file.name):
            return candidate
    return None


def task_lost(export: Export, *, waited: timedelta) -> bool:
    """Whether a queued export's task is not coming: never handed over, or handed over longer
    than ``waited`` ago while the broker's queue is empty (a worker that had prefetched it
    gets a second delivery, which ``build`` ignores)."""
    if export.status != ExportStatus.QUEUED:
        return False
    since = export.submitted_at or export.created_at
    if since > timezone.now() - waited:
        return False
    return not export.task_id or broker_is_empty()


def submit(export: Export) -> None:
    from django_q.tasks import async_task

    try:
        task_id = async_task(
            BUILD_TASK, export.pk, task_name=f"export-{export.pk}", group="exports"
        )
    except Exception as error:
        logger.exception("export=%s: broker refused the task", export.pk)
        # Also on the instance: the caller answers "not queued" (the API's 503) from it.
        export.status, export.error = ExportStatus.FAILED, f"{NOT_QUEUED}: {error}"
        Export.objects.filter(pk=export.pk).update(status=export.status, error=export.error)
        return
    export.task_id, export.submitted_at = task_id, timezone.now()
    Export.objects.filter(pk=export.pk).update(task_id=task_id, submitted_at=export.submitted_at)


def was_refused(export: Export) -> bool:
    """The broker did not take the export's task (it is stored as failed, with the reason)."""
    return export.status == ExportStatus.FAILED and export.error.startswith(NOT_QUEUED)


def build(export_id: int) -> Export | None:
    """Build a queued export; None when it is not queued (a duplicate delivery)."""
    claimed_at = timezone.now()
    claimed = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING,
        started_at=claimed_at,
        error="",
        pages_done=0,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    # Only this build may finish the export: after a sweep re-queued it (this worker looked
    # dead), a later build owns it and this one's result is dropped.
    mine = Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING, started_at=claimed_at)
    export = Export.objects.select_related("book", "volume").get(pk=export_id)
    temp_dir = settings.EXPORT_TEMP_DIR
    temp_dir.mkdir(parents=True, exist_ok=True)
    handle, temp_path = tempfile.mkstemp(dir=temp_dir, prefix=f"export-{export.pk}-")
    stored = None
    try:
        page_ids = list(pages_in_scope(export).values_list("pk", flat=True))
        stamp = content_stamp(export)
        Export.objects.filter(pk=export.pk).update(pages_total=len(page_ids), content_stamp=stamp)
        with os.fdopen(handle, "wb") as out:
            write_export(export, page_ids, out, _progress_reporter(export.pk, len(page_ids)))
        size = os.path.getsize(temp_path)
        name = file_name(export)
        with open(temp_path, "rb") as finished:
            stored = default_storage.save(export_file_path(export, name), File(finished, name))
        done = mine.update(
            status=ExportStatus.DONE,
            file=stored,
            size=size,
            pages_done=len(page_ids),
            finished_at=timezone.now(),
        )
        if not done:  # deleted (expired, by hand) or re-queued while it was being built
            default_storage.delete(stored)
    except Exception as error:
        logger.exception("export=%s failed", export.pk)
        if stored:
            default_storage.delete(stored)
        mine.update(
            status=ExportStatus.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
    finally:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
    export.refresh_from_db()
    return export


def _progress_reporter(export_id: int, total: int):
    """Counts pages; writes the count at most once a second (and at each 10%)."""
    state = {"done": 0, "written_at": 0.0, "percent": -1}

    def page_done():
        state["done"] += 1
        percent = 100 * state["done"] // max(1, total) // 10
        now = time.monotonic()
        if now - state["written_at"] >= 1 or percent != state["percent"]:
            Export.objects.filter(pk=export_id).update(pages_done=state["done"])
            state["written_at"], state["percent"] = now, percent

    return page_done


def delete_expired(now=None) -> int:
    """Delete exports past their expiry (the row's delete signal removes the file), and
    temporary files a killed worker left behind, once they are as old as an export lives."""
    now = now or timezone.now()
    count = 0
    for export in Export.objects.filter(expires_at__lte=now):
        export.delete()
        count += 1
    cutoff = time.time() - settings.EXPORT_TTL_HOURS * 3600
    temp_dir = settings.EXPORT_TEMP_DIR
    for leftover in temp_dir.glob("export-*") if temp_dir.is_dir() else ():
        if leftover.is_file() and leftover.stat().st_mtime < cutoff:
            leftover.unlink(missing_ok=True)
    return count


def delete_file(sender, instance: Export, **kwargs) -> None:
    """post_delete receiver: an export's file goes with its row (after the commit)."""
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
