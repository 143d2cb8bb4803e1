"""Transient failures are retried with growing delays, then the page fails with the reason."""

import pytest
from django.utils import timezone
from django_q.models import Schedule

from books.models import PageStatus
from ocr import queueing, recognition
from ocr.models import OcrRun, RunStatus
from tests.ocr.factories import ENGLISH_PAGE, add_page, make_volume

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky_engine(monkeypatch):
    """The engine call fails as a lost GPU or a dropped connection would."""

    def fail(image, config=None):
        raise RuntimeError("CUDA error: device lost")

    monkeypatch.setattr(recognition, "read_page", fail)


def run_queued(page):
    return recognition.recognize(OcrRun.objects.get(page=page, status=RunStatus.QUEUED).pk)


def test_a_transient_failure_schedules_a_retry_with_growing_delay(
    flaky_engine, settings, django_capture_on_commit_callbacks
):
    settings.OCR_RETRY_BACKOFF = 30
    page = add_page(make_volume(), ENGLISH_PAGE)
    queueing.enqueue_pages([page.pk])

    delays = []
    for attempt in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            run = run_queued(page)
        assert run.status == RunStatus.FAILED and "device lost" in run.error
        schedule = Schedule.objects.get(name__endswith=f"run-{run.pk + 1}")
        delays.append((schedule.next_run - timezone.now()).total_seconds())
        page.refresh_from_db()
        assert page.status == PageStatus.QUEUED and "retrying in" in page.error
        assert OcrRun.objects.get(page=page, status=RunStatus.QUEUED).attempt == attempt + 1
    assert 25 < delays[0] <= 30 and 55 < delays[1] <= 60


def test_the_page_fails_with_the_reason_once_retries_are_used_up(flaky_engine, settings):
    settings.OCR_MAX_RETRIES = 0
    page = add_page(make_volume(), ENGLISH_PAGE)
    queueing.enqueue_pages([page.pk])
    run_queued(page)
    page.refresh_from_db()
    assert page.status == PageStatus.FAILED
    assert page.error == "gave up after 1 attempts: RuntimeError: CUDA error: device lost"
