"""Needs through their lifecycle, their suggestions, and introductions between the two sides:
what the entity, the secretariat, a funder and the public notice."""

import pytest
from django.core import mail
from django.test import override_settings

from action_areas.models import ActionArea, Country, Pillar
from matchmaking import services, suggestions, workflow
from matchmaking.models import Introduction, Need, NeedStatusChange, Suggestion
from matchmaking.permissions import PermissionDenied
from p2c_portal.mail import email_deliver
from p2c_portal.models import OutboundEmail
from tests.factories import (
    EntityFactory,
    MembershipFactory,
    NeedFactory,
    PledgeFactory,
    UserFactory,
)
from tests.reporting.cycles import at, file_report, make_cycle

pytestmark = pytest.mark.django_db


def _need_values(**overrides):
    values = {
        "title": "Universal service fund reform", "support_kind": "policy_advice",
        "description": "Advice to reform the universal service fund.",
        "action_areas": [ActionArea.objects.get(code="access")],
        "pillars": [Pillar.objects.get(code="affordability")],
        "countries": [Country.objects.get(iso3="RWA")],
    }
    values.update(overrides)
    return values


@pytest.fixture
def funder():
    """An administrator of a funding foundation with a published financial pledge."""
    entity = EntityFactory(name="Digital Funders Alliance", stakeholder_group="private_sector",
                           contact_email="hello@funders.example.org")
    user = UserFactory(email="fran@funders.example.org", full_name="Fran Funder",
                       preferred_language="fr")
    MembershipFactory(user=user, entity=entity, role="administrator")
    pledge = PledgeFactory(entity=entity, published=True, financial=True,
                           title="Backhaul fund for East Africa")
    pledge.pillars.set([Pillar.objects.get(code="infrastructure")])
    return user, pledge


