"""Every amendment URL × every persona → the status a person would get.

Administrators and editors of the pledging entity propose and withdraw amendments of its
published pledges; a viewer or the secretariat who tries gets a 403; anyone outside the entity a
404. The secretariat decides on the desk (staff of other groups: 403). The revisions files are
public."""


import pytest

from pledges import amendment_workflow
from tests.factories import PledgeFactory
from tests.permission_matrix import (
    DESK,
    LOGIN,
    OUTSIDERS,
    PERSONAS,
    Redirect,
    assert_answer,
    client_as,
    expected_for,
    matrix_params,
)

pytestmark = pytest.mark.django_db

WRITERS_ONLY = {"anonymous": LOGIN, **OUTSIDERS, "viewer": 403, "secretariat": 403}

ROWS = {
    "amendment form": ("get", "/en/my-pledges/{fresh}/amend/", {**WRITERS_ONLY, "*": 200}),
    "propose (invalid: no reason)": (
        "post", "/en/my-pledges/{fresh}/amend/", {**WRITERS_ONLY, "*": 200},
    ),
    # One amendment at a time: back to the pledge's page, which shows the one under way.
    "amend while one is under review": (
        "get", "/en/my-pledges/{published}/amend/",
        {**WRITERS_ONLY, "*": Redirect("/en/my-pledges/{published}/")},
    ),
    "amend a draft": ("get", "/en/my-pledges/{draft}/amend/",
                      {**WRITERS_ONLY, "*": 403}),
    "amend another entity's pledge": (
        "get", "/en/my-pledges/{other_published}/amend/",
        {"anonymous": LOGIN, "other_member": 200, "secretariat": 403, "*": 404},
    ),
    "withdraw the amendment": (
        "post", "/en/my-pledges/{published}/amendments/{amendment}/withdraw/",
        {**WRITERS_ONLY, "*": Redirect("/en/my-pledges/{published}/")},
    ),
    "revisions CSV": ("get", "/en/open-data/revisions.csv", {"*": 200}),
    "revisions JSON": ("get", "/en/open-data/revisions.json", {"*": 200}),
    "desk: amendments": ("get", "/en/admin/pledges/pledgeamendment/", DESK),
    "desk: an amendment": ("get", "/en/admin/pledges/pledgeamendment/{amendment}/change/", DESK),
    "desk: approve page": (
        "get", "/en/admin/pledges/pledgeamendment/{amendment}/decide/approve/", DESK,
    ),
    "desk: approve": (
        "post", "/en/admin/pledges/pledgeamendment/{amendment}/decide/approve/",
        {**DESK, "secretariat": Redirect(
            "/en/admin/pledges/pledgeamendment/{amendment}/change/")},
    ),
    # A member's decision is not the secretariat's to take on the desk.
    "desk: withdraw": (
        "get", "/en/admin/pledges/pledgeamendment/{amendment}/decide/withdraw/",
        {**DESK, "secretariat": 403},
    ),
    "desk: no adding by hand": (
        "get", "/en/admin/pledges/pledgeamendment/add/", {**DESK, "secretariat": 403},
    ),
}


@pytest.fixture
def ids(entity, other_entity, entity_admin) -> dict[str, int]:
    published = PledgeFactory(entity=entity, published=True)
    amendment = amendment_workflow.amendment_propose(
        user=entity_admin, pledge_id=published.pk, values={"people_to_reach": 1},
        reason="Fewer people than planned")
    return {
        "published": published.pk,
        "fresh": PledgeFactory(entity=entity, published=True).pk,
        "amendment": amendment.pk,
        "draft": PledgeFactory(entity=entity).pk,
        "other_published": PledgeFactory(entity=other_entity, published=True).pk,
    }


@pytest.mark.parametrize(("name", "persona"), matrix_params(ROWS, PERSONAS))
def test_permission_matrix(request, name, persona, ids):
    method, url, expectations = ROWS[name]
    data = {"message": "Fine.", "expected_status": "proposed"} if method == "post" else None
    response = getattr(client_as(request, persona), method)(url.format_map(ids), data)
    assert_answer(response, expected_for(expectations, persona), ids)
