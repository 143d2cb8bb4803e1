"""Test settings: the real settings module with development defaults filled in."""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="digitization-tests-"))

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
