"""Joining a published pledge (issue 18): an approved entity asks, as co-implementer, adopter or
funder, saying what it brings; the pledge's administrators (or the secretariat on their behalf)
accept or decline; the asking entity may withdraw; an unanswered request is reminded, then
expires. Only an accepted request is public, and an accepted funder's contribution counts once
in every USD total."""

import datetime
import json
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.html import escape

from p2c_portal.locale_formats import format_amount
from pledges import partnerships, selectors
from pledges.filters import PledgeFilters
from pledges.models import CurrencyRate, Partnership, PartnershipChange, Pledge, RateSource
from tests.conftest import require_service
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


@pytest.fixture
def euro_rate(db):
    """0.8 euro per US dollar this month: EUR 1,000,000 is USD 1,250,000."""
    return CurrencyRate.objects.update_or_create(
        currency="EUR", month=_this_month(),
        defaults={"rate_per_usd": Decimal("0.8"), "source": RateSource.TEST_DATA})[0]


@pytest.fixture
def published(entity, entity_admin):
    return PledgeFactory(entity=entity, published=True, financial=True,
                         title="Schools online in Rwanda")


@pytest.fixture
def funder(db):
    """An approved entity with a French-speaking administrator and an English-speaking editor."""
    entity = EntityFactory(name="Fonds Numérique Solidaire", acronym="FNS")
    MembershipFactory(user=UserFactory(email="chloe@fns.example.org", preferred_language="fr"),
                      entity=entity, role="administrator")
    MembershipFactory(user=UserFactory(email="ed@fns.example.org", preferred_language="en"),
                      entity=entity, role="editor")
    return entity


@pytest.fixture
def funder_editor(funder):
    return funder.memberships.get(user__email="ed@fns.example.org").user


@pytest.fixture
def funder_client(client, funder_editor):
    client.force_login(funder_editor)
    return client


def _ask(pledge, entity, actor, *, role="funder", amount=Decimal("1000000"), currency="EUR",
         contribution="Co-financing of the school connections."):
    return partnerships.partnership_request(
        actor=actor, pledge_id=pledge.pk, entity_id=entity.pk, role=role,
        contribution=contribution, amount=amount if role == "funder" else None,
        currency=currency if role == "funder" else "")


def _answer(partnership, name, actor, callbacks=None, message=""):
    if callbacks is None:
        return partnerships.partnership_transition(partnership_id=partnership.pk, name=name,
                                                   actor=actor, reason=message)
    with callbacks(execute=True):
        return partnerships.partnership_transition(partnership_id=partnership.pk, name=name,
                                                   actor=actor, reason=message)


# --- Asking --------------------------------------------------------------------------------------


def test_a_funder_asks_from_the_public_page_and_the_owner_is_emailed_in_their_language(
    published, funder, funder_client, entity_admin, euro_rate, anonymous,
    django_capture_on_commit_callbacks,
):
    page = anonymous.get(f"/en/pledges/{published.pk}/").content.decode()
    assert f"/en/pledges/{published.pk}/join/" in page
    entity_admin.preferred_language = "fr"
    entity_admin.save(update_fields=["preferred_language"])
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = funder_client.post(f"/en/pledges/{published.pk}/join/", {
            "entity": funder.pk, "role": "funder", "contribution": "Co-financing.",
            "amount": "1,000,000", "currency": "EUR"})
    partnership = Partnership.objects.get(entity=funder)
    assert response.status_code == 302
    assert response.url == f"/en/my-pledges/partnerships/{partnership.pk}/"
    assert partnership.status == "requested"
    assert (partnership.amount, partnership.currency) == (Decimal("1000000"), "EUR")
    assert partnership.usd_amount == Decimal("1250000.00")
    assert [m.to for m in mail.outbox] == [["admin@minict.example.org"]]
    assert "demande à rejoindre" in mail.outbox[0].subject
    assert f"/fr/my-pledges/partnerships/{partnership.pk}/" in mail.outbox[0].body
    # Nothing public, nothing counted, before the pledge's administrators accept.
    assert Pledge.objects.get(pk=published.pk).contributions_usd is None
    assert "Fonds Numérique" not in anonymous.get(f"/en/pledges/{published.pk}/").content.decode()


