"""docker/entrypoint.sh run outside Docker against the local PostgreSQL and Redis:
migrate, serve the web with gunicorn, run a worker, recognize the sample report, and stop
on SIGTERM without leaving a page processing."""

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import pytest
from django.db import connection

from tests.deploy.conftest import ROOT, base_env
from tests.ocr.conftest import REDIS_URL, redis_available, wait_for

ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
BOOK = ROOT / "samples" / "books" / "annual-report-1901"
PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET_KEY = "entrypoint-test-secret-key-0123456789"
DB_PASSWORD = "entrypoint-db-pass-42"  # trust auth ignores it; it must never be logged


def postgres_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not postgres_available(), reason="PostgreSQL is not on 127.0.0.1:5432"),
]


@pytest.fixture
def database():
    """A fresh PostgreSQL database for this stack, dropped afterwards."""
    import psycopg

    name = f"deploy_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Stack:
    """The entry point's processes, their logs, and the database they share."""

    def __init__(self, env: dict, logs):
        self.env, self.logs, self.processes = env, logs, []
        self.url = f"http://127.0.0.1:{env['PORT']}"

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(ENTRYPOINT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [str(ENTRYPOINT), *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, as in a container
        )
        process.log, process.name = log, name
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen, *, group: bool = False, timeout: float = 120) -> int:
        """SIGTERM to the process alone, as `docker stop` sends it to the container's PID 1,
        or (``group``) to its whole process group, as systemd and `kill -TERM -- -PGID` do."""
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            os.kill(process.pid, signal.SIGTERM)
        code = process.wait(timeout=timeout)
        process.log.close()
        return code

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def get(self, path: str, https: bool = True) -> tuple[int, str]:
        """As the TLS proxy in front of gunicorn sends it (or, https=False, plain HTTP)."""
        headers = {"X-Forwarded-Proto": "https"} if https else {}
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with NO_REDIRECTS.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            return 0, ""

    def ready(self) -> dict:
        return json.loads(self.get("/health/ready")[1])

    def query(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"]) as db:
            return db.execute(sql).fetchall()

    def page_statuses(self) -> dict[int, str]:
        return dict(self.query("SELECT id, status FROM books_page ORDER BY id"))

    def close(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.log.close()


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 301 itself is the answer


NO_REDIRECTS = urllib.request.build_opener(KeepRedirects)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stack(database, tmp_path, ocr_models):
    if connection.vendor == "postgresql":
        pytest.skip("runs once, in the SQLite run (it always uses its own PostgreSQL database)")
    if not redis_available():
        pytest.skip(f"Redis is not answering at {REDIS_URL}")
    cluster = f"deploy-{uuid.uuid4().hex[:8]}"
    env = base_env(
        PYTHON=sys.executable,
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres:{DB_PASSWORD}@127.0.0.1:5432/{database}",
        REDIS_URL=REDIS_URL,
        Q_CLUSTER_NAME=cluster,
        DATA_DIR=tmp_path / "data",
        MEDIA_ROOT=tmp_path / "data" / "media",
        STATIC_ROOT=tmp_path / "static",
        OCR_MODEL_DIR=ocr_models,
        OCR_THREADS=2,
        LOG_FORMAT="json",
        PORT=free_port(),
        WEB_BIND="127.0.0.1",
        WEB_CONCURRENCY=1,
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    running = Stack(env, logs)
    try:
        yield running
    finally:
        running.close()
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = client.keys(f"django_q:{cluster}:*")
        if keys:
            client.delete(*keys)


def test_entrypoint_runs_the_stack_and_stops_without_losing_a_page(stack):
    # migrate, then the static files the image collects at build time.
    migrated = stack.run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "Applying books.0001_initial" in migrated.stdout
    collected = stack.run("manage", "collectstatic", "--noinput", "-v0")
    assert collected.returncode == 0, collected.stderr

    # web: gunicorn (its own migrate finds nothing to do), live at once, ready without workers.
    web = stack.start("web", "web")
    wait_for(lambda: stack.get("/health/live")[0] == 200 or web.poll() is not None, what="web")
    assert web.poll() is None, stack.log("web")
    ready = stack.ready()
    assert ready["status"] == "ready", ready
    assert ready["checks"]["broker"]["detail"] == "redis reachable"
    assert ready["checks"]["workers"]["ok"] is False
    assert stack.get("/health/ready?workers=1")[0] == 503  # a worker required, none running
    assert stack.get("/static/admin/css/base.css")[0] == 200  # served without DEBUG
    # production defaults: plain HTTP is sent to HTTPS, except the probes the host calls.
    assert stack.get("/admin/login/", https=False)[0] == 301
    assert stack.get("/health/live", https=False)[0] == 200

    # one worker, seen by the web through django-q2's cluster stats in Redis.
    first = stack.start("worker-1", "worker")
    wait_for(lambda: stack.ready()["checks"]["workers"]["ok"], what="the worker's stats")
    assert stack.get("/health/ready?workers=1")[0] == 200
    shell = stack.run("health", "--require-workers")
    assert shell.returncode == 0, shell.stdout + shell.stderr
    assert "cluster " in shell.stdout and shell.stdout.splitlines()[-1] == "ready"

    imported = stack.run("manage", "import_directory", str(BOOK), "--ocr", "--no-progress")
    assert imported.returncode == 0, imported.stderr
    pages = stack.page_statuses()
    assert len(pages) == 2

    # SIGTERM to the worker's whole process group while a page is in the engine: the worker
    # finishes what it holds, then exits (well within Q_TIMEOUT), leaving no process behind.
    wait_for(
        lambda: "processing" in stack.page_statuses().values(),
        interval=0.05,
        what="a page in flight",
    )
    assert stack.stop(first, group=True) == 0, stack.log("worker-1")
    with pytest.raises(ProcessLookupError):
        os.killpg(first.pid, 0)  # nothing left in its process group
    assert "has stopped." in stack.log("worker-1")
    after_stop = stack.page_statuses()
    assert set(after_stop.values()) <= {"recognized", "queued"}, after_stop
    assert stack.query("SELECT count(*) FROM ocr_ocrrun WHERE status = 'running'") == [(0,)]
    for page_id, status in after_stop.items():
        if status == "queued":  # re-queued: a run waits for the next worker
            queued = f"SELECT count(*) FROM ocr_ocrrun WHERE page_id={page_id} AND status='queued'"
            assert stack.query(queued) == [(1,)]

    # a second worker finishes whatever is left; every page ends recognized with its text.
    second = stack.start("worker-2", "worker")
    wait_for(lambda: "running." in stack.log("worker-2"), what="the second worker running")
    wait_for(
        lambda: set(stack.page_statuses().values()) == {"recognized"},
        timeout=300,
        what="both pages recognized",
    )
    text = "\n".join(row[0] for row in stack.query("SELECT text FROM ocr_textline"))
    assert "Annual Report of the Public Library" in text
    assert "Children's Room" in text

    status, body = stack.get("/metrics")
    assert status == 200
    assert 'digitization_pages{status="recognized"} 2.0' in body
    assert "digitization_recognition_seconds_count" in body
    assert "digitization_worker_processes{" in body

    # web and worker stop cleanly on SIGTERM.
    assert stack.stop(second) == 0, stack.log("worker-2")
    assert stack.stop(web) == 0, stack.log("web")

    # Logs: JSON lines; the OCR events name run, page and book; no secret anywhere.
    events = []
    for name in ("worker-1", "worker-2"):
        for line in stack.log(name).splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("event") == "ocr.run":
                    events.append(entry)
    assert {event["page_id"] for event in events} == set(pages)
    # gunicorn's own lines (after migrate's command output) are JSON too.
    served = stack.log("web").split("No migrations to apply.\n", 1)[1].splitlines()
    loggers = {json.loads(line)["logger"] for line in served}
    assert {"gunicorn.error", "gunicorn.access", "django.request"} == loggers  # 503 logged
    assert all(event["run_id"] and event["book_id"] and event["task_id"] for event in events)
    everything = "".join(stack.log(name) for name in ("web", "worker-1", "worker-2"))
    everything += migrated.stdout + migrated.stderr + imported.stdout + imported.stderr
    assert SECRET_KEY not in everything and DB_PASSWORD not in everything


def test_entrypoint_refuses_an_unknown_command(stack):
    result = stack.run("serve")
    assert result.returncode == 64
    assert result.stderr.startswith("usage: entrypoint.sh web|worker|migrate|health|manage")
