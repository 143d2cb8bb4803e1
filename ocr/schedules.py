"""The periodic django-q2 schedules recognition relies on, (re)created after every migrate."""

SWEEP = "ocr: re-queue pages whose worker died"


def ensure_schedules(**kwargs) -> None:
    """post_migrate receiver: a deleted or edited sweep schedule comes back as it should be."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=SWEEP,
        defaults={
            "func": "ocr.tasks.sweep_stuck_pages",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
