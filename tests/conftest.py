"""Personas and logged-in clients, shared by every test folder.

Integration tests that need a service (Redis, a Celery worker, Chromium) use `require_service`:
they skip on a developer's machine without it, and fail under CI=true, never skip.
"""

import os

import pytest
from django.test import Client

from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_service(available: bool, what: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available.")
    pytest.skip(f"{what} is not available here (it is required in CI).")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and cached pages live in the cache: each test starts from an empty one.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def member(db):
    return UserFactory(email="member@example.org", full_name="Mia Member")


@pytest.fixture
def other_member(db):
    return UserFactory(email="other@example.org", full_name="Omar Other")


@pytest.fixture
def secretariat(db):
    return UserFactory(
        email="secretariat@itu.example.org", full_name="Sara Secretariat", superuser=True
    )


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
