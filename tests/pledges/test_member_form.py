"""Writing a pledge: sections that save drafts even when incomplete, nothing typed ever lost,
completeness on submission, conflicts, replays, query counts."""

import datetime

import pytest
from django.test import Client

from action_areas.models import ActionArea, Country
from pledges import services
from pledges.models import Pledge, PledgeStatusChange, Target
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


def edit_url(pledge, section):
    return f"/en/my-pledges/{pledge.pk}/edit/{section}/"


def post_section(client, pledge, section, data, **extra):
    pledge.refresh_from_db()
    return client.post(edit_url(pledge, section), {"version": pledge.version, **data}, **extra)


@pytest.fixture
def draft(member, member_client, entity):
    """An empty draft, as older drafts are (the new-pledge page creates one only with its
    basics: tests/pledges/test_new_pledge.py)."""
    return services.pledge_create(user=member, entity_id=entity.pk)


def fill_everything(client, pledge, pledge_type="financial", details=None):
    basics = {
        "title": "Connect 500 schools in Rwanda", "summary": "Broadband for rural schools.",
        "description": "Fibre and satellite.", "pledge_type": pledge_type,
        "start_date": "2022-06-06", "end_date": "2025-12-31",
    }
    assert post_section(client, pledge, "basics", basics).status_code == 302
    details = details or {"amount": "USD 1,000,000", "currency": "USD", "modality": "grant"}
    assert post_section(client, pledge, "details", details).status_code == 302
    access = ActionArea.objects.get(code="access")
    assert post_section(client, pledge, "areas", {"action_areas": [access.pk]}).status_code == 302
    rwanda = Country.objects.get(iso3="RWA")
    assert post_section(client, pledge, "geography", {"countries": [rwanda.pk]}).status_code == 302
    targets = {
        "targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "0",
        "targets-0-indicator": "Schools connected", "targets-0-unit": "schools",
        "targets-0-baseline": "0", "targets-0-target_value": "500",
        "targets-0-target_date": "2025-06-30",
    }
    assert post_section(client, pledge, "targets", targets).status_code == 302
    partners = {"contact_name": "Jean Contact", "contact_email": "jean@example.org"}
    assert post_section(client, pledge, "partners", partners).status_code == 302


