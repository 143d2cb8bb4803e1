"""``manage.py stuck_work``: the operator sees the work in flight and queues the stuck part
again at once, without waiting Q_TIMEOUT for the sweeps; a page a live worker holds is not
touched."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from books.models import Page, PageStatus
from exports import building
from exports.models import Export, ExportStatus
from ocr import queueing
from ocr.models import OcrRun, RunStatus
from tests.exports.factories import make_fixed_book
from tests.ocr.factories import ENGLISH_PAGE, add_page, make_volume

pytestmark = pytest.mark.django_db


def running_page(seconds: int, book: str) -> OcrRun:
    page = add_page(make_volume(book), ENGLISH_PAGE)
    queueing.enqueue_pages([page.pk])
    run = OcrRun.objects.get(page=page)
    started = timezone.now() - timedelta(seconds=seconds)
    OcrRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=started)
    Page.objects.filter(pk=page.pk).update(status=PageStatus.PROCESSING)
    return run


def stuck_work(*args) -> str:
    out = io.StringIO()
    call_command("stuck_work", *args, stdout=out)
    return out.getvalue()


def test_nothing_in_flight():
    assert stuck_work() == "Nothing in flight.\n"


def test_lists_then_requeues_what_ran_longer_than_asked_and_spares_a_live_worker(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 600}
    dead = running_page(300, "dead")  # its worker was killed five minutes ago
    live = running_page(5, "live")
    export, _ = building.request_export(make_fixed_book(), "txt", enqueue=False)
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now() - timedelta(seconds=400)
    )

    listing = stuck_work()  # the sweeps' limits: nothing has run 11 minutes yet
    assert "0 page run(s) and 0 export(s) stuck." in listing
    listing = stuck_work("--older-than", "120")
    assert "1 page run(s) and 1 export(s) stuck." in listing
    assert "Run again with --requeue" in listing

    result = stuck_work("--older-than", "120", "--requeue")

    assert "queued again." in result
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and "worker stopped" in dead.error
    assert OcrRun.objects.get(page=dead.page, status=RunStatus.QUEUED).attempt == 2
    assert Page.objects.get(pk=dead.page_id).status == PageStatus.QUEUED
    assert OcrRun.objects.get(pk=live.pk).status == RunStatus.RUNNING
    assert Page.objects.get(pk=live.page_id).status == PageStatus.PROCESSING
    export.refresh_from_db()
    assert export.status == ExportStatus.QUEUED and export.task_id
