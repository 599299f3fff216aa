"""Rate limits on the entity application, join requests and invitations (issue 15).

Each counts POSTs per account and per client address (ACCOUNT_RATE_LIMITS, made small here);
past a limit the answer is the site's 429 page and nothing is written. Reading the pages is
never limited.
"""

import pytest
from django.test import Client

from members.models import Invitation, JoinRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "entity_apply": "2/h/user,3/h/ip",
        "join_request": "1/h/user,5/h/ip",
        "invitation": "2/h/user,5/h/ip",
    }
    return settings


def assert_too_many(response) -> None:
    assert response.status_code == 429
    assert "<h1>Too many requests</h1>" in response.content.decode()


def test_entity_application_posts_are_limited_per_account_then_per_address(small_limits):
    first, second = Client(), Client()
    first.force_login(UserFactory())
    second.force_login(UserFactory())

    # An invalid form counts too: every POST is a try.
    assert first.post("/en/entities/apply/", {}).status_code == 200
    assert first.post("/en/entities/apply/", {}).status_code == 200
    assert_too_many(first.post("/en/entities/apply/", {}))
    assert first.get("/en/entities/apply/").status_code == 200  # reading is never limited

    # Another account from the same address has its own 2, until the address's 3 are used up.
    assert second.post("/en/entities/apply/", {}).status_code == 200
    assert_too_many(second.post("/en/entities/apply/", {}))


def test_join_requests_are_limited_and_nothing_is_written_past_the_limit(
    small_limits, newcomer_client, entity, other_entity
):
    accepted = newcomer_client.post(f"/en/entities/{entity.pk}/join/", {"message": "Hi"})
    assert accepted.status_code == 302
    refused = newcomer_client.post(f"/en/entities/{other_entity.pk}/join/", {"message": "Hi"})
    assert_too_many(refused)
    assert list(JoinRequest.objects.values_list("entity", flat=True)) == [entity.pk]


def test_invitations_are_limited_and_nothing_is_written_past_the_limit(
    small_limits, entity, entity_admin_client
):
    for number in (1, 2):
        response = entity_admin_client.post(
            f"/en/my-entities/{entity.pk}/invite/",
            {"email": f"colleague{number}@example.org", "role": "editor"},
        )
        assert response.status_code == 302
    refused = entity_admin_client.post(
        f"/en/my-entities/{entity.pk}/invite/",
        {"email": "colleague3@example.org", "role": "editor"},
    )
    assert_too_many(refused)
    assert Invitation.objects.count() == 2
    assert entity_admin_client.get(f"/en/my-entities/{entity.pk}/").status_code == 200


def test_the_limits_in_settings_are_counted_per_account_and_per_address():
    from django.conf import settings

    for action in ("entity_apply", "join_request", "invitation"):
        rates = settings.ACCOUNT_RATE_LIMITS[action].split(",")
        assert {rate.rsplit("/", 1)[1] for rate in rates} == {"user", "ip"}, action
