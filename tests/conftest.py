"""Personas and logged-in clients, shared by every test folder.

Integration tests that need a service (Redis, a Celery worker, Chromium) use `require_service`:
they skip on a developer's machine without it, and fail under CI=true, never skip.
"""

import contextlib
import os
import shutil

import pytest
from django.test import Client

from tests.factories import EntityFactory, MembershipFactory, UserFactory

# The real-worker fixtures (two_workers, pledge_table_lock), for the folders that use them.
pytest_plugins = ["tests.celery_workers"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_service(available: bool, what: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available.")
    pytest.skip(f"{what} is not available here (it is required in CI).")


@pytest.fixture
def postgresql(db) -> None:
    """For tests of what exists on PostgreSQL only (full-text syntax, GIN indexes): they skip on
    a developer's SQLite and fail under CI=true, where the database must be PostgreSQL."""
    from django.db import connection

    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_keepdb,
                                 django_db_use_migrations):
    """On PostgreSQL, each worker's test database is a copy of one migrated template shared by
    the workers and by later runs of the same migrations (tests/database_template.py), instead
    of ~25 s (minutes on a busy machine) of migrating from nothing in every worker."""
    from django.db import connections

    from tests.database_template import migrated_template

    if django_db_keepdb or not django_db_use_migrations:  # --reuse-db, --nomigrations
        yield
        return
    with contextlib.ExitStack() as templates:
        for connection in connections.all():
            templates.enter_context(migrated_template(connection))
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, whose flush and restore of the migrated content (before
    and after every transactional test) take milliseconds instead of seconds on PostgreSQL
    (tests/database_snapshot.py)."""
    from django.db import connections

    from tests import database_snapshot

    with django_db_blocker.unblock():
        for connection in connections.all():
            database_snapshot.install(connection)
    return django_db_setup


# Whether a transactional test ran in this process since the migrated content was last put back:
# Django flushes every table after one, and restores the content only at the start of a test with
# serialized rollback.
_flushed_since_restore = False


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _uses_the_database(item) -> bool:
    return (item.get_closest_marker("django_db") is not None
            or "db" in getattr(item, "fixturenames", ()))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """An ordinary test that follows a transactional one in its process gets the migrated content
    (countries, groups, action areas…) back first. pytest-django runs transactional tests last,
    but xdist's work stealing (`make test`) can hand a worker ordinary tests after its own
    transactional ones: they found empty tables (hundreds of errors in a run of two folders)."""
    global _flushed_since_restore
    if _is_transactional(item):
        _flushed_since_restore = True
    elif _flushed_since_restore and _uses_the_database(item):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all():
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:  # on PostgreSQL, tests/database_snapshot.py's fast restore
                    connection.creation.deserialize_db_from_string(contents)
        _flushed_since_restore = False


@pytest.fixture(scope="session", autouse=True)
def _own_test_files_directory():
    """MEDIA_ROOT and the import files of this test process (p2c_portal/settings/test.py): empty
    at the start, whatever a crashed run left, and removed at the end."""
    from django.conf import settings

    shutil.rmtree(settings.TEST_FILES_DIR, ignore_errors=True)
    yield
    shutil.rmtree(settings.TEST_FILES_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _language_reset_after_each_test():
    """A test that activates a language (a view, a task, translation.activate) must not leave it
    to the next one: with work stealing (`make test`) any test may follow it, and messages
    asserted in English came out in French."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and cached pages live in the cache: each test starts from an empty one.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _no_open_data_files_from_another_test():
    """The pre-built open-data files (pledges.open_data_files) are named for a fingerprint of
    the public pledges, which two tests with frozen time may share: each test starts with none."""
    from django.conf import settings

    shutil.rmtree(settings.OPEN_DATA_DIR, ignore_errors=True)
    yield


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch):
    """force_login stands for a whole login: for staff, the second factor too
    (tests/two_factor.py)."""
    from tests.two_factor import force_login_with_second_factor

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def entity(db):
    """An approved entity: the one `member` and `entity_admin` act for."""
    return EntityFactory(name="Ministry of ICT of Rwanda", acronym="MINICT")


@pytest.fixture
def other_entity(db):
    return EntityFactory(
        name="Connect Foundation", acronym="CF", stakeholder_group="private_sector"
    )


@pytest.fixture
def entity_admin(entity):
    user = UserFactory(email="admin@minict.example.org", full_name="Ada Administrator")
    MembershipFactory(user=user, entity=entity, role="administrator")
    return user


@pytest.fixture
def member(entity, entity_admin):
    """An editor of `entity` (which also has an administrator)."""
    user = UserFactory(email="member@example.org", full_name="Mia Member")
    MembershipFactory(user=user, entity=entity, role="editor")
    return user


@pytest.fixture
def viewer(entity, entity_admin):
    user = UserFactory(email="viewer@minict.example.org", full_name="Victor Viewer")
    MembershipFactory(user=user, entity=entity, role="viewer")
    return user


@pytest.fixture
def other_member(other_entity):
    """Administrator of another entity: must never see `entity`'s private pages."""
    user = UserFactory(email="other@example.org", full_name="Omar Other")
    MembershipFactory(user=user, entity=other_entity, role="administrator")
    return user


@pytest.fixture
def newcomer(db):
    """Signed up and verified, belongs to no entity yet."""
    return UserFactory(email="newcomer@example.org", full_name="Nina Newcomer")


@pytest.fixture
def secretariat(db):
    """ITU staff in the Secretariat group — not a superuser: the group must be enough."""
    from django.contrib.auth.models import Group

    user = UserFactory(
        email="secretariat@itu.example.org", full_name="Sara Secretariat", staff=True
    )
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


@pytest.fixture
def staff_outsider(db):
    """Staff without the Secretariat group: may log into the admin, may not review."""
    return UserFactory(email="staff@itu.example.org", full_name="Stan Staff", staff=True)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member_client(member) -> Client:
    return _logged_in(member)


@pytest.fixture
def other_member_client(other_member) -> Client:
    return _logged_in(other_member)


@pytest.fixture
def secretariat_client(secretariat) -> Client:
    return _logged_in(secretariat)


@pytest.fixture
def entity_admin_client(entity_admin) -> Client:
    return _logged_in(entity_admin)


@pytest.fixture
def viewer_client(viewer) -> Client:
    return _logged_in(viewer)


@pytest.fixture
def newcomer_client(newcomer) -> Client:
    return _logged_in(newcomer)


@pytest.fixture
def publishing_to_redis():
    """This test process publishes tasks to the real broker instead of running them eagerly
    (for tests with real workers: tests/celery_workers.py)."""
    from django.test import override_settings

    from p2c_portal import celery_app

    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        celery_app._after_fork()  # drop connections made for eager mode
        try:
            yield
        finally:
            celery_app._after_fork()
