"""The secretariat vets applications in the Django admin."""

import datetime

import pytest
from django.utils import timezone

from members.models import Entity, EntityStatusChange
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_queue_lists_open_applications_oldest_first(secretariat_client):
    now = timezone.now()
    EntityFactory(name="Approved long ago", applied_at=now - datetime.timedelta(days=90))
    newer = EntityFactory(applied=True, name="Newer applicant", applied_at=now)
    older = EntityFactory(
        applied=True, name="Older applicant", applied_at=now - datetime.timedelta(days=3)
    )
    response = secretariat_client.get("/en/admin/members/entity/")
    assert response.status_code == 200
    names = [e.name for e in response.context["cl"].result_list]
    assert names[:2] == [older.name, newer.name]
    filtered = secretariat_client.get("/en/admin/members/entity/?status__exact=applied")
    assert [e.name for e in filtered.context["cl"].result_list] == [older.name, newer.name]


def test_change_page_offers_only_the_decisions_allowed_now(secretariat_client):
    entity = EntityFactory(applied=True)
    html = secretariat_client.get(f"/en/admin/members/entity/{entity.pk}/change/").content.decode()
    for label in ("Approve", "Request more information", "Reject"):
        assert f">{label}</a>" in html
    assert ">Suspend</a>" not in html
    assert 'name="status"' not in html  # status is never a free-edit field


def test_reject_requires_a_reason_then_emails_the_applicant_in_their_language(
    secretariat, secretariat_client, mailoutbox, django_capture_on_commit_callbacks
):
    entity = EntityFactory(applied=True)
    admin = UserFactory(email="chef@example.fr", french=True)
    MembershipFactory(entity=entity, user=admin, role="administrator")
    url = f"/en/admin/members/entity/{entity.pk}/transition/reject/"
    response = secretariat_client.post(url, {"message": ""})
    assert response.status_code == 200
    assert "A message is required" in response.content.decode()
    entity.refresh_from_db()
    assert entity.status == Entity.Status.APPLIED
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(url, {"message": "Not an eligible organisation."})
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.status == Entity.Status.REJECTED
    change = EntityStatusChange.objects.get(entity=entity)
    assert (change.actor, change.message) == (secretariat, "Not an eligible organisation.")
    assert [m.to for m in mailoutbox] == [["chef@example.fr"]]
    assert "Not an eligible organisation." in mailoutbox[0].body


def test_approving_an_application_already_decided_says_so(secretariat_client, secretariat):
    entity = EntityFactory(rejected=True)
    response = secretariat_client.post(
        f"/en/admin/members/entity/{entity.pk}/transition/approve/", {"message": ""}, follow=True
    )
    assert "changed in the meantime" in response.content.decode()
    entity.refresh_from_db()
    assert entity.status == Entity.Status.REJECTED


def test_bulk_approve(secretariat_client, mailoutbox, django_capture_on_commit_callbacks):
    first, second = EntityFactory(applied=True), EntityFactory(applied=True)
    already = EntityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            "/en/admin/members/entity/",
            {
                "action": "approve_selected",
                "_selected_action": [first.pk, second.pk, already.pk],
            },
            follow=True,
        )
    html = response.content.decode()
    assert "2 applications approved." in html
    assert "changed in the meantime" in html  # the one that was approved already
    assert set(Entity.objects.values_list("status", flat=True)) == {"approved"}


def test_staff_outside_the_secretariat_group_cannot_vet(staff_outsider):
    from django.test import Client

    client = Client()
    client.force_login(staff_outsider)
    entity = EntityFactory(applied=True)
    assert client.get("/en/admin/members/entity/").status_code == 403
    assert (
        client.post(
            f"/en/admin/members/entity/{entity.pk}/transition/approve/", {"message": ""}
        ).status_code
        == 403
    )
    entity.refresh_from_db()
    assert entity.status == Entity.Status.APPLIED


def test_admin_login_goes_through_allauth(anonymous):
    response = anonymous.get("/en/admin/")
    assert response.status_code == 302
    login = anonymous.get("/en/admin/login/?next=/en/admin/")
    assert login.status_code == 302
    assert login.headers["Location"].startswith("/en/accounts/login/")


def test_members_cannot_open_the_admin(member_client):
    assert member_client.get("/en/admin/").status_code in (302, 403)
    assert member_client.get("/en/admin/members/entity/").status_code in (302, 403)


def test_field_history_is_readable_in_the_admin(secretariat_client):
    entity = EntityFactory(applied=True, name="Before")
    entity.name = "After"
    entity.save()
    response = secretariat_client.get(f"/en/admin/members/entity/{entity.pk}/history/")
    assert response.status_code == 200
    assert "After" in response.content.decode()
