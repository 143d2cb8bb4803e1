"""Groups Librarians (everything in the catalogue) and Correctors (review and correct only)."""

from django.db import migrations

# Correctors open the review screen, edit and add lines, mark pages reviewed; they delete
# nothing (no book, volume, page or line) and import nothing (no add on the catalogue).
CORRECTOR_PERMISSIONS = [
    ("books", "view_book"),
    ("books", "view_volume"),
    ("books", "view_page"),
    ("ocr", "view_textline"),
    ("ocr", "change_textline"),
    ("ocr", "add_textline"),
    ("ocr", "view_linerevision"),
    ("ocr", "view_pagereview"),
    ("ocr", "add_pagereview"),
    ("ocr", "view_ocrrun"),
]
LIBRARIAN_APPS = ("books", "ocr")


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran: create them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # migration state: a stub
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    librarians, _ = Group.objects.get_or_create(name="Librarians")
    librarians.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=LIBRARIAN_APPS)
    )
    correctors, _ = Group.objects.get_or_create(name="Correctors")
    for app_label, codename in CORRECTOR_PERMISSIONS:
        correctors.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Librarians", "Correctors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("books", "0001_initial"),
        ("ocr", "0004_page_review"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
