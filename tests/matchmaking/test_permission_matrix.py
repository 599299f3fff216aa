"""Every matchmaking URL × every persona → the status a person would get.

Published, met and closed needs are public; any other need is a 404 outside its entity. The
entity's administrators and editors write, submit and close its needs (a viewer gets a 403).
Proposals to connect are made by the two sides only; an introduction's page is a 404 to
anyone outside the two entities. The secretariat decides in the admin.
"""

import pytest

from matchmaking.models import Introduction
from tests.factories import NeedFactory, PledgeFactory
from tests.permission_matrix import (
    DESK,
    LOGIN,
    PERSONAS,
    Redirect,
    assert_answer,
    client_as,
    expected_for,
    matrix_params,
)

pytestmark = pytest.mark.django_db

NO_ENTITY = {"newcomer": Redirect("/en/me/"), "staff_outsider": Redirect("/en/me/"),
             "secretariat": Redirect("/en/me/")}
OUTSIDE = {"newcomer": 404, "other_member": 404, "staff_outsider": 404, "secretariat": 404}

ROWS = {
    # --- The public site
    "need list": ("get", "/en/needs/", {"*": 200}),
    "published need": ("get", "/en/needs/{published}/", {"*": 200}),
    "draft need on the public site": ("get", "/en/needs/{draft}/", {"*": 404}),
    "CSV export": ("get", "/en/needs/export.csv", {"*": 200}),
    "JSON export": ("get", "/en/needs/export.json", {"*": 200}),
    # --- The member area, on `entity`'s needs
    "my needs": ("get", "/en/my-needs/", {"anonymous": LOGIN, **NO_ENTITY, "*": 200}),
    "new need": ("get", "/en/my-needs/new/",
                 {"anonymous": LOGIN, **NO_ENTITY, "viewer": 403, "*": 200}),
    "manage a draft": ("get", "/en/my-needs/{draft}/", {"anonymous": LOGIN, **OUTSIDE,
                                                         "*": 200}),
    "submit a draft": ("post", "/en/my-needs/{draft}/submit/", {
        "anonymous": LOGIN, **OUTSIDE, "viewer": 403,
        "*": Redirect("/en/my-needs/{draft}/")}),
    "close a published need": ("post", "/en/my-needs/{published}/close/", {
        "anonymous": LOGIN, **OUTSIDE, "viewer": 403,
        "*": Redirect("/en/my-needs/{published}/")}),
    # --- Suggestions and introductions
    "my matches": ("get", "/en/my-matches/", {"anonymous": LOGIN, "*": 200}),
    "propose to connect": ("get", "/en/needs/{published}/connect/{other_pledge}/", {
        "anonymous": LOGIN, "newcomer": 404, "viewer": 404, "staff_outsider": 404,
        "secretariat": 404, "*": 200}),
    "an introduction": ("get", "/en/my-matches/introductions/{introduction}/", {
        "anonymous": LOGIN, "newcomer": 404, "staff_outsider": 404, "secretariat": 404,
        "*": 200}),
    # --- The desk
    "desk: needs": ("get", "/en/admin/matchmaking/need/", DESK),
    "desk: a need": ("get", "/en/admin/matchmaking/need/{submitted}/change/", DESK),
    "desk: publish a need": ("get", "/en/admin/matchmaking/need/{submitted}/transition/publish/",
                             DESK),
    "desk: introduce": ("get", "/en/admin/matchmaking/need/{published}/introduce/", DESK),
    "desk: introductions": ("get", "/en/admin/matchmaking/introduction/", DESK),
}


@pytest.fixture
def needs(entity, other_entity, member) -> dict[str, int]:
    published = NeedFactory(entity=entity, published=True)
    other_pledge = PledgeFactory(entity=other_entity, published=True)
    introduction = Introduction.objects.create(
        need=published, pledge=other_pledge, from_entity=other_entity, to_entity=entity,
        message="Let us talk.")
    return {
        "draft": NeedFactory(entity=entity, created_by=member).pk,
        "submitted": NeedFactory(entity=entity, submitted=True).pk,
        "published": published.pk,
        "other_pledge": other_pledge.pk,
        "introduction": introduction.pk,
    }


@pytest.mark.parametrize(("name", "persona"), matrix_params(ROWS, PERSONAS))
def test_permission_matrix(request, name, persona, needs):
    method, url, expectations = ROWS[name]
    data = {"status": ""} if method == "post" else None
    response = getattr(client_as(request, persona), method)(url.format_map(needs), data)
    assert_answer(response, expected_for(expectations, persona), needs)
