"""Exports are never stuck: a build whose worker died is queued again (then failed, if it keeps
killing workers), a task the broker lost is handed over again by the sweep and by the next
identical request, and a build that only looked dead cannot overwrite the one after it."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from exports import building, recovery
from exports.models import Export, ExportStatus
from ocr.queueing import StuckLimits
from tests.exports.factories import make_fixed_book
from tests.ocr.conftest import REDIS_URL, qcluster, redis_available, wait_for

pytestmark = pytest.mark.django_db


def running_since(export, seconds: int, attempts: int = 1) -> None:
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=seconds),
        attempts=attempts,
    )


@pytest.fixture
def book(db):
    return make_fixed_book()


@pytest.fixture
def queued(book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = building.request_export(book, "txt")
    export.refresh_from_db()
    assert export.task_id and export.submitted_at and OrmQ.objects.count() == 1
    return export


def test_a_build_whose_worker_died_is_queued_again_and_handed_over(queued, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 600}
    settings.OCR_STUCK_GRACE = 60
    OrmQ.objects.all().delete()  # the worker took the task, then died
    running_since(queued, 600)
    assert recovery.sweep_stuck_exports() == 0  # not yet longer than a task may run

    running_since(queued, 661)
    assert recovery.sweep_stuck_exports() == 1

    queued.refresh_from_db()
    assert queued.status == ExportStatus.QUEUED
    assert queued.error == "worker stopped during the build; queued again"
    assert OrmQ.objects.count() == 1
    assert building.build(queued.pk).status == ExportStatus.DONE
    assert Export.objects.get(pk=queued.pk).attempts == 2


def test_a_build_that_keeps_killing_its_worker_fails_with_the_reason(queued, settings):
    settings.OCR_MAX_RETRIES = 2
    running_since(queued, 10_000, attempts=3)

    assert recovery.sweep_stuck_exports() == 1

    queued.refresh_from_db()
    assert queued.status == ExportStatus.FAILED and queued.finished_at
    assert queued.error == "gave up after 3 attempts: worker stopped during the build"


def test_a_task_the_broker_lost_is_handed_over_again_by_the_sweep(queued, settings):
    OrmQ.objects.all().delete()  # the broker lost its data
    assert recovery.sweep_stuck_exports() == 0  # handed over a moment ago: maybe prefetched

    Export.objects.filter(pk=queued.pk).update(submitted_at=timezone.now() - timedelta(hours=1))
    assert recovery.sweep_stuck_exports(StuckLimits.from_settings()) == 1
    assert OrmQ.objects.count() == 1
    assert recovery.sweep_stuck_exports() == 0  # handed over just now


def test_a_waiting_task_is_left_alone_while_the_broker_holds_work(queued):
    Export.objects.filter(pk=queued.pk).update(submitted_at=timezone.now() - timedelta(hours=1))
    assert recovery.sweep_stuck_exports() == 0  # the broker's queue is not empty
    assert OrmQ.objects.count() == 1


def test_asking_again_for_an_export_whose_task_is_gone_hands_it_over_again(
    queued, book, settings, django_capture_on_commit_callbacks
):
    settings.OCR_STUCK_GRACE = 0
    OrmQ.objects.all().delete()

    again, created = building.request_export(book, "txt")

    assert not created and again.pk == queued.pk
    assert OrmQ.objects.count() == 1
    assert Export.objects.get(pk=queued.pk).submitted_at > queued.submitted_at


def test_a_build_that_only_looked_dead_does_not_finish_the_export(queued, settings, monkeypatch):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 0}
    settings.OCR_STUCK_GRACE = 0
    real_write = building.write_export

    def slow_write(export, page_ids, out, page_done):
        real_write(export, page_ids, out, page_done)
        recovery.sweep_stuck_exports()  # the sweep ran while this worker was busy

    monkeypatch.setattr(building, "write_export", slow_write)

    building.build(queued.pk)

    queued.refresh_from_db()
    assert queued.status == ExportStatus.QUEUED and not queued.file
    monkeypatch.undo()
    assert building.build(queued.pk).status == ExportStatus.DONE


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not redis_available(), reason=f"no Redis at {REDIS_URL}")
def test_after_redis_lost_its_data_the_next_request_gets_the_export_built(
    process_env, monkeypatch, settings, tmp_path
):
    import redis
    from django_q.conf import Conf

    cluster = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", REDIS_URL)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", cluster)
    monkeypatch.setattr(Conf, "PREFIX", cluster)  # the signing salt
    settings.OCR_STUCK_GRACE = 0
    book = make_fixed_book()
    export, _ = building.request_export(book, "csv")  # no worker running
    redis.Redis.from_url(REDIS_URL).delete(f"django_q:{cluster}:q")  # restarted, data lost

    again, created = building.request_export(book, "csv")

    assert not created and again.pk == export.pk
    env = process_env(REDIS_URL=REDIS_URL, Q_CLUSTER_NAME=cluster, EXPORT_TEMP_DIR=tmp_path)
    env.update(Q_CLUSTER_NAME=cluster, SECRET_KEY=settings.SECRET_KEY)  # tasks are signed
    with qcluster(env) as worker:
        try:
            wait_for(
                lambda: Export.objects.get(pk=export.pk).status == ExportStatus.DONE,
                timeout=120,
                what="export built",
            )
        except AssertionError:
            worker.terminate()
            print(worker.communicate(timeout=30)[0])
            raise
