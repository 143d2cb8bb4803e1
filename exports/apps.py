from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports"

    def ready(self):
        from exports.building import delete_file
        from exports.models import Export
        from exports.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
        post_delete.connect(delete_file, sender=Export, dispatch_uid="exports.delete_file")
