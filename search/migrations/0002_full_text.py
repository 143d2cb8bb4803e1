"""The database's full-text index over the rows: a tsvector + GIN on PostgreSQL, FTS5 on
SQLite (``search.backends``)."""

from django.db import migrations


def set_up(apps, schema_editor):
    from search.backends import set_up

    set_up(schema_editor)


def tear_down(apps, schema_editor):
    from search.backends import tear_down

    tear_down(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_page_chunks")]

    operations = [migrations.RunPython(set_up, tear_down)]
