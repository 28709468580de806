"""Full-text search of the public catalogue (eproc/tenders/search.py): on PostgreSQL a trigger-kept tsvector column
with a GIN index, on SQLite an FTS5 table kept in step by triggers. Neither is part of the model state: Django never
reads or writes them, the database keeps them."""

from django.db import migrations


def install(apps, schema_editor):
    from eproc.tenders import search

    search.install(schema_editor)


def uninstall(apps, schema_editor):
    from eproc.tenders import search

    search.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
        ("tenders", "0002_tender_failed_at_tender_failure_note_and_more"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
