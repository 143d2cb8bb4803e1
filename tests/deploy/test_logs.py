"""Logs: one JSON object per line with ids on OCR events, and no secrets in any format."""

import json
import logging
import sys

import pytest

from config.logformat import JsonFormatter, RedactingFormatter
from ocr import queueing, recognition
from ocr.models import RunStatus
from tests.ocr.conftest import manage
from tests.ocr.factories import ENGLISH_PAGE, add_page, make_volume


def record(message, *args, exc_info=None, **extra) -> logging.LogRecord:
    entry = logging.LogRecord("ocr.test", logging.WARNING, __file__, 1, message, args, exc_info)
    entry.__dict__.update(extra)
    return entry


def test_json_lines_carry_extra_fields_and_exceptions_on_one_line():
    try:
        raise ValueError("bad\npage")
    except ValueError:
        exc_info = sys.exc_info()
    line = JsonFormatter().format(
        record("ocr run=%s failed", 7, exc_info=exc_info, run_id=7, page_id=3, book_id=1)
    )
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "ocr run=7 failed"
    assert entry["level"] == "WARNING" and entry["logger"] == "ocr.test"
    assert (entry["run_id"], entry["page_id"], entry["book_id"]) == (7, 3, 1)
    assert "ValueError: bad" in entry["exception"]


@pytest.mark.parametrize("formatter", [JsonFormatter, RedactingFormatter])
def test_secrets_never_reach_the_output(formatter, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "django-secret-value-xyz")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value-abc")
    message = (
        "connect postgres://app:db-password-1@db:5432/app redis://:redis-pw-2@redis:6379/0 %s %s"
    )
    line = formatter().format(
        record(message, "django-secret-value-xyz", "aws-secret-value-abc", url="s3://k:aws-pw@b")
    )
    for secret in (
        "db-password-1",
        "redis-pw-2",
        "django-secret-value-xyz",
        "aws-secret-value-abc",
    ):
        assert secret not in line
    assert "postgres://app:***@db:5432/app" in line


@pytest.mark.django_db
def test_an_ocr_event_names_its_run_page_and_book(ocr_models):
    lines = []

    class Collect(logging.Handler):
        def emit(self, entry):
            lines.append(self.format(entry))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("ocr.recognition")
    logger.addHandler(handler)
    try:
        page = add_page(make_volume(), ENGLISH_PAGE)
        queueing.enqueue_pages([page.pk])
        run = recognition.recognize(page.ocr_runs.get().pk)
    finally:
        logger.removeHandler(handler)
    assert run.status == RunStatus.SUCCEEDED
    events = [json.loads(line) for line in lines]
    event = next(entry for entry in events if entry.get("event") == "ocr.run")
    assert event["run_id"] == run.pk and event["page_id"] == page.pk
    assert event["book_id"] == page.volume.book_id
    assert event["status"] == "succeeded" and event["lines"] == run.line_count > 0
    assert "task_id" in event


def test_log_format_json_is_selected_by_the_environment(process_env):
    env = process_env(LOG_FORMAT="json", SECRET_KEY="env-secret-key-123456")
    code = (
        "import logging; logging.getLogger('ocr.x').warning("
        "'hello %s', 'postgres://u:pw-in-url@h/db', extra={'page_id': 5})"
    )
    result = manage(env, "shell", "-c", code, timeout=120)
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [entry["page_id"] for entry in entries if entry["logger"] == "ocr.x"] == [5]
    assert "pw-in-url" not in result.stderr


def test_an_unknown_log_format_is_one_line_naming_the_variable(process_env):
    result = manage(process_env(LOG_FORMAT="xml"), "check", timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "configuration error: LOG_FORMAT='xml' is not one of: text, json"
    )
