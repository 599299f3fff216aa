"""The change-request dialogue: the secretariat's request is shown on every edit section and on
the review page; resubmitting takes an optional answer, which reaches the secretariat by email
and on the desk, next to a field-by-field list of what changed since the request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from action_areas.models import Country
from pledges.models import Pledge, PledgeStatusChange
from tests.factories import PledgeFactory
from tests.pledges.test_member_form import post_section
from tests.pledges.test_review_desk import ADMIN

pytestmark = pytest.mark.django_db

S = Pledge.Status
REQUEST = "Lower the amount to what is budgeted, and add Kenya."


@pytest.fixture
def sent_back(entity, secretariat_client, django_capture_on_commit_callbacks):
    pledge = PledgeFactory(entity=entity, submitted=True, financial=True,
                           title="Fibre for Kigali")
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            f"{ADMIN}{pledge.pk}/transition/request_changes/",
            {"message": REQUEST, "expected_status": "submitted"},
        )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == S.CHANGES_REQUESTED
    return pledge


@pytest.mark.parametrize("section", ["basics", "details", "areas", "geography", "targets",
                                     "partners"])
def test_every_edit_section_shows_the_request(section, member_client, sent_back):
    html = member_client.get(f"/en/my-pledges/{sent_back.pk}/edit/{section}/").content.decode()
    assert "The secretariat asked for changes on" in html
    assert REQUEST in html


def test_a_draft_never_sent_back_shows_no_request(member_client, entity):
    pledge = PledgeFactory(entity=entity)
    html = member_client.get(f"/en/my-pledges/{pledge.pk}/edit/basics/").content.decode()
    assert "The secretariat asked for changes" not in html


def test_the_member_answers_and_the_desk_shows_the_answer_and_what_changed(
    member_client, sent_back, secretariat_client, mailoutbox, django_capture_on_commit_callbacks
):
    review = member_client.get(f"/en/my-pledges/{sent_back.pk}/review/").content.decode()
    assert REQUEST in review and "Your answer to the secretariat (optional)" in review
    details = {"amount": "750,000", "currency": "USD", "modality": "grant"}
    assert post_section(member_client, sent_back, "details", details).status_code == 302
    kenya, rwanda = Country.objects.get(iso3="KEN"), Country.objects.get(iso3="RWA")
    geography = {"countries": [rwanda.pk, kenya.pk]}
    assert post_section(member_client, sent_back, "geography", geography).status_code == 302
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(f"/en/my-pledges/{sent_back.pk}/submit/", {
            "expected_status": "changes_requested",
            "answer": "Budget confirmed at 750,000; Kenya added.",
        })
    assert response.status_code == 302
    sent_back.refresh_from_db()
    assert sent_back.status == S.SUBMITTED
    answer = PledgeStatusChange.objects.filter(pledge=sent_back).first()
    assert answer.message == "Budget confirmed at 750,000; Kenya added."
    [to_secretariat] = [m for m in mailoutbox if "resubmitted" in m.subject]
    assert "Budget confirmed at 750,000; Kenya added." in to_secretariat.body

    desk = secretariat_client.get(f"{ADMIN}{sent_back.pk}/change/")
    dialogue = desk.context["review"]["change_dialogue"]
    assert dialogue["request"].message == REQUEST
    changes = {change.label: (change.before, change.after) for change in dialogue["changes"]}
    assert changes["Amount"] == ("1,000,000", "750,000")
    assert changes["Countries"] == ("Rwanda", "Kenya; Rwanda") or changes["Countries"] == (
        "Rwanda", "Rwanda; Kenya")
    assert set(changes) == {"Amount", "Countries"}
    html = desk.content.decode()
    assert "Changes requested and the answer" in html
    assert "Budget confirmed at 750,000; Kenya added." in html


def test_the_answer_is_optional_and_its_length_is_checked(
    member_client, sent_back, django_capture_on_commit_callbacks
):
    too_long = "x" * 2001
    response = member_client.post(f"/en/my-pledges/{sent_back.pk}/submit/", {
        "expected_status": "changes_requested", "answer": too_long,
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 2000 characters" in html
    assert too_long in html  # what was typed is shown again, not lost
    sent_back.refresh_from_db()
    assert sent_back.status == S.CHANGES_REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(f"/en/my-pledges/{sent_back.pk}/submit/",
                           {"expected_status": "changes_requested"})
    sent_back.refresh_from_db()
    assert sent_back.status == S.SUBMITTED


def test_the_dialogue_reads_a_fixed_number_of_queries(member_client, sent_back,
                                                     secretariat_client):
    """As many queries with one changed country as with forty (one query per kind of name)."""
    url = f"{ADMIN}{sent_back.pk}/change/"

    def queries_after_choosing(country_ids) -> int:
        post_section(member_client, sent_back, "geography", {"countries": country_ids})
        secretariat_client.get(url)  # the session and the caches warmed alike
        with CaptureQueriesContext(connection) as queries:
            response = secretariat_client.get(url)
        assert response.context["review"]["change_dialogue"]["changes"]
        return len(queries)

    ids = list(Country.objects.exclude(iso3="RWA").values_list("pk", flat=True)[:40])
    assert queries_after_choosing(ids[:1]) == queries_after_choosing(ids)
