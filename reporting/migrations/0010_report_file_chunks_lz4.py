"""Report file chunks compressed with lz4 instead of PostgreSQL's default pglz.

Storing a 68,000-pledge report (24 files, 171 MB, mostly the pledge-list CSVs) took 5.7–8.3 s of
its compilation, in pglz compressing the chunks; lz4 writes the same chunks in about 60% of the
time (a 30 MB CSV in 1 MB chunks: 2.26 s → 1.34 s; stored 9.0 → 7.3 MB). Chunks written before
keep their compression; both read alike. A server built without lz4 keeps pglz; SQLite has no
such setting.
"""

from django.db import migrations

LZ4 = """
DO $$
BEGIN
    ALTER TABLE reporting_reportfilechunk ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;  -- a server built without lz4
END $$;
"""
PGLZ = "ALTER TABLE reporting_reportfilechunk ALTER COLUMN data SET COMPRESSION pglz;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LZ4)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PGLZ)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0009_report_updated_index")]

    operations = [migrations.RunPython(forwards, backwards)]
