"""/metrics: OCR figures from the database, readable only by allowed addresses or the token."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from books.models import Page, PageStatus
from config import env
from ocr.models import OcrRun, RunStatus
from tests.ocr.factories import CHINESE_PAGE, ENGLISH_PAGE, VERTICAL_PAGE, add_page, make_volume


def samples(text: str) -> dict:
    """{(name, frozenset(labels)): value} for every sample of a scrape."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client, **headers) -> dict:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return samples(response.content.decode())


@pytest.mark.django_db
def test_figures_come_from_pages_and_runs(client):
    volume = make_volume()
    recognized, failed, queued = (
        add_page(volume, path) for path in (ENGLISH_PAGE, CHINESE_PAGE, VERTICAL_PAGE)
    )
    Page.objects.filter(pk=recognized.pk).update(status=PageStatus.RECOGNIZED)
    Page.objects.filter(pk=failed.pk).update(status=PageStatus.FAILED)
    Page.objects.filter(pk=queued.pk).update(status=PageStatus.QUEUED)
    for seconds in (0.3, 1.5, 3.0):
        OcrRun.objects.create(page=recognized, status=RunStatus.SUCCEEDED, seconds=seconds)
    OcrRun.objects.create(page=recognized, status=RunStatus.REUSED, seconds=0.01)
    OcrRun.objects.create(page=failed, status=RunStatus.FAILED)
    OcrRun.objects.create(page=queued, status=RunStatus.QUEUED)

    figures = scrape(client)
    label = lambda **labels: frozenset(labels.items())  # noqa: E731
    assert figures["digitization_pages", label(status="recognized")] == 1
    assert figures["digitization_pages", label(status="failed")] == 1
    assert figures["digitization_pages", label(status="new")] == 0
    assert figures["digitization_pages_recognized_total", label(source="engine")] == 3
    assert figures["digitization_pages_recognized_total", label(source="reused")] == 1
    assert figures["digitization_pages_failed_total", label()] == 1
    assert figures["digitization_queue_depth", label(source="pages")] == 1
    # The ORM broker's queue holds no task: these rows were not handed to it.
    assert figures["digitization_queue_depth", label(source="broker")] == 0
    assert figures["digitization_broker_up", label()] == 1
    histogram = "digitization_recognition_seconds"
    assert figures[f"{histogram}_count", label()] == 3  # the reused run ran no engine
    assert figures[f"{histogram}_sum", label()] == pytest.approx(4.8)
    assert figures[f"{histogram}_bucket", label(le="0.5")] == 1
    assert figures[f"{histogram}_bucket", label(le="2.0")] == 2
    assert figures[f"{histogram}_bucket", label(le="4.0")] == 3
    assert figures[f"{histogram}_bucket", label(le="+Inf")] == 3


@pytest.mark.django_db
def test_broker_queue_depth_counts_redis_tasks(client, settings, redis_url):
    from django_q.brokers.redis_broker import Redis

    from ops.health import broker as ops_broker

    settings.REDIS_URL = redis_url
    broker = ops_broker()
    assert isinstance(broker, Redis)
    broker.purge_queue()
    try:
        broker.enqueue("one")
        broker.enqueue("two")
        figures = scrape(client)
    finally:
        broker.purge_queue()
    assert figures["digitization_queue_depth", frozenset({("source", "broker")})] == 2


@pytest.mark.django_db
def test_unset_restriction_allows_loopback_only(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5").status_code == 403


@pytest.mark.django_db
def test_allowed_networks(client, settings, monkeypatch):
    monkeypatch.setenv("METRICS_ALLOWED_IPS", "10.0.0.0/8, 192.168.1.7")
    settings.METRICS_ALLOWED_NETWORKS = env.get_networks("METRICS_ALLOWED_IPS")
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.8").status_code == 403
    # Once a list is set, loopback is no longer implied.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


@pytest.mark.django_db
def test_token(client, settings):
    settings.METRICS_TOKEN = "scrape-token-123"
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 403
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **outside)
    assert wrong.status_code == 403
    right = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123", **outside)
    assert right.status_code == 200
    assert b"digitization_pages" in right.content
    # With only a token set, loopback needs it too.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_a_bad_allow_list_entry_names_the_setting(monkeypatch):
    monkeypatch.setenv("METRICS_ALLOWED_IPS", "10.0.0.0/8,not-an-ip")
    with pytest.raises(env.ConfigError, match=r"^METRICS_ALLOWED_IPS: 'not-an-ip'"):
        env.get_networks("METRICS_ALLOWED_IPS")


@pytest.mark.django_db
def test_exports_by_status_from_real_exports(client, settings, tmp_path, django_user_model):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from exports import building
    from exports.models import Export
    from tests.exports.factories import make_fixed_book

    settings.EXPORT_TEMP_DIR = tmp_path / "tmp"
    label = lambda **labels: frozenset(labels.items())  # noqa: E731
    figures = scrape(client)
    for status in ("queued", "running", "done", "failed"):
        assert figures["digitization_exports", label(status=status)] == 0

    book = make_fixed_book()
    for fmt in ("txt", "csv"):  # built by the task's body
        building.build(building.request_export(book, fmt, enqueue=False)[0].pk)
    building.request_export(book, "alto", enqueue=False)  # queued, not built yet
    broken = book.volumes.get(sequence=2).pages.get()
    default_storage.delete(broken.image.name)
    failed = building.build(building.request_export(book, "pdf", enqueue=False)[0].pk)
    assert failed.status == "failed"

    figures = scrape(client)
    assert figures["digitization_exports", label(status="done")] == 2
    assert figures["digitization_exports", label(status="queued")] == 1
    assert figures["digitization_exports", label(status="failed")] == 1
    assert figures["digitization_exports", label(status="running")] == 0

    # Expired exports are deleted: the gauge goes down with them.
    Export.objects.filter(format="txt").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert building.delete_expired() == 1
    assert scrape(client)["digitization_exports", label(status="done")] == 1
