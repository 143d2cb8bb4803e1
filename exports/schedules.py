"""The django-q2 schedules that delete expired exports and re-queue stuck ones, (re)created
after every migrate."""

from ocr.schedules import keep_schedule

EXPIRY = "exports: delete expired exports"
SWEEP = "exports: re-queue exports whose worker died"


def ensure_schedules(**kwargs) -> None:
    """post_migrate receiver of the exports app."""
    keep_schedule(EXPIRY, "exports.tasks.delete_expired_exports", minutes=10)
    keep_schedule(SWEEP, "exports.tasks.sweep_stuck_exports", minutes=1)
