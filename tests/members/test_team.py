"""Teams: invitations, join requests, roles, removal; never without an administrator."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from members import services
from members.models import Invitation, JoinRequest, Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(client, entity, email, role="editor", capture=None):
    return client.post(f"/en/my-entities/{entity.pk}/invite/", {"email": email, "role": role})


def invitation_path(mail) -> str:
    """The path of the link in the email, which starts with SITE_URL: whatever that is (it
    follows PORT when SITE_URL is not set), the link points at the site."""
    link = re.search(rf"{re.escape(settings.SITE_URL)}(/\w\w/invitations/[\w-]+/)", mail.body)
    assert link, mail.body
    return link.group(1)


def test_invitee_without_an_account_creates_one_and_joins(
    entity, entity_admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(entity_admin_client, entity, "Colleague@Example.org")
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["colleague@example.org"]]
    path = invitation_path(mailoutbox[0])
    assert Invitation.objects.get().token_hash not in path  # only the hash is stored

    newcomer = Client()
    page = newcomer.get(path)
    assert page.status_code == 200
    assert "Create your account" in page.content.decode()
    response = newcomer.post(
        path,
        {
            "full_name": "Cora Colleague",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="colleague@example.org")
    assert (membership.entity, membership.role) == (entity, "editor")
    assert "Ministry of ICT of Rwanda" in newcomer.get("/en/me/").content.decode()
    # Single use.
    again = Client().get(path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_invitee_with_an_account_logs_in_and_accepts(
    entity,
    entity_admin_client,
    newcomer,
    newcomer_client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(entity_admin_client, entity, newcomer.email, role="viewer")
    path = invitation_path(mailoutbox[0])
    anonymous_page = Client().get(path).content.decode()
    assert "Sign in to accept" in anonymous_page
    assert newcomer_client.post(path).status_code == 302
    assert Membership.objects.get(user=newcomer).role == "viewer"


def test_invitation_addressed_to_someone_else_is_refused(
    entity,
    entity_admin_client,
    other_member_client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(entity_admin_client, entity, "intended@example.org")
    path = invitation_path(mailoutbox[0])
    response = other_member_client.post(path, follow=True)
    assert "was sent to intended@example.org" in response.content.decode()
    assert not Membership.objects.filter(entity=entity, user__email="other@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


def test_expired_invitation_is_refused(
    entity,
    entity_admin_client,
    newcomer_client,
    newcomer,
    mailoutbox,
    time_machine,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(entity_admin_client, entity, newcomer.email)
    path = invitation_path(mailoutbox[0])
    time_machine.move_to(timezone.now() + timedelta(days=15))
    response = newcomer_client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert newcomer_client.post(path).status_code == 410
    assert not Membership.objects.filter(user=newcomer).exists()


def test_unknown_token_is_a_clear_404(newcomer_client):
    response = newcomer_client.get("/en/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_withdrawn_invitation_cannot_be_used(
    entity,
    entity_admin,
    entity_admin_client,
    newcomer,
    newcomer_client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(entity_admin_client, entity, newcomer.email)
    invitation = Invitation.objects.get()
    entity_admin_client.post(f"/en/my-entities/{entity.pk}/invitations/{invitation.pk}/revoke/")
    response = newcomer_client.post(invitation_path(mailoutbox[0]))
    assert response.status_code == 410
    assert not Membership.objects.filter(user=newcomer).exists()


def test_inviting_an_existing_member_is_refused_with_a_message(entity, entity_admin_client, member):
    response = invite(entity_admin_client, entity, member.email)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["member@example.org is already a member of this entity."]
    assert not Invitation.objects.exists()


def test_last_administrator_can_neither_be_demoted_nor_removed(
    entity, entity_admin, entity_admin_client, member
):
    own = Membership.objects.get(user=entity_admin)
    response = entity_admin_client.post(
        f"/en/my-entities/{entity.pk}/members/{own.pk}/role/", {"role": "editor"}, follow=True
    )
    assert "always needs an administrator" in response.content.decode()
    response = entity_admin_client.post(
        f"/en/my-entities/{entity.pk}/members/{own.pk}/remove/", follow=True
    )
    assert "always needs an administrator" in response.content.decode()
    own.refresh_from_db()
    assert own.role == "administrator"
    # With a second administrator, the first may step down.
    promoted = Membership.objects.get(user=member)
    entity_admin_client.post(
        f"/en/my-entities/{entity.pk}/members/{promoted.pk}/role/", {"role": "administrator"}
    )
    entity_admin_client.post(f"/en/my-entities/{entity.pk}/members/{own.pk}/remove/")
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_removing_a_member_asks_for_confirmation_first(entity, entity_admin_client, member):
    target = Membership.objects.get(user=member)
    url = f"/en/my-entities/{entity.pk}/members/{target.pk}/remove/"
    page = entity_admin_client.get(url)
    assert "Do you really want to remove <bdi>Mia Member</bdi>" in page.content.decode()
    assert Membership.objects.filter(pk=target.pk).exists()
    entity_admin_client.post(url)
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_member_may_leave_but_not_manage(entity, member, member_client, viewer):
    own = Membership.objects.get(user=member)
    viewer_membership = Membership.objects.get(user=viewer)
    assert (
        member_client.post(
            f"/en/my-entities/{entity.pk}/members/{viewer_membership.pk}/remove/"
        ).status_code
        == 403
    )
    assert (
        member_client.post(f"/en/my-entities/{entity.pk}/members/{own.pk}/remove/").status_code
        == 302
    )
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_join_request_approved_by_an_administrator(
    entity,
    entity_admin_client,
    newcomer,
    newcomer_client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    newcomer_client.post(f"/en/entities/{entity.pk}/join/", {"message": "Hello"})
    join_request = JoinRequest.objects.get()
    page = entity_admin_client.get(f"/en/my-entities/{entity.pk}/").content.decode()
    assert "Requests to join" in page and "newcomer@example.org" in page
    with django_capture_on_commit_callbacks(execute=True):
        entity_admin_client.post(
            f"/en/my-entities/{entity.pk}/join-requests/{join_request.pk}/", {"decision": "approve"}
        )
    assert Membership.objects.get(user=newcomer).role == "editor"
    assert mailoutbox[-1].to == [newcomer.email]
    assert "approved" in mailoutbox[-1].body
    # Answering twice is refused.
    response = entity_admin_client.post(
        f"/en/my-entities/{entity.pk}/join-requests/{join_request.pk}/",
        {"decision": "decline"},
        follow=True,
    )
    assert "already been answered" in response.content.decode()
    assert Membership.objects.filter(user=newcomer).exists()


def test_a_person_in_two_entities_picks_which_one_they_act_for(
    entity, other_entity, member, member_client
):
    MembershipFactory(user=member, entity=other_entity, role="viewer")
    member_client.post("/en/me/acting-for/", {"entity": entity.pk})
    page = member_client.get("/en/me/").content.decode()
    assert page.count("Acting for</span>") == 1
    assert "Act for <bdi>Connect Foundation</bdi>" in page
    member_client.post("/en/me/acting-for/", {"entity": other_entity.pk})
    assert member_client.session["acting_entity_id"] == other_entity.pk
    page = member_client.get("/en/me/").content.decode()
    assert "Act for <bdi>Ministry of ICT of Rwanda</bdi>" in page
    # Acting for an entity one does not belong to is a 404.
    stranger_entity = MembershipFactory(user=UserFactory()).entity
    assert (
        member_client.post("/en/me/acting-for/", {"entity": stranger_entity.pk}).status_code == 404
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_administrators_demoting_each_other_at_once_leave_one_administrator():
    """Real concurrency on PostgreSQL: both requests pass their permission check, one waits for
    the other's lock, and the second must then be refused."""
    import threading

    from tests.conftest import require_service
    from tests.factories import EntityFactory

    require_service(connection.vendor == "postgresql", "PostgreSQL")
    entity = EntityFactory()
    first = MembershipFactory(entity=entity, role="administrator")
    second = MembershipFactory(entity=entity, role="administrator")
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(actor, target):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=5)
            services.membership_change_role(actor=actor, membership_id=target.pk, role="viewer")
            outcomes.append("done")
        except (services.MembersError, services.permissions.PermissionDenied):
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=demote, args=(first.user, second)),
        threading.Thread(target=demote, args=(second.user, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["done", "refused"]
    assert Membership.objects.filter(entity=entity, role="administrator").count() == 1
