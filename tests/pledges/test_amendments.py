"""Amendments of published pledges: the member proposes, the public keeps seeing the published
version, the secretariat requests changes, approves or rejects on the desk (emails in each
recipient's language), and approval makes the amended version current in one transaction with
a public revision history."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import IntegrityError

from action_areas.models import Country
from pledges import amendment_workflow
from pledges.forms import AmendmentForm
from pledges.models import Pledge, PledgeAmendment, PledgeRevision, PledgeStatusChange
from tests.factories import PledgeFactory, UserFactory

pytestmark = pytest.mark.django_db

A = PledgeAmendment.Status
DESK = "/en/admin/pledges/pledgeamendment/"
REASON = "Budget revised after the mid-term review"


@pytest.fixture
def published(entity):
    pledge = PledgeFactory(entity=entity, published=True, financial=True,
                           title="Fibre for Kigali", currency="EUR",
                           amount=Decimal("5000000"), usd_amount=Decimal("5400000"))
    return pledge


def amendment_form(pledge, **changes) -> dict:
    """The amendment form as the member would post it: the current version, with `changes`."""
    target = pledge.targets.first()
    data = {
        "reason": REASON,
        "description": pledge.description,
        "start_date": pledge.start_date.isoformat(),
        "end_date": pledge.end_date.isoformat(),
        "amount": "5,000,000",
        "countries": [c.pk for c in pledge.countries.all()],
        "targets-TOTAL_FORMS": "2", "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "20",
        "targets-0-indicator": target.indicator, "targets-0-unit": target.unit,
        "targets-0-baseline": "0", "targets-0-target_value": "1,000",
        "targets-0-target_date": target.target_date.isoformat(),
        "targets-1-indicator": "", "targets-1-unit": "", "targets-1-baseline": "",
        "targets-1-target_value": "", "targets-1-target_date": "",
    }
    # The type's details, prefilled as the member's browser would send them.
    for name in AmendmentForm.TYPE_DETAILS:
        value = getattr(pledge, name)
        if value not in (None, "", []):
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    data.update(changes)
    return data


AMOUNT_DOWN_AND_A_TARGET = {
    "amount": "3,000,000",
    "targets-1-indicator": "Teachers trained", "targets-1-unit": "teachers",
    "targets-1-target_value": "500", "targets-1-target_date": "2025-12-31",
}


def propose(client, pledge, capture, **changes):
    with capture(execute=True):
        return client.post(f"/en/my-pledges/{pledge.pk}/amend/",
                           amendment_form(pledge, **{**AMOUNT_DOWN_AND_A_TARGET, **changes}))


def decide(client, amendment, name, message, capture):
    with capture(execute=True):
        return client.post(f"{DESK}{amendment.pk}/decide/{name}/",
                           {"message": message, "expected_status": amendment.status})


def test_the_form_is_prefilled_with_the_published_version(member_client, published):
    html = member_client.get(f"/en/my-pledges/{published.pk}/amend/").content.decode()
    assert "5,000,000" in html and "Schools connected" in html
    assert 'name="reason"' in html


def test_a_proposal_leaves_the_public_version_unchanged_and_tells_the_secretariat(
    member_client, anonymous, published, mailoutbox, django_capture_on_commit_callbacks
):
    response = propose(member_client, published, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    amendment = PledgeAmendment.objects.get(pledge=published)
    assert amendment.status == A.PROPOSED and amendment.reason == REASON
    assert amendment.proposed["amount"] == "3000000"
    assert len(amendment.proposed["targets"]) == 2
    published.refresh_from_db()
    assert published.amount == Decimal("5000000") and published.targets.count() == 1
    page = anonymous.get(f"/en/pledges/{published.pk}/").content.decode()
    assert "Teachers trained" not in page and "Amended on" not in page
    assert [m.subject for m in mailoutbox] == [
        f"Amendment proposed for review: {published.reference}"]
    manage = member_client.get(f"/en/my-pledges/{published.pk}/").content.decode()
    assert "Amendment under way" in manage and "Teachers trained" in manage


def test_a_reason_is_required_and_nothing_is_saved_without_it(
    member_client, published, django_capture_on_commit_callbacks
):
    response = propose(member_client, published, django_capture_on_commit_callbacks, reason=" ")
    assert response.status_code == 200  # the form again, with the error
    assert "Say briefly why the pledge is amended." in response.content.decode()
    assert not PledgeAmendment.objects.exists()


def test_an_amendment_that_changes_nothing_is_refused(
    member_client, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(f"/en/my-pledges/{published.pk}/amend/",
                                      amendment_form(published))
    assert response.status_code == 200  # the form again, with the error
    assert "Nothing was changed" in response.content.decode()
    assert not PledgeAmendment.objects.exists()


@pytest.mark.parametrize("hostile", [
    {"amount": "-5"}, {"amount": "1e400"}, {"start_date": "2026-13-45"},
    {"end_date": "2020-01-01"}, {"countries": ["999999999"]}, {"reason": "x" * 301},
    {"targets-0-target_value": "NaN"}, {"targets-TOTAL_FORMS": "5000"},
])
def test_hostile_input_is_refused_with_nothing_saved(
    hostile, member_client, published, django_capture_on_commit_callbacks
):
    response = propose(member_client, published, django_capture_on_commit_callbacks, **hostile)
    assert response.status_code == 200  # the form again, with the error
    html = response.content.decode()
    assert 'id="form-errors"' in html or 'id="amendment-error"' in html
    assert not PledgeAmendment.objects.exists()


def test_one_amendment_under_way_at_a_time(member, published):
    values = {"amount": Decimal("3000000")}
    amendment_workflow.amendment_propose(user=member, pledge_id=published.pk, values=values,
                                         reason=REASON)
    with pytest.raises(amendment_workflow.AmendmentError):
        amendment_workflow.amendment_propose(user=member, pledge_id=published.pk,
                                             values=values, reason=REASON)
    with pytest.raises(IntegrityError):  # the database says so too
        PledgeAmendment.objects.create(pledge=published, entity=published.entity, reason="x")


def test_only_writers_of_the_entity_may_propose_and_only_on_a_published_pledge(
    viewer, other_member, member, entity
):
    draft = PledgeFactory(entity=entity)
    published = PledgeFactory(entity=entity, published=True)
    values = {"people_to_reach": 1}
    for user, pledge in [(viewer, published), (other_member, published), (member, draft)]:
        with pytest.raises(amendment_workflow.permissions.PermissionDenied):
            amendment_workflow.amendment_propose(user=user, pledge_id=pledge.pk, values=values,
                                                 reason=REASON)


def test_the_whole_dialogue_ends_with_the_amended_version_public_with_its_history(
    member_client, secretariat_client, anonymous, published, mailoutbox, entity_admin,
    django_capture_on_commit_callbacks,
):
    entity_admin.preferred_language = "fr"
    entity_admin.save()
    capture = django_capture_on_commit_callbacks
    propose(member_client, published, capture)
    amendment = PledgeAmendment.objects.get()
    desk = secretariat_client.get(f"{DESK}{amendment.pk}/change/").content.decode()
    assert "What the amendment changes" in desk and "Teachers trained" in desk
    assert "3,000,000" in desk and "5,000,000" in desk
    mailoutbox.clear()
    assert decide(secretariat_client, amendment, "request_changes",
                  "Keep Rwanda's target date.", capture).status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == A.CHANGES_REQUESTED
    # To the entity's administrator, in her language.
    assert [(m.to, m.subject) for m in mailoutbox] == [(
        [entity_admin.email],
        f"Modifications demandées pour l’amendement de l’engagement {published.reference}",
    )]
    # The member answers from the same form, prefilled with the amendment.
    form = member_client.get(f"/en/my-pledges/{published.pk}/amend/").content.decode()
    assert "Keep Rwanda" in form and "Teachers trained" in form
    assert "Your answer to the secretariat (optional)" in form
    response = propose(member_client, published, capture, answer="Done, thank you.")
    assert response.status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == A.PROPOSED and amendment.answer == "Done, thank you."
    assert anonymous.get(f"/en/pledges/{published.pk}/").content.decode().count(
        "Teachers trained") == 0
    assert decide(secretariat_client, amendment, "approve", "Thank you.",
                  capture).status_code == 302
    amendment.refresh_from_db()
    published.refresh_from_db()
    assert amendment.status == A.APPROVED
    assert published.amount == Decimal("3000000")
    assert published.usd_amount == Decimal("3000000") * published.usd_amount / Decimal("3000000")
    assert published.targets.count() == 2
    assert published.status == Pledge.Status.PUBLISHED
    revision = PledgeRevision.objects.get(pledge=published)
    assert {c["field"] for c in revision.changes} == {"amount", "targets"}
    assert PledgeStatusChange.objects.filter(pledge=published,
                                             message__contains=REASON).exists()
    cache.clear()  # the public page is cached up to a minute (pledges.views.public)
    page = anonymous.get(f"/en/pledges/{published.pk}/").content.decode()
    assert "Amended on" in page and "Revision history" in page and REASON in page
    assert "Amount: <bdi>€5,000,000</bdi> → <bdi>€3,000,000</bdi>" in page
    assert "Target added" in page and "Teachers trained" in page
    french = anonymous.get(f"/fr/pledges/{published.pk}/").content.decode()
    assert "5 000 000" in french.replace("\u202f", " ").replace("\xa0", " ")


def test_approval_is_one_transaction(member, secretariat, published, monkeypatch):
    amendment = amendment_workflow.amendment_propose(
        user=member, pledge_id=published.pk, values={"amount": Decimal("3000000")},
        reason=REASON)

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(amendment_workflow.PledgeRevision.objects, "create", broken)
    with pytest.raises(RuntimeError):
        amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                                actor=secretariat, message="OK")
    published.refresh_from_db()
    amendment.refresh_from_db()
    assert published.amount == Decimal("5000000") and amendment.status == A.PROPOSED
    assert not PledgeRevision.objects.exists()


def test_a_decision_needs_a_message_and_happens_once(
    member, secretariat, published, secretariat_client, django_capture_on_commit_callbacks
):
    amendment = amendment_workflow.amendment_propose(
        user=member, pledge_id=published.pk, values={"amount": Decimal("3000000")},
        reason=REASON)
    response = decide(secretariat_client, amendment, "approve", "",
                      django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert decide(secretariat_client, amendment, "approve", "OK",
                  django_capture_on_commit_callbacks).status_code == 302
    # The same click again (a resent form): nothing happens twice.
    decide(secretariat_client, amendment, "approve", "OK", django_capture_on_commit_callbacks)
    assert PledgeRevision.objects.count() == 1


def test_rejection_and_withdrawal_leave_the_pledge_as_published(
    member, member_client, secretariat, published, django_capture_on_commit_callbacks,
    mailoutbox,
):
    amendment = amendment_workflow.amendment_propose(
        user=member, pledge_id=published.pk, values={"amount": Decimal("3000000")},
        reason=REASON)
    with django_capture_on_commit_callbacks(execute=True):
        amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="reject",
                                                actor=secretariat, message="Not justified.")
    assert any("Amendment not approved" in m.subject for m in mailoutbox)
    second = amendment_workflow.amendment_propose(
        user=member, pledge_id=published.pk, values={"amount": Decimal("2000000")},
        reason=REASON)
    response = member_client.post(
        f"/en/my-pledges/{published.pk}/amendments/{second.pk}/withdraw/")
    assert response.status_code == 302
    second.refresh_from_db()
    published.refresh_from_db()
    assert second.status == A.WITHDRAWN and published.amount == Decimal("5000000")
    assert not PledgeRevision.objects.exists()


def test_the_desk_lists_amendments_awaiting_review(member, secretariat_client, published):
    amendment_workflow.amendment_propose(
        user=member, pledge_id=published.pk, values={"amount": Decimal("3000000")},
        reason=REASON)
    home = secretariat_client.get("/en/admin/").content.decode()
    assert "Pledge amendments awaiting review" in home
    listing = secretariat_client.get(f"{DESK}?status__exact=proposed").content.decode()
    assert published.reference in listing


def _approved_revision(pledge, secretariat, number: int) -> None:
    owner = UserFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(user=owner, entity=pledge.entity, role="editor")
    kenya = Country.objects.get(iso3="KEN")
    amendment = amendment_workflow.amendment_propose(
        user=owner, pledge_id=pledge.pk,
        values={"amount": Decimal(1000000 + number), "countries": [kenya] if number % 2 else [],
                "end_date": datetime.date(2027, 1, number + 1)},
        reason=f"Revision {number}")
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="OK")


def test_the_public_page_queries_do_not_grow_with_the_number_of_revisions(
    anonymous, published, secretariat, django_assert_max_num_queries
):
    _approved_revision(published, secretariat, 1)
    cache.clear()  # the page is cached for anonymous visitors: count a cold page each time
    with django_assert_max_num_queries(50) as one:
        anonymous.get(f"/en/pledges/{published.pk}/")
    for number in range(2, 8):
        _approved_revision(published, secretariat, number)
    cache.clear()
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = anonymous.get(f"/en/pledges/{published.pk}/").content.decode()
    assert page.count("Reason: <bdi>Revision ") == 7, page[page.find("Revision history"):][:1500]


def test_an_approved_amendment_keeps_each_targets_catalogue_indicator(
    member_client, secretariat_client, published, django_capture_on_commit_callbacks,
):
    """The targets are written again on approval: one mapped to the catalogue must stay mapped,
    or the pledge silently stops counting toward the goals of that indicator."""
    from action_areas.models import Indicator

    capture = django_capture_on_commit_callbacks
    indicator = Indicator.objects.order_by("position", "pk").first()
    target = published.targets.first()
    target.catalogue_indicator = indicator
    target.save()
    form = member_client.get(f"/en/my-pledges/{published.pk}/amend/").content.decode()
    assert f'<option value="{indicator.pk}" selected>' in form  # prefilled with the mapping
    propose(member_client, published, capture,
            **{"targets-0-catalogue_indicator": str(indicator.pk)})
    amendment = PledgeAmendment.objects.get()
    assert amendment.proposed["targets"][0]["catalogue_indicator"] == indicator.pk
    assert decide(secretariat_client, amendment, "approve", "Approved.", capture
                  ).status_code == 302
    published.refresh_from_db()
    assert published.amount == Decimal("3000000")
    assert published.targets.filter(catalogue_indicator=indicator).count() == 1
    assert published.targets.get(indicator="Teachers trained").catalogue_indicator_id is None


def test_progress_reported_on_a_target_stays_attached_when_an_amendment_changes_it(
    member, secretariat, published,
):
    """Approval updates a kept target in place: the progress filed on it still counts as
    achieved on that target (goals, the public timeline); a new target is created beside it."""
    from reporting.models import TargetProgress
    from tests.reporting.cycles import file_report, make_cycle

    kept = published.targets.first()
    report = file_report(published, make_cycle(), achieved=("450",))
    rows = [
        {"catalogue_indicator": kept.catalogue_indicator, "indicator": kept.indicator,
         "unit": kept.unit, "baseline": kept.baseline, "target_value": Decimal("2000"),
         "target_date": kept.target_date},
        {"catalogue_indicator": None, "indicator": "Teachers trained", "unit": "teachers",
         "baseline": Decimal("0"), "target_value": Decimal("500"),
         "target_date": datetime.date(2025, 12, 31)},
    ]
    amendment = amendment_workflow.amendment_propose(
        user=member, pledge_id=published.pk, values={"targets": rows}, reason=REASON)
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="Approved.")
    kept.refresh_from_db()
    assert kept.target_value == Decimal("2000")
    progress = TargetProgress.objects.get(report=report)
    assert progress.target_id == kept.pk and progress.achieved_value == Decimal("450")
    assert list(published.targets.values_list("indicator", flat=True)) == [
        kept.indicator, "Teachers trained"]


def test_a_policy_pledge_amends_its_type_details_and_the_history_says_so(
    member_client, secretariat, anonymous, entity, django_capture_on_commit_callbacks,
):
    """Type details are a section an amendment may change: a law moves from proposed to
    adopted, and the public history shows it in words."""
    pledge = PledgeFactory(entity=entity, published=True, pledge_type="policy",
                           policy_instrument="law", policy_stage="proposed",
                           jurisdiction="Rwanda", title="Digital inclusion act")
    form = member_client.get(f"/en/my-pledges/{pledge.pk}/amend/").content.decode()
    assert 'name="policy_stage"' in form and 'name="amount"' not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            f"/en/my-pledges/{pledge.pk}/amend/",
            amendment_form(pledge, policy_instrument="law", policy_stage="adopted",
                           jurisdiction="Rwanda"))
    assert response.status_code == 302
    amendment = PledgeAmendment.objects.get(pledge=pledge)
    amendment_workflow.amendment_transition(amendment_id=amendment.pk, name="approve",
                                            actor=secretariat, message="Approved.")
    pledge.refresh_from_db()
    assert pledge.policy_stage == "adopted" and pledge.policy_instrument == "law"
    cache.clear()
    page = anonymous.get(f"/en/pledges/{pledge.pk}/").content.decode()
    assert "Revision history" in page and "Adopted" in page


def test_the_countries_name_their_groupings_by_the_languages_acronyms(member_client, published):
    rwanda = Country.objects.get(iso3="RWA")
    published.countries.add(rwanda)
    form = member_client.get(f"/fr/my-pledges/{published.pk}/amend/").content.decode()
    assert "Rwanda (PMA, PDSL)" in form and "(LDC" not in form
