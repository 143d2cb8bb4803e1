"""Recognition through a real django-q2 cluster (ORM broker and Redis) and the real engine."""

import os
import signal

import pytest

from books.models import Page, PageStatus
from ocr.models import OcrRun, RunStatus
from ocr.recognition import sweep_stuck_runs
from tests.ocr.conftest import REDIS_URL, manage, qcluster, redis_available, wait_for
from tests.ocr.factories import CHINESE_PAGE, ENGLISH_PAGE, add_page, make_volume

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def page_status(page):
    return Page.objects.values_list("status", flat=True).get(pk=page.pk)


@pytest.mark.parametrize("broker", ["orm", "redis"])
def test_recognize_command_and_worker_recognize_a_page(process_env, broker):
    if broker == "redis" and not redis_available():
        pytest.skip(f"Redis is not answering at {REDIS_URL}")
    env = process_env(**({"REDIS_URL": REDIS_URL} if broker == "redis" else {}))
    page = add_page(make_volume("report"), ENGLISH_PAGE)

    with qcluster(env):
        result = manage(env, "recognize", "--book", "report", "--wait", "240")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 page(s) queued" in result.stdout
    page.refresh_from_db()
    assert page.status == PageStatus.RECOGNIZED
    assert page.lines.count() >= 5
    run = page.ocr_runs.get()
    assert run.status == RunStatus.SUCCEEDED and run.task_id and run.seconds > 0


def test_worker_killed_mid_page_is_requeued_by_the_sweep(process_env, settings):
    env = process_env()
    page = add_page(make_volume("report"), ENGLISH_PAGE)
    with qcluster(env) as cluster:
        assert manage(env, "recognize", "--book", "report").returncode == 0
        wait_for(lambda: page_status(page) == PageStatus.PROCESSING, what="processing")
        os.killpg(cluster.pid, signal.SIGKILL)  # the whole cluster, as a host crash would
        cluster.wait()
    assert page_status(page) == PageStatus.PROCESSING
    lost = page.ocr_runs.get()
    assert lost.status == RunStatus.RUNNING

    settings.OCR_STUCK_GRACE = 0
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 0}
    assert sweep_stuck_runs() == 1
    assert page_status(page) == PageStatus.QUEUED

    with qcluster(env):
        wait_for(lambda: page_status(page) == PageStatus.RECOGNIZED, what="recognized")
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED and "worker stopped" in lost.error
    assert page.ocr_runs.filter(status=RunStatus.SUCCEEDED, attempt=2).exists()
    assert page.lines.exists()


def test_corrupt_stored_image_fails_with_reason_and_leaves_other_pages_alone(process_env):
    env = process_env()
    volume = make_volume("report")
    good = add_page(volume, ENGLISH_PAGE)
    bad = add_page(volume, CHINESE_PAGE)
    # Corrupt the stored file after import, as a storage fault would.
    with open(bad.image.path, "r+b") as handle:
        handle.truncate(2000)

    with qcluster(env):
        result = manage(env, "recognize", "--book", "report", "--wait", "240")

    assert result.returncode != 0
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == PageStatus.FAILED
    assert "corrupt" in bad.error or "cannot be read" in bad.error
    assert good.status == PageStatus.RECOGNIZED
    assert OcrRun.objects.get(page=bad).status == RunStatus.FAILED
