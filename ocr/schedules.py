"""Periodic django-q2 schedules, (re)created after every migrate so that a deleted or edited
one comes back as it should be."""

SWEEP = "ocr: re-queue pages whose worker died"


def keep_schedule(name: str, func: str, *, minutes: int) -> None:
    """Create or restore the repeating schedule ``name``, running ``func`` every ``minutes``."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=name,
        defaults={
            "func": func,
            "schedule_type": Schedule.MINUTES,
            "minutes": minutes,
            "repeats": -1,
        },
    )


def ensure_schedules(**kwargs) -> None:
    """post_migrate receiver of the ocr app."""
    keep_schedule(SWEEP, "ocr.tasks.sweep_stuck_pages", minutes=1)
