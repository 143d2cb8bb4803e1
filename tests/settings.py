"""Test settings: the real settings module with development defaults filled in."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
if "DATA_DIR" not in os.environ:
    # Removed again when the test session ends (tests/conftest.py).
    os.environ["DATA_DIR"] = TEMPORARY_DATA_DIR = tempfile.mkdtemp(prefix="digitization-tests-")
# Models are shared with `make demo` so they are copied out of the wheels once per checkout.
os.environ.setdefault("OCR_MODEL_DIR", str(Path(__file__).resolve().parents[1] / "var" / "models"))

from config.settings import *  # noqa: F403
from config.settings import DATA_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: the queue tests run real worker processes on the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
