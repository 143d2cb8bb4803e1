"""Putting pages on the recognition queue: one service for the admin, commands and the API.

Rules: a page already queued or processing is left alone (never recognized twice at once);
a recognized or reviewed page is only recognized again with ``force``; each queued page gets
an ``OcrRun`` whose id is the task's argument, so a duplicate delivery is harmless.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from books.models import Book, Page, PageStatus
from ocr.models import OcrRun

RECOGNIZE_TASK = "ocr.tasks.recognize_page"
IN_FLIGHT = (PageStatus.QUEUED, PageStatus.PROCESSING)
HAS_TEXT = (PageStatus.RECOGNIZED, PageStatus.REVIEWED)


@dataclass
class EnqueueResult:
    queued: list[int] = field(default_factory=list)
    in_flight: list[int] = field(default_factory=list)
    need_force: list[int] = field(default_factory=list)

    def message(self) -> str:
        parts = [f"{len(self.queued)} page(s) queued for recognition"]
        if self.in_flight:
            parts.append(f"{len(self.in_flight)} already queued or processing")
        if self.need_force:
            parts.append(f"{len(self.need_force)} already recognized (use force to redo them)")
        return "; ".join(parts)


def enqueue_pages(page_ids: Iterable[int], *, force: bool = False, user=None) -> EnqueueResult:
    result = EnqueueResult()
    pages = list(Page.objects.filter(pk__in=list(page_ids)).values_list("pk", "status"))
    for page_id, status in sorted(pages):
        if status in IN_FLIGHT:
            result.in_flight.append(page_id)
        elif status in HAS_TEXT and not force:
            result.need_force.append(page_id)
        elif _claim_for_queue(page_id, status):
            run = OcrRun.objects.create(page_id=page_id, force=force, requested_by=user)
            transaction.on_commit(lambda run=run: submit(run))
            result.queued.append(page_id)
        else:
            result.in_flight.append(page_id)  # someone else queued it a moment ago
    return result


def enqueue_book(book: Book, *, volume: int | None = None, force=False, user=None):
    pages = Page.objects.filter(volume__book=book)
    if volume is not None:
        pages = pages.filter(volume__sequence=volume)
    return enqueue_pages(pages.values_list("pk", flat=True), force=force, user=user)


def _claim_for_queue(page_id: int, status: str) -> bool:
    """Compare-and-set on the status, so two people queueing at once queue it once."""
    return bool(
        Page.objects.filter(pk=page_id, status=status).update(
            status=PageStatus.QUEUED, error="", updated_at=timezone.now()
        )
    )


def submit(run: OcrRun, *, delay_seconds: int = 0) -> None:
    """Hand a queued run to django-q2, now or (for retries) after a delay."""
    from django_q.models import Schedule
    from django_q.tasks import async_task

    name = f"ocr-page-{run.page_id}-run-{run.pk}"
    if delay_seconds:
        Schedule.objects.create(
            name=name,
            func=RECOGNIZE_TASK,
            args=repr((run.pk,)),
            schedule_type=Schedule.ONCE,
            repeats=1,
            next_run=timezone.now() + timedelta(seconds=delay_seconds),
        )
        return
    task_id = async_task(RECOGNIZE_TASK, run.pk, task_name=name, group="ocr")
    OcrRun.objects.filter(pk=run.pk).update(task_id=task_id)


def requeue(run: OcrRun, *, reason: str, delay_seconds: int = 0) -> OcrRun:
    """Record why ``run`` ended and queue its next attempt."""
    next_run = OcrRun.objects.create(
        page_id=run.page_id, force=run.force, attempt=run.attempt + 1, requested_by=run.requested_by
    )
    Page.objects.filter(pk=run.page_id).update(status=PageStatus.QUEUED, error=reason)
    transaction.on_commit(lambda: submit(next_run, delay_seconds=delay_seconds))
    return next_run
