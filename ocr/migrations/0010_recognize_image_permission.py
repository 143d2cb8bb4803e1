"""POST /api/v1/recognize gets its own permission, for API readers and Librarians only: it
runs the engine in the web process, and Correctors work on stored pages in the admin."""

from django.db import migrations

ROLES = ["Librarians", "API readers"]


def grant(apps, schema_editor):
    import importlib

    # Creates every app's permissions (this one included) and the groups; idempotent.
    importlib.import_module("ocr.migrations.0006_api_readers").create_group(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="ocr", codename="recognize_image")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="ocr", codename="recognize_image").delete()


class Migration(migrations.Migration):
    dependencies = [("ocr", "0009_page_version_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="ocrrun",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    (
                        "recognize_image",
                        "Can recognize an uploaded image at once (POST /recognize)",
                    )
                ],
                "verbose_name": "OCR run",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
