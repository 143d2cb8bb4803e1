"""Nothing is lost or stuck when the broker, a worker, a sweep or a bad file gets in the way."""

import dataclasses
import os
from datetime import timedelta

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from books.models import Page, PageStatus
from ocr import configuration, queueing, recognition
from ocr.configuration import engine_config, settings_key
from ocr.models import OcrRun, RunStatus, TextLine
from ocr.schedules import SWEEP
from tests.ocr.conftest import manage
from tests.ocr.factories import CHINESE_PAGE, ENGLISH_PAGE, add_page, make_volume


def queued_run(page) -> OcrRun:
    return OcrRun.objects.get(page=page, status=RunStatus.QUEUED)


def give_lines(page, *texts, status=PageStatus.RECOGNIZED):
    for number, text in enumerate(texts, start=1):
        TextLine.objects.create(
            page=page, order=number, polygon=[[0, 0], [9, 0], [9, 9], [0, 9]],
            x0=0, y0=0, x1=9, y1=9, engine_text=text, text=text, confidence=0.9,
        )  # fmt: skip
    Page.objects.filter(pk=page.pk).update(status=status)


@pytest.mark.django_db(transaction=True)
def test_a_page_queued_while_the_broker_is_down_is_handed_over_by_the_sweep(process_env, settings):
    page = add_page(make_volume("report"), ENGLISH_PAGE)
    dead_redis = process_env(REDIS_URL="redis://127.0.0.1:1/0")
    result = manage(dead_redis, "recognize", "--book", "report", timeout=120)
    assert result.returncode == 0, result.stderr
    run = queued_run(page)
    assert run.task_id == "" and "broker refused" in result.stderr

    settings.OCR_STUCK_GRACE = 0
    assert recognition.sweep_stuck_runs() == 1  # this process uses the ORM broker, which is up
    run.refresh_from_db()
    assert run.task_id and OrmQ.objects.count() == 1
    page.refresh_from_db()
    assert page.status == PageStatus.QUEUED


@pytest.mark.django_db
def test_a_retry_waits_in_a_one_off_schedule_that_removes_itself(settings, monkeypatch):
    def fail(image, config=None):
        raise RuntimeError("CUDA error: device lost")

    monkeypatch.setattr(recognition, "read_page", fail)
    page = add_page(make_volume(), ENGLISH_PAGE)
    queueing.enqueue_pages([page.pk])
    recognition.recognize(queued_run(page).pk)

    retry = queued_run(page)
    schedule = Schedule.objects.get(pk=retry.task_id.removeprefix(queueing.SCHEDULED))
    assert schedule.args == repr((retry.pk,)) and schedule.repeats < 0


@pytest.mark.django_db
def test_a_result_arriving_after_the_sweep_requeued_the_page_is_dropped(
    ocr_models, settings, monkeypatch
):
    """A worker that was only slow, not dead, must not overwrite the sweep's decision."""
    settings.OCR_STUCK_GRACE = 0
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 0}
    real_read_page = recognition.read_page

    def slow_read_page(image, config=None):
        lines = real_read_page(image, config)
        recognition.sweep_stuck_runs()  # the sweep ran while the engine worked
        return lines

    monkeypatch.setattr(recognition, "read_page", slow_read_page)
    page = add_page(make_volume(), CHINESE_PAGE)
    queueing.enqueue_pages([page.pk])
    first = queued_run(page)

    run = recognition.recognize(first.pk)

    assert run.status == RunStatus.FAILED and "worker stopped" in run.error
    page.refresh_from_db()
    assert page.status == PageStatus.QUEUED and not page.lines.exists()
    assert queued_run(page).attempt == 2


@pytest.mark.django_db
@pytest.mark.parametrize("status", [PageStatus.RECOGNIZED, PageStatus.REVIEWED])
def test_a_failed_forced_rerun_keeps_the_earlier_text_and_status(status):
    page = add_page(make_volume(), ENGLISH_PAGE)
    give_lines(page, "Annual report", "of the library", status=status)
    queueing.enqueue_pages([page.pk], force=True)
    with page.image.open("wb") as handle:
        handle.write(b"")

    run = recognition.recognize(queued_run(page).pk)

    page.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert page.status == status
    assert (
        page.error == "recognizing again failed, earlier text kept: page image is empty (0 bytes)"
    )
    assert list(page.lines.values_list("text", flat=True)) == ["Annual report", "of the library"]


