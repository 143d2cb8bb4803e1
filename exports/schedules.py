"""The django-q2 schedule that deletes expired exports, (re)created after every migrate."""

EXPIRY = "exports: delete expired exports"


def ensure_schedules(**kwargs) -> None:
    """post_migrate receiver: a deleted or edited expiry schedule comes back as it should be."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=EXPIRY,
        defaults={
            "func": "exports.tasks.delete_expired_exports",
            "schedule_type": Schedule.MINUTES,
            "minutes": 10,
            "repeats": -1,
        },
    )
