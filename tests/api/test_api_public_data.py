"""The API shows exactly what the public pages show: every non-public pledge, entity or report
is absent from every endpoint; filters and their validation are the public list's."""

import datetime

import pytest
from django.utils import timezone

from reporting.models import ProgressReport, ReportingCycle
from tests.factories import EntityFactory, PledgeFactory

NOT_PUBLIC_PLEDGES = {
    "draft": dict(status="draft"),
    "submitted": dict(submitted=True),
    "changes_requested": dict(submitted=True, status="changes_requested"),
    "rejected": dict(submitted=True, status="rejected"),
    "withdrawn": dict(submitted=True, status="withdrawn"),
    "embargoed": dict(published=True, embargo_until=timezone.now() + datetime.timedelta(days=3)),
}


def _cycle():
    return ReportingCycle.objects.create(
        name_en="2023 annual report", period_start=datetime.date(2022, 6, 1),
        period_end=datetime.date(2023, 5, 31), opens_on=datetime.date(2023, 6, 1),
        due_on=datetime.date(2023, 7, 31),
    )


def _every_listed_id(client, path: str) -> set:
    ids, url = set(), path
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        ids |= {row["id"] for row in response.json()["results"]}
        url = response.json()["next"]
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize("status", NOT_PUBLIC_PLEDGES)
@pytest.mark.parametrize("endpoint", ["pledges", "pledge", "progress-reports", "entity-search",
                                      "removals", "goals"])
def test_a_pledge_that_is_not_public_is_reachable_through_no_endpoint(client, status, endpoint):
    public = PledgeFactory(published=True, title="Visible pledge")
    hidden = PledgeFactory(title="Hidden pledge words", **NOT_PUBLIC_PLEDGES[status])
    cycle = _cycle()
    for pledge in (public, hidden):
        ProgressReport.objects.create(pledge=pledge, entity=pledge.entity,
                                      cycle=cycle, status="submitted",
                                      narrative=f"Report on {pledge.title}")
    if endpoint == "pledges":
        assert _every_listed_id(client, "/api/v1/pledges/") == {public.pk}
    elif endpoint == "pledge":
        assert client.get(f"/api/v1/pledges/{hidden.pk}/").status_code == 404
        assert client.get(f"/api/v1/pledges/{public.pk}/").status_code == 200
    elif endpoint == "progress-reports":
        rows = client.get("/api/v1/progress-reports/").json()["results"]
        assert [row["pledge"] for row in rows] == [public.pk]
    elif endpoint == "removals":  # never public: not even its id as a removal
        assert client.get("/api/v1/pledges/removed/").json()["results"] == []
    elif endpoint == "goals":  # its targets count towards no goal
        from action_areas.models import CoalitionGoal, Indicator
        indicator = Indicator.objects.get(code="people-trained-digital-skills")
        for pledge in (public, hidden):
            pledge.targets.update(catalogue_indicator=indicator)
        CoalitionGoal.objects.create(code="trained", name_en="Trained", indicator=indicator,
                                     target_value=10**6, target_date=datetime.date(2030, 1, 1))
        row = {row["code"]: row for row in
               client.get("/api/v1/goals/").json()["results"]}["trained"]
        assert (row["pledges"], row["targets"]) == (1, 1)
    else:  # found neither by searching its words nor through its entity
        assert client.get("/api/v1/pledges/?q=Hidden").json()["results"] == []
        assert client.get(f"/api/v1/pledges/?entity={hidden.entity_id}").json()["results"] == []


