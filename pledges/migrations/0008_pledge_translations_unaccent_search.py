"""Pledge translations (title and summary in other languages), and a search that ignores accents.

PostgreSQL: the `unaccent` extension, wrapped in IMMUTABLE functions (unaccent() itself is only
STABLE, so it cannot appear in an index expression; with the dictionary named explicitly its
result depends on nothing but its argument), and the GIN index of the search document rebuilt on
the unaccented text of the pledge and of its translations. The indexed expression is a frozen
copy of pledges.text_search.search_document(): the query uses the index only while both are the
same (tests/pledges/test_public_search.py checks the plan). SQLite registers functions of the
same names in Python on each connection (pledges.text_search).
"""

from django.db import migrations, models

OLD_INDEX = "pledge_search_document"
INDEX_NAME = "pledge_search_unaccented"
COLUMNS = ("title", "reference", "summary", "description")

FUNCTIONS = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION p2c_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
CREATE OR REPLACE FUNCTION p2c_translations_text(jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce(string_agg(
            coalesce(value ->> 'title', '') || ' ' || coalesce(value ->> 'summary', ''), ' '
        ), '')
        FROM jsonb_each(CASE WHEN jsonb_typeof($1) = 'object' THEN $1 ELSE '{}'::jsonb END)
        WHERE jsonb_typeof(value) = 'object'
    $$;
"""
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS p2c_translations_text(jsonb);
DROP FUNCTION IF EXISTS p2c_unaccent(text);
"""


def _old_index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    document = SearchVector(*COLUMNS, config="english") + SearchVector(*COLUMNS, config="french")
    return GinIndex(document, name=OLD_INDEX)


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector
    from django.db.models import Func, TextField

    def unaccented(expression):
        return Func(expression, function="p2c_unaccent", output_field=TextField())

    columns = [unaccented(name) for name in COLUMNS]
    columns.append(unaccented(
        Func("translations", function="p2c_translations_text", output_field=TextField())
    ))
    document = SearchVector(*columns, config="english") + SearchVector(*columns, config="french")
    return GinIndex(document, name=INDEX_NAME)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        pledge = apps.get_model("pledges", "Pledge")
        schema_editor.execute(FUNCTIONS)
        schema_editor.remove_index(pledge, _old_index())
        schema_editor.add_index(pledge, _index())


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        pledge = apps.get_model("pledges", "Pledge")
        schema_editor.remove_index(pledge, _index())
        schema_editor.add_index(pledge, _old_index())
        schema_editor.execute(DROP_FUNCTIONS)


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0007_public_fingerprint_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpledge',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text='The title and summary in other languages: {language: {title, summary}}.', verbose_name='translations'),
        ),
        migrations.AddField(
            model_name='pledge',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text='The title and summary in other languages: {language: {title, summary}}.', verbose_name='translations'),
        ),
        migrations.RunPython(create, drop),
    ]
