"""The django-q2 schedule that deletes expired exports, (re)created after every migrate."""

from ocr.schedules import keep_schedule

EXPIRY = "exports: delete expired exports"


def ensure_schedules(**kwargs) -> None:
    """post_migrate receiver of the exports app."""
    keep_schedule(EXPIRY, "exports.tasks.delete_expired_exports", minutes=10)
