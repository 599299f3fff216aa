"""Every URL of a partner's proposed change to its contribution × every persona (and the
funder's administrator) → the status a person would get. A partnership's contribution and its
proposals are seen by the members of either side and nobody else (a 404, the secretariat
included: it decides in the admin); only the partner's administrators propose and withdraw;
only the pledge's administrators approve or decline (its editors and viewers: 403); the
secretariat answers on behalf in the admin, never withdraws for the partner."""

from decimal import Decimal

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
from tests.pledges.funders import accepted_funder

pytestmark = pytest.mark.django_db

EVERYONE = [*PERSONAS, "funder_admin"]
DESK_PAGE = desk_answers(EVERYONE)
CONTRIBUTION = Redirect("/en/my-pledges/partnerships/{partnership}/contribution/")
OTHER_CONTRIBUTION = Redirect("/en/my-pledges/partnerships/{other}/contribution/")
PARTNERS = Redirect("/en/my-pledges/{published}/partners/")
DESK = "/en/admin/pledges/partnershipamendment/{proposal}/"

ROWS = {
    "contribution page": ("get", "/en/my-pledges/partnerships/{partnership}/contribution/",
                          {"anonymous": LOGIN, **NOT_A_SIDE, "*": 200}),
    # `other`: the same funder's second partnership, with no proposal waiting. Anyone else on
    # either side is sent back with a message; nothing is saved (tests/pledges/
    # test_contribution_changes.py checks what).
    "propose": ("post", "/en/my-pledges/partnerships/{other}/contribution/",
                {"anonymous": LOGIN, **NOT_A_SIDE, "*": OTHER_CONTRIBUTION}),
    "proposal page": ("get", "/en/my-pledges/contribution-changes/{proposal}/",
                      {"anonymous": LOGIN, **NOT_A_SIDE, "*": 200}),
    "approve": ("post", "/en/my-pledges/contribution-changes/{proposal}/?decision=approve",
                {"anonymous": LOGIN, **NOT_A_SIDE, "entity_admin": PARTNERS, "*": 403}),
    "withdraw": ("post", "/en/my-pledges/contribution-changes/{proposal}/withdraw/",
                 {"anonymous": LOGIN, **NOT_A_SIDE, "*": CONTRIBUTION}),
    "desk: proposal": ("get", DESK + "change/", DESK_PAGE),
    "desk: decline page": ("get", DESK + "decide/decline_amendment/", DESK_PAGE),
    "desk: decline": ("post", DESK + "decide/decline_amendment/",
                      {**DESK_PAGE, "secretariat": Redirect(DESK + "change/")}),
    # The partner's own decision is not the secretariat's to take.
    "desk: withdraw": ("get", DESK + "decide/withdraw_amendment/",
                       {**DESK_PAGE, "secretariat": 403}),
}


@pytest.fixture
def funder_admin(db):
    return administrator_of_another_entity("chloe@fns.example.org", "Fonds Numérique Solidaire")


@pytest.fixture
def objects(entity, entity_admin, funder_admin):
    published = PledgeFactory(entity=entity, published=True)
    partnership = accepted_funder(published, funder_admin, accepted_by=entity_admin)
    other = accepted_funder(PledgeFactory(entity=entity, published=True), funder_admin,
                            accepted_by=entity_admin)
    proposal = partnerships.partnership_amendment_propose(
        actor=funder_admin, partnership_id=partnership.pk, contribution="More co-financing.",
        amount=Decimal("2000"), currency="USD", reason="A second grant.")
    return {"published": published.pk, "partnership": partnership.pk, "other": other.pk,
            "proposal": proposal.pk}


@pytest.mark.parametrize(("name", "persona"), matrix_params(ROWS, EVERYONE))
def test_contribution_change_permission_matrix(request, name, persona, objects):
    method, url, expectations = ROWS[name]
    url = url.format_map(objects)
    data = None
    if method == "post":
        url, data = url_and_form(url, "decision", {
            "message": "Not this year.", "contribution": "Less co-financing.", "amount": "500",
            "currency": "USD", "reason": "Budget cut.", "expected_status": "proposed"})
    response = getattr(client_as(request, persona), method)(url, data)
    assert_answer(response, expected_for(expectations, persona), objects)
