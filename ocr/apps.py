from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OcrConfig(AppConfig):
    name = "ocr"
    verbose_name = "Recognition"

    def ready(self):
        from ocr import checks  # noqa: F401 - registers the start-up check
        from ocr.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
