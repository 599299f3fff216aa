"""`manage.py load_demo_data`: after a newcomer's `make run` the portal shows a coalition at work —
public pledges of every type and stakeholder group, the Kigali roundtable, progress timelines,
work in progress for the demo member and the secretariat — and running it again changes nothing."""

import datetime
import re
from html import unescape
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from members.models import (
    Entity,
    EntityStatusChange,
    Membership,
    MembershipChange,
    StakeholderGroup,
    User,
)
from p2c_portal.models import OutboundEmail
from pledges.completeness import missing_for_submission
from pledges.models import Pledge, PledgeStatusChange, PledgeType, ReferenceCounter, Target
from pledges.services import usd_equivalent
from reporting.models import (
    ProgressReport,
    ProgressReportEvent,
    ReportFile,
    ReportingCycle,
    ReportRun,
    TargetProgress,
)
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

ROUNDTABLE_OPENS = datetime.datetime(2022, 6, 6, tzinfo=datetime.UTC)
ROUNDTABLE_ENDS = datetime.datetime(2022, 6, 16, tzinfo=datetime.UTC)
S = Pledge.Status


def load_demo_data() -> str:
    out = StringIO()
    call_command("load_demo_data", allow_production=True, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the tests of a class (each test still runs in its own savepoint), rolled
    back after them: loading goes through every service and takes seconds."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_data()
        yield
        transaction.set_rollback(True)


def demo_pledges():
    return Pledge.objects.filter(entity__name__endswith="(demo)")


def _text(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", main).split()))


def test_refuses_without_debug_unless_told(db):
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_data", stdout=StringIO())
    assert not Pledge.objects.exists()


def _snapshot() -> dict:
    counts = {
        model._meta.label: model.objects.count()
        for model in [User, EmailAddress, Entity, EntityStatusChange, Membership,
                      MembershipChange, Pledge,
                      Pledge.history.model, Target, PledgeStatusChange, ReportingCycle,
                      ProgressReport, ProgressReport.history.model, TargetProgress,
                      ProgressReportEvent, OutboundEmail, ReportRun, ReportFile]
    }
    return {
        **counts,
        "pledges": list(Pledge.objects.order_by("pk").values_list(
            "pk", "reference", "status", "version", "updated_at")),
        "references": list(ReferenceCounter.objects.order_by("year").values_list(
            "year", "last_value")),
    }


@pytest.mark.usefixtures("demo")
class TestTheDemoCoalition:
    def test_public_pledges_of_every_type_from_every_stakeholder_group(self):
        public = demo_pledges().public()
        assert 30 <= demo_pledges().count() <= 40
        assert public.count() >= 25
        assert set(public.values_list("pledge_type", flat=True)) == set(PledgeType.values)
        assert set(
            public.values_list("entity__stakeholder_group", flat=True)
        ) == set(StakeholderGroup.values)
        assert public.filter(entity__sub_type="development_bank").exists()
        for pledge in public.prefetch_related("targets"):
            # Complete as the workflow demands, with 1–3 targets, tagged and placed.
            assert missing_for_submission(pledge) == [], pledge.title
            assert 1 <= len(pledge.targets.all()) <= 3
            assert pledge.pillars.exists() and pledge.sdgs.exists()
            assert pledge.beneficiary_groups.exists()
            assert pledge.reference.startswith(f"P2C-{pledge.first_submitted_at.year}-")
        for iso3 in ["RWA", "BTN", "NPL", "FJI", "HTI", "MWI"]:  # LDCs, LLDCs, SIDS
            assert public.filter(countries__iso3=iso3).exists(), iso3

    def test_entities_applied_and_were_approved_through_the_services(self):
        """Audited as a real application: applied, approved by the secretariat, its applicant
        its first administrator; each step dated in the past, in order."""
        entities = Entity.objects.filter(name__endswith="(demo)")
        assert entities.exists()
        for entity in entities:
            steps = list(entity.status_changes.order_by("created_at").values_list(
                "to_status", "created_at", "actor__is_staff"))
            assert [(to, staff) for to, _when, staff in steps] == [
                (Entity.Status.APPLIED, False), (Entity.Status.APPROVED, True)], entity
            assert (entity.applied_at, entity.decided_at) == (steps[0][1], steps[1][1])
            assert entity.applied_at < entity.decided_at < ROUNDTABLE_ENDS
            joined = entity.team_changes.get(person=entity.applied_by)
            assert (joined.from_role, joined.to_role, joined.created_at) == (
                "", Membership.Role.ADMINISTRATOR, entity.applied_at)

    def test_financial_pledges_are_converted_to_usd_as_the_product_does(self):
        financial = demo_pledges().filter(pledge_type=PledgeType.FINANCIAL)
        assert {"USD", "EUR"} <= set(financial.values_list("currency", flat=True))
        for pledge in financial:
            assert pledge.modality and pledge.disbursement_start and pledge.disbursement_end
            # At the rate of the month of its first submission (the demo's test rates).
            assert pledge.amount_month == pledge.first_submitted_at.date().replace(day=1)
            assert pledge.usd_amount == usd_equivalent(pledge.amount, pledge.currency,
                                                       pledge.amount_month)[0]
        euros = financial.filter(currency="EUR").first()
        assert euros.usd_amount > euros.amount and euros.usd_rate_is_test_data
        # Submitted days ago, in a month without a rate: shown as pending, not dropped.
        pending = financial.exclude(currency="USD").filter(usd_amount__isnull=True)
        assert list(pending.values_list("currency", flat=True)) == ["RWF"]
        assert financial.exclude(currency="RWF").filter(usd_amount__isnull=True).count() == 0

    def test_most_pledges_were_announced_in_kigali_and_the_others_later(self):
        published = demo_pledges().filter(published_at__isnull=False)
        kigali = published.filter(event__slug="wtdc-22-kigali")
        assert kigali.count() > published.count() / 2
        for pledge in kigali:
            assert pledge.first_submitted_at < ROUNDTABLE_ENDS
            assert ROUNDTABLE_OPENS <= pledge.published_at < ROUNDTABLE_ENDS
            assert pledge.status_changes.filter(to_status=S.PUBLISHED,
                                                created_at=pledge.published_at).exists()
        later = published.exclude(event__slug="wtdc-22-kigali")
        assert {p.published_at.year for p in later} == {2023, 2024, 2025}

    def test_the_demo_member_and_the_secretariat_have_work_in_progress(self):
        member = User.objects.get(email="member@example.org")
        own = Pledge.objects.filter(entity__memberships__user=member)
        statuses = set(own.values_list("status", flat=True))
        assert {S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.PUBLISHED} <= statuses
        request = PledgeStatusChange.objects.get(pledge__in=own, to_status=S.CHANGES_REQUESTED)
        assert request.message and request.actor.email == "secretariat@example.org"

        client = Client()
        client.force_login(member)
        my_pledges = _text(client.get("/en/my-pledges/"))
        for pledge in own:
            assert pledge.title in my_pledges
        # A published pledge still owes its 2023 report.
        assert "Report progress for 2023 annual report" in _text(client.get("/en/me/"))

        secretariat = Client()
        secretariat.force_login(User.objects.get(email="secretariat@example.org"))
        queue = secretariat.get("/en/admin/pledges/pledge/?status__exact=submitted")
        assert own.get(status=S.SUBMITTED).title in queue.content.decode()

    def test_progress_reports_make_timelines_for_a_good_share_of_the_pledges(self):
        cycles = ReportingCycle.objects.order_by("due_on")
        assert [c.name_en for c in cycles] == ["2022 — after the Kigali roundtable",
                                               "2023 annual report"]
        covered = {cycle: set(cycle.covered_pledges(demo_pledges())) for cycle in cycles}
        reports = ProgressReport.objects.public().filter(pledge__in=demo_pledges())
        assert reports.count() >= 30
        for report in reports.select_related("pledge", "cycle"):
            assert report.submitted_at.date() >= report.cycle.opens_on
            assert report.events.get().created_at == report.submitted_at
            progress = list(report.target_progress.all())
            assert len(progress) == report.pledge.targets.count()
            assert all(row.achieved_value is not None for row in progress)
            if report.pledge.status == S.PUBLISHED:
                assert report.pledge in covered[report.cycle]
        # The public pledge page shows the timeline.
        pledge = Pledge.objects.get(title__startswith="National Broadband Policy")
        assert pledge.progress_reports.count() == 2
        text = _text(Client().get(f"/en/pledges/{pledge.pk}/"))
        assert "2022 — after the Kigali roundtable" in text and "2023 annual report" in text
        assert "Cabinet adopted the policy in July 2022" in text

    def test_the_home_page_counters_and_the_kigali_event_page_have_content(self):
        anonymous = Client()
        home = anonymous.get("/en/")
        figures = home.context["figures"]
        assert figures["pledges"] == Pledge.objects.public().count() > 0
        assert figures["entities"] >= 9
        assert figures["countries"] >= 20
        assert figures["usd"] > 500_000_000
        assert f"{figures['pledges']} published pledges" in _text(home)

        kigali = anonymous.get("/en/events/wtdc-22-kigali/")
        announced = Pledge.objects.public().filter(event__slug="wtdc-22-kigali")
        assert kigali.context["totals"]["pledges"] == announced.count() > 10
        text = _text(kigali)
        assert sum(pledge.title in text for pledge in announced) >= 10

        malawi = _text(anonymous.get("/en/countries/MWI/"))
        assert "Community networks in 150 villages of Malawi and Mozambique" in malawi

    def test_the_reports_page_has_the_kigali_report_and_the_cycle_reports(self):
        published = ReportRun.objects.filter(is_published=True, status=ReportRun.Status.DONE)
        assert sorted(published.values_list("kind", flat=True)) == ["cycle", "cycle", "event"]
        kigali = published.get(kind="event")
        announced = Pledge.objects.public().filter(
            event__slug="wtdc-22-kigali", first_submitted_at__lt=ROUNDTABLE_ENDS
            + datetime.timedelta(days=1))
        assert kigali.figures["totals"]["pledges"] == announced.count() > 10
        assert kigali.files.count() == 4 * 6
        anonymous = Client()
        listing = _text(anonymous.get("/en/reports/"))
        assert all(run.title_en in listing for run in published)
        page = _text(anonymous.get(f"/en/reports/{kigali.pk}/"))
        assert "Pledges acting in LDCs, LLDCs and SIDS" in page

    def test_running_it_twice_changes_nothing(self):
        first = _snapshot()
        assert "0 added now" in load_demo_data()
        assert _snapshot() == first


def test_other_data_is_left_alone_and_no_email_is_queued(db):
    own = PledgeFactory(published=True, financial=True, title="A real pledge")
    before = Pledge.objects.filter(pk=own.pk).values().get()
    load_demo_data()
    assert Pledge.objects.filter(pk=own.pk).values().get() == before
    assert not Pledge.objects.filter(entity=own.entity).exclude(pk=own.pk).exists()
    assert not OutboundEmail.objects.exists()
