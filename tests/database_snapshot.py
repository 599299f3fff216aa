"""The migrated content of the test database, put back in milliseconds instead of seconds.

A test with a transactional database (every browser journey, the real-worker tests) is followed
by Django's flush, and a test with serialized rollback starts with Django's deserialization of
what the migrations left (countries, action areas, groups, permissions, …). On PostgreSQL both
are slow for what they do: flush is one TRUNCATE of every table, which gives each of the ~100
tables and their indexes new files (3–6 s on a busy 2-core machine), and deserialization saves
~1,000 rows one ORM call at a time (0.7 s of CPU, 3 s of wall time). Together they took ~10 s of
each browser test of `make test`.

Here, on PostgreSQL with psycopg2, each connection of the test database gets instead:
- flush = DELETE FROM every table, in one transaction with the (deferrable) foreign keys
  deferred — the same empty tables, sequences untouched as Django's TRUNCATE leaves them;
- restoring the migrated content = the rows COPYed (binary) from each table right after the
  test database was created and serialized, and COPYed back.
The end state is the same as Django's: tests/p2c_portal/test_database_snapshot.py restores it and
compares Django's own serialization with the one made at set-up. A flush that resets sequences
or cascades, other content to deserialize, another database or driver keep Django's way.
"""

from __future__ import annotations

import io

from django.apps import apps
from django.conf import settings
from django.db import router, transaction


def serialized_tables(connection) -> list[str]:
    """The tables whose rows Django's serialize_db_to_string() keeps (its own criteria: migrated
    apps not in TEST_NON_SERIALIZED_APPS, models this database migrates, their automatic
    many-to-many tables), in a stable order."""
    from django.db.migrations.loader import MigrationLoader

    migrated_apps = MigrationLoader(connection).migrated_apps
    tables = set()
    for app_config in apps.get_app_configs():
        if (
            app_config.models_module is None
            or app_config.label not in migrated_apps
            or app_config.name in settings.TEST_NON_SERIALIZED_APPS
        ):
            continue
        for model in app_config.get_models():
            if not (
                model._meta.can_migrate(connection)
                and router.allow_migrate_model(connection.alias, model)
            ):
                continue
            tables.add(model._meta.db_table)
            for many_to_many in model._meta.local_many_to_many:
                through = many_to_many.remote_field.through
                if through._meta.auto_created:
                    tables.add(through._meta.db_table)
    return sorted(tables)


class MigratedContentSnapshot:
    """The rows of the serialized tables of one connection's test database, as COPY saw them."""

    def __init__(self, connection):
        self.connection = connection
        self.serialized = connection._test_serialized_contents
        self.rows: dict[str, bytes] = {}
        with connection.cursor() as cursor:
            for table in serialized_tables(connection):
                data = io.BytesIO()
                cursor.cursor.copy_expert(
                    f"COPY {connection.ops.quote_name(table)} TO STDOUT (FORMAT binary)", data
                )
                self.rows[table] = data.getvalue()
        # An empty table needs no COPY back (its binary COPY is a header and a trailer only).
        self.rows = {table: data for table, data in self.rows.items() if self._has_rows(table)}

    def _has_rows(self, table: str) -> bool:
        with self.connection.cursor() as cursor:
            table_name = self.connection.ops.quote_name(table)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table_name})")  # noqa: S608 - a model's table
            return cursor.fetchone()[0]

    def restore(self) -> None:
        """The snapshot's tables hold exactly their rows again (whatever was in them is gone)."""
        quote = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in self.rows:
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - a model's table
            for table, data in self.rows.items():
                cursor.cursor.copy_expert(
                    f"COPY {quote(table)} FROM STDIN (FORMAT binary)", io.BytesIO(data)
                )


def install(connection) -> bool:
    """Give this connection of the test database the fast flush and restore; False (and Django's
    way kept) where they do not apply."""
    if (
        connection.vendor != "postgresql"
        or getattr(connection, "_test_serialized_contents", None) is None
    ):
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if is_psycopg3:  # its COPY is another API (cursor.copy); Django's way then
        return False
    snapshot = MigratedContentSnapshot(connection)
    django_deserialize = connection.creation.deserialize_db_from_string
    django_sql_flush = connection.ops.sql_flush

    def deserialize_db_from_string(data):
        if data == snapshot.serialized:
            snapshot.restore()
        else:
            django_deserialize(data)

    def sql_flush(style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return django_sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # execute_sql_flush runs these in one transaction: the foreign keys (all deferrable, as
        # Django creates them on PostgreSQL) are checked at its end, when every table is empty.
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"DELETE FROM {connection.ops.quote_name(table)}"  # noqa: S608 - the models' tables
            for table in tables
        ]

    connection.creation.deserialize_db_from_string = deserialize_db_from_string
    connection.ops.sql_flush = sql_flush
    connection.migrated_content_snapshot = snapshot
    return True
