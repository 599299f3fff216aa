"""Co-pledging by consent (issue 18): an invited entity is a co-pledger only once one of its
administrators accepts; until then, or after it declines, it is nowhere public. Either side ends
a partnership with a reason; every change is audited; emails reach each person in their
language."""

import json
import threading

import pytest
from django.core import mail
from django.db import connection

from pledges import partnerships
from pledges.models import Partnership, PartnershipChange, Pledge
from tests.conftest import require_service
from tests.factories import EntityFactory, MembershipFactory, PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(db):
    """An approved entity with a French-speaking administrator and an English-speaking one."""
    entity = EntityFactory(name="Digital Bridge Alliance", acronym="DBA")
    for email, language in (("marie@dba.example.org", "fr"), ("john@dba.example.org", "en")):
        MembershipFactory(user=UserFactory(email=email, preferred_language=language),
                          entity=entity, role="administrator")
    return entity


@pytest.fixture
def partner_admin(partner):
    return partner.memberships.get(user__email="john@dba.example.org").user


@pytest.fixture
def published(entity):
    return PledgeFactory(entity=entity, published=True, title="Schools online in Rwanda")


def _invite(pledge, entity, actor, callbacks):
    with callbacks(execute=True):
        return partnerships.partnership_invite(actor=actor, pledge_id=pledge.pk,
                                               entity_id=entity.pk)


def test_an_invitation_reaches_each_administrator_in_their_language(
    published, partner, member, django_capture_on_commit_callbacks
):
    mail.outbox = []
    partnership = _invite(published, partner, member, django_capture_on_commit_callbacks)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"marie@dba.example.org", "john@dba.example.org"}
    french, english = by_address["marie@dba.example.org"], by_address["john@dba.example.org"]
    assert "Ministry of ICT of Rwanda" in english.subject and "co-pledge" in english.subject
    assert "vous invite" in french.subject
    assert f"/fr/my-pledges/partnerships/{partnership.pk}/" in french.body
    assert f"/en/my-pledges/partnerships/{partnership.pk}/" in english.body
    assert partnership.status == Partnership.Status.INVITED
    assert list(published.co_pledgers.all()) == []  # nothing public yet


def test_accepting_makes_a_co_pledger_and_the_history_says_who_and_when(
    published, partner, partner_admin, member, django_capture_on_commit_callbacks
):
    partnership = _invite(published, partner, member, django_capture_on_commit_callbacks)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        partnerships.partnership_transition(partnership_id=partnership.pk, name="accept",
                                            actor=partner_admin)
    assert list(published.co_pledgers.all()) == [partner]
    changes = list(PartnershipChange.objects.filter(partnership=partnership)
                   .order_by("created_at", "pk").values_list("from_status", "to_status", "actor"))
    assert changes == [("", "invited", member.pk), ("invited", "accepted", partner_admin.pk)]
    # The pledging side is told (its administrator and the pledge's author).
    assert {m.to[0] for m in mail.outbox} >= {"admin@minict.example.org"}
    assert all("accepted" in m.subject for m in mail.outbox)


def test_ending_needs_a_reason_and_removes_the_co_pledger(
    published, partner, partner_admin, member, django_capture_on_commit_callbacks
):
    partnership = _invite(published, partner, member, django_capture_on_commit_callbacks)
    partnerships.partnership_transition(partnership_id=partnership.pk, name="accept",
                                        actor=partner_admin)
    with pytest.raises(partnerships.PartnershipError, match="Give a reason"):
        partnerships.partnership_transition(partnership_id=partnership.pk, name="end",
                                            actor=member, reason="   ")
    partnerships.partnership_transition(partnership_id=partnership.pk, name="end",
                                        actor=member, reason="Project merged into another.")
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.ENDED
    assert partnership.end_reason == "Project merged into another."
    assert list(published.co_pledgers.all()) == []
    # Ended: it may be invited again.
    again = partnerships.partnership_invite(actor=member, pledge_id=published.pk,
                                            entity_id=partner.pk)
    assert again.status == Partnership.Status.INVITED


