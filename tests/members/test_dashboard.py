"""The member dashboard: what waits for the member, a way to write a pledge, and nothing a
secretariat member has no use for; sign-up asks for the person's name."""

import pytest

from members.models import User
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_offers_to_write_a_pledge_and_lists_pledges_sent_back(
    member_client, entity
):
    sent_back = PledgeFactory(entity=entity, status="changes_requested",
                              reference="P2C-2024-0007", title="Solar school links")
    PledgeFactory(entity=entity, published=True, title="Published one")
    html = member_client.get("/en/me/").content.decode()
    assert 'href="/en/my-pledges/new/">Write a pledge</a>' in html
    waiting = html[html.index('id="waiting-title"'):html.index("My entities")]
    assert "The secretariat asks for changes to:" in waiting
    assert f'href="/en/my-pledges/{sent_back.pk}/"><bdi>Solar school links</bdi>' in waiting
    assert "Published one" not in waiting
    assert "Nothing waits for you now." not in waiting


def test_nothing_waiting_is_said_plainly(member_client):
    assert "Nothing waits for you now." in member_client.get("/en/me/").content.decode()


def test_a_viewer_is_not_offered_to_write_a_pledge(viewer_client):
    assert "Write a pledge" not in viewer_client.get("/en/me/").content.decode()


def test_the_secretariats_dashboard_leads_to_the_desk_not_to_applying(secretariat_client):
    html = secretariat_client.get("/en/me/").content.decode()
    assert "Apply for your entity" not in html
    assert 'href="/en/admin/"' in html and "Open the secretariat desk" in html


def test_a_newcomer_is_still_offered_to_apply(newcomer_client):
    assert "Apply for your entity" in newcomer_client.get("/en/me/").content.decode()


def test_sign_up_asks_for_a_full_name_and_keeps_it(client):
    page = client.get("/en/accounts/signup/").content.decode()
    assert 'name="full_name"' in page and 'autocomplete="name"' in page
    password = "a-long-passphrase-9081"
    refused = client.post("/en/accounts/signup/", {
        "email": "blank@example.org", "full_name": "   ", "password1": password,
        "password2": password})
    assert refused.status_code == 200
    assert not User.objects.filter(email="blank@example.org").exists()
    client.post("/en/accounts/signup/", {
        "email": "amina@example.org", "full_name": "  Amina   Diallo ", "password1": password,
        "password2": password})
    assert User.objects.get(email="amina@example.org").full_name == "Amina Diallo"


def test_invitations_and_join_requests_wait_for_the_administrators(
    client, entity, entity_admin, member, other_entity, other_member
):
    """An administrator is not told that nothing waits while another entity invites it to a
    pledge or asks to join one of its pledges: both are listed under "Waiting for you", once."""
    from pledges import partnerships

    theirs = PledgeFactory(entity=other_entity, published=True, title="Rural clinics online")
    invitation = partnerships.partnership_invite(
        actor=other_member, pledge_id=theirs.pk, entity_id=entity.pk)
    ours = PledgeFactory(entity=entity, published=True, title="Schools online")
    request = partnerships.partnership_request(
        actor=other_member, pledge_id=ours.pk, entity_id=other_entity.pk,
        role="co_implementer", contribution="Field engineers.")
    client.force_login(entity_admin)
    html = client.get("/en/me/").content.decode()
    waiting = html[html.index('id="waiting-title"'):html.index("My entities")]
    assert "Nothing waits for you now." not in waiting
    assert "Connect Foundation</bdi> invites you to “<bdi>Rural clinics online</bdi>”" in waiting
    assert "Connect Foundation</bdi> asks to join “<bdi>Schools online</bdi>”" in waiting
    for partnership in (invitation, request):
        assert html.count(f'href="/en/my-pledges/partnerships/{partnership.pk}/"') == 1
        assert f'href="/en/my-pledges/partnerships/{partnership.pk}/"' in waiting
    # An editor cannot answer them: nothing waits for the editor.
    client.force_login(member)
    assert "Nothing waits for you now." in client.get("/en/me/").content.decode()
