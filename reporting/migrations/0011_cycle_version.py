"""Reporting cycles keep a version like the reference data (action_areas.reference_versions):
a trigger gives the table's row a new token at every write, and the public pledge page reads
the cycles from a per-process memo keyed by it (reporting.selectors.progress.opened_cycles)
instead of one query per page. The first version is written here, so that cycles loaded before
the trigger existed are memoized too."""

import secrets

from django.db import migrations

TABLE = "reporting_reportingcycle"


def install_trigger(apps, schema_editor):
    from action_areas.reference_versions import (
        CREATE_VERSION_TABLE,
        VERSION_TABLE,
        trigger_statements,
    )

    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    schema_editor.execute(CREATE_VERSION_TABLE)
    for statement in trigger_statements(vendor, (TABLE,)):
        schema_editor.execute(statement)
    schema_editor.execute(
        f"INSERT INTO {VERSION_TABLE} (table_name, version) VALUES (%s, %s) "  # noqa: S608
        "ON CONFLICT (table_name) DO NOTHING", [TABLE, secrets.randbelow(2**53)])


def remove_trigger(apps, schema_editor):
    from action_areas.reference_versions import VERSION_TABLE, drop_trigger_statements

    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    for statement in drop_trigger_statements(vendor, (TABLE,)):
        schema_editor.execute(statement)
    schema_editor.execute(f"DELETE FROM {VERSION_TABLE} WHERE table_name = %s",  # noqa: S608
                          [TABLE])


class Migration(migrations.Migration):

    dependencies = [
        ("action_areas", "0009_reference_versions"),
        ("reporting", "0010_report_file_chunks_lz4"),
    ]

    operations = [
        migrations.RunPython(install_trigger, remove_trigger),
    ]
