"""Every members URL × every persona → the status a person would get.

Private pages of an entity are a 404 to anyone outside it (its existence is not confirmed);
a member without the right role gets a 403; the anonymous are sent to log in.
"""

import pytest

from members.models import Invitation, JoinRequest, Membership
from tests.factories import UserFactory
from tests.permission_matrix import LOGIN, assert_answer, client_as, expected_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "newcomer",
    "viewer",
    "member",
    "entity_admin",
    "other_member",
    "secretariat",
]


def urls(entity, viewer_membership, join_request, invitation):
    pk = entity.pk
    return {
        # name: (method, url, {persona: expected})
        "dashboard": ("get", "/en/me/", {"anonymous": LOGIN, "*": 200}),
        "apply": ("get", "/en/entities/apply/", {"anonymous": LOGIN, "*": 200}),
        "directory": ("get", "/en/entities/", {"*": 200}),
        "public profile": ("get", f"/en/entities/{pk}/", {"*": 200}),
        "team page": (
            "get",
            f"/en/my-entities/{pk}/",
            {
                "anonymous": LOGIN,
                "newcomer": 404,
                "other_member": 404,
                "secretariat": 404,
                "*": 200,
            },
        ),
        "edit profile": (
            "get",
            f"/en/my-entities/{pk}/edit/",
            {
                "anonymous": LOGIN,
                "newcomer": 404,
                "other_member": 404,
                "secretariat": 404,
                "viewer": 403,
                "member": 403,
                "entity_admin": 200,
            },
        ),
        "respond": (
            "get",
            f"/en/my-entities/{pk}/respond/",
            {
                "anonymous": LOGIN,
                "newcomer": 404,
                "other_member": 404,
                "secretariat": 404,
                "*": 403,
            },
        ),  # approved entity: nothing to answer
        "invite": (
            "post",
            f"/en/my-entities/{pk}/invite/",
            {
                "anonymous": LOGIN,
                "newcomer": 404,
                "other_member": 404,
                "secretariat": 404,
                "viewer": 403,
                "member": 403,
                "entity_admin": 302,
            },
        ),
        "change role": (
            "post",
            f"/en/my-entities/{pk}/members/{viewer_membership.pk}/role/",
            {
                "anonymous": LOGIN,
                "newcomer": 404,
                "other_member": 404,
                "secretariat": 404,
                "viewer": 403,
                "member": 403,
                "entity_admin": 302,
            },
        ),
        "remove member": (
            "post",
            f"/en/my-entities/{pk}/members/{viewer_membership.pk}/remove/",
            {
                "anonymous": LOGIN,
                "newcomer": 404,
                "other_member": 404,
                "secretariat": 404,
                "viewer": 302,  # the viewer removing themself is leaving, which anyone may do
                "member": 403,
                "entity_admin": 302,
            },
        ),
        "decide join request": (
            "post",
            f"/en/my-entities/{pk}/join-requests/{join_request.pk}/",
            {
                "anonymous": LOGIN,
                "newcomer": 404,
                "other_member": 404,
                "secretariat": 404,
                "viewer": 403,
                "member": 403,
                "entity_admin": 302,
            },
        ),
        "revoke invitation": (
            "post",
            f"/en/my-entities/{pk}/invitations/{invitation.pk}/revoke/",
            {
                "anonymous": LOGIN,
                "newcomer": 404,
                "other_member": 404,
                "secretariat": 404,
                "viewer": 403,
                "member": 403,
                "entity_admin": 302,
            },
        ),
        "act for": (
            "post",
            "/en/me/acting-for/",
            {
                "anonymous": LOGIN,
                "newcomer": 404,
                "other_member": 404,
                "secretariat": 404,
                "*": 302,
            },
        ),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "name",
    [
        "dashboard",
        "apply",
        "directory",
        "public profile",
        "team page",
        "edit profile",
        "respond",
        "invite",
        "change role",
        "remove member",
        "decide join request",
        "revoke invitation",
        "act for",
    ],
)
def test_permission_matrix(
    request,
    persona,
    name,
    entity,
    entity_admin,
    viewer,
    member,
    other_member,
    secretariat,
    newcomer,
):
    join_request = JoinRequest.objects.create(entity=entity, user=UserFactory())
    invitation = Invitation.objects.create(
        entity=entity,
        email="x@example.org",
        role="viewer",
        token_hash="h" * 64,
        invited_by=entity_admin,
        expires_at="2100-01-01T00:00:00Z",
    )
    viewer_membership = Membership.objects.get(user=viewer)
    method, url, expectations = urls(entity, viewer_membership, join_request, invitation)[name]
    client = client_as(request, persona)
    data = {
        "entity": entity.pk,
        "email": "new@example.org",
        "role": "editor",
        "decision": "decline",
    }
    response = getattr(client, method)(url, data if method == "post" else None)
    assert_answer(response, expected_for(expectations, persona))


def test_non_approved_entities_are_invisible_to_the_public(anonymous):
    from tests.factories import EntityFactory

    for status in ("applied", "more_info_requested", "rejected", "suspended"):
        hidden = EntityFactory(status=status, name=f"Hidden {status}")
        assert anonymous.get(f"/en/entities/{hidden.pk}/").status_code == 404
        assert f"Hidden {status}" not in anonymous.get("/en/entities/").content.decode()
    assert anonymous.get("/en/entities/999999/").status_code == 404
