"""Group API readers: read-only API users (integrations) see the catalogue, runs and text."""

from django.db import migrations

READER_PERMISSIONS = [
    ("books", "view_book"),
    ("books", "view_volume"),
    ("books", "view_page"),
    ("ocr", "view_ocrrun"),
    ("ocr", "view_textline"),
    ("ocr", "view_linerevision"),
    ("ocr", "view_pagereview"),
]


def create_group(apps, schema_editor):
    import importlib

    # The roles migration creates the permissions first (they are normally made after all
    # migrations ran); its create_groups is idempotent.
    importlib.import_module("ocr.migrations.0005_roles").create_groups(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    readers, _ = Group.objects.get_or_create(name="API readers")
    for app_label, codename in READER_PERMISSIONS:
        readers.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="API readers").delete()


class Migration(migrations.Migration):
    dependencies = [("ocr", "0005_roles")]

    operations = [migrations.RunPython(create_group, remove_group)]
