"""Teams changed in the admin go through members.services like the team page: an entity keeps
its last administrator (a refusal is a message, and nothing is saved), every change leaves an
audit row, and no admin form edits a join request's or an invitation's status."""

import pytest
from django.test import Client

from members import services
from members.models import Entity, Invitation, JoinRequest, Membership, MembershipChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LAST_ADMINISTRATOR = "An entity always needs an administrator"
MEMBERSHIPS = "/en/admin/members/membership/"


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(superuser=True, email="root@itu.example.org"))
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def team(entity) -> list[tuple[str, str]]:
    return sorted(entity.memberships.values_list("user__email", "role"))


def changes(entity) -> list[tuple[str, str, str]]:
    return list(
        MembershipChange.objects.filter(entity=entity)
        .order_by("pk").values_list("person__email", "from_role", "to_role")
    )


def form_data(response) -> dict:
    """An admin change page's form and inline formsets, as shown, ready to be posted back."""
    data = {}

    def add(form, prefix=""):
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = form[name].value()
            key = f"{prefix}{name}"
            if value is None:
                continue
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for form in formset.forms:
            add(form, f"{form.prefix}-")
    return data


# --- The membership admin -------------------------------------------------------------------------


def test_the_membership_admin_cannot_remove_the_last_administrator(
    entity, entity_admin, member, superuser_client
):
    own = Membership.objects.get(user=entity_admin)
    response = superuser_client.post(f"{MEMBERSHIPS}{own.pk}/delete/", {"post": "yes"},
                                     follow=True)
    assert any(LAST_ADMINISTRATOR in m for m in messages_of(response))
    assert Membership.objects.filter(pk=own.pk).exists()
    # Nor in a bulk deletion, which is then refused whole.
    editor = Membership.objects.get(user=member)
    response = superuser_client.post(MEMBERSHIPS, {
        "action": "delete_selected", "_selected_action": [own.pk, editor.pk], "post": "yes",
    }, follow=True)
    assert any(LAST_ADMINISTRATOR in m for m in messages_of(response))
    assert team(entity) == [(entity_admin.email, "administrator"), (member.email, "editor")]
    assert changes(entity) == []


def test_the_membership_admin_cannot_demote_the_last_administrator(
    entity, entity_admin, member, superuser_client
):
    own = Membership.objects.get(user=entity_admin)
    response = superuser_client.post(f"{MEMBERSHIPS}{own.pk}/change/", {"role": "editor"},
                                     follow=True)
    assert any(LAST_ADMINISTRATOR in m for m in messages_of(response))
    own.refresh_from_db()
    assert own.role == "administrator"
    assert changes(entity) == []


def test_membership_admin_changes_are_audited(entity, entity_admin, member, superuser_client):
    editor = Membership.objects.get(user=member)
    response = superuser_client.post(f"{MEMBERSHIPS}{editor.pk}/change/",
                                     {"role": "administrator"})
    assert response.status_code == 302
    newcomer = UserFactory(email="newcomer@minict.example.org")
    response = superuser_client.post(f"{MEMBERSHIPS}add/", {
        "user": newcomer.pk, "entity": entity.pk, "role": "viewer",
    })
    assert response.status_code == 302
    own = Membership.objects.get(user=entity_admin)
    superuser_client.post(f"{MEMBERSHIPS}{own.pk}/delete/", {"post": "yes"})
    assert team(entity) == [(member.email, "administrator"), (newcomer.email, "viewer")]
    assert changes(entity) == [
        (member.email, "editor", "administrator"),
        (newcomer.email, "", "viewer"),
        (entity_admin.email, "administrator", ""),
    ]
    assert MembershipChange.objects.filter(entity=entity).values_list(
        "actor__email", flat=True
    )[0] == "root@itu.example.org"


def test_the_secretariat_group_may_not_change_roles_nor_add_or_remove_people(
    entity, entity_admin, member, secretariat
):
    editor = Membership.objects.get(user=member)
    with pytest.raises(services.permissions.PermissionDenied):
        services.membership_remove(actor=secretariat, membership_id=editor.pk)
    with pytest.raises(services.permissions.PermissionDenied):
        services.membership_add(actor=secretariat, entity_id=entity.pk,
                                user_id=UserFactory().pk, role="viewer")
    # Nor may an entity's administrator add someone without their consent.
    with pytest.raises(services.permissions.PermissionDenied):
        services.membership_add(actor=entity_admin, entity_id=entity.pk,
                                user_id=UserFactory().pk, role="viewer")
    # Nor change a role: a secretariat member on an entity's team could make themselves its
    # administrator.
    with pytest.raises(services.permissions.PermissionDenied):
        services.membership_change_role(actor=secretariat, membership_id=editor.pk,
                                        role="administrator")
    assert changes(entity) == []


# --- The entity's page: its team inline -----------------------------------------------------------


def entity_page(client, entity):
    return client.get(f"/en/admin/members/entity/{entity.pk}/change/")


def inline_prefix(data) -> str:
    return next(key.removesuffix("-TOTAL_FORMS") for key in data
                if key.endswith("-TOTAL_FORMS") and key.startswith("memberships"))


def row_of(data, prefix, membership) -> str:
    return next(key.removesuffix("-id") for key, value in data.items()
                if key.startswith(prefix) and key.endswith("-id") and value == str(membership.pk))