@pytest.mark.parametrize("who", ["member", "viewer", "other_member"])
def test_only_the_invited_entitys_administrators_can_answer(
    request, published, partner, member, who
):
    partnership = partnerships.partnership_invite(actor=member, pledge_id=published.pk,
                                                  entity_id=partner.pk)
    with pytest.raises(partnerships.permissions.PermissionDenied):
        partnerships.partnership_transition(partnership_id=partnership.pk, name="accept",
                                            actor=request.getfixturevalue(who))
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.INVITED


@pytest.mark.parametrize("target", ["self", "applied", "again"])
def test_invitations_that_make_no_sense_are_refused_with_a_reason(
    published, partner, member, entity, target
):
    partnerships.partnership_invite(actor=member, pledge_id=published.pk, entity_id=partner.pk)
    chosen = {"self": entity, "applied": EntityFactory(applied=True), "again": partner}[target]
    with pytest.raises(partnerships.PartnershipError):
        partnerships.partnership_invite(actor=member, pledge_id=published.pk,
                                        entity_id=chosen.pk)
    assert Partnership.objects.filter(pledge=published).count() == 1


def test_a_viewer_cannot_invite(published, partner, viewer):
    with pytest.raises(partnerships.permissions.PermissionDenied):
        partnerships.partnership_invite(actor=viewer, pledge_id=published.pk,
                                        entity_id=partner.pk)
    assert not Partnership.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_administrators_accepting_at_once_make_one_partnership(postgresql, entity, member):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    pledge = PledgeFactory(entity=entity, published=True)
    partner = EntityFactory(name="Concurrent Partner")
    admins = [UserFactory(email=f"admin{i}@cp.example.org") for i in range(2)]
    for admin in admins:
        MembershipFactory(user=admin, entity=partner, role="administrator")
    partnership = partnerships.partnership_invite(actor=member, pledge_id=pledge.pk,
                                                  entity_id=partner.pk)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(admin):
        try:
            barrier.wait()
            partnerships.partnership_transition(partnership_id=partnership.pk, name="accept",
                                                actor=admin)
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
    assert list(pledge.co_pledgers.all()) == [partner]
    assert PartnershipChange.objects.filter(to_status="accepted").count() == 1


# --- Nowhere public until accepted --------------------------------------------------------------


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.fixture
def three_partners(published, member, django_capture_on_commit_callbacks):
    """One accepted, one declined, one still invited partner of the published pledge."""
    entities = {}
    for state in ("Accepted", "Declined", "Pending"):
        entity = EntityFactory(name=f"{state} Partner Org", acronym=state[:3].upper() + "PO")
        admin = UserFactory(email=f"{state.lower()}@partner.example.org")
        MembershipFactory(user=admin, entity=entity, role="administrator")
        partnership = partnerships.partnership_invite(actor=member, pledge_id=published.pk,
                                                      entity_id=entity.pk)
        if state != "Pending":
            partnerships.partnership_transition(
                partnership_id=partnership.pk,
                name="accept" if state == "Accepted" else "decline", actor=admin)
        entities[state] = entity
    return entities


def test_declined_and_pending_partners_are_nowhere_public(anonymous, published, three_partners):
    hidden = [three_partners["Declined"], three_partners["Pending"]]
    pages = [
        f"/en/pledges/{published.pk}/",
        "/en/pledges/",
        "/en/pledges/export.csv",
        "/en/pledges/export.json",
        f"/en/entities/{three_partners['Accepted'].pk}/",
    ]
    for url in pages:
        text = _text(anonymous.get(url))
        if url != "/en/pledges/":  # the list shows no partners, only the pages that do
            assert "Accepted Partner Org" in text, url
        for entity in hidden:
            assert entity.name not in text, f"{entity.name} leaks on {url}"
    for entity in hidden:
        # Their own profiles do not list the pledge, the list filtered on them finds nothing.
        assert published.title not in _text(anonymous.get(f"/en/entities/{entity.pk}/"))
        response = anonymous.get(f"/en/pledges/?entity={entity.pk}")
        assert response.context["total"] == 0
    assert anonymous.get(
        f"/en/pledges/?entity={three_partners['Accepted'].pk}").context["total"] == 1
    record = next(r for r in json.loads(_text(anonymous.get("/en/pledges/export.json")))["pledges"]
                  if r["title"] == published.title)
    assert record["co_pledgers"] == ["Accepted Partner Org"]


