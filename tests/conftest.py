import shutil

import pytest
from django.conf import settings as django_settings


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
