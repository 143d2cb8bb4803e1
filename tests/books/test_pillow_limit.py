"""The decompression-bomb guard: one process-wide Pillow limit, set from the settings once.

Decoding runs in reader threads, where ``warnings.catch_warnings()`` is not safe (it swaps
the process-wide filter list, so threads undo each other's filters).
"""

import io
import os
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from PIL import Image

from books import images
from tests.factories import (
    page_image,
    page_names,
    write_png,
    write_png_header_only,
    write_tiff,
)

ROOT = Path(__file__).resolve().parents[2]
# Pillow warns between its limit (IMPORT_MAX_PIXELS) and twice it; the app silences that once
# at startup, but pytest restores the warning filters it had before Django was set up.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


def _limits(max_pixels):
    return images.DecodeLimits(max_pixels=max_pixels, pdf_dpi=300, thumbnail_size=64)


def _decode(data, limits):
    try:
        return [page.frame for page in images.decode_pages(data, limits)]
    except images.BadFile as error:
        return str(error)


def test_pillow_limit_is_the_import_limit(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.IMPORT_MAX_PIXELS

    settings.IMPORT_MAX_PIXELS = 3_000_000

    assert Image.MAX_IMAGE_PIXELS == 3_000_000


def test_decoding_in_threads_leaves_the_warning_filters_alone(tmp_path, monkeypatch):
    sources = [
        write_png(tmp_path / "p.png", 1).read_bytes(),
        write_tiff(tmp_path / "p.tif", [2, 3]).read_bytes(),
        write_png(tmp_path / "bomb.png", 4, size=(1200, 1000)).read_bytes(),
        write_png_header_only(tmp_path / "huge.png", 100_000, 100_000).read_bytes(),
    ]
    buffer = io.BytesIO()
    page_image(5, mode="RGB").save(buffer, "JPEG")
    sources.append(buffer.getvalue())
    entered = []
    original = warnings.catch_warnings

    def recording(*args, **kwargs):
        entered.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(warnings, "catch_warnings", recording)
    filters_before = list(warnings.filters)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda data: _decode(data, _limits(1_000_000)), sources * 4))

    assert entered == []
    assert warnings.filters == filters_before
    assert results[:5] == [
        [0],
        [0, 1],
        "image too large (decompression bomb guard): 1200x1000 = 1 MP "
        "exceeds IMPORT_MAX_PIXELS=1,000,000",
        results[3],
        [0],
    ]
    assert "image too large (decompression bomb guard)" in results[3]
    assert "10000 MP" in results[3]


@pytest.mark.parametrize("size", [(1200, 1000), (2000, 1500)])  # under and over 2x the limit
def test_bomb_reason_names_its_size_and_the_limit(tmp_path, settings, size):
    settings.IMPORT_MAX_PIXELS = 1_000_000
    data = write_png(tmp_path / "bomb.png", 1, size=size).read_bytes()

    reason = _decode(data, _limits(settings.IMPORT_MAX_PIXELS))

    megapixels = f"{size[0] * size[1] / 1e6:.0f} MP"
    assert reason.startswith("image too large (decompression bomb guard): ")
    assert reason.endswith(f"{megapixels} exceeds IMPORT_MAX_PIXELS=1,000,000")


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_import_refuses_a_bomb_without_a_python_warning(src, media_root, settings):
    """A real ``manage.py`` process: the refusal is one clear line, no Pillow warning."""
    write_png(src / "p1.png", 1)
    write_png(src / "p2.png", 2, size=(1200, 1000))  # between the limit and twice it
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media_root),
        "IMPORT_MAX_PIXELS": "1000000",
        "PYTHONWARNINGS": "default",
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_directory", str(src)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1, result.stderr
    assert (
        "failed: p2.png: image too large (decompression bomb guard): 1200x1000 = 1 MP "
        "exceeds IMPORT_MAX_PIXELS=1,000,000"
    ) in result.stderr
    assert "Warning" not in result.stderr, result.stderr
    assert page_names() == ["p1.png"]
