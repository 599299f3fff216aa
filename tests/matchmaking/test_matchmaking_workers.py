"""Two real Celery workers on the real Redis: every email of matchmaking (a need submitted,
published and met, a proposal to connect, its acceptance, an introduction by the secretariat)
reaches each recipient once, although every delivery and the need's suggestion refresh are
published three times, so that both workers race for the same rows (and the refresh leaves
one set of suggestions).

Each worker is a separate process under the production settings (tests/celery_workers.py),
sharing with this test only the broker and the test database, committed to for real. The
services run in this process, as a web request would run them. Needs REDIS_URL and PostgreSQL:
skipped without them on a developer's machine, a failure under CI=true.
"""

import time
from collections import Counter

import pytest
from django.conf import settings

from action_areas.models import ActionArea, Country, Pillar
from matchmaking import services, workflow
from matchmaking.models import Introduction, Need, Suggestion
from matchmaking.tasks import need_suggestions_refresh
from p2c_portal.models import OutboundEmail
from p2c_portal.tasks import outbound_email_deliver
from tests.celery_workers import WAIT_SECONDS, logs, messages_written, wait_until_ready
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = [
    pytest.mark.integration,
    # Committed for real (the workers must see the rows); the rollback restores the reference
    # data seeded by migrations that the flush afterwards would delete.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _header(message: str, name: str) -> str:
    return next(line.removeprefix(f"{name}: ").strip() for line in message.splitlines()
                if line.startswith(f"{name}: "))


def _administrator(entity, email: str, language: str):
    user = UserFactory(email=email, preferred_language=language)
    MembershipFactory(user=user, entity=entity, role="administrator")
    return user


def _wait_for_refreshes(workers, count: int) -> None:
    """Until the workers have finished `count` runs of the need's suggestion refresh."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        finished = sum(1 for worker in workers for line in worker.log().splitlines()
                       if "need_suggestions_refresh" in line and "succeeded" in line)
        if finished >= count:
            return
        for worker in workers:
            worker.fail_if_exited()
        time.sleep(0.2)
    pytest.fail(f"{count} refreshes not done within {WAIT_SECONDS:.0f} s:\n{logs(workers)}")


def _wait_until_all_sent(workers, expected: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()
        if sent >= expected and not OutboundEmail.objects.exclude(
                status=OutboundEmail.Status.SENT).exists():
            return
        for worker in workers:
            worker.fail_if_exited()
        time.sleep(0.2)
    pytest.fail(f"not all sent within {WAIT_SECONDS:.0f} s:\n{logs(workers)}")


@pytest.mark.usefixtures("publishing_to_redis")
def test_two_workers_send_each_matchmaking_email_once(two_workers, secretariat):
    government = EntityFactory(name="Ministry of ICT of Rwanda",
                               contact_email="ict@minict.example.org")
    minister = _administrator(government, "ada@minict.example.org", "fr")
    deputy = _administrator(government, "bo@minict.example.org", "ar")
    funders = EntityFactory(name="Digital Funders Alliance", stakeholder_group="private_sector",
                            contact_email="hello@funders.example.org")
    fran = _administrator(funders, "fran@funders.example.org", "en")
    fund = PledgeFactory(entity=funders, published=True, financial=True,
                         title="Backhaul fund for East Africa")
    fund.pillars.set([Pillar.objects.get(code="infrastructure")])
    academy = EntityFactory(name="Digital Skills Academy", contact_email="hi@academy.example.org")
    ines = _administrator(academy, "ines@academy.example.org", "es")
    course = PledgeFactory(entity=academy, published=True, title="Skills for rural teachers")
    bystanders = EntityFactory(name="Unrelated Telecom")
    _administrator(bystanders, "nobody@unrelated.example.org", "en")

    wait_until_ready(two_workers)
    need = services.need_create(user=minister, entity=government, values={
        "title": "Rural backhaul for district health centres", "support_kind": "finance",
        "description": "Fibre backhaul to connect 40 rural health centres.",
        "action_areas": [ActionArea.objects.get(code="access")],
        "pillars": [Pillar.objects.get(code="infrastructure")],
        "countries": [Country.objects.get(iso3="RWA")],
    })
    workflow.need_transition(need_id=need.pk, name="submit", actor=minister)
    workflow.need_transition(need_id=need.pk, name="publish", actor=secretariat)
    proposal = services.introduction_propose(
        user=fran, need_id=need.pk, pledge_id=fund.pk, from_entity=funders,
        message="Our fund finances backhaul in East Africa.")
    services.introduction_answer(user=deputy, introduction_id=proposal.pk, accept=True)
    introduced = services.introduction_make(user=secretariat, need_id=need.pk,
                                            pledge_id=course.pk, message="Teachers too?")
    # The refresh queued by the publication, published twice more: the workers race for it.
    need_suggestions_refresh.delay(need.pk)
    need_suggestions_refresh.delay(need.pk)
    _wait_for_refreshes(two_workers, 3)
    suggested = list(Suggestion.objects.filter(need=need).values_list("pledge_id", flat=True))
    assert fund.pk in suggested and len(suggested) == len(set(suggested))
    workflow.need_transition(need_id=need.pk, name="mark_met", actor=secretariat,
                             met_by_pledge=fund)

    # Every delivery published twice more: both workers race for every row.
    for email_id in OutboundEmail.objects.values_list("pk", flat=True):
        outbound_email_deliver.delay(email_id)
        outbound_email_deliver.delay(email_id)

    government_admins = [minister.email, deputy.email]
    expected = Counter({
        (settings.SECRETARIAT_EMAIL, "matchmaking/need_to_secretariat"): 1,  # submitted
        # published, then met: each administrator of the government, in their language
        **{(address, "matchmaking/need_status"): 2 for address in government_admins},
        # Fran's proposal (to the government), the secretariat's introduction (to both sides)
        **{(address, "matchmaking/introduction_proposed"): 2 for address in government_admins},
        (ines.email, "matchmaking/introduction_proposed"): 1,
        # the acceptance, to both sides of Fran's proposal
        **{(address, "matchmaking/introduction_answered"): 1
           for address in [*government_admins, fran.email]},
    })
    _wait_until_all_sent(two_workers, sum(expected.values()))
    time.sleep(2)  # let the duplicate tasks finish: they must change nothing

    rows = Counter((email.to[0], email.template) for email in OutboundEmail.objects.all())
    assert rows == expected
    written = messages_written(two_workers)
    subjects = {email.message_id: (email.to[0], email.subject)
                for email in OutboundEmail.objects.all()}
    delivered = Counter(subjects[_header(message, "Message-ID")] for message in written)
    # Each row written once, to its recipient, by one worker or the other.
    assert delivered == Counter(subjects.values()), logs(two_workers)
    assert all(_header(message, "To") == subjects[_header(message, "Message-ID")][0]
               for message in written)
    assert "nobody@unrelated.example.org" not in "".join(written)
    # Emails carry no contact details: those are on the accepted introduction's page only.
    assert not any("hello@funders.example.org" in message or "ict@minict.example.org" in message
                   for message in written)
    assert all(email.attempts == 1 for email in OutboundEmail.objects.all())

    assert Introduction.objects.get(pk=proposal.pk).status == Introduction.Status.ACCEPTED
    assert Introduction.objects.get(pk=introduced.pk).status == Introduction.Status.PENDING
    assert Need.objects.get(pk=need.pk).status == Need.Status.MET
    texts = [worker.log() for worker in two_workers]
    assert all("outbound_email_deliver" in text for text in texts), logs(two_workers)
    assert not any('"level": "ERROR"' in text for text in texts), logs(two_workers)
