"""A partner proposes a change to its own contribution, through the member area (issue 18,
shared delivery): from "My pledges" the funder's administrator opens its contribution and
proposes a new amount with a reason (one waiting at a time, withdrawable); the pledge's
administrators see it on their dashboard, the pledge's page and its partners page, old beside
new, and approve it or decline it saying why; the public page and the USD totals then show the
new contribution, counted once. The secretariat may answer on their behalf in the admin. Each
person is told in their own language."""

from decimal import Decimal

import pytest
from django.core import mail

from pledges import partnerships, selectors
from pledges.models import PartnershipAmendment, Pledge
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory
from tests.pledges.funders import accepted_funder

pytestmark = pytest.mark.django_db


@pytest.fixture
def chloe_client(client, funding):
    client.force_login(funding[1])
    return client


def _page(partnership) -> str:
    return f"/en/my-pledges/partnerships/{partnership.pk}/contribution/"


def _propose(client, partnership, callbacks, **values):
    data = {"contribution": "Co-financing, and teacher training.", "amount": "1,500,000",
            "currency": "EUR", "reason": "A second grant from our board.", **values}
    with callbacks(execute=True):
        return client.post(_page(partnership), data)


def _usd(pledge_id) -> Decimal | None:
    return Pledge.objects.get(pk=pledge_id).contributions_usd


