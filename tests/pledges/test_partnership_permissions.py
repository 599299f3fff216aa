"""Every partnership URL × every persona (and the invited entity's administrator) → the status a
person would get. A pledge's partners page belongs to its entity's members (and the secretariat,
which reads every pledge); an invitation to the members of either side; anyone else gets a 404."""

import pytest

from pledges import partnerships
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory
from tests.permission_matrix import (
    LOGIN,
    NOT_A_SIDE,
    OUTSIDERS,
    PERSONAS,
    Redirect,
    assert_answer,
    client_as,
    expected_for,
    matrix_params,
)

pytestmark = pytest.mark.django_db

EVERYONE = [*PERSONAS, "partner_admin"]
PARTNERS_PAGE = Redirect("/en/my-pledges/{draft}/partners/")
INVITATION = Redirect("/en/my-pledges/partnerships/{invitation}/")
DASHBOARD = Redirect("/en/me/")

ROWS = {
    "partners page": ("get", "/en/my-pledges/{draft}/partners/",
                      {"anonymous": LOGIN, **OUTSIDERS, "partner_admin": 404, "*": 200}),
    "picker search": ("get", "/en/my-pledges/{draft}/partners/?q=Third",
                      {"anonymous": LOGIN, **OUTSIDERS, "partner_admin": 404, "*": 200}),
    # Refused invitations come back to the page with the reason in a message.
    "invite": ("post", "/en/my-pledges/{draft}/partners/invite/",
               {"anonymous": LOGIN, **OUTSIDERS, "partner_admin": 404, "*": PARTNERS_PAGE}),
    "invitation": ("get", "/en/my-pledges/partnerships/{invitation}/",
                   {"anonymous": LOGIN, **NOT_A_SIDE, "*": 200}),
    "accept": ("post", "/en/my-pledges/partnerships/{invitation}/",
               {"anonymous": LOGIN, **NOT_A_SIDE, "partner_admin": DASHBOARD, "*": INVITATION}),
    "end form": ("get", "/en/my-pledges/partnerships/{invitation}/end/",
                 {"anonymous": LOGIN, **NOT_A_SIDE, "viewer": INVITATION, "*": 200}),
    "end": ("post", "/en/my-pledges/partnerships/{invitation}/end/",
            {"anonymous": LOGIN, **NOT_A_SIDE, "viewer": INVITATION,
             "partner_admin": DASHBOARD, "*": PARTNERS_PAGE}),
}


@pytest.fixture
def partner_admin(db):
    """An administrator of the invited entity (a third one: `other_member` is an outsider)."""
    user = UserFactory(email="pat@partner.example.org")
    MembershipFactory(user=user, entity=EntityFactory(name="Invited Partner Org"),
                      role="administrator")
    return user


@pytest.fixture
def objects(entity, member, partner_admin):
    draft = PledgeFactory(entity=entity)
    invitation = partnerships.partnership_invite(
        actor=member, pledge_id=draft.pk, entity_id=partner_admin.memberships.get().entity_id)
    third = EntityFactory(name="Third Entity")
    return {"draft": draft.pk, "invitation": invitation.pk, "third": third.pk}


@pytest.mark.parametrize(("name", "persona"), matrix_params(ROWS, EVERYONE))
def test_partnership_permission_matrix(request, name, persona, objects):
    method, url, expectations = ROWS[name]
    data = None
    if method == "post":
        data = {"entity": objects["third"], "action": "accept", "reason": "No longer planned."}
    response = getattr(client_as(request, persona), method)(url.format_map(objects), data)
    assert_answer(response, expected_for(expectations, persona), objects)
