import shutil

import pytest
from django.conf import settings as django_settings

# One browser for the whole session, for every app's browser tests (a second Playwright in
# the same session fails: "Sync API inside the asyncio loop").
from tests.ocr.browser import chromium, session_for  # noqa: F401 - browser test fixtures


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes its files into its own empty media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def pytest_unconfigure(config):
    """Remove the session's scratch data folder (test database, models are elsewhere)."""
    scratch = getattr(django_settings, "TEMPORARY_DATA_DIR", None)
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def dead_broker(monkeypatch):
    """django-q2 on a Redis that does not answer (nothing listens on port 1)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", "redis://127.0.0.1:1/0")
