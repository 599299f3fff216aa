"""The full-text search document of a pledge, stored in a column and indexed (issue 20).

Until now the GIN index of migration 0008 was built on an expression, so that PostgreSQL could
find candidate rows through it but had to compute the document again (unaccent and stem the
title, summary, description and translations, in English and in French) for every row it then
checked or that a plan read in date order: single searches took 0.4–7 s at 100,000 pledges.
The document is now a stored generated column, `search_document`, computed by PostgreSQL on every
insert and update of a pledge (whatever writes it: services, admin, import, bulk updates), and the
index of the same name as before is on the column. The expression is the one of migration 0008
(same functions, same configurations); adding the column computes it for every row in one
statement. The model does not declare the column (Django never writes it and never reads it
with a pledge); pledges.text_search.search_document() names it.

PostgreSQL only: SQLite searches with LIKE (pledges.text_search).
"""

from django.db import migrations

COLUMNS = ("title", "reference", "summary", "description")
INDEX = "pledge_search_unaccented"


def _document_sql(config: str) -> str:
    texts = [f"coalesce(p2c_unaccent({column}), '')" for column in COLUMNS]
    texts.append("coalesce(p2c_unaccent(p2c_translations_text(translations)), '')")
    joined = " || ' ' || ".join(texts)
    return f"to_tsvector('{config}'::regconfig, {joined})"


FORWARD = f"""
DROP INDEX IF EXISTS {INDEX};
ALTER TABLE pledges_pledge ADD COLUMN search_document tsvector
    GENERATED ALWAYS AS ({_document_sql("english")} || {_document_sql("french")}) STORED;
CREATE INDEX {INDEX} ON pledges_pledge USING gin (search_document);
"""
BACKWARD = f"""
DROP INDEX IF EXISTS {INDEX};
ALTER TABLE pledges_pledge DROP COLUMN IF EXISTS search_document;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)
        from importlib import import_module

        previous = import_module("pledges.migrations.0008_pledge_translations_unaccent_search")
        schema_editor.add_index(apps.get_model("pledges", "Pledge"), previous._index())


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0029_campaign_tags"),
    ]

    operations = [migrations.RunPython(forward, backward)]
