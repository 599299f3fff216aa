"""The fast flush and restore of the test database (tests/database_snapshot.py): a flush empties
what tests wrote and leaves the migrated content as Django's deserialization would put it back,
row for row, with the sequences where they were, so that an ordinary test that a worker runs
after a transactional one finds it."""

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import require_service
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fast_reset_installed() -> None:
    require_service(
        hasattr(connection, "migrated_content_snapshot"),
        "PostgreSQL with psycopg2 (DATABASE_URL), where the fast reset applies",
    )


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            table_name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {table_name}")  # noqa: S608 - a model's table
            counts[table] = cursor.fetchone()[0]
    return counts


def flush() -> None:
    """What TransactionTestCase does after a test with serialized rollback."""
    call_command(
        "flush", interactive=False, inhibit_post_migrate=True, reset_sequences=False, verbosity=0
    )


def next_pledge_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM pledges_pledge_id_seq")
        return cursor.fetchone()[0]


def test_the_restored_content_is_what_django_serialized_after_the_migrations():
    fast_reset_installed()
    PledgeFactory(published=True)  # rows that refer to the migrated ones (a country, a group…)
    flush()
    assert connection.creation.serialize_db_to_string() == connection._test_serialized_contents

    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)

    assert connection.creation.serialize_db_to_string() == connection._test_serialized_contents


def test_flushing_leaves_only_the_migrated_content_and_the_sequences_where_they_were():
    fast_reset_installed()
    migrated = {table: count for table, count in row_counts().items() if count}
    PledgeFactory(published=True)
    sequence_before = next_pledge_id()
    flush()
    assert {table: count for table, count in row_counts().items() if count} == migrated
    assert row_counts()["pledges_pledge"] == 0
    assert next_pledge_id() == sequence_before  # as TRUNCATE without RESTART IDENTITY


def test_restoring_over_rows_left_in_the_migrated_tables_replaces_them():
    """Django's deserialization updates rows that are still there; the restore, too, ends with
    exactly the migrated rows."""
    fast_reset_installed()
    from action_areas.models import Country

    Country.objects.filter(iso3="RWA").update(iso2="XX")
    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
    assert Country.objects.get(iso3="RWA").iso2 == "RW"
    assert connection.creation.serialize_db_to_string() == connection._test_serialized_contents
