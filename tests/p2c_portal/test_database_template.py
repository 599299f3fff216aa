"""Each worker's test database is a copy of a migrated template (tests/database_template.py):
the copy is what migrating gives, a change to what migrating gives names another template, and a
template is dropped only when no run is using it."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

from members.permissions import SECRETARIAT_GROUP
from tests.conftest import require_service
from tests.database_template import (
    IN_USE_LOCK,
    PARTIAL_SUFFIX,
    _admin_connection,
    _exists,
    drop_stale_templates,
    fingerprinted_files,
    migration_fingerprint,
    template_prefix,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def admin_cursor(postgresql):
    admin = _admin_connection(connection)
    try:
        with admin.cursor() as cursor:
            yield cursor
    finally:
        admin.close()


def test_the_test_database_is_a_copy_of_the_template_of_these_migrations(admin_cursor):
    template = connection.settings_dict["TEST"].get("TEMPLATE")
    require_service(template is not None, "a test database copied from a template")
    database = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    assert template == f"{template_prefix(database)}{migration_fingerprint()}"
    assert _exists(admin_cursor, template)
    # Every migration on disk is applied, and the post_migrate handlers ran on the copy.
    loader = MigrationLoader(connection)
    assert set(loader.disk_migrations) <= set(loader.applied_migrations)
    secretariat = Group.objects.get(name=SECRETARIAT_GROUP)
    assert secretariat.permissions.filter(codename="view_pledge").exists()


def test_what_migrating_reads_is_in_the_fingerprint():
    files = fingerprinted_files()
    for read_by_a_migration in ("pledges/migrations/0001_initial.py",
                                "action_areas/reference_translations.py",
                                "action_areas/reference_data.py",
                                "action_areas/data/countries.csv",
                                "p2c_portal/languages.py"):
        assert ROOT / read_by_a_migration in files, read_by_a_migration
    assert any(file.match("django/contrib/auth/migrations/0001_initial.py") for file in files)
    # Models are not: their schema is in the migrations.
    assert ROOT / "pledges/models.py" not in files
    # A language more: migration 0004 would load its names, so another template.
    before = migration_fingerprint()
    with override_settings(LANGUAGES=[*settings.LANGUAGES, ("pt", "Português")]):
        assert migration_fingerprint() != before
    assert migration_fingerprint() == before


def test_a_template_is_dropped_only_when_no_run_uses_it(admin_cursor):
    prefix = f"{connection.settings_dict['NAME']}_stale_check_"
    current, stale, used = (f"{prefix}{name}" for name in ("aaaa", "bbbb", "cccc"))
    half_built = f"{prefix}dddd{PARTIAL_SUFFIX}"
    everything = (current, stale, used, half_built)
    other_run = _admin_connection(connection)
    try:
        for database in everything:
            admin_cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
            admin_cursor.execute(f'CREATE DATABASE "{database}"')
        with other_run.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock_shared(%s, hashtext(%s))", [IN_USE_LOCK, used])

        dropped = drop_stale_templates(admin_cursor, prefix, keep=current)

        assert sorted(dropped) == sorted([stale, half_built])
        assert [_exists(admin_cursor, database) for database in everything] == [
            True, False, True, False]
    finally:
        other_run.close()
        for database in everything:
            admin_cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
