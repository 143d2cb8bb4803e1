"""Log formatters: one JSON object per line (LOG_FORMAT=json) or plain text, secrets removed.

Fields passed with ``extra=`` (``run_id``, ``page_id``, ``book_id``, ``task_id``...) become
JSON keys. Passwords in URLs and the values of secret settings never reach the output.
"""

import json
import logging
import os
import re
from datetime import UTC, datetime

# Environment variables whose values must never appear in a log line.
SECRET_VARIABLES = (
    "SECRET_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "METRICS_TOKEN",
    "DJANGO_SUPERUSER_PASSWORD",
)
URL_PASSWORD = re.compile(
    r"(?P<prefix>\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)(?P<password>[^@\s/]+)@", re.I
)
MASK = "***"

# LogRecord attributes that are not ``extra=`` fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def secret_values() -> list[str]:
    values = [os.environ.get(name, "") for name in SECRET_VARIABLES]
    return sorted({value for value in values if len(value) >= 6}, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    text = URL_PASSWORD.sub(lambda m: f"{m['prefix']}{MASK}@", text)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    """Plain text lines, secrets removed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.secrets = secret_values()

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.secrets = secret_values()

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        # Redact the serialized line: secrets inside any field or the traceback are caught.
        return redact(line, self.secrets)
