"""A partner's proposal to change its own contribution (issue 18, shared delivery): an accepted
funder's administrators propose a new description, amount and currency; the pledge's
administrators (or the secretariat on their behalf) approve or decline it with a message. Only an
approved proposal changes what the public sees and the pledge's USD contributions, once, with
the values before kept for the audit; each side is told in its own language."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from pledges import partnerships
from pledges.models import Partnership, PartnershipAmendment, Pledge

pytestmark = pytest.mark.django_db


def _usd(pledge_id):
    return Pledge.objects.get(pk=pledge_id).contributions_usd


def test_an_approved_change_replaces_the_contribution_once_and_keeps_the_old_one(
    funding, entity_admin, django_capture_on_commit_callbacks
):
    partnership, chloe, _editor = funding
    with django_capture_on_commit_callbacks(execute=True):
        proposal = partnerships.partnership_amendment_propose(
            actor=chloe, partnership_id=partnership.pk,
            contribution="Co-financing, and teacher training.",
            amount=Decimal("600000"), currency="GBP", reason="A second grant.")
    # Pending: nothing public changes; the pledge's administrator is asked, in English.
    assert _usd(partnership.pledge_id) == Decimal("1250000.00")
    assert Partnership.objects.get(pk=partnership.pk).amount == Decimal("1000000.00")
    assert [message.to for message in mail.outbox] == [[entity_admin.email]]
    assert "proposes to change its contribution" in mail.outbox[0].body
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        partnerships.partnership_amendment_transition(
            amendment_id=proposal.pk, name="approve_amendment", actor=entity_admin,
            message="Thank you.")
    partnership.refresh_from_db()
    assert (partnership.contribution, partnership.amount, partnership.currency,
            partnership.usd_amount) == ("Co-financing, and teacher training.",
                                        Decimal("600000.00"), "GBP", Decimal("1200000.00"))
    assert _usd(partnership.pledge_id) == Decimal("1200000.00")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.message) == (
        "approved", entity_admin, "Thank you.")
    assert (proposal.previous_contribution, proposal.previous_amount,
            proposal.previous_currency) == ("Co-financing.", Decimal("1000000.00"), "EUR")
    # The funder's administrator is told, in French.
    assert [message.to for message in mail.outbox] == [[chloe.email]]
    assert "approuvée" in mail.outbox[0].subject.lower() or "approuv" in mail.outbox[0].body
    # Answered once: a second answer is refused and changes nothing.
    with pytest.raises(partnerships.PartnershipError):
        partnerships.partnership_amendment_transition(
            amendment_id=proposal.pk, name="decline_amendment", actor=entity_admin)
    assert _usd(partnership.pledge_id) == Decimal("1200000.00")


def test_a_declined_change_changes_nothing_and_one_waits_at_a_time(funding, entity_admin):
    partnership, chloe, _editor = funding
    proposal = partnerships.partnership_amendment_propose(
        actor=chloe, partnership_id=partnership.pk, contribution="Less.",
        amount=Decimal("10"), currency="EUR", reason="Budget cut.")
    with pytest.raises(partnerships.PartnershipError, match="already waits"):
        partnerships.partnership_amendment_propose(
            actor=chloe, partnership_id=partnership.pk, contribution="Even less.",
            amount=Decimal("5"), currency="EUR", reason="Budget cut.")
    partnerships.partnership_amendment_transition(
        amendment_id=proposal.pk, name="decline_amendment", actor=entity_admin,
        message="Not this year.")
    partnership.refresh_from_db()
    assert (partnership.contribution, partnership.amount) == ("Co-financing.",
                                                              Decimal("1000000.00"))
    assert _usd(partnership.pledge_id) == Decimal("1250000.00")
    assert PartnershipAmendment.objects.get(pk=proposal.pk).status == "declined"
    # Answered: the partner may propose again.
    partnerships.partnership_amendment_propose(
        actor=chloe, partnership_id=partnership.pk, contribution="Even less.",
        amount=Decimal("5"), currency="EUR", reason="Budget cut.")


@pytest.mark.parametrize(("contribution", "amount", "currency", "error"), [
    ("", Decimal("5"), "EUR", "Say in a few words"),
    ("x" * 2001, Decimal("5"), "EUR", "under 2000"),
    ("Less.", None, "EUR", "gives the amount"),
    ("Less.", Decimal("-5"), "EUR", "gives the amount"),
    ("Less.", Decimal("1e14"), "EUR", "number of zeros"),
    ("Less.", Decimal("5"), "XXX", "currency"),
    ("Co-financing.", Decimal("1000000"), "EUR", "already shown"),
])
def test_a_hostile_proposal_is_refused_whole(funding, contribution, amount, currency, error):
    partnership, chloe, _editor = funding
    with pytest.raises(partnerships.PartnershipError, match=error):
        partnerships.partnership_amendment_propose(
            actor=chloe, partnership_id=partnership.pk, contribution=contribution,
            amount=amount, currency=currency, reason="Budget cut.")
    assert not PartnershipAmendment.objects.exists()


def test_only_the_partners_administrators_propose_and_only_the_pledges_side_answers(
    funding, entity_admin, member, other_member
):
    partnership, chloe, editor = funding
    for outsider in (editor, other_member, entity_admin):
        with pytest.raises(partnerships.permissions.PermissionDenied):
            partnerships.partnership_amendment_propose(
                actor=outsider, partnership_id=partnership.pk, contribution="Less.",
                amount=Decimal("5"), currency="EUR", reason="Budget cut.")
    proposal = partnerships.partnership_amendment_propose(
        actor=chloe, partnership_id=partnership.pk, contribution="Less.",
        amount=Decimal("5"), currency="EUR", reason="Budget cut.")
    for outsider in (chloe, editor, other_member, member):  # member: an editor of A
        with pytest.raises(partnerships.permissions.PermissionDenied):
            partnerships.partnership_amendment_transition(
                amendment_id=proposal.pk, name="approve_amendment", actor=outsider)
    assert PartnershipAmendment.objects.get(pk=proposal.pk).status == "proposed"


def test_figures_as_of_a_day_before_the_approval_count_the_contribution_as_it_was(
    funding, entity_admin
):
    """History is kept: a report as of a date before the approval counts the funder's amount of
    that date (USD 1,250,000), one as of the approval's day the new one (USD 1,200,000)."""
    from pledges.in_force import contributions_in_force

    partnership, chloe, _editor = funding
    Partnership.objects.filter(pk=partnership.pk).update(
        accepted_at=timezone.now() - datetime.timedelta(days=2))
    proposal = partnerships.partnership_amendment_propose(
        actor=chloe, partnership_id=partnership.pk, contribution="Co-financing, and more.",
        amount=Decimal("600000"), currency="GBP", reason="A second grant.")
    partnerships.partnership_amendment_transition(
        amendment_id=proposal.pk, name="approve_amendment", actor=entity_admin)
    assert PartnershipAmendment.objects.get(pk=proposal.pk).previous_usd_amount == Decimal(
        "1250000.00")

    def as_of(day):
        return (Pledge.objects.filter(pk=partnership.pledge_id)
                .annotate(then=contributions_in_force(day)).get().then)

    today = timezone.localdate()
    assert as_of(today - datetime.timedelta(days=1)) == Decimal("1250000.00")
    assert as_of(today) == Decimal("1200000.00")
    assert as_of(today - datetime.timedelta(days=3)) is None  # not yet a partner


def test_ending_the_partnership_answers_its_waiting_proposal(funding, entity_admin):
    """A proposal cannot be approved once the partnership ended: it is declined with the end's
    reason instead of waiting on the dashboards for ever."""
    partnership, chloe, _editor = funding
    proposal = partnerships.partnership_amendment_propose(
        actor=chloe, partnership_id=partnership.pk, contribution="Co-financing, and more.",
        amount=Decimal("600000"), currency="GBP", reason="A second grant.")
    partnerships.partnership_transition(partnership_id=partnership.pk, name="end",
                                        actor=entity_admin, reason="The project closed.")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.message) == (
        "declined", entity_admin, "The project closed.")
    assert _usd(partnership.pledge_id) is None