def test_a_member_writes_and_submits_a_financial_pledge(
    member, member_client, draft, mailoutbox, django_capture_on_commit_callbacks
):
    fill_everything(member_client, draft)
    draft.refresh_from_db()
    assert (draft.amount, draft.currency, draft.usd_amount) == (1000000, "USD", 1000000)
    review = member_client.get(f"/en/my-pledges/{draft.pk}/review/").content.decode()
    assert "Connect 500 schools in Rwanda" in review and "missing" not in review
    assert "jean@example.org" not in review  # the contact is private, even on the preview
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(f"/en/my-pledges/{draft.pk}/submit/",
                                      {"expected_status": "draft"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.reference.startswith("P2C-")
    assert {m.to[0] for m in mailoutbox} == {member.email, "admin@minict.example.org",
                                              "secretariat@p2c.example.org"}
    # A double click / replayed POST: one submission, one email.
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(f"/en/my-pledges/{draft.pk}/submit/", {"expected_status": "draft"})
    assert PledgeStatusChange.objects.filter(pledge=draft).count() == 1
    assert len(mailoutbox) == 3


@pytest.mark.parametrize(
    ("pledge_type", "details", "saved"),
    [
        ("policy", {"policy_instrument": "law", "policy_stage": "adopted",
                    "jurisdiction": "Rwanda"}, {"policy_instrument": "law"}),
        ("advocacy", {"advocacy_activities": ["research", "event"], "audience": "Regulators"},
         {"advocacy_activities": ["research", "event"]}),
        ("programme", {"programme_kind": "expansion", "people_to_reach": "250000"},
         {"people_to_reach": 250000}),
    ],
)
def test_every_type_saves_its_own_details(member_client, draft, pledge_type, details, saved):
    fill_everything(member_client, draft, pledge_type, details)
    draft.refresh_from_db()
    for field, value in saved.items():
        assert getattr(draft, field) == value
    response = member_client.post(f"/en/my-pledges/{draft.pk}/submit/",
                                  {"expected_status": "draft"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0", "currency": "USD"}, "amount", "more than zero"),
        ({"amount": "-5", "currency": "USD"}, "amount", "more than zero"),
        ({"amount": "10000000000001", "currency": "USD"}, "amount", "check the number of zeros"),
        ({"amount": "a lot", "currency": "USD"}, "amount", "“a lot” is not a number"),
        ({"amount": "1000", "currency": "ABC"}, "currency", "Select a valid choice"),
        ({"amount": "1000", "currency": ""}, "currency", "Choose the currency"),
    ],
)
def test_bad_financial_details_get_a_specific_error_and_the_rest_is_saved(
    member_client, draft, data, field, message
):
    post_section(member_client, draft, "basics", {"title": "Fund", "pledge_type": "financial"})
    response = post_section(member_client, draft, "details", {"modality": "loan", **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    draft.refresh_from_db()
    assert draft.modality == "loan"  # the valid part of the section was saved
    # What was typed is kept and shown again on the next visit, even after logging out.
    page = member_client.get(edit_url(draft, "details"))
    assert f'value="{data["amount"]}"' in page.content.decode()
    assert field in page.context["form"].errors


def test_end_before_start_and_text_over_limits_are_refused_but_typed_text_is_kept(
    member_client, draft
):
    response = post_section(member_client, draft, "basics", {
        "title": "T" * 201, "summary": "<script>alert('x')</script>", "start_date": "2025-01-01",
        "end_date": "2024-01-01", "pledge_type": "policy",
    })
    form = response.context["form"]
    assert "at most 200 characters" in " ".join(form.errors["title"])
    assert "end date is before the start date" in " ".join(form.errors["end_date"])
    draft.refresh_from_db()
    assert draft.summary == "<script>alert('x')</script>"  # stored as text
    assert draft.pledge_type == "policy"
    html = member_client.get(edit_url(draft, "basics")).content.decode()
    assert "T" * 201 in html
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_targets_are_validated_and_can_be_added_and_removed(member_client, draft):
    post_section(member_client, draft, "basics",
                 {"start_date": "2022-01-01", "end_date": "2024-12-31"})
    bad = {
        "targets-TOTAL_FORMS": "2", "targets-INITIAL_FORMS": "0",
        "targets-0-indicator": "People trained", "targets-0-unit": "people",
        "targets-0-target_value": "", "targets-0-target_date": "2024-01-01",
        "targets-1-indicator": "Towers", "targets-1-unit": "towers",
        "targets-1-target_value": "30", "targets-1-target_date": "2030-01-01",
    }
    response = post_section(member_client, draft, "targets", bad)
    errors = [f.errors for f in response.context["form"].forms]
    assert "Give the value this target will reach." in errors[0]["target_value"]
    assert "after the pledge ends" in " ".join(errors[1]["target_date"])
    assert "People trained" in member_client.get(edit_url(draft, "targets")).content.decode()
    good = {**bad, "targets-0-target_value": "1000", "targets-1-target_date": "2024-06-01",
            "add_target": "1"}
    post_section(member_client, draft, "targets", good)
    assert list(Target.objects.filter(pledge=draft).values_list("indicator", flat=True)) == [
        "People trained", "Towers"]
    page = member_client.get(edit_url(draft, "targets"))
    assert page.context["form"].total_form_count() == 3  # one empty row to add another
    remove = {**good, "targets-1-DELETE": "on"}
    remove.pop("add_target")
    response = post_section(member_client, draft, "targets", remove)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["form"].forms]
    assert list(Target.objects.filter(pledge=draft).values_list("indicator", flat=True)) == [
        "People trained"]


def test_too_many_countries_or_targets_are_refused(member_client, draft):
    countries = list(Country.objects.values_list("pk", flat=True)[:61])
    response = post_section(member_client, draft, "geography", {"countries": countries})
    assert "at most 60 countries" in " ".join(response.context["form"].errors["countries"])
    draft.refresh_from_db()
    assert draft.countries.count() == 0
    rows = {"targets-TOTAL_FORMS": "25", "targets-INITIAL_FORMS": "0"}
    for i in range(25):
        rows.update({f"targets-{i}-indicator": "x", f"targets-{i}-unit": "u",
                     f"targets-{i}-target_value": "1", f"targets-{i}-target_date": "2025-01-01"})
    response = post_section(member_client, draft, "targets", rows)
    assert response.status_code == 200
    assert Target.objects.filter(pledge=draft).count() == 0


def test_submit_lists_exactly_what_is_missing_with_links(member_client, draft):
    post_section(member_client, draft, "basics", {"title": "Half a pledge"})
    response = member_client.post(f"/en/my-pledges/{draft.pk}/submit/",
                                  {"expected_status": "draft"})
    assert response.status_code == 400
    html = response.content.decode()
    for link, text in [
        ("edit/basics/#id_summary", "Write a one-paragraph summary."),
        ("edit/basics/#id_pledge_type", "Choose the type of pledge."),
        ("edit/areas/#id_action_areas", "Choose at least one action area."),
        ("edit/targets/#id_targets", "Add at least one quantified target."),
    ]:
        assert link in html and text in html
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_two_editors_later_save_is_refused_and_nothing_is_overwritten(
    entity, member, member_client, entity_admin_client, draft
):
    draft.refresh_from_db()
    stale_version = draft.version
    post_section(entity_admin_client, draft, "basics", {"title": "The admin's title"})
    response = member_client.post(edit_url(draft, "basics"),
                                  {"version": stale_version, "title": "The editor's title"})
    assert response.status_code == 409
    assert "Someone else saved this pledge" in response.content.decode()
    assert "The editor&#x27;s title" in response.content.decode()  # still on screen
    draft.refresh_from_db()
    assert draft.title == "The admin's title"


def test_typed_input_survives_an_expired_session(member, draft):
    browser = Client()
    browser.force_login(member)
    draft.refresh_from_db()
    browser.logout()  # the session expires while the person is typing
    response = browser.post(edit_url(draft, "basics"),
                            {"version": draft.version, "title": "Typed before the timeout"})
    assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"]
    browser.force_login(member)
    page = browser.get(edit_url(draft, "basics"), follow=True)
    assert "what you typed has been kept" in page.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Typed before the timeout"


def test_published_pledge_is_read_only_but_can_be_withdrawn(
    entity, member_client, mailoutbox, django_capture_on_commit_callbacks
):
    pledge = PledgeFactory(entity=entity, published=True)
    response = member_client.get(edit_url(pledge, "basics"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/en/my-pledges/{pledge.pk}/"
    response = member_client.post(edit_url(pledge, "basics"), {"version": 1, "title": "Hacked"})
    pledge.refresh_from_db()
    assert pledge.title != "Hacked"
    assert "Are you sure" not in member_client.get(f"/en/my-pledges/{pledge.pk}/withdraw/")
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(f"/en/my-pledges/{pledge.pk}/withdraw/", {"message": "Budget cut"})
    pledge.refresh_from_db()
    assert pledge.status == "withdrawn"
    assert any("Budget cut" in m.body for m in mailoutbox)


@pytest.mark.parametrize("path", ["", "edit/basics/", "review/", "withdraw/", "delete/"])
def test_another_entitys_pledge_is_a_404(other_member_client, entity, path):
    pledge = PledgeFactory(entity=entity)
    assert other_member_client.get(f"/en/my-pledges/{pledge.pk}/{path}").status_code == 404
    assert other_member_client.post(f"/en/my-pledges/{pledge.pk}/submit/").status_code == 404


def test_viewers_read_but_cannot_write(viewer_client, entity):
    pledge = PledgeFactory(entity=entity)
    assert viewer_client.get(f"/en/my-pledges/{pledge.pk}/").status_code == 200
    assert viewer_client.get(edit_url(pledge, "basics")).status_code == 302
    assert viewer_client.post(f"/en/my-pledges/{pledge.pk}/submit/").status_code == 403
    viewer_client.post("/en/my-pledges/new/", {"title": "Not allowed"})
    assert Pledge.objects.filter(entity=entity).count() == 1


def test_draft_can_be_deleted_after_confirmation(member_client, draft):
    url = f"/en/my-pledges/{draft.pk}/delete/"
    assert "cannot be undone" in member_client.get(url).content.decode()
    member_client.post(url)
    assert not Pledge.objects.filter(pk=draft.pk).exists()


def test_changes_requested_shows_the_message_and_can_be_edited_and_resubmitted(
    entity, member_client, secretariat
):
    from pledges import workflow

    pledge = PledgeFactory(entity=entity, submitted=True)
    workflow.pledge_transition(pledge_id=pledge.pk, name="request_changes", actor=secretariat,
                               message="Please add a baseline to target 1.")
    listing = member_client.get("/en/my-pledges/").content.decode()
    assert "Please add a baseline to target 1." in listing
    assert post_section(member_client, pledge, "basics",
                        {"title": "Better title", "summary": pledge.summary,
                         "pledge_type": "programme", "start_date": "2022-06-01",
                         "end_date": "2026-12-31"}).status_code == 302
    member_client.post(f"/en/my-pledges/{pledge.pk}/submit/",
                       {"expected_status": "changes_requested"})
    pledge.refresh_from_db()
    assert (pledge.status, pledge.title) == ("submitted", "Better title")


def test_query_counts_of_form_pages_and_my_pledges_are_bounded(
    entity, member_client, draft, django_assert_max_num_queries
):
    for _ in range(15):
        PledgeFactory(entity=entity, submitted=True)
    with django_assert_max_num_queries(12):
        assert member_client.get("/en/my-pledges/").status_code == 200
    for section in ("basics", "details", "areas", "geography", "targets", "partners"):
        with django_assert_max_num_queries(18):
            assert member_client.get(edit_url(draft, section)).status_code == 200
    with django_assert_max_num_queries(25):
        assert member_client.get(f"/en/my-pledges/{draft.pk}/review/").status_code == 200


def test_dates_are_iso_in_the_form_widgets(member_client, draft):
    draft.start_date = datetime.date(2022, 6, 6)
    draft.save()
    assert 'value="2022-06-06"' in member_client.get(edit_url(draft, "basics")).content.decode()


def test_a_nul_character_is_refused_on_its_field_and_the_valid_fields_are_saved(
    member_client, draft
):
    """PostgreSQL refuses NUL in text and in jsonb: it used to make the whole save a 500."""
    response = post_section(member_client, draft, "basics", {
        "title": "Schools online",
        "summary": "Connect\x00 schools",
        "start_date": "2025-01-01",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "Null characters are not allowed." in html
    assert "Connect" in html  # what was typed is on screen again
    draft.refresh_from_db()
    assert draft.title == "Schools online"
    assert draft.start_date == datetime.date(2025, 1, 1)
    assert draft.unsaved_input["basics"]["summary"] == ["Connect schools"]
    assert "Connect schools" in member_client.get(edit_url(draft, "basics")).content.decode()


def test_a_nul_character_in_a_target_row_keeps_the_table_as_typed(member_client, draft):
    response = post_section(member_client, draft, "targets", {
        "targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "0",
        "targets-0-indicator": "Schools\x00 connected", "targets-0-unit": "schools",
        "targets-0-baseline": "0", "targets-0-target_value": "500",
        "targets-0-target_date": "2027-12-31",
    })
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.unsaved_input["targets"]["targets-0-indicator"] == ["Schools connected"]


def test_an_anonymous_post_keeps_only_the_forms_own_fields_and_a_bounded_size(member, draft):
    """The 'keep typed input across login' session entry is written for anyone: it must not be a
    way to store megabytes, or any field name, in the session table."""
    browser = Client()
    draft.refresh_from_db()
    browser.post(edit_url(draft, "basics"), {
        "version": draft.version, "title": "Typed before the timeout",
        "made_up_field": "x" * 1000,
    })
    kept = browser.session["pledge_pending_post"]["fields"]
    assert kept == {"version": [str(draft.version)], "title": ["Typed before the timeout"]}

    browser = Client()
    browser.post(edit_url(draft, "basics"), {"title": "x" * 2_300_000})
    assert "pledge_pending_post" not in browser.session

    browser = Client()
    for path in (edit_url(draft, "nonsense"), f"/en/my-pledges/{draft.pk + 1000}/edit/basics/"):
        response = browser.post(path, {"title": "Nowhere"})
        assert response.status_code == 302
        assert "pledge_pending_post" not in browser.session