def test_a_bad_request_keeps_what_was_typed_and_saves_nothing(published, funder, funder_client):
    response = funder_client.post(f"/en/pledges/{published.pk}/join/", {
        "entity": funder.pk, "role": "funder", "contribution": "Our <b>money</b>",
        "amount": "a lot", "currency": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert set(response.context["form"].errors) == {"amount", "currency"}
    assert "Choose the currency of the amount." in text
    assert "Our &lt;b&gt;money&lt;/b&gt;" in text
    for bad in ({"role": "co_pledger"}, {"role": "funder", "amount": "-5"},
                {"role": "adopter", "contribution": "  "}, {"entity": "999999"},
                {"role": "funder", "amount": "1" + "0" * 20, "currency": "EUR"}):
        data = {"entity": funder.pk, "role": "adopter", "contribution": "We adopt it.", **bad}
        assert funder_client.post(f"/en/pledges/{published.pk}/join/", data).status_code == 400
    assert not Partnership.objects.exists()


def test_who_may_ask(published, funder, funder_editor, member, entity_admin, other_member):
    # The pledge's own entity, a second live request, an unpublished pledge: refused.
    with pytest.raises(partnerships.PartnershipError):
        _ask(published, published.entity, member, role="adopter")
    _ask(published, funder, funder_editor, role="adopter")
    with pytest.raises(partnerships.PartnershipError):
        _ask(published, funder, funder_editor, role="co_implementer")
    draft = PledgeFactory(entity=published.entity)
    with pytest.raises(partnerships.PartnershipError):
        _ask(draft, funder, funder_editor, role="adopter")
    # Someone who does not act for the entity.
    with pytest.raises(partnerships.permissions.PermissionDenied):
        _ask(published, funder, other_member, role="adopter")
    assert Partnership.objects.count() == 1


def test_the_join_page_of_a_pledge_that_is_not_public_is_a_404(funder_client, entity):
    draft = PledgeFactory(entity=entity)
    assert funder_client.get(f"/en/pledges/{draft.pk}/join/").status_code == 404
    assert funder_client.get("/en/pledges/99999999999999999999/join/").status_code == 404


# --- Answering -----------------------------------------------------------------------------------


def test_accepting_shows_the_funder_with_its_contribution_and_counts_it_once(
    published, funder, funder_editor, entity_admin, euro_rate, anonymous,
    django_capture_on_commit_callbacks,
):
    before = selectors.coalition_figures()["usd"]
    event_filters = PledgeFilters(values={"country": ["RWA"]})
    before_totals = selectors.pledge_totals_public(event_filters)["usd"]
    partnership = _ask(published, funder, funder_editor)
    mail.outbox = []
    _answer(partnership, "accept_request", entity_admin, django_capture_on_commit_callbacks)
    # The asking entity's administrator (French) and the editor who asked (English) are told.
    assert sorted(m.to[0] for m in mail.outbox) == ["chloe@fns.example.org", "ed@fns.example.org"]
    french = next(m for m in mail.outbox if m.to == ["chloe@fns.example.org"])
    assert "acceptée" in french.subject
    pledge = Pledge.objects.get(pk=published.pk)
    assert pledge.contributions_usd == Decimal("1250000.00")
    assert pledge.usd_committed == Decimal("2250000.00")
    from django.core.cache import cache
    cache.clear()
    assert selectors.coalition_figures()["usd"] == before + Decimal("1250000.00")
    assert (selectors.pledge_totals_public(event_filters)["usd"]
            == before_totals + Decimal("1250000.00"))
    page = anonymous.get(f"/en/pledges/{published.pk}/").content.decode()
    assert "Fonds Numérique Solidaire" in page and "Funder" in page
    with translation.override("en"):
        assert escape(format_amount(Decimal("1000000"), "EUR")) in page
    assert "Co-financing of the school connections." in page
    # Ending the partnership takes the contribution out of every total.
    _answer(Partnership.objects.get(pk=partnership.pk), "end", entity_admin,
            message="The fund closed.")
    assert Pledge.objects.get(pk=published.pk).contributions_usd is None
    cache.clear()
    assert selectors.coalition_figures()["usd"] == before


def test_only_the_pledges_administrators_answer_and_only_the_asker_withdraws(
    published, funder, funder_editor, member, entity_admin, other_member, client,
):
    partnership = _ask(published, funder, funder_editor, role="adopter")
    for name, who in (("accept_request", member), ("accept_request", funder_editor),
                      ("withdraw_request", entity_admin), ("expire", entity_admin)):
        with pytest.raises(partnerships.permissions.PermissionDenied):
            _answer(partnership, name, who)
    # Another entity's member does not even see it.
    client.force_login(other_member)
    assert client.get(f"/en/my-pledges/partnerships/{partnership.pk}/").status_code == 404
    assert client.post(f"/en/my-pledges/partnerships/{partnership.pk}/",
                       {"action": "accept_request"}).status_code == 404
    client.force_login(funder_editor)
    response = client.post(f"/en/my-pledges/partnerships/{partnership.pk}/",
                           {"action": "withdraw_request"})
    assert response.status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).status == "withdrawn"
    assert list(PartnershipChange.objects.filter(partnership=partnership)
                .order_by("created_at", "pk").values_list("to_status", flat=True)) == [
        "requested", "withdrawn"]


def test_dashboards_list_the_requests(published, funder, funder_editor, entity_admin, client):
    partnership = _ask(published, funder, funder_editor, role="co_implementer")
    client.force_login(entity_admin)
    owner_page = client.get("/en/me/").content.decode()
    assert "Requests to join your pledges" in owner_page
    assert f"/en/my-pledges/partnerships/{partnership.pk}/" in owner_page
    client.force_login(funder_editor)
    asker_page = client.get("/en/me/").content.decode()
    assert "Your requests to join pledges" in asker_page and "Join requested" in asker_page
    page = client.get(f"/en/my-pledges/partnerships/{partnership.pk}/").content.decode()
    assert "Withdraw the request" in page and "Accept the request" not in page
    client.force_login(entity_admin)
    page = client.get(f"/en/my-pledges/partnerships/{partnership.pk}/").content.decode()
    assert "Accept the request" in page and "Withdraw the request" not in page


def test_the_secretariat_answers_on_behalf_with_a_message(
    published, funder, funder_editor, entity_admin, secretariat, client,
    django_capture_on_commit_callbacks,
):
    partnership = _ask(published, funder, funder_editor, role="adopter")
    client.force_login(secretariat)
    change = client.get(f"/en/admin/pledges/partnership/{partnership.pk}/change/")
    assert change.status_code == 200
    decide = f"/en/admin/pledges/partnership/{partnership.pk}/decide/decline_request/"
    assert decide in change.content.decode()
    assert client.get(decide).status_code == 200
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide, {"message": "Out of the pledge's scope.",
                                         "expected_status": "requested"})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == "declined"
    change = partnership.changes.first()
    assert (change.actor, change.message) == (secretariat, "Out of the pledge's scope.")
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["admin@minict.example.org", "chloe@fns.example.org",
                          "ed@fns.example.org"]
    assert all("Out of the pledge's scope." in m.body for m in mail.outbox)
    # Twice: refused, nothing changes.
    client.post(decide, {"message": "Again.", "expected_status": "requested"})
    assert partnership.changes.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_administrators_accepting_at_once_make_one_partnership(postgresql, entity):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    admins = [UserFactory(email=f"owner{i}@minict.example.org") for i in range(2)]
    for admin in admins:
        MembershipFactory(user=admin, entity=entity, role="administrator")
    pledge = PledgeFactory(entity=entity, published=True)
    asker_entity = EntityFactory(name="Concurrent Funder")
    asker = UserFactory(email="asker@cf.example.org")
    MembershipFactory(user=asker, entity=asker_entity, role="administrator")
    partnership = _ask(pledge, asker_entity, asker, amount=Decimal("500"), currency="USD")
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(admin):
        try:
            barrier.wait()
            partnerships.partnership_transition(partnership_id=partnership.pk,
                                                name="accept_request", actor=admin)
            outcomes.append("accepted")
        except partnerships.PartnershipError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(admin,)) for admin in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "refused"]
    assert Partnership.objects.filter(pledge=pledge, status="accepted").count() == 1
    assert PartnershipChange.objects.filter(to_status="accepted").count() == 1
    assert Pledge.objects.get(pk=pledge.pk).contributions_usd == Decimal("500.00")