def test_the_pledge_page_lists_partners_by_role(anonymous, published, three_partners):
    response = anonymous.get(f"/en/pledges/{published.pk}/")
    assert [p.entity.name for p in response.context["pledge"].accepted_partners] == [
        "Accepted Partner Org"]
    assert "Co-pledger" in response.content.decode()
    # The partner's profile says in what role it takes part; the pledging entity's says it
    # makes the pledge.
    partner_page = anonymous.get(f"/en/entities/{three_partners['Accepted'].pk}/").content
    assert "Partner: Co-pledger" in partner_page.decode()
    assert "Pledging entity" in anonymous.get(
        f"/en/entities/{published.entity_id}/").content.decode()


def test_the_pledge_and_entity_pages_cost_the_same_queries_with_more_partners(
    anonymous, published, member, django_assert_max_num_queries
):
    def add_partner(n):
        entity = EntityFactory(name=f"Partner {n}")
        admin = UserFactory()
        MembershipFactory(user=admin, entity=entity, role="administrator")
        partnership = partnerships.partnership_invite(actor=member, pledge_id=published.pk,
                                                      entity_id=entity.pk)
        partnerships.partnership_transition(partnership_id=partnership.pk, name="accept",
                                            actor=admin)
        return entity

    first = add_partner(0)
    urls = [f"/en/pledges/{published.pk}/", f"/en/entities/{published.entity_id}/",
            f"/en/entities/{first.pk}/"]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(60) as captured:
            assert anonymous.get(url).status_code == 200
        counts[url] = len(captured)
    for n in range(1, 6):
        add_partner(n)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert anonymous.get(url).status_code == 200


def test_the_partners_page_costs_the_same_queries_with_12_partners_as_with_4(
    member_client, published, member, django_assert_max_num_queries
):
    """Each row asks whether the person may end the partnership (or withdraw the invitation):
    from the person's roles read once, not from a query per row and side."""
    def add_partners(first: int, last: int) -> None:
        for n in range(first, last):
            entity = EntityFactory(name=f"Partner {n}")
            admin = UserFactory()
            MembershipFactory(user=admin, entity=entity, role="administrator")
            partnership = partnerships.partnership_invite(actor=member, pledge_id=published.pk,
                                                          entity_id=entity.pk)
            if n % 2:  # half accepted, half still invited: both may be ended by the pledge
                partnerships.partnership_transition(partnership_id=partnership.pk,
                                                    name="accept", actor=admin)

    url = f"/en/my-pledges/{published.pk}/partners/"
    add_partners(0, 4)
    member_client.get(url)  # the session and the caches warmed up
    with django_assert_max_num_queries(60) as four:
        html = _text(member_client.get(url))
    assert html.count("End the partnership") == 2 and html.count("Withdraw the invitation") == 2
    add_partners(4, 12)
    with django_assert_max_num_queries(len(four)):
        html = _text(member_client.get(url))
    assert html.count("End the partnership") == 6 and html.count("Withdraw the invitation") == 6


def test_existing_co_pledgers_become_accepted_partnerships(published, partner):
    """The data migration (0024): the co-pledgers named before consent was asked."""
    from importlib import import_module

    from django.apps import apps

    published.co_pledgers.add(partner)  # as the old form wrote them
    migration = import_module("pledges.migrations.0024_partnerships_from_co_pledgers")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # a rerun adds nothing
    partnership = Partnership.objects.get(pledge=published, entity=partner)
    assert partnership.status == Partnership.Status.ACCEPTED
    assert partnership.accepted_at == published.published_at
    change = partnership.changes.get()
    assert (change.actor, change.from_status, change.to_status) == (None, "", "accepted")


def test_editing_the_pledge_cannot_name_co_pledgers(member_client, entity, partner):
    draft = PledgeFactory(entity=entity)
    response = member_client.post(f"/en/my-pledges/{draft.pk}/edit/partners/", {
        "version": draft.version, "co_pledgers": [partner.pk], "other_partners": "Local NGO",
        "save": "1",
    })
    assert response.status_code == 302
    draft = Pledge.objects.get(pk=draft.pk)
    assert draft.other_partners == "Local NGO"
    assert list(draft.co_pledgers.all()) == []
