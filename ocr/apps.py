from django.apps import AppConfig


class OcrConfig(AppConfig):
    name = "ocr"
    verbose_name = "Recognition"

    def ready(self):
        from ocr import checks  # noqa: F401 - registers the start-up check
