"""Page versions for the roles: every role sees a page's earlier versions; Librarians and
Correctors may restore one (restoring keeps the text it replaces as a version too)."""

from django.db import migrations

ROLES = {
    "Librarians": ["view_pageversion", "add_pageversion", "change_pageversion", "delete_pageversion"],
    "Correctors": ["view_pageversion", "add_pageversion"],
    "API readers": ["view_pageversion"],
}


def grant(apps, schema_editor):
    import importlib

    # Creates every app's permissions and the groups themselves; idempotent.
    importlib.import_module("ocr.migrations.0006_api_readers").create_group(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        Group.objects.get(name=name).permissions.add(
            *Permission.objects.filter(content_type__app_label="ocr", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    version_permissions = Permission.objects.filter(
        content_type__app_label="ocr", content_type__model="pageversion"
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*version_permissions)


class Migration(migrations.Migration):
    dependencies = [("ocr", "0008_page_versions")]

    operations = [migrations.RunPython(grant, revoke)]
