"""PostgreSQL: a GIN index for the public full-text search of pledges. Nothing on SQLite, where the
search is a simple substring match.

The indexed expression is a frozen copy of pledges.filters.search_document(): the query uses the
index only while both are the same (tests/pledges/test_public_search.py checks the plan).
"""

from django.db import migrations

INDEX_NAME = "pledge_search_document"
COLUMNS = ("title", "reference", "summary", "description")


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    document = SearchVector(*COLUMNS, config="english") + SearchVector(*COLUMNS, config="french")
    return GinIndex(document, name=INDEX_NAME)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("pledges", "Pledge"), _index())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("pledges", "Pledge"), _index())


class Migration(migrations.Migration):
    dependencies = [("pledges", "0004_seed_coalition_settings")]

    operations = [migrations.RunPython(create, drop)]
