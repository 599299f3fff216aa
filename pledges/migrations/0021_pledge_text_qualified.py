"""p2c_pledge_text (migration 0014) calls p2c_translations_text by its schema's name.

pg_restore runs with an empty search_path: an index expression whose function calls another
function unqualified fails to restore ("function p2c_translations_text(jsonb) does not exist"),
so a backup could not be restored (tests/p2c_portal/test_backup_restore.py). Same signature,
same result: the index stays valid."""

from django.db import migrations

QUALIFIED = """
CREATE OR REPLACE FUNCTION p2c_pledge_text(text, text, text, jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce($1, '') || ' ' || coalesce($2, '') || ' ' || coalesce($3, '') || ' '
            || public.p2c_translations_text($4)
    $$;
"""
UNQUALIFIED = QUALIFIED.replace("public.p2c_translations_text", "p2c_translations_text")


def qualify(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(QUALIFIED)


def unqualify(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNQUALIFIED)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0020_public_counting_index_month")]

    operations = [migrations.RunPython(qualify, unqualify, elidable=False)]
