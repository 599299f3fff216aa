"""The desk cannot name co-pledgers without their consent: the pledge's co-pledgers are shown
read-only with its partnerships, and the secretariat follows every invitation read-only."""

import pytest

from pledges import partnerships
from tests.factories import EntityFactory, PledgeFactory

from .test_review_desk import ADMIN, change_form_data

pytestmark = pytest.mark.django_db


def test_an_admin_save_cannot_name_a_co_pledger(secretariat_client):
    pledge = PledgeFactory(submitted=True, title="Old title")
    stranger = EntityFactory(name="Never Asked Org")
    data = change_form_data(secretariat_client, pledge)
    assert "co_pledgers" not in data
    data.update(title="New title", co_pledgers=[str(stranger.pk)])
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data)
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.title == "New title"
    assert not pledge.co_pledgers.exists() and not pledge.partnerships.exists()


def test_the_desk_shows_partnerships_read_only(secretariat_client, entity, member):
    pledge = PledgeFactory(entity=entity, submitted=True)
    partner = EntityFactory(name="Invited Partner Org")
    invitation = partnerships.partnership_invite(actor=member, pledge_id=pledge.pk,
                                                 entity_id=partner.pk)
    page = secretariat_client.get(f"{ADMIN}{pledge.pk}/change/").content.decode()
    assert "Invited Partner Org" in page
    listing = secretariat_client.get("/en/admin/pledges/partnership/")
    assert listing.status_code == 200 and "Invited Partner Org" in listing.content.decode()
    detail = secretariat_client.get(f"/en/admin/pledges/partnership/{invitation.pk}/change/")
    assert detail.status_code == 200
    assert 'name="status"' not in detail.content.decode()  # nothing to change
    assert secretariat_client.post(f"/en/admin/pledges/partnership/{invitation.pk}/delete/",
                                   {"post": "yes"}).status_code == 403
