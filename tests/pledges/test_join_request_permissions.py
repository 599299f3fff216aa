"""Every URL of joining a published pledge × every persona (and the asking entity's
administrator) → the status a person would get. The join page belongs to published pledges only
(any other pledge is a 404, even to its own entity); a request is seen by the members of either
side and nobody else (a 404); only the pledge's administrators accept or decline it, only the
asking entity withdraws it; the secretariat answers on behalf in the admin."""

import pytest

from pledges import partnerships
from tests.factories import PledgeFactory
from tests.permission_matrix import (
    LOGIN,
    NOT_A_SIDE,
    PERSONAS,
    Redirect,
    administrator_of_another_entity,
    assert_answer,
    client_as,
    desk_answers,
    expected_for,
    matrix_params,
    url_and_form,
)

pytestmark = pytest.mark.django_db

EVERYONE = [*PERSONAS, "joiner_admin"]
REQUEST = Redirect("/en/my-pledges/partnerships/{request}/")
NEW_REQUEST = Redirect(r"/en/my-pledges/partnerships/\d+/")
DASHBOARD = Redirect("/en/me/")

ROWS = {
    "join page": ("get", "/en/pledges/{published}/join/", {"anonymous": LOGIN, "*": 200}),
    "join page of a draft": ("get", "/en/pledges/{draft}/join/", {"anonymous": LOGIN, "*": 404}),
    # Only an administrator or editor of an approved entity with no live request yet may ask:
    # `other_member`; everyone else is told why on the page, nothing is saved.
    "ask": ("post", "/en/pledges/{published}/join/",
            {"anonymous": LOGIN, "other_member": NEW_REQUEST, "*": 200}),
    "ask about a draft": ("post", "/en/pledges/{draft}/join/", {"anonymous": LOGIN, "*": 404}),
    "request": ("get", "/en/my-pledges/partnerships/{request}/",
                {"anonymous": LOGIN, **NOT_A_SIDE, "*": 200}),
    "accept request": ("post", "/en/my-pledges/partnerships/{request}/?action=accept_request",
                       {"anonymous": LOGIN, **NOT_A_SIDE, "entity_admin": DASHBOARD,
                        "*": REQUEST}),
    "withdraw request": ("post",
                         "/en/my-pledges/partnerships/{request}/?action=withdraw_request",
                         {"anonymous": LOGIN, **NOT_A_SIDE, "joiner_admin": DASHBOARD,
                          "*": REQUEST}),
    "answer on behalf (admin)": ("get",
                                 "/en/admin/pledges/partnership/{request}/decide/accept_request/",
                                 desk_answers(EVERYONE)),
}


@pytest.fixture
def joiner_admin(db):
    return administrator_of_another_entity("jo@joiner.example.org", "Joining Foundation")


@pytest.fixture
def objects(entity, entity_admin, joiner_admin):
    published = PledgeFactory(entity=entity, published=True)
    draft = PledgeFactory(entity=entity)
    request = partnerships.partnership_request(
        actor=joiner_admin, pledge_id=published.pk,
        entity_id=joiner_admin.memberships.get().entity_id, role="adopter",
        contribution="We adopt the curriculum.")
    return {"published": published.pk, "draft": draft.pk, "request": request.pk}


@pytest.mark.parametrize(("name", "persona"), matrix_params(ROWS, EVERYONE))
def test_join_request_permission_matrix(request, name, persona, objects):
    method, url, expectations = ROWS[name]
    url = url.format_map(objects)
    data = None
    if method == "post":
        url, data = url_and_form(url, "action", {"role": "adopter",
                                                 "contribution": "We adopt it."})
        if persona == "other_member":
            data["entity"] = request.getfixturevalue("other_entity").pk
    response = getattr(client_as(request, persona), method)(url, data)
    assert_answer(response, expected_for(expectations, persona), objects)
