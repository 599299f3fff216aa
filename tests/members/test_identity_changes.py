"""An approved entity's name, stakeholder group and country change only after the secretariat's
review: the administrator's edit is kept as a pending request, the old values stay public, the
secretariat approves or rejects it (with a reason) in the admin, the entity's administrators are
emailed in their language, and the request's row records who asked, who decided and when."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from action_areas.models import Country
from members import permissions, workflow
from members.models import Entity, EntityIdentityChange, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/en/admin/members/entityidentitychange/"


def edit_profile(client, entity, **changes):
    page = client.get(f"/en/my-entities/{entity.pk}/edit/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if name != "logo"}
    data = {name: value for name, value in data.items() if value is not None}
    data.update(changes)
    return client.post(f"/en/my-entities/{entity.pk}/edit/", data, follow=True)


def public_page(entity) -> str:
    cache.clear()  # the public pages' 15-second cache is tested in tests/pledges
    return Client().get(f"/en/entities/{entity.pk}/").content.decode()


def pending(entity) -> EntityIdentityChange:
    return EntityIdentityChange.objects.get(entity=entity, status="pending")


def decide(client, change, name, reason=""):
    return client.post(f"{QUEUE}{change.pk}/decide/{name}/", {"reason": reason}, follow=True)


def test_a_name_change_waits_for_approval_and_other_fields_apply_at_once(
    entity, entity_admin_client, secretariat_client, entity_admin, secretariat, mailoutbox,
    django_capture_on_commit_callbacks,
):
    entity_admin.preferred_language = "fr"
    entity_admin.save()
    response = edit_profile(entity_admin_client, entity, name="Ministry of ICT and Innovation",
                            stakeholder_group="private_sector",
                            headquarters_country=Country.objects.get(iso3="KEN").pk,
                            website="https://minict.example.org/new")
    assert any("waits for the secretariat's review" in str(m)
               for m in response.context["messages"])
    entity.refresh_from_db()
    assert entity.name == "Ministry of ICT of Rwanda"
    assert entity.stakeholder_group == "government"
    assert entity.headquarters_country.iso3 == "RWA"
    assert entity.website == "https://minict.example.org/new"  # not an identity field
    page = public_page(entity)
    assert "Ministry of ICT of Rwanda" in page and "Innovation" not in page

    edit_page = entity_admin_client.get(f"/en/my-entities/{entity.pk}/edit/").content.decode()
    assert "Waiting for the secretariat" in edit_page and "ICT and Innovation" in edit_page
    change = pending(entity)
    assert change.requested_by == entity_admin
    assert change.previous_name == "Ministry of ICT of Rwanda"
    assert secretariat_client.get(QUEUE).status_code == 200
    entity_desk = secretariat_client.get(f"/en/admin/members/entity/{entity.pk}/change/")
    assert "Ministry of ICT and Innovation" in entity_desk.content.decode()  # shown beside it
    assert "Ministry of ICT and Innovation" in secretariat_client.get(
        f"{QUEUE}{change.pk}/change/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(secretariat_client, change, "approve_identity")
    assert response.status_code == 200
    entity.refresh_from_db()
    assert (entity.name, entity.stakeholder_group, entity.headquarters_country.iso3) == (
        "Ministry of ICT and Innovation", "private_sector", "KEN")
    assert "Ministry of ICT and Innovation" in public_page(entity)

    change.refresh_from_db()
    assert change.status == "approved"
    assert change.decided_by == secretariat and change.decided_at is not None
    latest = entity.history.latest()
    assert latest.history_user == secretariat and latest.name == entity.name
    assert [m.to for m in mailoutbox] == [[entity_admin.email]]
    assert "approuvé" in mailoutbox[0].subject  # in the administrator's language


def test_a_rejection_needs_a_reason_and_keeps_the_old_name(
    entity, entity_admin_client, secretariat_client, entity_admin, mailoutbox,
    django_capture_on_commit_callbacks,
):
    edit_profile(entity_admin_client, entity, name="Ministry of Nothing")
    change = pending(entity)
    response = decide(secretariat_client, change, "reject_identity", reason="   ")
    assert "Give the reason for the rejection" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        decide(secretariat_client, change, "reject_identity",
               reason="The ministry's official name has not changed.")
    change.refresh_from_db()
    assert change.status == "rejected"
    assert change.reason == "The ministry's official name has not changed."
    entity.refresh_from_db()
    assert entity.name == "Ministry of ICT of Rwanda"
    assert "Ministry of Nothing" not in public_page(entity)
    assert "official name has not changed" in mailoutbox[0].body
    # Decided once: a second decision is refused, nothing changes.
    decide(secretariat_client, change, "approve_identity")
    entity.refresh_from_db()
    assert entity.name == "Ministry of ICT of Rwanda"


def test_a_member_of_the_entity_cannot_approve_its_change(entity, entity_admin_client):
    edit_profile(entity_admin_client, entity, name="Ministry of Self-Approval")
    change = pending(entity)
    insider = UserFactory(email="insider@itu.example.org", staff=True)
    insider.groups.add(Group.objects.get(name="Secretariat"))
    Membership.objects.create(user=insider, entity=entity, role="viewer")
    client = Client()
    client.force_login(insider)
    assert client.post(f"{QUEUE}{change.pk}/decide/approve_identity/").status_code == 403
    with pytest.raises(permissions.PermissionDenied):
        workflow.identity_change_transition(change_id=change.pk, name="approve_identity",
                                            actor=insider)
    entity.refresh_from_db()
    assert entity.name == "Ministry of ICT of Rwanda"
    assert pending(entity) == change


def test_a_newer_request_replaces_the_pending_one(entity, entity_admin_client):
    edit_profile(entity_admin_client, entity, name="First try")
    edit_profile(entity_admin_client, entity, name="Second try")
    assert pending(entity).name == "Second try"
    assert EntityIdentityChange.objects.get(entity=entity, name="First try").status == "replaced"


def test_an_application_not_yet_approved_is_corrected_directly(entity, entity_admin_client):
    Entity.objects.filter(pk=entity.pk).update(status="more_info_requested")
    edit_profile(entity_admin_client, entity, name="Ministry of ICT (corrected)")
    entity.refresh_from_db()
    assert entity.name == "Ministry of ICT (corrected)"
    assert not EntityIdentityChange.objects.exists()
