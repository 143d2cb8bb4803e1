from django.apps import AppConfig
from django.conf import settings
from django.core.signals import setting_changed


class BooksConfig(AppConfig):
    name = "books"
    verbose_name = "Catalogue"

    def ready(self):
        from books import images

        # Process-wide Pillow state, set once here: decoding happens in reader threads.
        images.configure_pillow(settings.IMPORT_MAX_PIXELS)
        images.quiet_bomb_warnings()
        setting_changed.connect(_follow_pixel_limit, dispatch_uid="books-pillow-limit")


def _follow_pixel_limit(*, setting, value, **kwargs):
    if setting == "IMPORT_MAX_PIXELS" and value is not None:
        from books import images

        images.configure_pillow(value)
