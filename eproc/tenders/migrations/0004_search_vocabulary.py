"""The prefix vocabulary of the PostgreSQL search (eproc/tenders/search.py): every word of every search document,
kept by a trigger, so that the last word of a search expands into whole words instead of a prefix match. Nothing on
SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    from eproc.tenders import search

    search.install_vocabulary(schema_editor)


def uninstall(apps, schema_editor):
    from eproc.tenders import search

    search.uninstall_vocabulary(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("tenders", "0003_search")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
