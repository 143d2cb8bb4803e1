"""Export settings from the environment: a bad value stops start-up with one line."""

import pytest

from tests.books.test_settings_env import _manage_check, _one_line_error


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EXPORT_TTL_HOURS", "0"),
        ("EXPORT_PDF_DPI", "lots"),
        ("EXPORT_PDF_IMAGE_DPI", "10"),
        ("EXPORT_PDF_JPEG_QUALITY", "200"),
    ],
)
def test_bad_export_setting_is_one_line(tmp_path, variable, value):
    line = _one_line_error(_manage_check(tmp_path, DEBUG="1", **{variable: value}))
    assert line.startswith(f"configuration error: {variable}=")


def test_good_export_settings_start(tmp_path):
    result = _manage_check(tmp_path, DEBUG="1", EXPORT_TTL_HOURS="2", EXPORT_PDF_JPEG_QUALITY="85")
    assert result.returncode == 0, result.stderr
