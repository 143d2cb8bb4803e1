"""Export permissions for the roles: Librarians every export permission (they see and
download everyone's exports, and may delete them in the admin); Correctors and API readers
ask for exports and see (download) their own."""

from django.db import migrations

LIBRARIANS = ["add_export", "change_export", "delete_export", "view_export", "view_all_exports"]
OWN_EXPORTS = ["add_export", "view_export"]
ROLES = {"Librarians": LIBRARIANS, "Correctors": OWN_EXPORTS, "API readers": OWN_EXPORTS}


def grant(apps, schema_editor):
    import importlib

    # Creates every app's permissions (they are normally made after all migrations ran)
    # and the groups themselves; idempotent.
    importlib.import_module("ocr.migrations.0006_api_readers").create_group(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.get(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="exports", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    exports_permissions = Permission.objects.filter(content_type__app_label="exports")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*exports_permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0002_requesters_view_all"),
        ("ocr", "0006_api_readers"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