def test_the_funder_proposes_and_the_pledges_administrator_approves(
    funding, chloe_client, entity_admin_client, entity_admin, anonymous,
    django_capture_on_commit_callbacks,
):
    partnership, chloe, _editor = funding
    usd_before = selectors.coalition_figures()["usd"]
    # From My pledges, the link to the contribution; the page shows today's contribution.
    shared = chloe_client.get("/fr/my-pledges/").content.decode()
    assert _page(partnership).replace("/en/", "/fr/") in shared
    assert "Proposer une modification de votre contribution" in shared
    page = chloe_client.get(_page(partnership)).content.decode()
    assert "Co-financing." in page and "€1,000,000" in page and "US$1,250,000" in page

    response = _propose(chloe_client, partnership, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == _page(partnership)
    proposal = PartnershipAmendment.objects.get()
    assert (proposal.status, proposal.amount, proposal.usd_amount, proposal.reason) == (
        "proposed", Decimal("1500000.00"), Decimal("1875000.00"),
        "A second grant from our board.")
    # The pledge's administrator is asked, with a link to the decision page.
    assert [m.to for m in mail.outbox] == [[entity_admin.email]]
    assert f"/en/my-pledges/contribution-changes/{proposal.pk}/" in mail.outbox[0].body
    assert "A second grant from our board." in mail.outbox[0].body
    # One waits at a time: the page says so, shows no form, and a second proposal is refused.
    page = chloe_client.get(_page(partnership)).content.decode()
    assert "A proposed change waits for an answer" in page and 'name="reason"' not in page
    assert _propose(chloe_client, partnership, django_capture_on_commit_callbacks,
                    amount="2,000,000").status_code == 302
    assert PartnershipAmendment.objects.count() == 1
    # Nothing public changed yet.
    assert _usd(partnership.pledge_id) == Decimal("1250000.00")

    # The pledge's administrator sees it on the dashboard, the pledge's page and its partners.
    decide = f"/en/my-pledges/contribution-changes/{proposal.pk}/"
    assert decide in entity_admin_client.get("/en/me/").content.decode()
    manage = entity_admin_client.get(f"/en/my-pledges/{partnership.pledge_id}/").content.decode()
    assert "A partner proposes a change to its contribution" in manage
    partners = entity_admin_client.get(
        f"/en/my-pledges/{partnership.pledge_id}/partners/").content.decode()
    assert "€1,500,000" in partners and "€1,000,000" in partners and decide in partners
    # The decision page is the confirmation: old beside new, then the choice.
    page = entity_admin_client.get(decide).content.decode()
    assert "€1,000,000" in page and "€1,500,000" in page and "US$1,875,000" in page
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = entity_admin_client.post(decide, {"decision": "approve", "message": ""})
    assert response.status_code == 302
    assert response.url == f"/en/my-pledges/{partnership.pledge_id}/partners/"
    partnership.refresh_from_db()
    assert (partnership.amount, partnership.usd_amount, partnership.contribution) == (
        Decimal("1500000.00"), Decimal("1875000.00"), "Co-financing, and teacher training.")
    # Counted once: the pledge's contributions and the coalition's total grow by the difference.
    assert _usd(partnership.pledge_id) == Decimal("1875000.00")
    assert selectors.coalition_figures()["usd"] == usd_before + Decimal("625000.00")
    public = anonymous.get(f"/en/pledges/{partnership.pledge_id}/").content.decode()
    assert "€1,500,000" in public and "teacher training" in public
    # The funder's administrator is told, in French.
    assert [m.to for m in mail.outbox] == [[chloe.email]]
    assert "approuvée" in mail.outbox[0].body
    # Answered once: a second click changes nothing.
    response = entity_admin_client.post(decide, {"decision": "decline", "message": "No."})
    assert response.status_code == 302
    assert PartnershipAmendment.objects.get().status == "approved"


def test_declining_needs_a_reason_that_reaches_the_partner(
    funding, chloe_client, entity_admin_client, django_capture_on_commit_callbacks,
):
    partnership, chloe, _editor = funding
    _propose(chloe_client, partnership, django_capture_on_commit_callbacks)
    proposal = PartnershipAmendment.objects.get()
    decide = f"/en/my-pledges/contribution-changes/{proposal.pk}/"
    mail.outbox = []
    response = entity_admin_client.post(decide, {"decision": "decline", "message": "  "})
    assert response.status_code == 400
    assert "Say why you decline: the partner reads it." in response.content.decode()
    assert PartnershipAmendment.objects.get().status == "proposed" and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = entity_admin_client.post(decide, {"decision": "decline",
                                                      "message": "Not this year's budget."})
    assert response.status_code == 302
    assert PartnershipAmendment.objects.get().status == "declined"
    partnership.refresh_from_db()
    assert partnership.amount == Decimal("1000000.00")
    assert _usd(partnership.pledge_id) == Decimal("1250000.00")
    assert [m.to for m in mail.outbox] == [[chloe.email]]
    assert "Not this year's budget." in mail.outbox[0].body
    # The partner reads the answer on its page, and may propose again.
    page = chloe_client.get(_page(partnership)).content.decode()
    assert "Not this year&#x27;s budget." in page and 'name="reason"' in page


@pytest.mark.parametrize(("values", "field", "error"), [
    ({"amount": "a lot"}, "amount", ""),
    ({"amount": "-5"}, "amount", "more than zero"),
    ({"amount": "1" + "0" * 20}, "amount", "number of zeros"),
    ({"currency": "XXX"}, "currency", "Select a valid choice"),
    ({"currency": ""}, "currency", "Choose the currency of the amount."),
    ({"contribution": "   "}, "contribution", "Say in a few words"),
    ({"reason": ""}, "reason", "Say why the contribution changes"),
    ({"reason": "x" * 2001}, "reason", "2000"),
    ({"contribution": "Co-financing.", "amount": "1,000,000"}, None,
     "This is the contribution already shown"),
])
def test_a_bad_proposal_says_what_is_wrong_keeps_what_was_typed_and_saves_nothing(
    funding, chloe_client, django_capture_on_commit_callbacks, values, field, error,
):
    partnership, _chloe, _editor = funding
    data = {"reason": "Our <b>board</b> decided.", **values}
    response = _propose(chloe_client, partnership, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 400
    form = response.context["form"]
    assert (field or "__all__") in form.errors
    assert error in str(form.errors[field or "__all__"])
    text = response.content.decode()
    if "reason" not in values:
        assert "Our &lt;b&gt;board&lt;/b&gt; decided." in text
    assert not PartnershipAmendment.objects.exists() and not mail.outbox


def test_the_partner_withdraws_its_proposal_and_the_pledge_is_told(
    funding, chloe_client, entity_admin, entity_admin_client,
    django_capture_on_commit_callbacks,
):
    partnership, _chloe, editor = funding
    entity_admin.preferred_language = "es"
    entity_admin.save(update_fields=["preferred_language"])
    _propose(chloe_client, partnership, django_capture_on_commit_callbacks)
    proposal = PartnershipAmendment.objects.get()
    withdraw = f"/en/my-pledges/contribution-changes/{proposal.pk}/withdraw/"
    assert withdraw in chloe_client.get(_page(partnership)).content.decode()
    mail.outbox = []
    # Not the funder's editor, not the pledge's administrator.
    editor_client = type(chloe_client)()
    editor_client.force_login(editor)
    for client in (editor_client, entity_admin_client):
        assert client.post(withdraw).status_code == 302
    assert PartnershipAmendment.objects.get().status == "proposed"
    with django_capture_on_commit_callbacks(execute=True):
        assert chloe_client.post(withdraw).url == _page(partnership)
    assert PartnershipAmendment.objects.get().status == "withdrawn"
    assert _usd(partnership.pledge_id) == Decimal("1250000.00")
    assert [m.to for m in mail.outbox] == [[entity_admin.email]]
    assert "retiró" in mail.outbox[0].body  # in the administrator's Spanish
    # Nothing waits any more: the dashboard no longer lists it; a new proposal may be made.
    assert "contribution-changes" not in entity_admin_client.get("/en/me/").content.decode()
    assert 'name="reason"' in chloe_client.get(_page(partnership)).content.decode()


def test_the_secretariat_answers_on_behalf_in_the_admin_with_a_message(
    funding, chloe_client, secretariat_client, entity_admin,
    django_capture_on_commit_callbacks,
):
    partnership, chloe, _editor = funding
    _propose(chloe_client, partnership, django_capture_on_commit_callbacks)
    proposal = PartnershipAmendment.objects.get()
    change = secretariat_client.get(
        f"/en/admin/pledges/partnershipamendment/{proposal.pk}/change/").content.decode()
    decline = f"/en/admin/pledges/partnershipamendment/{proposal.pk}/decide/decline_amendment/"
    approve = f"/en/admin/pledges/partnershipamendment/{proposal.pk}/decide/approve_amendment/"
    assert decline in change and approve in change and "€1,500,000" in change
    assert "withdraw_amendment" not in change
    # Declining needs a message; the form says so and keeps nothing half-done.
    response = secretariat_client.post(decline, {"message": "", "expected_status": "proposed"})
    assert response.status_code == 400
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(decline, {"message": "Outside the pledge's period.",
                                                     "expected_status": "proposed"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.message, proposal.decided_by.email) == (
        "declined", "Outside the pledge's period.", "secretariat@itu.example.org")
    # Both sides are told, each in their language, that the secretariat answered.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([chloe.email, entity_admin.email])
    assert all("Outside the pledge's period." in m.body for m in mail.outbox)
    # Answered: no decision left on the desk.
    change = secretariat_client.get(
        f"/en/admin/pledges/partnershipamendment/{proposal.pk}/change/").content.decode()
    assert decline not in change and "no decision to take on this proposal" in change


def test_withdrawing_a_join_request_tells_the_pledges_administrators(
    entity, entity_admin, django_capture_on_commit_callbacks,
):
    pledge = PledgeFactory(entity=entity, published=True, title="Schools online in Rwanda")
    entity_admin.preferred_language = "fr"
    entity_admin.save(update_fields=["preferred_language"])
    joiner = UserFactory(email="jo@joiner.example.org")
    MembershipFactory(user=joiner, entity=EntityFactory(name="Joining Foundation"),
                      role="administrator")
    request = partnerships.partnership_request(
        actor=joiner, pledge_id=pledge.pk, entity_id=joiner.memberships.get().entity_id,
        role="adopter", contribution="We adopt the curriculum.")
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        partnerships.partnership_transition(partnership_id=request.pk,
                                            name="withdraw_request", actor=joiner)
    assert [m.to for m in mail.outbox] == [[entity_admin.email]]
    assert "Joining Foundation" in mail.outbox[0].body
    # In French, the role is lower case inside the sentence.
    assert "en tant que entité adoptante" in mail.outbox[0].body


def test_role_names_are_lower_case_inside_french_sentences(funding, chloe_client):
    shared = chloe_client.get("/fr/my-pledges/").content.decode()
    assert "Partagé avec vous en tant que bailleur de fonds" in shared


def test_proposals_add_a_constant_number_of_queries_to_the_partners_page(
    funding, entity, entity_admin, entity_admin_client, django_assert_max_num_queries,
):
    """Five funders, then a proposal waiting from each: the proposals cost the same few queries
    for one or five."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pledge = funding[0].pledge
    admins = {}
    for n in range(5):
        funder = EntityFactory(name=f"Funder {n}")
        admin = UserFactory(email=f"admin{n}@funder.example.org")
        MembershipFactory(user=admin, entity=funder, role="administrator")
        request = accepted_funder(pledge, admin, accepted_by=entity_admin, contribution="Grants.")
        admins[request.pk] = admin
    url = f"/en/my-pledges/{pledge.pk}/partners/"
    entity_admin_client.get(url)  # the session and the caches warmed up
    with CaptureQueriesContext(connection) as without:
        assert entity_admin_client.get(url).status_code == 200
    for partnership_id, admin in admins.items():
        partnerships.partnership_amendment_propose(
            actor=admin, partnership_id=partnership_id, contribution="More grants.",
            amount=Decimal("2000"), currency="USD", reason="More money.")
    with django_assert_max_num_queries(len(without.captured_queries) + 4):
        html = entity_admin_client.get(url).content.decode()
    assert html.count("/en/my-pledges/contribution-changes/") == 5
