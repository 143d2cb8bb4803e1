"""gunicorn's own logs (start-up, access) in the same format as the application's:
LOG_FORMAT=json gives one JSON object per line, secrets masked (config.logformat)."""

import os

_format = "json" if os.environ.get("LOG_FORMAT", "text").strip().lower() == "json" else "text"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logformat.JsonFormatter"},
        "text": {
            "()": "config.logformat.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "stream": "ext://sys.stdout",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
