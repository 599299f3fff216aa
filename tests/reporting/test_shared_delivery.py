"""Shared delivery (issue 18): an accepted partner sees the pledge in My pledges with its role,
files its own progress on the pledge's targets, and the public page shows who reported what;
several entities' values add up once each (each entity's own latest value); goals use the same
rule; reminders reach every entity with something due. A declined, pending or ended partner
files nothing and appears nowhere public."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache

from p2c_portal.models import OutboundEmail
from pledges.models import Partnership, Target
from reporting.models import ProgressReport, Reminder
from reporting.selectors.goals import Slice, goal_figures
from tests.factories import EntityFactory, MembershipFactory, UserFactory

from . import goal_data
from .cycles import at, file_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _during_the_cycle():
    """10 February 2025: the 2024 cycle (due 31 March) is open."""
    with time_machine.travel(at("2025-02-10", 9), tick=False):
        yield


def _emails_to(address: str) -> list:
    """The emails sent to `address`, read in Python: SQLite (a newcomer's `make test`) has no
    JSON `contains` lookup."""
    return [email for email in OutboundEmail.objects.order_by("pk") if address in email.to]


def _partner(pledge, entity, *, status="accepted", role="co_implementer"):
    partnership = Partnership.objects.create(
        pledge=pledge, entity=entity, role=role, status=status,
        accepted_at=at("2024-07-01") if status in ("accepted", "ended") else None,
        ended_at=at("2024-09-01") if status == "ended" else None,
        end_reason="Project over." if status == "ended" else "")
    if status == "accepted":
        pledge.co_pledgers.add(entity)
    return partnership


@pytest.fixture
def partner_entity(db):
    return EntityFactory(name="Rural Connect Cooperative", acronym="RCC")


@pytest.fixture
def partner_editor(partner_entity):
    user = UserFactory(email="editor@rcc.example.org", full_name="Paula Partner")
    MembershipFactory(user=user, entity=partner_entity, role="editor")
    return user


@pytest.fixture
def partner_client(client, partner_editor):
    client.force_login(partner_editor)
    return client


def _form(pledge, **changes) -> dict:
    target = pledge.targets.get()
    data = {"version": "0", "implementation_status": "on_track", "percent_complete": "30",
            f"target_{target.pk}": "120", "narrative": "Connected 120 schools in the east.",
            "evidence_links": "https://example.org/rcc-2024.pdf", "submit": "1"}
    data.update(changes)
    return data


# --- The partner's member area ------------------------------------------------------------------


def test_an_accepted_partner_sees_the_pledge_in_my_pledges_with_its_role(
        pledge, partner_entity, partner_client):
    _partner(pledge, partner_entity, role="co_implementer")
    html = partner_client.get("/en/my-pledges/").content.decode()
    assert "Pledges shared with you" in html
    assert pledge.title in html
    assert "Shared with you as co-implementer" in html
    assert f"/en/my-pledges/{pledge.pk}/progress/" in html
    # Read-only: the owner's pages stay closed to the partner.
    assert partner_client.get(f"/en/my-pledges/{pledge.pk}/").status_code == 404
    assert partner_client.get(f"/en/my-pledges/{pledge.pk}/edit/basics/").status_code == 404


@pytest.mark.parametrize("status", ["invited", "declined", "ended"])
def test_a_partner_that_is_not_accepted_sees_nothing_and_files_nothing(
        pledge, cycle, partner_entity, partner_client, status):
    _partner(pledge, partner_entity, status=status)
    assert "Pledges shared with you" not in partner_client.get("/en/my-pledges/").content.decode()
    assert partner_client.get(f"/en/my-pledges/{pledge.pk}/progress/").status_code == 404
    url = f"/en/my-pledges/{pledge.pk}/progress/{cycle.pk}/"
    assert partner_client.get(url).status_code == 404
    assert partner_client.post(url, _form(pledge)).status_code == 404
    assert not ProgressReport.objects.exists()


def test_a_partner_files_its_own_report_and_the_public_page_says_who_reported_what(
        pledge, cycle, partner_entity, partner_editor, partner_client, client):
    _partner(pledge, partner_entity)
    file_report(pledge, cycle, achieved=("450",))  # the pledging entity's own report
    url = f"/en/my-pledges/{pledge.pk}/progress/{cycle.pk}/"
    form = partner_client.get(url)
    assert form.status_code == 200
    assert "Shared with you as co-implementer" in form.content.decode()
    response = partner_client.post(url, _form(pledge))
    assert response.status_code == 302
    mine = ProgressReport.objects.get(entity=partner_entity)
    assert (mine.status, mine.submitted_by, mine.pledge) == ("submitted", partner_editor, pledge)
    assert mine.target_progress.get().achieved_value == Decimal("120")
    # The owner's report is untouched; each entity has its own.
    assert ProgressReport.objects.get(entity=pledge.entity).target_progress.get(
    ).achieved_value == Decimal("450")

    client.logout()
    html = re.sub(r"<[^>]+>", "", client.get(f"/en/pledges/{pledge.pk}/").content.decode())
    assert "Reported by Rural Connect Cooperative" in html
    assert "Reported by Ministry of ICT of Rwanda" in html
    # Together: 450 + 120, each entity's value counted once.
    assert "Achieved together" in html and "570" in html


def test_a_partner_viewer_reads_but_does_not_file(pledge, cycle, partner_entity, client):
    _partner(pledge, partner_entity)
    viewer = UserFactory(email="viewer@rcc.example.org")
    MembershipFactory(user=viewer, entity=partner_entity, role="viewer")
    client.force_login(viewer)
    assert client.get(f"/en/my-pledges/{pledge.pk}/progress/").status_code == 200
    assert client.post(f"/en/my-pledges/{pledge.pk}/progress/{cycle.pk}/",
                       _form(pledge)).status_code == 403
    assert not ProgressReport.objects.exists()


def test_the_owner_still_files_its_own_report_when_a_partner_filed(
        pledge, cycle, partner_entity, member_client):
    _partner(pledge, partner_entity)
    file_report(pledge, cycle, entity=partner_entity, achieved=("120",))
    url = f"/en/my-pledges/{pledge.pk}/progress/{cycle.pk}/"
    form = member_client.get(url).content.decode()
    assert "Shared with you" not in form and "Progress report for 2024 annual report" in form
    assert member_client.post(url, _form(pledge, **{"narrative": "Ours."})).status_code == 302
    assert ProgressReport.objects.get(entity=pledge.entity).narrative == "Ours."


# --- Adding up without double counting ----------------------------------------------------------


def test_each_entity_s_latest_value_is_counted_once(pledge, cycle, partner_entity):
    from reporting.selectors.progress import achieved_by_target, progress_timeline

    from .cycles import make_cycle

    _partner(pledge, partner_entity)
    later = make_cycle(name_en="2025 annual report", period_start=datetime.date(2025, 1, 1),
                       period_end=datetime.date(2025, 12, 31),
                       opens_on=datetime.date(2026, 1, 15), due_on=datetime.date(2026, 3, 31))
    file_report(pledge, cycle, achieved=("300",))
    file_report(pledge, later, achieved=("450",))  # cumulative: 450, not 750
    file_report(pledge, cycle, entity=partner_entity, achieved=("120",))
    totals = achieved_by_target(progress_timeline(pledge))
    assert [(total.achieved, total.entities) for total in totals] == [(Decimal("570"), 2)]


def test_goals_add_the_entities_latest_values(pledge, cycle, partner_entity):
    people = goal_data.indicator("people-connected")
    goal = goal_data.goal("people-shared", indicator=people)
    Target.objects.filter(pledge=pledge).update(catalogue_indicator=people)
    _partner(pledge, partner_entity)
    file_report(pledge, cycle, achieved=("300",), submitted_at=at("2025-01-20"))
    file_report(pledge, cycle, entity=partner_entity, achieved=("120",),
                submitted_at=at("2025-01-21"))
    figures = goal_figures([(goal, Slice())], as_of=datetime.date(2025, 2, 10))[0]
    assert figures.achieved == Decimal("420")  # 300 + 120: neither value replaces the other
    assert figures.committed == Decimal("1000")  # the target itself, once
    # As of a date before the partner reported: the owner's value only.
    before = goal_figures([(goal, Slice())], as_of=datetime.date(2025, 1, 20))[0]
    assert before.achieved == Decimal("300")


# --- Reminders ----------------------------------------------------------------------------------


def test_reminders_reach_the_owner_and_each_accepted_partner_once(
        pledge, cycle, partner_entity, partner_editor, only_kind, run_beat):
    only_kind("report_due_soon")
    _partner(pledge, partner_entity)
    declined = EntityFactory(name="Declined Partner")
    MembershipFactory(user=UserFactory(email="editor@declined.example.org"), entity=declined,
                      role="editor")
    _partner(pledge, declined, status="declined")
    run_beat("2025-03-17")
    run_beat("2025-03-17")  # a second beat changes nothing
    rows = Reminder.objects.filter(kind="report_due_soon")
    assert sorted(r.entity_id or 0 for r in rows) == [0, partner_entity.pk]
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    to_partner = _emails_to(partner_editor.email)
    assert len(to_partner) == 1
    assert "Rural Connect Cooperative takes part in it" in to_partner[0].body_text
    assert not _emails_to("editor@declined.example.org")


def test_a_partner_that_filed_is_not_reminded(pledge, cycle, partner_entity, partner_editor,
                                              only_kind, run_beat):
    only_kind("report_due_soon")
    _partner(pledge, partner_entity)
    file_report(pledge, cycle, entity=partner_entity)
    run_beat("2025-03-17")
    assert not Reminder.objects.filter(entity=partner_entity).exists()
    assert Reminder.objects.filter(entity__isnull=True, pledge=pledge).exists()  # the owner's


def test_a_partner_reminder_written_in_the_partner_s_language(
        pledge, cycle, partner_entity, only_kind, run_beat):
    only_kind("report_due_soon")
    _partner(pledge, partner_entity)
    french = UserFactory(email="fr@rcc.example.org", preferred_language="fr")
    MembershipFactory(user=french, entity=partner_entity, role="administrator")
    run_beat("2025-03-17")
    [email] = _emails_to(french.email)
    assert "/fr/my-pledges/" in email.body_text


def test_the_pledge_page_costs_the_same_queries_with_more_reporting_partners(
        pledge, cycle, client, django_assert_max_num_queries):
    def partner_reports(n):
        entity = EntityFactory(name=f"Reporting partner {n}")
        _partner(pledge, entity)
        file_report(pledge, cycle, entity=entity, achieved=("10",))

    file_report(pledge, cycle, achieved=("450",))
    partner_reports(0)
    url = f"/en/pledges/{pledge.pk}/"
    with django_assert_max_num_queries(80) as captured:
        assert client.get(url).status_code == 200
    for n in range(1, 5):
        partner_reports(n)
    cache.clear()  # uncached, as the first time
    with django_assert_max_num_queries(len(captured)):
        html = re.sub(r"<[^>]+>", "", client.get(url).content.decode())
    assert "Reporting partner 4" in html
    assert "500" in html  # 450 + 5 × 10: together, each entity once


def test_the_api_says_which_entity_filed_each_report(pledge, cycle, partner_entity, client):
    _partner(pledge, partner_entity)
    file_report(pledge, cycle, achieved=("450",))
    file_report(pledge, cycle, entity=partner_entity, achieved=("120",))
    rows = client.get("/api/v1/progress-reports/").json()["results"]
    assert sorted(row["entity"]["name"] for row in rows) == [
        "Ministry of ICT of Rwanda", "Rural Connect Cooperative"]