def test_the_entity_inline_cannot_remove_the_last_administrator(
    entity, entity_admin, member, superuser_client
):
    data = form_data(entity_page(superuser_client, entity))
    prefix = inline_prefix(data)
    own = Membership.objects.get(user=entity_admin)
    data[f"{row_of(data, prefix, own)}-DELETE"] = "on"
    data["name"] = "Renamed while removing the last administrator"
    response = superuser_client.post(f"/en/admin/members/entity/{entity.pk}/change/", data,
                                     follow=True)
    assert any(LAST_ADMINISTRATOR in m for m in messages_of(response))
    assert team(entity) == [(entity_admin.email, "administrator"), (member.email, "editor")]
    assert Entity.objects.get(pk=entity.pk).name == entity.name  # nothing saved
    assert changes(entity) == []
    # Demoting the last administrator in the inline: refused the same way.
    data = form_data(entity_page(superuser_client, entity))
    data[f"{row_of(data, prefix, own)}-role"] = "viewer"
    response = superuser_client.post(f"/en/admin/members/entity/{entity.pk}/change/", data,
                                     follow=True)
    assert any(LAST_ADMINISTRATOR in m for m in messages_of(response))
    assert team(entity) == [(entity_admin.email, "administrator"), (member.email, "editor")]


def test_the_entity_inline_may_hand_over_the_administration_in_one_save(
    entity, entity_admin, member, superuser_client
):
    data = form_data(entity_page(superuser_client, entity))
    prefix = inline_prefix(data)
    own, editor = Membership.objects.get(user=entity_admin), Membership.objects.get(user=member)
    data[f"{row_of(data, prefix, own)}-DELETE"] = "on"
    data[f"{row_of(data, prefix, editor)}-role"] = "administrator"
    newcomer = UserFactory(email="newcomer@minict.example.org")
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-{total}-user"] = str(newcomer.pk)
    data[f"{prefix}-{total}-role"] = "editor"
    data[f"{prefix}-{total}-entity"] = str(entity.pk)
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    response = superuser_client.post(f"/en/admin/members/entity/{entity.pk}/change/", data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert team(entity) == [(member.email, "administrator"), (newcomer.email, "editor")]
    assert sorted(changes(entity)) == sorted([
        (entity_admin.email, "administrator", ""),
        (member.email, "editor", "administrator"),
        (newcomer.email, "", "editor"),
    ])


def test_the_person_of_a_membership_is_not_editable_in_the_inline(
    entity, entity_admin, superuser_client
):
    data = form_data(entity_page(superuser_client, entity))
    prefix = inline_prefix(data)
    own = Membership.objects.get(user=entity_admin)
    data[f"{row_of(data, prefix, own)}-user"] = str(UserFactory().pk)
    superuser_client.post(f"/en/admin/members/entity/{entity.pk}/change/", data)
    own.refresh_from_db()
    assert own.user == entity_admin


# --- Every way into a team is audited -------------------------------------------------------------


def test_joining_by_invitation_or_request_is_audited(entity, entity_admin):
    invitee = UserFactory(email="invitee@example.org")  # with a verified address
    services.invitation_create(actor=entity_admin, entity_id=entity.pk,
                               email=invitee.email, role="viewer")
    invitation = Invitation.objects.get()
    token = "known-token"
    Invitation.objects.filter(pk=invitation.pk).update(
        token_hash=services.invitation_token_hash(token))
    services.invitation_accept(user=invitee, token=token)
    asker = UserFactory(email="asker@example.org")
    join_request = services.join_request_create(user=asker, entity_id=entity.pk)
    services.join_request_decide(actor=entity_admin, join_request_id=join_request.pk,
                                 approve=True)
    assert changes(entity) == [(invitee.email, "", "viewer"), (asker.email, "", "editor")]
    assert list(MembershipChange.objects.filter(entity=entity).order_by("pk")
                .values_list("actor__email", flat=True)) == [invitee.email, entity_admin.email]


# --- Statuses are never a form field --------------------------------------------------------------


def test_join_requests_and_invitations_are_read_only_in_the_admin(
    entity, entity_admin, superuser_client
):
    join_request = JoinRequest.objects.create(user=UserFactory(), entity=entity)
    page = superuser_client.get(f"/en/admin/members/joinrequest/{join_request.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    superuser_client.post(f"/en/admin/members/joinrequest/{join_request.pk}/change/",
                          {"status": "approved", "user": join_request.user_id,
                           "entity": entity.pk})
    join_request.refresh_from_db()
    assert join_request.status == "pending"
    assert not Membership.objects.filter(user=join_request.user).exists()
    assert superuser_client.get("/en/admin/members/joinrequest/add/").status_code == 403
    assert superuser_client.get("/en/admin/members/invitation/add/").status_code == 403


def test_no_admin_form_edits_a_status(superuser_client):
    """Every model admin and inline of members and pledges: no status among its form fields."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = UserFactory(superuser=True)
    status_fields = {"status", "accepted_at", "revoked_at", "decided_at", "decided_by"}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("members", "pledges"):
            continue
        admins = [model_admin, *model_admin.get_inline_instances(request)]
        for each in admins:
            if not each.has_change_permission(request) and not each.has_add_permission(
                request, *([None] if isinstance(each, admin.options.InlineModelAdmin) else [])
            ):
                continue
            form = (each.get_formset(request).form if hasattr(each, "get_formset")
                    else each.get_form(request))
            editable = set(form.base_fields) & status_fields
            assert not editable, f"{type(each).__name__} edits {editable}"