@pytest.mark.django_db
def test_a_zero_byte_stored_image_fails_the_page_with_the_reason():
    page = add_page(make_volume(), ENGLISH_PAGE)
    with page.image.open("wb") as handle:
        handle.write(b"")
    queueing.enqueue_pages([page.pk])
    recognition.recognize(queued_run(page).pk)
    page.refresh_from_db()
    assert page.status == PageStatus.FAILED
    assert page.error == "page image is empty (0 bytes)"


@pytest.mark.django_db
def test_a_stored_image_over_the_pixel_limit_is_refused_before_decoding(settings):
    page = add_page(make_volume(), ENGLISH_PAGE)
    settings.IMPORT_MAX_PIXELS = 1000
    queueing.enqueue_pages([page.pk])
    recognition.recognize(queued_run(page).pk)
    page.refresh_from_db()
    assert page.status == PageStatus.FAILED
    assert page.error.startswith("page image too large") and "IMPORT_MAX_PIXELS" in page.error


@pytest.mark.django_db
def test_a_result_is_not_reused_from_a_run_whose_lines_were_replaced(ocr_models):
    first = add_page(make_volume("one"), CHINESE_PAGE)
    queueing.enqueue_pages([first.pk])
    original = recognition.recognize(queued_run(first).pk)
    first.lines.filter(order=1).delete()  # a corrector removed a false line
    second = add_page(make_volume("two"), CHINESE_PAGE)
    queueing.enqueue_pages([second.pk])

    run = recognition.recognize(queued_run(second).pk)

    assert run.status == RunStatus.SUCCEEDED and run.reused_from is None
    assert second.lines.count() == original.line_count


def test_the_reuse_key_changes_with_the_bleed_through_guard(settings):
    before = settings_key(engine_config())
    settings.OCR_BLEED_THROUGH_CONTRAST = 0
    assert settings_key(engine_config()) != before


def test_the_reuse_key_changes_with_the_detection_box_threshold_and_the_engine_revision(
    monkeypatch,
):
    config = engine_config()
    before = settings_key(config)
    assert settings_key(dataclasses.replace(config, det_box_thresh=0.4)) != before
    monkeypatch.setattr(configuration, "REVISION", configuration.REVISION + 1)
    assert settings_key(config) != before


def test_worker_threads_are_shared_among_the_cluster_processes(settings):
    settings.OCR_THREADS = 0
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 4}
    threads = engine_config().threads
    assert threads >= 1 and threads * 4 <= max(4, os.cpu_count())


@pytest.mark.django_db
def test_migrate_brings_back_a_deleted_sweep_schedule():
    Schedule.objects.filter(name=SWEEP).delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    schedule = Schedule.objects.get(name=SWEEP)
    assert schedule.func == "ocr.tasks.sweep_stuck_pages" and schedule.repeats == -1
    assert schedule.next_run <= timezone.now() + timezone.timedelta(minutes=1)


@pytest.mark.django_db
def test_a_queued_run_whose_task_the_broker_lost_is_handed_over_once_the_queue_is_empty(
    settings, django_capture_on_commit_callbacks
):
    settings.OCR_STUCK_GRACE = 0
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 10}
    page = add_page(make_volume(), ENGLISH_PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        queueing.enqueue_pages([page.pk])
    run = queued_run(page)
    first_task = run.task_id
    assert first_task and OrmQ.objects.count() == 1

    assert recognition.sweep_stuck_runs() == 0  # its task is still waiting in the queue
    OrmQ.objects.all().delete()  # taken by a cluster that was then killed
    assert recognition.sweep_stuck_runs() == 0  # not yet longer than a task may run
    OcrRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(seconds=11))
    assert recognition.sweep_stuck_runs() == 1

    run.refresh_from_db()
    assert run.task_id != first_task and OrmQ.objects.count() == 1
