"""The fast flush and restore of the test database (tests/database_snapshot.py) leave it exactly as
Django's own flush and deserialization would: every table empty, then the migrated content back,
row for row, with the sequences where they were."""

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
    assert not any(row_counts().values())

    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)

    assert connection.creation.serialize_db_to_string() == connection._test_serialized_contents


def test_flushing_leaves_every_table_empty_and_the_sequences_where_they_were():
    fast_reset_installed()
    PledgeFactory(published=True)
    sequence_before = next_pledge_id()
    flush()
    assert {table: count for table, count in row_counts().items() if count} == {}
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


class _Item:
    """What tests/conftest.py's pytest_runtest_setup reads of a test item."""

    def __init__(self, config, *, transactional: bool):
        self.config = config
        self.fixturenames = ["transactional_db"] if transactional else ["db"]
        self._marker = pytest.mark.django_db(transaction=transactional).mark

    def get_closest_marker(self, name):
        return self._marker if name == "django_db" else None


def test_an_ordinary_test_after_a_transactional_one_finds_the_migrated_content(request):
    """xdist's work stealing can hand a worker ordinary tests after its transactional ones, whose
    flush Django leaves empty: the setup hook puts the migrated content back first."""
    from action_areas.models import Country
    from tests.conftest import pytest_runtest_setup

    pytest_runtest_setup(_Item(request.config, transactional=True))
    PledgeFactory(published=True)
    flush()  # as the transactional test's teardown does
    assert not Country.objects.exists()

    pytest_runtest_setup(_Item(request.config, transactional=False))

    assert Country.objects.filter(iso3="RWA").exists()
    assert connection.creation.serialize_db_to_string() == connection._test_serialized_contents
