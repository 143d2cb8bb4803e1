"""An existing install's pages are indexed once; from then on the services keep it."""

from django.db import migrations


def index_pages(apps, schema_editor):
    from search.indexing import rebuild

    rebuild(page_model=apps.get_model("books", "Page"), line_model=apps.get_model("ocr", "TextLine"))


class Migration(migrations.Migration):
    atomic = False  # a large install is indexed a batch of pages per transaction

    dependencies = [
        ("search", "0002_full_text"),
        ("ocr", "0009_page_version_roles"),
    ]

    operations = [migrations.RunPython(index_pages, migrations.RunPython.noop)]
