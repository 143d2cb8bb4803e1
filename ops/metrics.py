"""Prometheus metrics, derived from the database at scrape time.

Counting rows rather than incrementing in-process counters means every web process
reports the same figures for work done by any worker process on any host, without
prometheus-client's multiprocess mode.
"""

import hmac
import ipaddress
import logging

from django.conf import settings
from django.db.models import Count, Q, Sum
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.utils import floatToGoString

logger = logging.getLogger(__name__)

# Seconds per page: 300-dpi pages take ~2-4 s on a CPU core, well under 1 s on a GPU.
SECONDS_BUCKETS = (0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300)


LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]


def refusal(request) -> str:
    """Why this request may not read the metrics, or '' when it may.

    Allowed: a client address in METRICS_ALLOWED_IPS, or ``Authorization: Bearer
    METRICS_TOKEN``. With neither setting, only loopback clients are allowed.
    """
    token = settings.METRICS_TOKEN
    networks = settings.METRICS_ALLOWED_NETWORKS
    if token:
        header = request.headers.get("Authorization", "")
        given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return ""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        address = None
    allowed = networks if (networks or token) else LOOPBACK
    if address is not None and any(address in network for network in allowed):
        return ""
    return "metrics are restricted: set METRICS_ALLOWED_IPS or send the METRICS_TOKEN\n"


class OcrCollector:
    """Page, run, queue and export figures, read when Prometheus scrapes."""

    def collect(self):
        from books.models import Page, PageStatus
        from ocr.models import OcrRun, RunStatus

        pages = GaugeMetricFamily("digitization_pages", "Pages by status, now.", labels=["status"])
        counts = dict(Page.objects.values_list("status").annotate(n=Count("id")))
        for status in PageStatus.values:
            pages.add_metric([status], counts.get(status, 0))
        yield pages

        runs = dict(OcrRun.objects.values_list("status").annotate(n=Count("id")))
        recognized = CounterMetricFamily(
            "digitization_pages_recognized",
            "Recognition runs that stored a page's lines (engine or reused identical page).",
            labels=["source"],
        )
        recognized.add_metric(["engine"], runs.get(RunStatus.SUCCEEDED, 0))
        recognized.add_metric(["reused"], runs.get(RunStatus.REUSED, 0))
        yield recognized
        failed = CounterMetricFamily(
            "digitization_pages_failed", "Recognition runs that failed (retried or given up)."
        )
        failed.add_metric([], runs.get(RunStatus.FAILED, 0))
        yield failed
        outcomes = GaugeMetricFamily(
            "digitization_ocr_runs", "Recognition runs by status, now.", labels=["status"]
        )
        for status in RunStatus.values:
            outcomes.add_metric([status], runs.get(status, 0))
        yield outcomes

        yield self._seconds_histogram(OcrRun, RunStatus)

        depth = GaugeMetricFamily(
            "digitization_queue_depth",
            "Pages waiting: queued pages in the database, tasks in the broker.",
            labels=["source"],
        )
        depth.add_metric(["pages"], counts.get(PageStatus.QUEUED, 0))
        broker_up = GaugeMetricFamily("digitization_broker_up", "1 when the broker answered.")
        try:
            from ops.health import broker

            depth.add_metric(["broker"], broker().queue_size() or 0)
            broker_up.add_metric([], 1)
        except Exception as error:
            logger.warning("metrics: broker queue size unavailable: %s", error)
            broker_up.add_metric([], 0)
        yield depth
        yield broker_up

        yield from self._workers()
        yield from self._exports()

    def _seconds_histogram(self, OcrRun, RunStatus):
        timed = OcrRun.objects.filter(status=RunStatus.SUCCEEDED, seconds__isnull=False)
        aggregates = {
            f"le{i}": Count("id", filter=Q(seconds__lte=b)) for i, b in enumerate(SECONDS_BUCKETS)
        }
        row = timed.aggregate(total=Count("id"), sum=Sum("seconds"), **aggregates)
        buckets = [(floatToGoString(b), row[f"le{i}"]) for i, b in enumerate(SECONDS_BUCKETS)]
        buckets.append(("+Inf", row["total"]))
        return HistogramMetricFamily(
            "digitization_recognition_seconds",
            "Engine seconds per recognized page (reused results excluded).",
            buckets=buckets,
            sum_value=row["sum"] or 0.0,
        )

    def _workers(self):
        if not settings.REDIS_URL:
            return  # cluster stats are only shared through Redis
        from ops.health import worker_clusters

        clusters = GaugeMetricFamily(
            "digitization_worker_processes",
            "Queue worker processes per running cluster (django-q2 stats).",
            labels=["cluster", "host"],
        )
        try:
            for cluster in worker_clusters():
                clusters.add_metric([cluster["cluster"], cluster["host"]], cluster["workers"])
        except Exception as error:
            logger.warning("metrics: worker stats unavailable: %s", error)
            return
        yield clusters

    def _exports(self):
        """Exports by status, now: a gauge, as rows move from queued to done or failed and
        are deleted at expiry (a counter must never go down). Every status is reported, 0
        included, so an alert on failed exports has a series to read."""
        from exports.models import Export, ExportStatus

        counts = dict(Export.objects.values_list("status").annotate(n=Count("id")))
        exports = GaugeMetricFamily(
            "digitization_exports",
            "Exports by status, now (deleted at expiry).",
            labels=["status"],
        )
        for status in ExportStatus.values:
            exports.add_metric([status], counts.get(status, 0))
        yield exports


def render() -> tuple[bytes, str]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OcrCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
