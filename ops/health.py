"""Readiness checks shared by /health/ready and ``manage.py health``.

Each check answers quickly with ``ok`` and a one-line detail naming what failed. Workers
are reported (from django-q2's cluster stats) but do not decide readiness of the web: a web
process is ready to serve while the workers scale up or down.
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

# Seconds a check waits on a network peer before it counts as down.
TIMEOUT = 3


@dataclass
class CheckResult:
    name: str
    ok: bool | None  # None: not known here (reported, not counted)
    detail: str
    seconds: float = 0.0
    critical: bool = True
    data: dict = field(default_factory=dict)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return f"{connection.vendor} reachable"


def redis_client():
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
    )


def check_broker() -> str:
    if settings.REDIS_URL:
        redis_client().ping()
        return "redis reachable"
    from django_q.models import OrmQ

    OrmQ.objects.exists()
    return "ORM broker (database) reachable"


def check_storage() -> str:
    """Write, read back and delete a tiny object: reachable and writable, not just configured."""
    name = f"health/{uuid.uuid4().hex}.txt"
    payload = b"ok"
    stored = default_storage.save(name, ContentFile(payload))
    try:
        with default_storage.open(stored, "rb") as handle:
            if handle.read() != payload:
                raise OSError("read back different bytes than written")
    finally:
        default_storage.delete(stored)
    backend = settings.STORAGES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"{backend} write/read/delete"


def check_models() -> str:
    from ocr.configuration import engine_config
    from ocr.provisioning import check_models as models_present

    config = engine_config()
    models_present(config.model_dir, config.det_model, config.rec_model)
    return f"{config.det_model} + {config.rec_model} in {config.model_dir}"


def broker():
    """django-q2's broker; with Redis, a connection with timeouts, so a dead peer answers fast
    (and the URL is read from settings now, not when django-q2 was imported)."""
    if not settings.REDIS_URL:
        from django_q.brokers import get_broker

        return get_broker()
    from django_q.brokers.redis_broker import Redis

    class TimedRedis(Redis):
        @staticmethod
        def get_connection(list_key=None):
            return redis_client()

    return TimedRedis()


def worker_clusters() -> list[dict]:
    """Live django-q2 clusters from their stats (each cluster refreshes its own every few s)."""
    from django_q.status import Stat

    clusters = []
    for stat in Stat.get_all(broker=broker()):
        clusters.append(
            {
                "cluster": str(stat.cluster_id),
                "host": getattr(stat, "host", ""),
                "status": str(stat.status),
                "workers": len(getattr(stat, "workers", []) or []),
                "uptime_seconds": round(stat.uptime()) if getattr(stat, "tob", None) else None,
            }
        )
    return clusters


def check_workers() -> CheckResult:
    if not settings.REDIS_URL:
        return CheckResult(
            "workers",
            None,
            "not visible with the ORM broker: cluster stats are shared through Redis (REDIS_URL)",
            critical=False,
        )
    clusters = worker_clusters()
    workers = sum(cluster["workers"] for cluster in clusters)
    detail = f"{len(clusters)} cluster(s), {workers} worker process(es)"
    return CheckResult(
        "workers", bool(clusters), detail, critical=False, data={"clusters": clusters}
    )


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
    "models": check_models,
}


def _run(name: str, check: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail, ok = check(), True
    except Exception as error:
        detail, ok = f"{type(error).__name__}: {_one_line(error)}", False
    return CheckResult(name, ok, detail, round(time.perf_counter() - started, 3))


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text[:300] or "failed"


def run_checks(*, workers: bool = True) -> list[CheckResult]:
    results = [_run(name, check) for name, check in CHECKS.items()]
    if workers:
        started = time.perf_counter()
        try:
            result = check_workers()
        except Exception as error:
            result = CheckResult(
                "workers", False, f"{type(error).__name__}: {_one_line(error)}", critical=False
            )
        result.seconds = round(time.perf_counter() - started, 3)
        results.append(result)
    return results


def is_ready(results: list[CheckResult], *, require_workers: bool = False) -> bool:
    return all(
        result.ok
        for result in results
        if result.critical or (require_workers and result.name == "workers")
    )


def report(results: list[CheckResult], *, require_workers: bool = False) -> dict:
    """The JSON body of /health/ready and ``manage.py health --json``."""
    ready = is_ready(results, require_workers=require_workers)
    failed = [r.name for r in results if r.ok is False and (r.critical or require_workers)]
    return {
        "status": "ready" if ready else "not ready",
        "failed": failed,
        "checks": {
            result.name: {key: value for key, value in asdict(result).items() if key != "name"}
            for result in results
        },
    }