def test_a_need_goes_through_the_review_and_every_step_is_audited_and_emailed(
    entity, member, entity_admin, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        need = services.need_create(user=member, entity=entity, values=_need_values())
        workflow.need_transition(need_id=need.pk, name="submit", actor=member)
    assert [email.subject for email in OutboundEmail.objects.all()] == [
        "Need to review: “Universal service fund reform”"]
    with pytest.raises(PermissionDenied):
        workflow.need_transition(need_id=need.pk, name="publish", actor=member)
    with pytest.raises(workflow.TransitionError):
        workflow.need_transition(need_id=need.pk, name="request_changes", actor=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.need_transition(need_id=need.pk, name="request_changes", actor=secretariat,
                                 message="Say which districts.")
    need.refresh_from_db()
    assert need.status == Need.Status.CHANGES_REQUESTED
    asked = OutboundEmail.objects.filter(subject__startswith="Changes requested")
    assert sorted(email.to[0] for email in asked) == sorted([entity_admin.email, member.email])
    assert all("Say which districts." in email.body_text for email in asked)
    workflow.need_transition(need_id=need.pk, name="submit", actor=member)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.need_transition(need_id=need.pk, name="publish", actor=secretariat,
                                 expected_status="submitted")
    with pytest.raises(workflow.TransitionError):  # the same click again changes nothing
        workflow.need_transition(need_id=need.pk, name="publish", actor=secretariat,
                                 expected_status="submitted")
    need.refresh_from_db()
    assert need.status == Need.Status.PUBLISHED and need.published_at
    assert list(NeedStatusChange.objects.filter(need=need).order_by("pk").values_list(
        "to_status", flat=True)) == ["submitted", "changes_requested", "submitted", "published"]


def test_the_entitys_emails_are_written_in_each_recipients_language(
    entity, secretariat, django_capture_on_commit_callbacks
):
    french_admin = UserFactory(email="amina@minict.example.org", preferred_language="fr")
    MembershipFactory(user=french_admin, entity=entity, role="administrator")
    need = NeedFactory(entity=entity, submitted=True, title="Réseau rural")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.need_transition(need_id=need.pk, name="publish", actor=secretariat)
    email = OutboundEmail.objects.get(to=[french_admin.email])
    assert email.language == "fr"
    assert "est publié" in email.subject


def test_a_member_form_keeps_what_did_not_validate_and_saves_the_rest(
    entity, member, client
):
    need = NeedFactory(entity=entity)
    client.force_login(member)
    response = client.post(f"/en/my-needs/{need.pk}/", {
        "version": need.version, "title": "Fibre for Nyagatare", "support_kind": "finance",
        "description": "Backhaul.", "amount": "-5", "currency": "USD",
        "countries": [Country.objects.get(iso3="RWA").pk],
    })
    assert response.status_code == 200
    assert "The amount must be more than zero." in response.content.decode()
    need.refresh_from_db()
    assert need.title == "Fibre for Nyagatare"  # the valid part is saved
    assert need.unsaved_input["amount"] == ["-5"]  # the rest is kept as typed
    page = client.get(f"/en/my-needs/{need.pk}/").content.decode()
    assert 'value="-5"' in page
    with pytest.raises(workflow.TransitionError):
        workflow.need_transition(need_id=need.pk, name="submit", actor=member)


def test_an_amount_is_never_saved_without_a_valid_currency(entity, member, client):
    """A valid amount ("٤٢" is 42) beside a currency the form refuses is kept as typed, both of
    them: the need is never left with an amount and no currency (a 500 on the constraint)."""
    need = NeedFactory(entity=entity)
    client.force_login(member)
    response = client.post(f"/en/my-needs/{need.pk}/", {
        "version": need.version, "title": "Fibre for Nyagatare", "support_kind": "finance",
        "description": "Backhaul.", "amount": "٤٢", "currency": "<script>",
    })
    assert response.status_code == 200
    need.refresh_from_db()
    assert (need.amount, need.currency) == (None, "")
    assert need.title == "Fibre for Nyagatare"
    assert need.unsaved_input["currency"] == ["<script>"]


def _published_need(entity, **fields):
    need = NeedFactory(entity=entity, published=True, **fields)
    need.pillars.set([Pillar.objects.get(code="infrastructure")])
    return need


def test_suggestions_rank_a_fixed_set_of_pledges_in_the_expected_order(entity):
    need = _published_need(entity, support_kind="finance")
    rwanda, kenya, france = (Country.objects.get(iso3=c) for c in ("RWA", "KEN", "FRA"))
    infrastructure = Pillar.objects.get(code="infrastructure")
    affordability = Pillar.objects.get(code="affordability")
    skills = Pillar.objects.get(code="skills")
    access = ActionArea.objects.get(code="access")
    adoption = ActionArea.objects.get(code="adoption")

    def pledge(title, *, countries=(), pillars=(), areas=(access,), **fields):
        made = PledgeFactory(published=True, title=title, with_defaults=False, **fields)
        made.countries.set(countries)
        made.pillars.set(pillars)
        made.action_areas.set(areas)
        return made

    pledge("Fund in Rwanda", financial=True, countries=[rwanda], pillars=[infrastructure])
    on_time = pledge("Programme in Rwanda", countries=[rwanda], pillars=[infrastructure])
    file_report(on_time, make_cycle(), achieved=())  # filed before the due date: on time
    pledge("Fund in Kenya", financial=True, countries=[kenya], pillars=[affordability])
    pledge("Global skills fund", financial=True, is_global=True, pillars=[skills],
           areas=[adoption])
    pledge("Skills in France", countries=[france], pillars=[skills], areas=[adoption])
    pledge("Programme in Kenya", countries=[kenya])
    PledgeFactory(entity=entity, published=True, financial=True, title="Our own fund")

    assert suggestions.need_suggestions_refresh(need_id=need.pk) == 4
    rows = list(Suggestion.objects.filter(need=need).order_by("-score", "pk")
                .values_list("pledge__title", "score", "reasons"))
    assert rows == [
        ("Fund in Rwanda", 11, ["same_country", "same_pillar", "same_area", "offers_support"]),
        ("Programme in Rwanda", 9, ["same_country", "same_pillar", "same_area",
                                    "reports_on_time"]),
        ("Fund in Kenya", 6, ["same_region", "same_area", "offers_support"]),
        ("Global skills fund", 4, ["global", "offers_support"]),
    ]
    # Idempotent: a second run gives the same rows.
    assert suggestions.need_suggestions_refresh(need_id=need.pk) == 4
    assert Suggestion.objects.filter(need=need).count() == 4
    assert at("2025-03-20", 10)  # (the report's moment, before the cycle's due date)


def test_a_changed_pledge_is_scored_against_open_needs_by_the_sweep(entity, anonymous):
    need = _published_need(entity)
    suggestions.suggestions_refresh_stale()
    assert not Suggestion.objects.exists()
    fund = PledgeFactory(published=True, financial=True)
    fund.pillars.set([Pillar.objects.get(code="infrastructure")])
    fund.save()  # a change after the last sweep
    assert suggestions.suggestions_refresh_stale() >= 1
    assert Suggestion.objects.filter(need=need, pledge=fund).exists()
    suggestions.suggestions_refresh_stale()  # a second sweep changes nothing
    assert Suggestion.objects.filter(need=need, pledge=fund).count() == 1
    pledge_page = anonymous.get(fund.get_absolute_url()).content.decode()
    assert 'id="needs-served-title"' in pledge_page and need.title in pledge_page


def test_contact_details_are_shared_only_once_the_introduction_is_accepted(
    entity, entity_admin, funder, client, anonymous, other_member,
    django_capture_on_commit_callbacks
):
    fran, pledge = funder
    need = _published_need(entity)
    suggestions.need_suggestions_refresh(need_id=need.pk)
    client.force_login(fran)
    assert "Backhaul fund for East Africa" in client.get("/fr/my-matches/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/fr/needs/{need.pk}/connect/{pledge.pk}/", {
            "message": "Nous pouvons financer la fibre.", "from_entity": pledge.entity_id})
    assert response.status_code == 302
    introduction = Introduction.objects.get()
    assert introduction.to_entity == entity
    proposed = OutboundEmail.objects.get(to=[entity_admin.email])
    secret_addresses = [fran.email, pledge.entity.contact_email, entity_admin.email,
                        entity.contact_email]
    for address in secret_addresses[:2]:
        assert address not in proposed.body_text  # the email carries no contact details
    detail = f"/en/my-matches/introductions/{introduction.pk}/"
    for viewer in (fran, entity_admin):
        client.force_login(viewer)
        page = client.get(detail).content.decode()
        assert not any(address in page
                       for address in [*secret_addresses[:2], entity.contact_email])
    for page in (f"/en/needs/{need.pk}/", "/en/needs/", "/en/needs/export.csv",
                 "/en/needs/export.json"):
        body = anonymous.get(page).getvalue().decode() if page.endswith(("csv", "json")) \
            else anonymous.get(page).content.decode()
        assert not any(address in body for address in secret_addresses)
    client.force_login(other_member)
    assert client.get(detail).status_code == 404
    client.force_login(entity_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(detail, {"answer": "accept"})
    introduction.refresh_from_db()
    assert introduction.status == Introduction.Status.ACCEPTED
    for viewer, other_address in ((fran, entity.contact_email),
                                  (entity_admin, pledge.entity.contact_email)):
        client.force_login(viewer)
        assert other_address in client.get(detail).content.decode()
    client.force_login(other_member)
    assert client.get(detail).status_code == 404
    answered = OutboundEmail.objects.filter(template="matchmaking/introduction_answered")
    assert answered.count() == 2  # each side's administrators
    assert all(entity.contact_email not in e.body_text for e in answered)


@override_settings(MATCHMAKING_PROPOSALS_PER_DAY=2)
def test_proposals_are_limited_per_day_and_never_twice_for_a_waiting_pair(entity, funder):
    fran, pledge = funder
    needs = [_published_need(entity) for _ in range(3)]
    services.introduction_propose(user=fran, need_id=needs[0].pk, pledge_id=pledge.pk,
                                  from_entity=pledge.entity, message="Hello")
    with pytest.raises(services.NeedError, match="already waiting"):
        services.introduction_propose(user=fran, need_id=needs[0].pk, pledge_id=pledge.pk,
                                      from_entity=pledge.entity, message="Hello again")
    admin = entity.memberships.filter(role="administrator").first()
    if admin is not None:  # the other side proposing the same pair is refused too
        with pytest.raises(services.NeedError, match="already waiting"):
            services.introduction_propose(user=admin.user, need_id=needs[0].pk,
                                          pledge_id=pledge.pk, from_entity=entity,
                                          message="Hello")
    services.introduction_propose(user=fran, need_id=needs[1].pk, pledge_id=pledge.pk,
                                  from_entity=pledge.entity, message="Hello")
    with pytest.raises(services.NeedError, match="24 hours"):
        services.introduction_propose(user=fran, need_id=needs[2].pk, pledge_id=pledge.pk,
                                      from_entity=pledge.entity, message="Hello")
    assert Introduction.objects.count() == 2


def test_the_secretariat_marks_a_need_met_and_its_public_page_links_the_pledge(
    entity, secretariat, funder, anonymous, client
):
    _fran, pledge = funder
    need = _published_need(entity)
    client.force_login(secretariat)
    response = client.post(f"/en/admin/matchmaking/need/{need.pk}/transition/mark_met/",
                           {"expected_status": "published", "met_by_pledge": pledge.pk,
                            "message": ""})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == Need.Status.MET and need.met_by_pledge == pledge
    page = anonymous.get(f"/en/needs/{need.pk}/").content.decode()
    assert pledge.get_absolute_url() in page
    pledge_page = anonymous.get(pledge.get_absolute_url()).content.decode()
    assert 'id="needs-met-title"' in pledge_page and need.title in pledge_page
    listing = anonymous.get("/en/needs/?state=met").content.decode()
    assert need.title in listing


def test_the_secretariat_introduces_two_members_itself(entity, secretariat, funder, client):
    fran, pledge = funder
    need = _published_need(entity)
    client.force_login(secretariat)
    response = client.post(f"/en/admin/matchmaking/need/{need.pk}/introduce/",
                           {"pledge": pledge.pk, "message": "You should talk."})
    assert response.status_code == 302
    introduction = Introduction.objects.get()
    assert introduction.by_secretariat
    assert client.get("/en/admin/matchmaking/introduction/").status_code == 200
    services.introduction_answer(user=fran, introduction_id=introduction.pk, accept=True)
    assert Introduction.objects.get().status == Introduction.Status.ACCEPTED


def test_the_public_list_filters_searches_and_pages(entity, anonymous, other_entity,
                                                    django_assert_max_num_queries):
    _published_need(entity, title="Fibre backhaul for Nyagatare")
    kenya_need = NeedFactory(entity=other_entity, published=True, title="Équipement scolaire",
                             support_kind="equipment")
    kenya_need.countries.set([Country.objects.get(iso3="KEN")])
    NeedFactory(entity=entity, title="A draft nobody sees")
    body = anonymous.get("/en/needs/").content.decode()
    assert "Fibre backhaul" in body and "Équipement scolaire" in body
    assert "A draft nobody sees" not in body
    assert "Équipement" in anonymous.get("/en/needs/?q=equipement").content.decode()
    assert "Nyagatare" not in anonymous.get("/en/needs/?country=KEN").content.decode()
    only_equipment = anonymous.get("/en/needs/?support=equipment&stakeholder=private_sector")
    assert "Équipement" in only_equipment.content.decode()
    assert "No need matches" in anonymous.get("/en/needs/?q=zzzz").content.decode()
    assert anonymous.get("/en/needs/?page=999&group=LDC&region=africa").status_code == 200
    with django_assert_max_num_queries(30):
        anonymous.get("/en/needs/?area=access")


def test_facet_counts_count_each_need_once_and_say_what_ticking_a_value_gives(
        entity, anonymous, django_assert_max_num_queries):
    """A need in two chosen areas is one need; with Africa chosen, ticking France counts the
    African needs that also act in France (what the list would then show)."""
    both = _published_need(entity, title="Backhaul in Rwanda and France")
    both.action_areas.set(ActionArea.objects.filter(code__in=["access", "adoption"]))
    both.countries.set(Country.objects.filter(iso3__in=["RWA", "FRA"]))
    kenya = _published_need(entity, title="Backhaul in Kenya")
    kenya.countries.set([Country.objects.get(iso3="KEN")])
    with django_assert_max_num_queries(12):
        page = anonymous.get("/en/needs/?area=access&area=adoption&region=africa")
    assert page.context["page"].paginator.count == 2
    facets = {facet["name"]: {v["value"]: v["count"] for v in facet["values"]}
              for facet in page.context["facets"]}
    assert facets["state"] == {"open": 2}
    assert facets["country"] == {"RWA": 1, "KEN": 1, "FRA": 1}
    assert facets["region"]["europe"] == 1 and facets["region"]["africa"] == 2
    assert "Backhaul in Kenya" in anonymous.get(
        "/en/needs/?region=africa&country=KEN").content.decode()
    with_france = anonymous.get("/en/needs/?region=africa&country=FRA")
    assert with_france.context["page"].paginator.count == 1


def test_open_data_is_safe_against_spreadsheet_formulas(entity, anonymous):
    _published_need(entity, title="=HYPERLINK(\"http://evil\")")
    csv_text = b"".join(anonymous.get("/en/needs/export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in csv_text
    json_text = b"".join(anonymous.get("/en/needs/export.json").streaming_content).decode()
    assert "HYPERLINK" in json_text


def test_emails_of_a_transition_are_sent_once_even_when_delivered_twice(
    entity, entity_admin, secretariat, django_capture_on_commit_callbacks
):
    need = NeedFactory(entity=entity, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.need_transition(need_id=need.pk, name="publish", actor=secretariat)
    email = OutboundEmail.objects.get(to=[entity_admin.email])
    email_deliver(email_id=email.pk)
    email_deliver(email_id=email.pk)
    assert len([m for m in mail.outbox if m.to == [entity_admin.email]]) == 1

