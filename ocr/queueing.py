"""Putting pages on the recognition queue: one service for the admin, commands and the API.

Rules: a page already queued or processing is left alone (never recognized twice at once);
a recognized or reviewed page is only recognized again with ``force``; each queued page gets
an ``OcrRun`` whose id is the task's argument, so a duplicate delivery is harmless. Claiming
the page and creating its run happen in one transaction, and a run whose hand-over to the
broker failed keeps an empty ``task_id``, so ``resubmit_lost_runs`` can hand it over again.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from books.models import Book, Page, PageStatus
from ocr.models import OcrRun, RunStatus

logger = logging.getLogger(__name__)

RECOGNIZE_TASK = "ocr.tasks.recognize_page"
IN_FLIGHT = (PageStatus.QUEUED, PageStatus.PROCESSING)
HAS_TEXT = (PageStatus.RECOGNIZED, PageStatus.REVIEWED)
SCHEDULED = "schedule:"  # task_id prefix of a run waiting for its retry time


@dataclass(frozen=True)
class StuckLimits:
    """When in-flight work counts as stuck, for the sweeps of pages and exports.

    ``running``: a task running longer lost its worker (killed, out of memory). ``unsent``: a
    queued task never handed to the broker (it was down) is sent again after this. ``lost``:
    a task handed over longer ago while the broker's queue is empty was lost with the broker's
    data or with a killed worker that had prefetched it; a task that was merely waiting costs
    one extra, harmless delivery (each task claims its work once).
    """

    running: timedelta
    unsent: timedelta
    lost: timedelta

    @classmethod
    def from_settings(cls) -> "StuckLimits":
        """What the every-minute sweep uses: Q_TIMEOUT and OCR_STUCK_GRACE."""
        grace = timedelta(seconds=settings.OCR_STUCK_GRACE)
        timeout = timedelta(seconds=settings.Q_CLUSTER["timeout"])
        return cls(running=timeout + grace, unsent=grace, lost=timeout + grace)

    @classmethod
    def older_than(cls, seconds: float) -> "StuckLimits":
        """An operator's "anything in flight this long is stuck" (``manage.py stuck_work``)."""
        age = timedelta(seconds=seconds)
        return cls(running=age, unsent=age, lost=age)


def broker_is_empty() -> bool:
    from django_q.brokers import get_broker

    return get_broker().queue_size() == 0


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


def enqueue_pages(
    page_ids: Iterable[int], *, force: bool = False, keep_corrections: bool = True, user=None
) -> EnqueueResult:
    """Queue the pages; ``keep_corrections=False`` lets a forced re-run replace corrected
    lines (the page's previous text is one of its versions either way)."""
    result = EnqueueResult()
    pages = list(Page.objects.filter(pk__in=list(page_ids)).values_list("pk", "status"))
    for page_id, status in sorted(pages):
        if status in IN_FLIGHT:
            result.in_flight.append(page_id)
        elif status in HAS_TEXT and not force:
            result.need_force.append(page_id)
        elif _queue_page(page_id, status, force=force, keep=keep_corrections, user=user):
            result.queued.append(page_id)
        else:
            result.in_flight.append(page_id)  # someone else queued it a moment ago
    return result


def enqueue_book(
    book: Book, *, volume: int | None = None, force=False, keep_corrections=True, user=None
):
    pages = Page.objects.filter(volume__book=book)
    if volume is not None:
        pages = pages.filter(volume__sequence=volume)
    return enqueue_pages(
        pages.values_list("pk", flat=True),
        force=force,
        keep_corrections=keep_corrections,
        user=user,
    )


def _queue_page(page_id: int, status: str, *, force: bool, keep: bool, user) -> bool:
    """Compare-and-set on the status (two people queueing at once queue it once) + its run."""
    with transaction.atomic():
        claimed = Page.objects.filter(pk=page_id, status=status).update(
            status=PageStatus.QUEUED, error="", updated_at=timezone.now()
        )
        if not claimed:
            return False
        run = OcrRun.objects.create(
            page_id=page_id,
            force=force,
            keep_corrections=keep,
            requested_by=user,
            page_status_before=status,
        )
        transaction.on_commit(lambda: submit(run))
    return True


def submit(run: OcrRun, *, delay_seconds: int = 0) -> bool:
    """Hand a queued run to django-q2, now (after commit) or for retries after a delay.

    A delayed run becomes a one-off Schedule row written in the caller's transaction. An
    immediate hand-over that fails (broker down) is logged, not raised: the run keeps an
    empty task_id and the sweep hands it over again.
    """
    from django_q.models import Schedule
    from django_q.tasks import async_task

    name = f"ocr-page-{run.page_id}-run-{run.pk}"
    if delay_seconds:
        schedule = Schedule.objects.create(
            name=name,
            func=RECOGNIZE_TASK,
            args=repr((run.pk,)),
            schedule_type=Schedule.ONCE,
            repeats=-1,  # django-q2 deletes a ONCE schedule with negative repeats after it ran
            next_run=timezone.now() + timedelta(seconds=delay_seconds),
        )
        OcrRun.objects.filter(pk=run.pk).update(task_id=f"{SCHEDULED}{schedule.pk}")
        return True
    try:
        task_id = async_task(RECOGNIZE_TASK, run.pk, task_name=name, group="ocr")
    except Exception:
        logger.exception("ocr run=%s page=%s: broker refused the task", run.pk, run.page_id)
        return False
    OcrRun.objects.filter(pk=run.pk).update(task_id=task_id)
    return True


def requeue(run: OcrRun, *, reason: str, delay_seconds: int = 0) -> OcrRun:
    """Record why ``run`` ended and queue its next attempt (call inside a transaction)."""
    next_run = OcrRun.objects.create(
        page_id=run.page_id,
        force=run.force,
        keep_corrections=run.keep_corrections,
        attempt=run.attempt + 1,
        requested_by=run.requested_by,
        page_status_before=run.page_status_before,
    )
    Page.objects.filter(pk=run.page_id, status__in=IN_FLIGHT).update(
        status=PageStatus.QUEUED, error=reason, updated_at=timezone.now()
    )
    if delay_seconds:
        submit(next_run, delay_seconds=delay_seconds)
    else:
        transaction.on_commit(lambda: submit(next_run))
    return next_run


def lost_runs(limits: StuckLimits) -> list[OcrRun]:
    """The queued runs the broker never took or lost (see ``StuckLimits``)."""
    now = timezone.now()
    queued = OcrRun.objects.filter(status=RunStatus.QUEUED).order_by("pk")
    lost = list(queued.filter(task_id="", created_at__lt=now - limits.unsent))
    if broker_is_empty():
        lost += (
            queued.filter(created_at__lt=now - limits.lost)
            .exclude(task_id="")
            .exclude(task_id__startswith=SCHEDULED)
        )
    return lost


def resubmit_lost_runs(limits: StuckLimits) -> int:
    """Hand over again the queued runs the broker never took or lost."""
    return sum(submit(run) for run in lost_runs(limits))