# --- Expiry --------------------------------------------------------------------------------------


@override_settings(P2C_JOIN_REQUEST_DAYS=30, P2C_JOIN_REQUEST_REMINDER_DAYS=7)
def test_an_unanswered_request_is_reminded_once_then_expires_once(
    published, funder, funder_editor, entity_admin, django_capture_on_commit_callbacks,
):
    start = timezone.now()
    partnership = _ask(published, funder, funder_editor, role="adopter")
    mail.outbox = []
    with (time_machine.travel(start + datetime.timedelta(days=22), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        assert partnerships.join_requests_expire() == {"reminded": 0, "expired": 0}
    with (time_machine.travel(start + datetime.timedelta(days=23, minutes=1), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        assert partnerships.join_requests_expire() == {"reminded": 1, "expired": 0}
        assert partnerships.join_requests_expire() == {"reminded": 0, "expired": 0}
    assert [m.to for m in mail.outbox] == [["admin@minict.example.org"]]
    assert "Reminder" in mail.outbox[0].subject
    mail.outbox = []
    with (time_machine.travel(start + datetime.timedelta(days=30, minutes=1), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        assert partnerships.join_requests_expire() == {"reminded": 0, "expired": 1}
        assert partnerships.join_requests_expire() == {"reminded": 0, "expired": 0}
    assert Partnership.objects.get(pk=partnership.pk).status == "expired"
    assert sorted(m.to[0] for m in mail.outbox) == ["chloe@fns.example.org", "ed@fns.example.org"]
    assert "expirée" in next(m for m in mail.outbox if m.to == ["chloe@fns.example.org"]).subject
    # An expired request blocks nothing: the entity may ask again.
    _ask(published, funder, funder_editor, role="adopter")


# --- Nowhere public unless accepted --------------------------------------------------------------


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_declined_pending_expired_and_withdrawn_joiners_are_nowhere_public(
    published, entity_admin, euro_rate, anonymous,
):
    states = {}
    for state in ("Declined", "Pending", "Expired", "Withdrawn", "Accepted"):
        entity = EntityFactory(name=f"{state} Joiner Org", acronym=state[:3].upper() + "JO")
        admin = UserFactory(email=f"{state.lower()}@joiner.example.org")
        MembershipFactory(user=admin, entity=entity, role="administrator")
        partnership = _ask(published, entity, admin, amount=Decimal("100000"))
        name = {"Declined": "decline_request", "Withdrawn": "withdraw_request",
                "Accepted": "accept_request", "Expired": "expire", "Pending": None}[state]
        if name:
            _answer(partnership, name,
                    None if name == "expire" else admin if state == "Withdrawn" else entity_admin)
        states[state] = entity
    pledge = Pledge.objects.get(pk=published.pk)
    assert pledge.contributions_usd == Decimal("125000.00")  # the accepted one only
    pages = [f"/en/pledges/{published.pk}/", "/en/pledges/", "/en/pledges/export.csv",
             "/en/pledges/export.json", f"/en/pledges/?q={published.title.split()[0]}"]
    for url in pages:
        text = _text(anonymous.get(url))
        for state, entity in states.items():
            if state != "Accepted":
                assert entity.name not in text, f"{entity.name} leaks on {url}"
    for state, entity in states.items():
        count = anonymous.get(f"/en/pledges/?entity={entity.pk}").context["total"]
        assert count == (1 if state == "Accepted" else 0), state
    record = next(r for r in json.loads(_text(anonymous.get("/en/pledges/export.json")))["pledges"]
                  if r["title"] == published.title)
    assert record["co_pledgers"] == ["Accepted Joiner Org"]


def test_the_pledge_page_costs_the_same_queries_with_more_funders(
    published, entity_admin, anonymous, django_assert_max_num_queries,
):
    def add_funder(n):
        entity = EntityFactory(name=f"Funder {n}")
        admin = UserFactory()
        MembershipFactory(user=admin, entity=entity, role="administrator")
        _answer(_ask(published, entity, admin, amount=Decimal(1000), currency="USD"),
                "accept_request", entity_admin)

    add_funder(0)
    urls = [f"/en/pledges/{published.pk}/", "/en/", "/en/pledges/"]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(60) as captured:
            assert anonymous.get(url).status_code == 200
        counts[url] = len(captured)
    for n in range(1, 5):
        add_funder(n)
    from django.core.cache import cache
    cache.clear()
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert anonymous.get(url).status_code == 200


def test_a_funders_amount_waiting_for_its_rate_counts_once_the_rate_is_uploaded(
    published, funder, funder_editor, entity_admin, django_capture_on_commit_callbacks,
):
    """No shilling rate yet this month: the funder's amount and its proposed new amount wait,
    and the secretariat's upload of the month's rates converts both, once."""
    from pledges import rates

    CurrencyRate.objects.filter(currency="KES", month=_this_month()).delete()
    partnership = _ask(published, funder, funder_editor, amount=Decimal("233000000"),
                       currency="KES")
    _answer(partnership, "accept_request", entity_admin)
    funder_admin = funder.memberships.get(role="administrator").user
    proposal = partnerships.partnership_amendment_propose(
        actor=funder_admin, partnership_id=partnership.pk,
        contribution="Co-financing of twice as many schools.", amount=Decimal("466000000"),
        currency="KES", reason="A second donor doubles our budget.")
    partnership.refresh_from_db()
    assert (partnership.usd_amount, partnership.amount_month) == (None, _this_month())
    assert proposal.usd_amount is None
    assert Pledge.objects.get(pk=published.pk).contributions_usd is None

    with django_capture_on_commit_callbacks(execute=True):
        rates.currency_rates_upload(
            user=None, file_name="rates.csv",
            content=f"currency,month,rate_per_usd\nKES,{_this_month():%Y-%m},116.5\n".encode())
    partnership.refresh_from_db()
    proposal.refresh_from_db()
    assert partnership.usd_amount == Decimal("2000000.00")
    assert proposal.usd_amount == Decimal("4000000.00")
    assert Pledge.objects.get(pk=published.pk).contributions_usd == Decimal("2000000.00")
    # Run again (a second delivery of the job): nothing is written twice.
    assert rates.contributions_convert_again([("KES", _this_month())]) == 0

    partnerships.partnership_amendment_transition(
        amendment_id=proposal.pk, name="approve_amendment", actor=entity_admin)
    assert Pledge.objects.get(pk=published.pk).contributions_usd == Decimal("4000000.00")
