"""Fixtures for the deployment tests: real subprocesses, PostgreSQL, Redis, S3 (moto)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ocr.conftest import ocr_models, process_env  # noqa: F401 - shared fixtures

ROOT = Path(__file__).resolve().parents[2]


def probe(env: dict, *paths: str, timeout: float = 120) -> dict:
    """GET ``paths`` through Django in a fresh process with ``env`` (see probe.py)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.deploy.probe", *paths],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def redis_url():
    from tests.ocr.conftest import REDIS_URL, redis_available

    if not redis_available():
        pytest.skip(f"Redis is not answering at {REDIS_URL}")
    return REDIS_URL


def base_env(**extra) -> dict:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not reach a production-like process.
    skip = {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in skip}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"})
    env.update({key: str(value) for key, value in extra.items()})
    return env
