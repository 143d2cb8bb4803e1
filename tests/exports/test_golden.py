"""Each text format of the fixed book, byte for byte against a reviewed golden file.

Regenerate after an intended change with ``UPDATE_GOLDEN=1`` and review the diff.
"""

import os
from pathlib import Path

import pytest

from tests.exports.conftest import export_now, read

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(
    ("fmt", "options", "golden"),
    [
        ("txt", {}, "fixed-book.txt"),
        ("txt", {"text_source": "engine"}, "fixed-book-engine.txt"),
        ("json", {}, "fixed-book.json"),
        ("csv", {}, "fixed-book.csv"),
        ("hocr", {}, "fixed-book.hocr"),
        ("alto", {}, "fixed-book.alto.xml"),
    ],
)
def test_export_matches_golden_file(fixed_book, fmt, options, golden):
    data = read(export_now(fixed_book, fmt, **options))
    path = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(data)
    assert data.decode("utf-8") == path.read_bytes().decode("utf-8")  # readable diff
    assert data == path.read_bytes()
