"""The secretariat reviews pledges in the Django admin: queue, counters, filters, decisions with
their emails and audit rows, bulk publish, field history, and the version guard on admin saves."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from action_areas.models import ActionArea, Country, Pillar
from pledges import services, workflow
from pledges.models import Pledge, PledgeStatusChange
from tests.factories import (
    EntityFactory,
    EventFactory,
    MembershipFactory,
    PledgeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = Pledge.Status
ADMIN = "/en/admin/pledges/pledge/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- The Secretariat group ------------------------------------------------------------------------

DESK_PERMISSIONS = {
    "pledges.review_pledge", "pledges.view_pledge", "pledges.change_pledge",
    "pledges.view_historicalpledge", "pledges.view_pledgestatuschange", "pledges.view_target",
    "pledges.import_pledge", "pledges.export_pledge",
    "members.vet_entity", "members.view_entity", "members.change_entity",
    "members.view_historicalentity", "members.import_entity", "members.export_entity",
}


def test_the_secretariat_group_holds_what_the_desk_needs(secretariat, staff_outsider):
    group = Group.objects.get(name="Secretariat")
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert held >= DESK_PERMISSIONS
    assert not any(p.startswith(("pledges.delete_", "members.delete_")) for p in held)
    assert not secretariat.is_superuser
    assert all(secretariat.has_perm(p) for p in DESK_PERMISSIONS)
    assert not any(staff_outsider.has_perm(p) for p in DESK_PERMISSIONS)


@pytest.mark.parametrize(
    "url",
    [
        ADMIN,
        ADMIN + "{pk}/change/",
        ADMIN + "{pk}/history/",
        ADMIN + "{pk}/transition/publish/",
        ADMIN + "import/",
        ADMIN + "export/",
        "/en/admin/members/entity/",
        "/en/admin/members/entity/import/",
        "/en/admin/members/entity/export/",
    ],
)
@pytest.mark.parametrize(("persona", "expected"), [("secretariat", 200), ("staff_outsider", 403)])
def test_permission_matrix(url, persona, expected, request):
    user = request.getfixturevalue(persona)
    pledge = PledgeFactory(submitted=True)
    response = client_for(user).get(url.format(pk=pledge.pk))
    assert response.status_code == expected


def test_staff_outside_the_group_cannot_decide(staff_outsider, mailoutbox):
    pledge = PledgeFactory(submitted=True)
    client = client_for(staff_outsider)
    for name in ("publish", "request_changes", "reject"):
        response = client.post(f"{ADMIN}{pledge.pk}/transition/{name}/",
                               {"message": "x", "expected_status": "submitted"})
        assert response.status_code == 403
    response = client.post(ADMIN, {"action": "publish_selected", "_selected_action": [pledge.pk],
                                   "confirm": "yes"})
    assert response.status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == S.SUBMITTED
    assert mailoutbox == []


def test_member_transitions_are_not_offered_to_the_secretariat(secretariat_client):
    pledge = PledgeFactory(submitted=True)
    response = secretariat_client.get(f"{ADMIN}{pledge.pk}/transition/withdraw/")
    assert response.status_code == 403


# --- Queue and counters ---------------------------------------------------------------------------


def test_queue_lists_submitted_pledges_oldest_first(secretariat_client):
    now = timezone.now()
    PledgeFactory(published=True, title="Published already")
    newer = PledgeFactory(submitted=True, title="Newer", submitted_at=now)
    older = PledgeFactory(submitted=True, title="Older",
                          submitted_at=now - datetime.timedelta(days=5))
    PledgeFactory(title="A draft")
    response = secretariat_client.get(ADMIN)
    titles = [p.title for p in response.context["cl"].result_list]
    assert titles[:2] == [older.title, newer.title]
    queue = secretariat_client.get(ADMIN + "?status__exact=submitted")
    assert [p.title for p in queue.context["cl"].result_list] == [older.title, newer.title]


def request_changes_on(pledge, actor, when):
    pledge.status = S.CHANGES_REQUESTED
    pledge.save()
    PledgeStatusChange.objects.create(pledge=pledge, actor=actor, from_status=S.SUBMITTED,
                                      to_status=S.CHANGES_REQUESTED, message="Fix.",
                                      created_at=when)


def test_admin_home_counts_what_awaits_the_secretariat(secretariat, secretariat_client):
    now = timezone.now()
    PledgeFactory.create_batch(3, submitted=True)
    stale = PledgeFactory(submitted=True)
    request_changes_on(stale, secretariat, now - datetime.timedelta(days=15))
    recent = PledgeFactory(submitted=True)
    request_changes_on(recent, secretariat, now - datetime.timedelta(days=2))
    EntityFactory.create_batch(2, applied=True)
    html = secretariat_client.get("/en/admin/").content.decode()
    assert 'id="review-desk"' in html
    from pledges.desk_selectors import review_desk_counts

    counts = {str(c["label"]): c["count"] for c in review_desk_counts(secretariat)}
    assert counts == {
        "Pledges awaiting review": 3,
        "Pledges assigned to me, awaiting review": 0,
        "Pledge amendments awaiting review": 0,
        "Changes requested, no answer for more than 14 days": 1,
        "Entity applications awaiting vetting": 2,
        "Entity applications assigned to me, awaiting vetting": 0,
    }
    listed = secretariat_client.get(ADMIN + "?waiting=stale")
    assert [p.pk for p in listed.context["cl"].result_list] == [stale.pk]
    for count in counts.values():
        assert f'<td class="review-desk-count">{count}</td>' in html


def test_staff_outside_the_group_see_no_counters(staff_outsider):
    html = client_for(staff_outsider).get("/en/admin/").content.decode()
    assert 'id="review-desk"' not in html


# --- Filters and search ---------------------------------------------------------------------------


def listed(client, query) -> set[str]:
    response = client.get(ADMIN + query)
    assert response.status_code == 200
    return {p.title for p in response.context["cl"].result_list}


def test_every_filter_and_the_search(secretariat_client):
    event = EventFactory(slug="kigali")
    access, adoption = ActionArea.objects.get(code="access"), ActionArea.objects.get(
        code="adoption")
    skills = Pillar.objects.get(code="skills")
    rwanda, france = Country.objects.get(iso3="RWA"), Country.objects.get(iso3="FRA")
    company = EntityFactory(name="Connect Corp", acronym="CC", stakeholder_group="private_sector")
    a = PledgeFactory(title="Alpha", submitted=True, financial=True, event=event, entity=company,
                      first_submitted_at=timezone.now().replace(year=2022))
    a.action_areas.set([access])
    a.countries.set([rwanda])
    b = PledgeFactory(title="Bravo", published=True, is_global=True, with_defaults=False)
    b.action_areas.set([adoption])
    b.pillars.set([skills])
    c = PledgeFactory(title="Charlie", submitted=True)
    c.countries.set([france])
    assert listed(secretariat_client, "?status__exact=published") == {"Bravo"}
    assert listed(secretariat_client, "?pledge_type__exact=financial") == {"Alpha"}
    assert listed(secretariat_client, f"?action_areas__id__exact={adoption.pk}") == {"Bravo"}
    assert listed(secretariat_client, f"?pillars__id__exact={skills.pk}") == {"Bravo"}
    assert listed(secretariat_client,
                  "?entity__stakeholder_group__exact=private_sector") == {"Alpha"}
    assert listed(secretariat_client, "?region=africa") == {"Alpha"}
    assert listed(secretariat_client, "?region=europe") == {"Charlie"}
    assert listed(secretariat_client, "?region=global") == {"Bravo"}
    assert listed(secretariat_client, "?targets=LDC") == {"Alpha"}
    assert listed(secretariat_client, "?targets=SIDS") == set()
    assert listed(secretariat_client, f"?event__id__exact={event.pk}") == {"Alpha"}
    assert listed(secretariat_client, "?submitted=2022") == {"Alpha"}
    assert listed(secretariat_client, f"?q={a.reference}") == {"Alpha"}
    assert listed(secretariat_client, "?q=charl") == {"Charlie"}
    assert listed(secretariat_client, "?q=connect+corp") == {"Alpha"}
    assert listed(secretariat_client, "?q=CC") >= {"Alpha"}


def test_country_grouping_filter_uses_todays_groupings(secretariat_client):
    import time_machine

    bhutan = Country.objects.get(iso3="BTN")  # graduated from LDC status on 13 December 2023
    pledge = PledgeFactory(title="Bhutan", submitted=True)
    pledge.countries.set([bhutan])
    with time_machine.travel(datetime.datetime(2023, 6, 1, tzinfo=datetime.UTC)):
        assert listed(secretariat_client, "?targets=LDC") == {"Bhutan"}
    with time_machine.travel(datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)):
        assert listed(secretariat_client, "?targets=LDC") == set()


def test_admin_list_query_count_does_not_grow_with_the_list(
    secretariat_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = EventFactory()

    def queries_for_a_page_of(count):
        while Pledge.objects.count() < count:
            PledgeFactory(submitted=True, event=event, entity=EntityFactory())
        with CaptureQueriesContext(connection) as captured:
            response = secretariat_client.get(ADMIN)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == count
        return len(captured)

    assert queries_for_a_page_of(5) == queries_for_a_page_of(50)
    with django_assert_max_num_queries(25):
        secretariat_client.get(ADMIN)


# --- The change page and the decisions ------------------------------------------------------------


def test_change_page_shows_the_pledge_its_history_and_only_the_decisions_allowed_now(
    secretariat, secretariat_client
):
    pledge = PledgeFactory(submitted=True, title="Connect 500 schools", financial=True)
    PledgeStatusChange.objects.create(pledge=pledge, actor=None, from_status=S.DRAFT,
                                      to_status=S.SUBMITTED, message="First submission")
    html = secretariat_client.get(f"{ADMIN}{pledge.pk}/change/").content.decode()
    assert "The pledge as submitted" in html
    assert "Connect 500 schools" in html
    assert "Schools connected" in html  # its target
    assert "Least Developed Country" in html  # Rwanda, derived
    assert "First submission" in html  # status history
    for label in ("Publish", "Request changes", "Reject"):
        assert f">{label}</a>" in html
    assert ">Mark completed</a>" not in html
    assert ">Withdraw</a>" not in html
    assert 'name="status"' not in html
    published = PledgeFactory(published=True)
    html = secretariat_client.get(f"{ADMIN}{published.pk}/change/").content.decode()
    assert ">Mark completed</a>" in html
    assert ">Publish</a>" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Submitted → Changes requested"), ("fr", "Soumis → Modifications demandées")],
)
def test_the_status_history_shows_the_statuses_in_the_language_of_the_page(
    language, expected, secretariat_client
):
    pledge = PledgeFactory(status=S.CHANGES_REQUESTED, reference="P2C-2026-0001",
                           title="Connect 500 schools")
    PledgeStatusChange.objects.create(pledge=pledge, actor=None, from_status=S.SUBMITTED,
                                      to_status=S.CHANGES_REQUESTED, message="Add a target")
    html = secretariat_client.get(
        f"/{language}/admin/pledges/pledge/{pledge.pk}/change/"
    ).content.decode()
    assert f"P2C-2026-0001 — Connect 500 schools: {expected}" in html
    assert "submitted → changes_requested" not in html


@pytest.mark.parametrize(
    ("traits", "public"),
    [
        ({"submitted": True}, False),
        ({"status": S.CHANGES_REQUESTED, "reference": "P2C-2026-0002"}, False),
        ({"published": True, "embargo_until": timezone.now() + datetime.timedelta(days=2)},
         False),
        ({"published": True}, True),
    ],
)
def test_view_on_site_is_offered_only_for_a_public_pledge(traits, public, secretariat_client,
                                                          anonymous):
    pledge = PledgeFactory(**traits)
    html = secretariat_client.get(f"{ADMIN}{pledge.pk}/change/").content.decode()
    assert ('class="viewsitelink"' in html) is public
    if public:
        url = f"/en/pledges/{pledge.pk}/"
        assert url == pledge.get_absolute_url()
        assert f'href="{url}" class="viewsitelink"' in html
        assert anonymous.get(url).status_code == 200


def test_publish_with_an_embargo_emails_the_entity_and_writes_the_audit_row(
    secretariat, secretariat_client, entity, entity_admin, mailoutbox,
    django_capture_on_commit_callbacks,
):
    pledge = PledgeFactory(entity=entity, submitted=True)
    url = f"{ADMIN}{pledge.pk}/transition/publish/"
    page = secretariat_client.get(url)
    assert page.status_code == 200
    assert 'type="datetime-local"' in page.content.decode()
    past = secretariat_client.post(url, {"embargo_until": "2001-01-01T10:00",
                                         "expected_status": "submitted"})
    assert "Choose a moment in the future" in past.content.decode()
    embargo = (timezone.now() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            url, {"embargo_until": embargo.strftime("%Y-%m-%dT%H:%M"),
                  "expected_status": "submitted"}, follow=True,
        )
    assert any("Publish" in m and "emailed" in m for m in messages_of(response))
    pledge.refresh_from_db()
    assert pledge.status == S.PUBLISHED
    assert pledge.embargo_until == embargo
    assert not pledge.is_public()
    change = PledgeStatusChange.objects.get(pledge=pledge)
    assert (change.actor, change.from_status, change.to_status) == (secretariat, S.SUBMITTED,
                                                                    S.PUBLISHED)
    assert [m.to for m in mailoutbox] == [[entity_admin.email]]


@pytest.mark.parametrize("name", ["request_changes", "reject"])
def test_request_changes_and_reject_require_a_message_and_send_it(
    name, secretariat, secretariat_client, entity, entity_admin, mailoutbox,
    django_capture_on_commit_callbacks,
):
    pledge = PledgeFactory(entity=entity, submitted=True)
    url = f"{ADMIN}{pledge.pk}/transition/{name}/"
    empty = secretariat_client.post(url, {"message": "  ", "expected_status": "submitted"})
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == S.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(url, {"message": "Add a baseline to target 1.",
                                      "expected_status": "submitted"})
    pledge.refresh_from_db()
    assert pledge.status == workflow.TRANSITIONS[name].target
    change = PledgeStatusChange.objects.get(pledge=pledge)
    assert (change.actor, change.message) == (secretariat, "Add a baseline to target 1.")
    assert [m.to for m in mailoutbox] == [[entity_admin.email]]
    assert "Add a baseline to target 1." in mailoutbox[0].body


def test_mark_completed(secretariat_client, entity, entity_admin, mailoutbox,
                        django_capture_on_commit_callbacks):
    pledge = PledgeFactory(entity=entity, published=True)
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(f"{ADMIN}{pledge.pk}/transition/complete/",
                                {"message": "", "expected_status": "published"})
    pledge.refresh_from_db()
    assert pledge.status == S.COMPLETED
    assert [m.to for m in mailoutbox] == [[entity_admin.email]]


def test_a_decision_on_a_pledge_that_moved_on_is_refused_and_done_once(
    secretariat, secretariat_client, entity, entity_admin, mailoutbox,
    django_capture_on_commit_callbacks,
):
    pledge = PledgeFactory(entity=entity, submitted=True)
    url = f"{ADMIN}{pledge.pk}/transition/publish/"
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(url, {"expected_status": "submitted"})
        replay = secretariat_client.post(url, {"expected_status": "submitted"}, follow=True)
    assert any("changed in the meantime" in m for m in messages_of(replay))
    assert PledgeStatusChange.objects.filter(pledge=pledge).count() == 1
    assert len(mailoutbox) == 1
    again = secretariat_client.get(url, follow=True)
    assert any("is not possible" in m for m in messages_of(again))


def test_bulk_publish(secretariat_client, mailoutbox, django_capture_on_commit_callbacks):
    first, second = PledgeFactory(submitted=True), PledgeFactory(submitted=True)
    draft = PledgeFactory()
    for pledge in (first, second):
        MembershipFactory(entity=pledge.entity, role="administrator")
    selected = {"action": "publish_selected", "_selected_action": [first.pk, second.pk, draft.pk]}
    confirm_page = secretariat_client.post(ADMIN, selected)
    assert confirm_page.status_code == 200
    html = confirm_page.content.decode()
    assert "These 2 pledges will be published" in html
    assert draft.title in html  # listed as left alone
    embargo = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            ADMIN, {**selected, "confirm": "yes",
                    "embargo_until": embargo.strftime("%Y-%m-%dT%H:%M")}, follow=True,
        )
    assert "2 pledges published; their entities have been emailed." in messages_of(response)
    assert any(draft.title in m and "not published" in m for m in messages_of(response))
    for pledge in (first, second):
        pledge.refresh_from_db()
        assert (pledge.status, pledge.embargo_until) == (S.PUBLISHED, embargo)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert len(mailoutbox) == 2


# --- History --------------------------------------------------------------------------------------


def test_field_history_is_readable_and_cannot_be_reverted(secretariat_client):
    pledge = PledgeFactory(submitted=True, title="Before")
    pledge.title = "After"
    pledge.save()
    response = secretariat_client.get(f"{ADMIN}{pledge.pk}/history/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Before" in html and "After" in html
    assert 'style="' not in html.split('id="change-history"')[1]
    first = pledge.history.order_by("history_date").first()
    version_url = f"{ADMIN}{pledge.pk}/history/{first.history_id}/"
    assert secretariat_client.get(version_url).status_code == 200
    assert 'value="Revert"' not in secretariat_client.get(version_url).content.decode()
    assert secretariat_client.post(version_url, {"title": "Before"}).status_code == 403
    pledge.refresh_from_db()
    assert pledge.title == "After"


def test_changes_since_submission_are_pointed_out(secretariat_client):
    pledge = PledgeFactory(submitted=True, title="As submitted")
    pledge.save()  # the history row of the submission
    pledge.title = "Corrected by the secretariat"
    pledge.save()
    html = secretariat_client.get(f"{ADMIN}{pledge.pk}/change/").content.decode()
    assert "Changed by the secretariat since the entity submitted it: title" in html


# --- Saving in the admin: the version guard -------------------------------------------------------


def change_form_data(client, pledge) -> dict:
    """The change form as the page shows it, ready to be posted back."""
    response = client.get(f"{ADMIN}{pledge.pk}/change/")
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = field.widget.format_value(value) if hasattr(
                field.widget, "format_value") and not isinstance(value, str) else value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


def test_an_admin_save_bumps_the_version_and_keeps_the_history(secretariat_client):
    pledge = PledgeFactory(submitted=True, title="Old title")
    data = change_form_data(secretariat_client, pledge)
    assert int(data["expected_version"]) == pledge.version
    data["title"] = "New title"
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge.refresh_from_db()
    assert (pledge.title, pledge.version, pledge.status) == ("New title", 2, S.SUBMITTED)
    assert pledge.history.first().history_user.email == "secretariat@itu.example.org"


def test_a_stale_admin_change_form_is_refused_and_overwrites_nothing(
    secretariat_client, entity, member
):
    pledge = PledgeFactory(entity=entity, submitted=True, title="Title")
    data = change_form_data(secretariat_client, pledge)
    # Meanwhile the entity gets the pledge back and saves a change.
    workflow.pledge_transition(pledge_id=pledge.pk, name="request_changes",
                               actor=UserFactory(superuser=True), message="Shorter title")
    services.pledge_save_section(user=member, pledge_id=pledge.pk, section="basics",
                                 values={"title": "Member's title"}, raw_input=None,
                                 expected_version=pledge.version + 1)
    data["title"] = "Secretariat's title"
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data)
    assert response.status_code == 200
    assert "Someone else saved this pledge since you opened this page" in (
        response.content.decode()
    )
    pledge.refresh_from_db()
    assert (pledge.title, pledge.status) == ("Member's title", S.CHANGES_REQUESTED)


def test_an_admin_correction_is_written_the_way_a_members_save_is(secretariat_client):
    """Through the same service: the amount converted to USD, the limit on countries held (a
    refusal is a message, and nothing is saved)."""
    pledge = PledgeFactory(submitted=True, financial=True)
    data = change_form_data(secretariat_client, pledge)
    data.update(amount="2000", currency="EUR")
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge.refresh_from_db()
    # At the rate of the month its amount was pledged, not of the day of the correction.
    usd = services.usd_equivalent(Decimal("2000"), "EUR", pledge.amount_month)[0]
    assert usd is not None
    assert (pledge.amount, pledge.currency, pledge.usd_amount, pledge.version) == (
        Decimal("2000"), "EUR", usd, 2)
    data = change_form_data(secretariat_client, pledge)
    data["countries"] = [str(pk) for pk in Country.objects.values_list("pk", flat=True)[:61]]
    data["title"] = "Everywhere"
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data, follow=True)
    assert "Choose at most 60 countries." in messages_of(response)
    pledge.refresh_from_db()
    assert pledge.title != "Everywhere"
    assert (pledge.countries.count(), pledge.version) == (1, 2)


def test_the_guard_holds_under_a_race_between_validation_and_save(secretariat_client,
                                                                   monkeypatch):
    """Even if someone saves between the form's check and the save, the locked re-check in
    save_model refuses it: nothing is written, and the person is told."""
    from pledges.admin_forms import PledgeAdminForm

    pledge = PledgeFactory(submitted=True, title="Title")
    data = change_form_data(secretariat_client, pledge)
    data["title"] = "Secretariat's title"
    original_clean = PledgeAdminForm.clean

    def clean_then_someone_saves(form):
        cleaned = original_clean(form)
        Pledge.objects.filter(pk=pledge.pk).update(version=pledge.version + 1,
                                                   title="Saved meanwhile")
        return cleaned

    monkeypatch.setattr(PledgeAdminForm, "clean", clean_then_someone_saves)
    response = secretariat_client.post(f"{ADMIN}{pledge.pk}/change/", data, follow=True)
    assert any("Someone else saved this pledge" in m for m in messages_of(response))
    pledge.refresh_from_db()
    # The whole request was rolled back (the simulated save too, being in the same transaction
    # here); above all the secretariat's title was not written.
    assert pledge.title == "Title"


def list_edit_data(response, changes: dict) -> dict:
    formset = response.context["cl"].formset
    data = {f"form-{name}": formset.management_form[name].value()
            for name in formset.management_form.fields}
    for index, form in enumerate(formset.forms):
        data[f"form-{index}-id"] = form.instance.pk
        data[f"form-{index}-expected_version"] = form["expected_version"].value()
        event = changes.get(form.instance.pk, form.instance.event_id)
        data[f"form-{index}-event"] = "" if event is None else event
    data["_save"] = "Save"
    return data


def test_list_edits_carry_the_version(secretariat_client):
    event = EventFactory(slug="kigali")
    pledge = PledgeFactory(submitted=True)
    other = PledgeFactory(submitted=True)
    page = secretariat_client.get(ADMIN)
    html = page.content.decode()
    assert 'name="form-0-expected_version" value="1"' in html
    data = list_edit_data(page, {pledge.pk: event.pk})
    Pledge.objects.filter(pk=other.pk).update(version=5)  # changed meanwhile, but not edited here
    response = secretariat_client.post(ADMIN, data)
    assert response.status_code == 302, response.context["cl"].formset.errors
    pledge.refresh_from_db()
    assert (pledge.event, pledge.version) == (event, 2)


def test_a_stale_list_edit_is_refused_and_overwrites_nothing(secretariat_client):
    kigali, geneva = EventFactory(slug="kigali"), EventFactory(slug="geneva")
    pledge = PledgeFactory(submitted=True, event=geneva)
    page = secretariat_client.get(ADMIN)
    data = list_edit_data(page, {pledge.pk: kigali.pk})
    Pledge.objects.filter(pk=pledge.pk).update(version=pledge.version + 1)
    response = secretariat_client.post(ADMIN, data)
    assert response.status_code == 200
    assert "Someone else saved this pledge since you opened this page" in (
        response.content.decode()
    )
    pledge.refresh_from_db()
    assert pledge.event == geneva


def test_list_editing_needs_the_change_permission(staff_outsider):
    viewer = UserFactory(staff=True, email="viewer@itu.example.org")
    viewer.user_permissions.add(Permission.objects.get(codename="view_pledge"))
    response = client_for(viewer).get(ADMIN)
    assert response.status_code == 200
    assert response.context["cl"].formset is None
    assert "Publish the selected" not in response.content.decode()


def test_action_pages_lead_back_through_their_breadcrumbs(secretariat_client):
    pledge = PledgeFactory(submitted=True, title="Connect schools")
    page = secretariat_client.get(f"{ADMIN}{pledge.pk}/transition/publish/").content.decode()
    crumbs = page[page.index('<div class="breadcrumbs">'):].split("</div>")[0]
    assert f'<a href="{ADMIN}">Pledges</a>' in crumbs
    assert f'<a href="{ADMIN}{pledge.pk}/change/"><bdi>{pledge}</bdi></a>' in crumbs
    assert crumbs.rstrip().endswith("Publish")


def test_the_admin_refuses_to_delete_a_pledge_even_to_a_superuser():
    """A pledge ends by withdrawal, never by deletion: its targets may not be deleted in the
    admin, so neither may the pledge (a public one deleted from a shell is handled by the
    pledges' version trigger, tests/pledges/test_open_data_files.py)."""
    pledge = PledgeFactory(published=True)
    superuser = client_for(UserFactory(superuser=True))  # with its second factor

    response = superuser.post(f"{ADMIN}{pledge.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Pledge.objects.filter(pk=pledge.pk).exists()
