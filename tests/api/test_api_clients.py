"""Anonymous clients are rate-limited per address (429 with Retry-After, then recovery); API
tokens issued by the secretariat raise the limit, are stored hashed and stop working the moment
they are revoked."""

import datetime

import pytest
from django.contrib.auth.models import Group

from api.models import ApiToken
from api.services import api_token_issue, api_token_revoke
from members.secretariat_group import SECRETARIAT_GROUP


@pytest.fixture
def small_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS,
                                    "api_anonymous": "3/m/ip", "api_token": "6/m/key"}


@pytest.mark.django_db
def test_past_the_limit_an_anonymous_client_gets_429_then_recovers(client, small_limits,
                                                                     time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
    for _ in range(3):
        assert client.get("/api/v1/action-areas/").status_code == 200
    refused = client.get("/api/v1/action-areas/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 60
    # Another client address is counted apart.
    assert client.get("/api/v1/action-areas/", REMOTE_ADDR="198.51.100.7").status_code == 200
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, 1, 1, tzinfo=datetime.UTC),
                         tick=False)
    assert client.get("/api/v1/action-areas/").status_code == 200


@pytest.mark.django_db
def test_a_token_raises_the_limit_and_a_revoked_one_is_refused_at_once(
        client, small_limits, secretariat):
    issued = api_token_issue(actor=secretariat, name="SDG Actions platform")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.raw}"}
    for _ in range(6):
        assert client.get("/api/v1/action-areas/", **auth).status_code == 200
    assert client.get("/api/v1/action-areas/", **auth).status_code == 429

    api_token_revoke(actor=secretariat, token=issued.token)
    refused = client.get("/api/v1/action-areas/", **auth)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


@pytest.mark.django_db
def test_a_token_is_stored_hashed_and_shown_once(secretariat):
    issued = api_token_issue(actor=secretariat, name="Newsroom")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    values = [str(value) for value in stored.__dict__.values()]
    assert issued.raw not in " ".join(values)
    assert stored.digest != issued.raw and len(stored.digest) == 64
    assert issued.raw.startswith(stored.prefix)


@pytest.mark.django_db
def test_an_unknown_token_is_refused(client):
    response = client.get("/api/v1/pledges/", HTTP_AUTHORIZATION="Bearer p2c_made-up")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db
def test_the_secretariat_issues_and_revokes_tokens_in_the_admin(secretariat_client,
                                                                  secretariat, client):
    assert Group.objects.get(name=SECRETARIAT_GROUP).permissions.filter(
        codename="add_apitoken").exists()
    response = secretariat_client.post("/en/admin/api/apitoken/add/",
                                       {"name": "UN agency dashboard"}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = next(word for m in shown for word in m.split() if word.startswith("p2c_"))
    assert client.get("/api/v1/pledges/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    # The token is never shown again.
    page = secretariat_client.get(f"/en/admin/api/apitoken/{token.pk}/change/")
    assert raw not in page.content.decode()

    secretariat_client.post("/en/admin/api/apitoken/", {
        "action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert client.get("/api/v1/pledges/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.django_db
def test_a_member_cannot_issue_a_token(member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_issue(actor=member, name="Mine")
