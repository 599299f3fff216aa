"""Search in scripts written without spaces between words (Chinese, Japanese; Korean particles):
a GIN trigram index (pg_trgm) on the pledge's text cut into overlapping pairs of characters.

Full-text search splits text into words at spaces, so "推动数字包容" is one word and "数字" is never
found in it. A trigram index finds substrings of three characters or more only, while most Chinese
words have two: the indexed text is therefore each run of such characters cut into overlapping
pairs ("推动 动数 数字 字包 包容 容"), in which any substring, even one character long, is a
pattern of whole pairs that the trigram index serves (pledges.text_search).

PostgreSQL only. `pg_trgm`, like `unaccent` (migration 0008), is a trusted extension: the
database's owner may create it, no superuser needed; where it exists already nothing is asked.
The indexed expression is a frozen copy of pledges.text_search.unsegmented_grams(): the query uses
the index only while both are the same (tests/pledges/test_public_search.py checks the plan).
"""

from django.db import migrations

INDEX_NAME = "pledge_search_unsegmented"

# The character ranges are hiragana and katakana, Han (with extension A and the compatibility
# ideographs), Hangul syllables and half-width katakana. Punctuation (、。「」，) is not in them: it
# separates runs.
FUNCTIONS = r"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION p2c_pledge_text(text, text, text, jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce($1, '') || ' ' || coalesce($2, '') || ' ' || coalesce($3, '') || ' '
            || p2c_translations_text($4)
    $$;
CREATE OR REPLACE FUNCTION p2c_unsegmented_grams(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
        SELECT coalesce(' ' || string_agg(substr(run[1], position, 2), ' ') || ' ', '')
        FROM regexp_matches($1, '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]+', 'g') AS run,
             generate_series(1, char_length(run[1])) AS position
    $$;
"""
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS p2c_unsegmented_grams(text);
DROP FUNCTION IF EXISTS p2c_pledge_text(text, text, text, jsonb);
"""


# Written out: Django builds an operator class into an index expression only with
# django.contrib.postgres installed, which the SQLite default does not need.
CREATE_INDEX = f"""
CREATE INDEX {INDEX_NAME} ON pledges_pledge USING gin (
    (p2c_unsegmented_grams(p2c_pledge_text(title, summary, description, translations)))
    gin_trgm_ops
);
"""
DROP_INDEX = f"DROP INDEX IF EXISTS {INDEX_NAME};"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)
        schema_editor.execute(CREATE_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)
        schema_editor.execute(DROP_FUNCTIONS)


class Migration(migrations.Migration):

    dependencies = [
        ("pledges", "0013_public_title_index_collated"),
    ]

    operations = [migrations.RunPython(create, drop)]
