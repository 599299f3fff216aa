"""The rates upload job converting funders' amounts again, while a pledge's administrator answers
a partner's proposed new amount: both take row locks on the proposal and its partnership, and
must take them in the same order (proposal, then partnership, as
pledges.partnerships.partnership_amendment_transition does), or PostgreSQL kills one of them
as a deadlock (the administrator sees an error page, or the job fails and waits for the sweep).
PostgreSQL only: SQLite locks whole tables, so the two would wait on each other there anyway."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from pledges import partnerships, rates
from pledges.models import CurrencyRate, Partnership, PartnershipAmendment, RateSource
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory


def _this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_rates_job_and_an_answer_to_a_proposal_at_once_both_complete(postgresql, entity,
                                                                        entity_admin):
    pledge = PledgeFactory(entity=entity, published=True, financial=True)
    funder = EntityFactory(name="Funder for locks")
    funder_admin = UserFactory()
    MembershipFactory(user=funder_admin, entity=funder, role="administrator")
    CurrencyRate.objects.filter(currency="KES", month=_this_month()).delete()
    partnership = partnerships.partnership_request(
        actor=funder_admin, pledge_id=pledge.pk, entity_id=funder.pk, role="funder",
        contribution="Co-financing.", amount=Decimal("116500"), currency="KES")
    partnerships.partnership_transition(partnership_id=partnership.pk, name="accept_request",
                                        actor=entity_admin)
    proposal = partnerships.partnership_amendment_propose(
        actor=funder_admin, partnership_id=partnership.pk, contribution="Twice as much.",
        amount=Decimal("233000"), currency="KES", reason="A second donor joined us.")
    CurrencyRate.objects.create(currency="KES", month=_this_month(),
                                rate_per_usd=Decimal("116.5"), source=RateSource.SECRETARIAT)
    errors, answer_has_proposal = [], threading.Event()

    def answer():  # the lock order of partnership_amendment_transition, with a pause between
        try:
            with transaction.atomic():
                PartnershipAmendment.objects.select_for_update().get(pk=proposal.pk)
                answer_has_proposal.set()
                time.sleep(1.5)  # the job starts meanwhile
                Partnership.objects.select_for_update().get(pk=partnership.pk)
        except Exception as error:  # the deadlock, reported below
            errors.append(error)
        finally:
            connection.close()

    def job():
        answer_has_proposal.wait()
        try:
            rates.contributions_convert_again([("KES", _this_month())])
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer), threading.Thread(target=job)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    partnership.refresh_from_db()
    proposal.refresh_from_db()
    assert (partnership.usd_amount, proposal.usd_amount) == (Decimal("1000.00"),
                                                             Decimal("2000.00"))
