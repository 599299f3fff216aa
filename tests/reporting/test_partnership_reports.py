"""A report counts the co-pledgers that were partners on its date (pledges.partnerships'
history): invited, declined, not yet accepted or already ended partners are not counted."""

import datetime

import pytest

from pledges import partnerships
from reporting.compiled_report_figures import compiled_report_figures
from reporting.models import ReportRun
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _partner(pledge, name, *, answer, writer):
    entity = EntityFactory(name=name)
    admin = UserFactory()
    MembershipFactory(user=admin, entity=entity, role="administrator")
    invitation = partnerships.partnership_invite(actor=writer, pledge_id=pledge.pk,
                                                 entity_id=entity.pk)
    if answer:
        partnerships.partnership_transition(partnership_id=invitation.pk, name=answer,
                                            actor=admin)
    return invitation


def test_reports_count_the_partners_of_their_date(kigali):
    pledge = kigali["p1"]
    writer = UserFactory()
    MembershipFactory(user=writer, entity=pledge.entity, role="editor")
    today = datetime.date.today()

    def entities_counted(as_of):
        # The figures a report of that date states (compiling one writes the same figures).
        run = ReportRun(kind=ReportRun.Kind.CUSTOM, as_of=as_of)
        return compiled_report_figures(run)["totals"]["entities"]

    before = entities_counted(today)
    _partner(pledge, "Invited Org", answer=None, writer=writer)
    _partner(pledge, "Declined Org", answer="decline", writer=writer)
    assert entities_counted(today) == before
    accepted = _partner(pledge, "Accepted Org", answer="accept", writer=writer)
    assert entities_counted(today) == before + 1
    # Accepted today: a report as of yesterday does not count it.
    assert entities_counted(today - datetime.timedelta(days=1)) == before
    partnerships.partnership_transition(partnership_id=accepted.pk, name="end", actor=writer,
                                        reason="Merged into another programme.")
    assert entities_counted(today) == before