@pytest.mark.django_db
def test_a_draft_progress_report_or_a_hidden_one_is_not_listed(client):
    pledge = PledgeFactory(published=True)
    cycle = _cycle()
    other = ReportingCycle.objects.create(
        name_en="2024", period_start=datetime.date(2023, 6, 1),
        period_end=datetime.date(2024, 5, 31), opens_on=datetime.date(2024, 6, 1),
        due_on=datetime.date(2024, 7, 31))
    ProgressReport.objects.create(pledge=pledge, entity=pledge.entity, cycle=cycle, status="draft")
    ProgressReport.objects.create(pledge=pledge, entity=pledge.entity,
                                  cycle=other, status="submitted",
                                  hidden_at=timezone.now())
    assert client.get("/api/v1/progress-reports/").json()["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["applied", "more_info_requested", "rejected", "suspended"])
def test_an_entity_that_is_not_approved_is_not_listed_nor_shown(client, status):
    approved = EntityFactory(name="Approved Org")
    hidden = EntityFactory(name="Hidden Org", status=status)
    assert _every_listed_id(client, "/api/v1/entities/") == {approved.pk}
    assert client.get(f"/api/v1/entities/{hidden.pk}/").status_code == 404
    assert client.get("/api/v1/entities/?q=Hidden").json()["results"] == []


@pytest.mark.django_db
def test_a_suspended_entitys_pledges_and_a_declined_co_pledger_are_invisible(client):
    suspended = EntityFactory(status="suspended")
    PledgeFactory(published=True, entity=suspended)
    pledge = PledgeFactory(published=True)
    pledge.co_pledgers.add(EntityFactory(name="Partner Org"),
                           EntityFactory(name="Applicant Org", status="applied"))
    rows = client.get("/api/v1/pledges/").json()["results"]
    assert [row["id"] for row in rows] == [pledge.pk]
    assert [partner["name"] for partner in rows[0]["co_pledgers"]] == ["Partner Org"]


@pytest.mark.django_db
def test_private_fields_are_never_in_a_pledge(client):
    PledgeFactory(published=True, contact_email="secret@example.org", contact_name="Secret")
    body = client.get("/api/v1/pledges/").content.decode()
    assert "secret@example.org" not in body and "Secret" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("query, parameter", [
    ("type=bogus", "type"),
    ("area=access&area=nowhere", "area"),
    ("country=XYZ", "country"),
    ("year=1066", "year"),
    ("entity=abc", "entity"),
    ("updated_since=yesterday", "updated_since"),
    ("page_size=1000", "page_size"),
    ("page_size=٣", "page_size"),
    ("cursor=not-a-cursor", "cursor"),
    ("lang=xx", "lang"),
    ("sort=title", "sort"),
    ("colour=blue", "colour"),
])
def test_an_unknown_value_is_a_400_naming_the_parameter(client, query, parameter):
    response = client.get(f"/api/v1/pledges/?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert parameter in response.json()["detail"]


@pytest.mark.django_db
def test_filters_are_those_of_the_public_list(client):
    financial = PledgeFactory(published=True, financial=True)
    PledgeFactory(published=True)
    rows = client.get("/api/v1/pledges/?type=financial&area=access").json()["results"]
    assert [row["id"] for row in rows] == [financial.pk]
    assert rows[0]["pledge_type"]["code"] == "financial"
    assert rows[0]["usd_amount"] == "1000000.00"
    assert rows[0]["targets"][0]["indicator"] == "Schools connected"


@pytest.mark.django_db
def test_labels_follow_the_language_and_codes_do_not(client):
    PledgeFactory(published=True, financial=True)
    english = client.get("/api/v1/pledges/").json()["results"][0]
    french = client.get("/api/v1/pledges/?lang=fr").json()["results"][0]
    arabic = client.get("/api/v1/pledges/", HTTP_ACCEPT_LANGUAGE="ar").json()["results"][0]
    assert english["pledge_type"] == {"code": "financial", "name": "Financial"}
    assert french["pledge_type"] == {"code": "financial", "name": "Financier"}
    assert arabic["pledge_type"]["code"] == "financial"
    assert arabic["pledge_type"]["name"] != "Financial"
    assert french["countries"][0]["iso3"] == english["countries"][0]["iso3"] == "RWA"
    assert arabic["countries"][0]["name"] != english["countries"][0]["name"]


@pytest.mark.django_db
def test_countries_give_their_groupings_as_of_the_date_asked(client):
    def groups(day):
        url = f"/api/v1/countries/?page_size=100&date={day}"
        rows = []
        while url:
            page = client.get(url).json()
            rows += page["results"]
            url = page["next"]
        return {row["iso3"]: row["groups"] for row in rows}

    # Bhutan left the LDC category on 13 December 2023.
    assert "LDC" in groups("2023-12-12")["BTN"]
    assert "LDC" not in groups("2023-12-13")["BTN"]
    assert client.get("/api/v1/countries/?date=13/12/2023").json()["parameter"] == "date"


@pytest.mark.django_db
def test_action_areas_come_with_their_pillars(client):
    areas = client.get("/api/v1/action-areas/").json()["results"]
    assert {area["code"] for area in areas} >= {"access", "adoption"}
    assert all(area["pillars"] for area in areas)


@pytest.mark.django_db
def test_an_unchanged_answer_is_a_304(client):
    pledge = PledgeFactory(published=True)
    first = client.get(f"/api/v1/pledges/{pledge.pk}/")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(f"/api/v1/pledges/{pledge.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    listing = client.get("/api/v1/pledges/")
    assert client.get("/api/v1/pledges/",
                      HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304
    pledge.title = "A new title"
    pledge.save()
    assert client.get(f"/api/v1/pledges/{pledge.pk}/",
                      HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.django_db
def test_a_pledge_whose_embargo_ends_shows_as_a_change_then(client, time_machine):
    time_machine.move_to(timezone.now())
    opening = timezone.now() + datetime.timedelta(days=2)
    pledge = PledgeFactory(published=True, embargo_until=opening)
    since = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    time_machine.move_to(opening + datetime.timedelta(hours=1))
    rows = client.get("/api/v1/pledges/", {"updated_since": since}).json()["results"]
    assert [row["id"] for row in rows] == [pledge.pk]
