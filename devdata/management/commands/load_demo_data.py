"""Demo accounts, entities of every stakeholder group, their pledges and progress reports, so that a
newcomer's `make run` shows a coalition at work (content: devdata/demo_content.py).

Entities, pledges and progress reports go through the real services (members.services and
workflow, pledges.services and workflow, reporting.services.progress): they are validated,
numbered and audited as a member's application or pledge would be. Each step is then dated
in the past — the pledge's dates, its audit rows and its history — so that the
timeline reads as it happened, from the Kigali roundtable of June 2022 on. The emails those
services queue for the replayed history are dropped: nobody is told today about 2022.

Idempotent: running it twice changes nothing. Entities are found again by name, pledges by
entity and title, cycles by name; anything else in the database is left alone.
"""

import contextlib
import datetime
import logging
from decimal import ROUND_HALF_UP, Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    Indicator,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from devdata import demo_content as content
from matchmaking.models import Need
from matchmaking.services import need_create
from matchmaking.workflow import need_transition
from members.models import Entity, EntityStatusChange, Membership, MembershipChange, User
from members.permissions import SECRETARIAT_GROUP
from members.services import entity_apply
from members.workflow import entity_transition
from p2c_portal.models import OutboundEmail
from pledges.models import Event, Pledge, PledgeStatusChange, PledgeType, RateSource, first_of_month
from pledges.partnerships import partnership_invite, partnership_transition
from pledges.rates import currency_rates_upload, usd_conversion
from pledges.services import pledge_create, pledge_save_section, pledge_save_targets
from pledges.workflow import pledge_transition, reference_take
from reporting.models import ProgressReport, ProgressReportEvent, ReportingCycle, ReportRun
from reporting.services.compiled_reports import (
    compiled_report_compile,
    compiled_report_parameters,
    compiled_report_request,
    compiled_report_set_published,
)
from reporting.services.progress import progress_report_save, progress_report_submit

SECRETARIAT = ("secretariat@example.org", "demo-secretariat-2022", "Demo Secretariat")
MEMBER = ("member@example.org", "demo-member-2022", "Demo Member")

UTC = datetime.UTC
# Kigali is UTC+2: the roundtable's pledges went public at its opening, 10:00 local time.
PUBLISHED_AT = datetime.time(8, 0)
CREATED_AT = datetime.time(9, 0)
SUBMITTED_AT = datetime.time(13, 30)
REVIEWED_AT = datetime.time(10, 15)
REPORTED_AT = datetime.time(15, 0)


@contextlib.contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _moment(value, at: datetime.time) -> datetime.datetime:
    """An ISO day at a time of day (UTC), or, for a number, that many days ago."""
    if isinstance(value, int):
        moment = timezone.now() - datetime.timedelta(days=value)
        return moment.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return datetime.datetime.combine(_day(value), at, tzinfo=UTC)


class Command(BaseCommand):
    help = "Create demo accounts, entities, pledges and progress reports (local development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo data even when DEBUG is off (never on a real site).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to create demo accounts with known passwords while DEBUG is off. "
                "Pass --allow-production if this really is a throwaway site."
            )
        # The deliveries of the dropped emails are still queued when the transaction commits;
        # each finds nothing to send. Their "task succeeded" lines are kept off the terminal.
        with _quiet("celery.app.trace"), transaction.atomic():
            added = self._load()
        compiled_reports = self._compiled_reports()
        demo_pledges = Pledge.objects.filter(
            entity__in=[entity for entity, _writer in self.entities.values()]
        )
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {len(self.entities)} entities, {demo_pledges.count()} pledges "
            f"({demo_pledges.public().count()} public, {added} added now), "
            f"{ProgressReport.objects.filter(pledge__in=demo_pledges).count()} progress reports."
        ))
        for run in compiled_reports:
            if run.is_published:
                self.stdout.write(f"Published report: {run.title_en} (/en/reports/{run.pk}/)")
            else:
                self.stdout.write(f"Report “{run.title_en}”: {run.get_status_display()}; "
                                  "publish it in the admin once a worker has compiled it.")
        self.stdout.write("Log in at http://127.0.0.1:8000/en/accounts/login/ with:")
        self.stdout.write(f"  secretariat (admin desk)   {SECRETARIAT[0]}  /  {SECRETARIAT[1]}")
        self.stdout.write(
            f"  member of {content.MEMBER_ENTITY:15} {MEMBER[0]}  /  {MEMBER[1]}"
        )
        # The admin needs a second factor (p2c_portal/staff_two_factor.py); say so before the
        # first visit surprises anyone.
        bypass = getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None)
        self.stdout.write(
            "The secretariat desk asks for two-factor authentication: on the first visit, set up "
            "an authenticator app (scan the QR code), then type its code at each login."
        )
        if bypass:
            self.stdout.write(
                f"Here (`make run`, DEBUG on) the code {bypass} is also accepted, at the set-up "
                "and at login; never on a deployed site."
            )

    def _compiled_reports(self) -> list[ReportRun]:
        """The roundtable's report and each demo cycle's delivery report, compiled and
        published, so that the Reports page has some. Without a broker (make run) they compile
        here; with one, a worker compiles them and the secretariat publishes them in the admin."""
        requests = [compiled_report_parameters(
            kind=ReportRun.Kind.EVENT, event=Event.objects.get(slug=content.KIGALI),
            cutoff=datetime.date(2022, 6, 16),
        )]
        requests += [compiled_report_parameters(kind=ReportRun.Kind.CYCLE, cycle=cycle)
                     for cycle in self.cycles.values()]
        runs = []
        for parameters in requests:
            run, _created = compiled_report_request(parameters=parameters, actor=self.secretariat)
            if settings.CELERY_TASK_ALWAYS_EAGER:  # no worker: compile now, whatever the
                compiled_report_compile(run_id=run.pk)  # transaction (a done run is skipped)
            run.refresh_from_db()
            if run.status == ReportRun.Status.DONE and not run.is_published:
                compiled_report_set_published(run=run, published=True)
                run.refresh_from_db()
            runs.append(run)
        return runs

    def _load(self) -> int:
        """Everything, in one transaction; returns how many pledges were added."""
        self.started = timezone.now()
        self.secretariat = self._user(*SECRETARIAT, is_staff=True)
        self.secretariat.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
        member = self._user(*MEMBER, is_staff=False)
        self.entities = {
            spec["acronym"]: self._entity(spec, member) for spec in content.ENTITIES
        }
        self.demo_addresses = {settings.SECRETARIAT_EMAIL, self.secretariat.email} | {
            writer.email for _entity, writer in self.entities.values()
        }
        self.cycles = {key: self._cycle(spec) for key, spec in content.CYCLES.items()}
        self._load_reference_data()
        self._test_rates()
        # In the order they were submitted, so that references are numbered as they would be.
        pledges = sorted(enumerate(content.PLEDGES), key=lambda item: _moment(
            item[1].get("submitted", item[1].get("created", 0)), SUBMITTED_AT
        ))
        added = sum(self._pledge(position, spec) is not None for position, spec in pledges)
        self._needs()
        self._drop_emails()
        return added

    def _needs(self) -> None:
        """A few needs, written, submitted and published through the services; their
        suggestions are computed on publication (a task, in-process without Redis)."""
        for spec in content.NEEDS:
            entity, writer = self.entities[spec["entity"]]
            entity = Entity.objects.get(pk=entity.pk)  # as approved since it was read
            if Need.objects.filter(entity=entity, title=spec["title"]).exists():
                continue
            need = need_create(user=writer, entity=entity, values={
                "title": spec["title"], "description": spec["description"],
                "support_kind": spec["support"],
                "action_areas": list(ActionArea.objects.filter(code__in=spec["areas"])),
                "pillars": list(Pillar.objects.filter(code__in=spec["pillars"])),
                "countries": list(Country.objects.filter(iso3__in=spec["countries"])),
                "amount": Decimal(spec["amount"]) if spec["amount"] else None,
                "currency": spec["currency"],
            })
            need_transition(need_id=need.pk, name="submit", actor=writer)
            need_transition(need_id=need.pk, name="publish", actor=self.secretariat)

    # --- People, entities, cycles -------------------------------------------------------------

    def _user(self, email: str, password: str | None, full_name: str, *, is_staff: bool,
              language: str = "en", joined: datetime.datetime | None = None) -> User:
        defaults = dict(full_name=full_name, is_staff=is_staff, preferred_language=language)
        if joined:
            defaults["date_joined"] = joined
        user, created = User.objects.get_or_create(email=email, defaults=defaults)
        if created:
            user.set_password(password)  # None: an unusable password, the person never logs in
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults=dict(verified=True, primary=True)
        )
        return user

    def _entity(self, spec: dict, member: User) -> tuple[Entity, User]:
        applied = _moment(spec["applied"], CREATED_AT)
        approved = _moment(spec["approved"], REVIEWED_AT)
        if spec["user"] is None:
            writer = member
        else:
            email, full_name, language = spec["user"]
            writer = self._user(email, None, full_name, is_staff=False, language=language,
                                joined=applied - datetime.timedelta(days=1))
        entity = Entity.objects.filter(name=spec["name"]).first()
        if entity is not None:
            return entity, writer
        # Applied for and approved as on the site, then dated in the past.
        entity = entity_apply(user=writer, data=dict(
            name=spec["name"],
            acronym=spec["acronym"],
            stakeholder_group=spec["group"],
            sub_type=spec["sub_type"],
            headquarters_country=Country.objects.get(iso3=spec["country"]),
            website=spec["website"],
            description=spec["description"],
            contact_email=f"contact@{spec['acronym'].lower()}.example.org",
            commitment_evidence=spec["evidence"],
            pledge_readiness=spec["readiness"],
            leader_name=spec["leader"][0],
            leader_title=spec["leader"][1],
            leader_attends_roundtable=True,
            consent_public_reporting=True,
        ))
        entity_transition(entity_id=entity.pk, name="approve", actor=self.secretariat)
        Entity.objects.filter(pk=entity.pk).update(applied_at=applied, decided_at=approved)
        for status, when in ((Entity.Status.APPLIED, applied), (Entity.Status.APPROVED, approved)):
            EntityStatusChange.objects.filter(entity=entity, to_status=status).update(
                created_at=when
            )
            Entity.history.filter(id=entity.pk, status=status).update(history_date=when)
        Membership.objects.filter(entity=entity, user=writer).update(created_at=applied)
        MembershipChange.objects.filter(entity=entity, person=writer).update(created_at=applied)
        return entity, writer

    def _cycle(self, spec: dict) -> ReportingCycle:
        dates = {name: _day(spec[name])
                 for name in ("period_start", "period_end", "opens_on", "due_on")}
        cycle, _created = ReportingCycle.objects.get_or_create(
            name_en=spec["name_en"],
            defaults=dict(
                name_translations=spec["name_translations"], **dates,
                created_at=_moment(spec["opens_on"], CREATED_AT) - datetime.timedelta(days=30),
            ),
        )
        return cycle

    def _load_reference_data(self) -> None:
        self.event = {e.slug: e for e in Event.objects.filter(slug=content.KIGALI)}
        self.areas = {a.code: a for a in ActionArea.objects.all()}
        self.pillars = {p.code: p for p in Pillar.objects.all()}
        self.regions = {r.code: r for r in Region.objects.all()}
        self.groups = {g.code: g for g in BeneficiaryGroup.objects.all()}
        self.sdgs = {s.number: s for s in SustainableDevelopmentGoal.objects.all()}
        self.countries = {c.iso3: c for c in Country.objects.all()}
        self.indicators = {i.code: i for i in Indicator.objects.all()}

    # --- Pledges ------------------------------------------------------------------------------

    def _pledge(self, position: int, spec: dict) -> Pledge | None:
        entity, writer = self.entities[spec["entity"]]
        if Pledge.objects.filter(entity=entity, title=spec["title"]).exists():
            return None
        submitted = spec.get("submitted")
        created = _moment(spec["created"], CREATED_AT) if "created" in spec else (
            _moment(submitted, CREATED_AT) - datetime.timedelta(days=12)
        )
        pledge = pledge_create(user=writer, entity_id=entity.pk)
        self._write(pledge.pk, spec, writer)
        for acronym in spec.get("co_pledgers", []):
            # Named co-pledgers are asked, and their administrator accepts (pledges.partnerships).
            partner, partner_admin = self.entities[acronym]
            invitation = partnership_invite(actor=writer, pledge_id=pledge.pk,
                                            entity_id=partner.pk)
            partnership_transition(partnership_id=invitation.pk, name="accept",
                                   actor=partner_admin)
        Pledge.history.filter(id=pledge.pk).update(history_date=created)  # its first versions
        history = _History(pledge.pk, self.started)
        dates = {"created_at": created, "updated_at": created}
        if submitted is None:
            Pledge.objects.filter(pk=pledge.pk).update(**dates)
            return pledge

        first_submitted = _moment(submitted, SUBMITTED_AT)
        # Numbered in the year it was first submitted (the workflow would use today's year).
        Pledge.objects.filter(pk=pledge.pk).update(reference=_free_reference(first_submitted.year))
        self._transition(history, pledge, first_submitted, "submit", writer)
        last = dates["first_submitted_at"] = dates["submitted_at"] = first_submitted
        if "changes_requested" in spec:
            day, message = spec["changes_requested"]
            last = _moment(day, REVIEWED_AT)
            self._transition(history, pledge, last, "request_changes", self.secretariat,
                             message=message)
            if "resubmitted" in spec:
                last = dates["submitted_at"] = _moment(spec["resubmitted"], SUBMITTED_AT)
                self._transition(history, pledge, last, "submit", writer)
        if "published" in spec:
            published = _moment(spec["published"], PUBLISHED_AT)
            self._transition(history, pledge, published, "publish", self.secretariat)
            last = dates["published_at"] = published
            # Reporting cycles cover what was published by the end of their period: the date
            # must be the historical one before any report is filed.
            Pledge.objects.filter(pk=pledge.pk).update(published_at=published)
            for key, report in spec.get("reports", {}).items():
                last = self._report(history, pledge, position, self.cycles[key], report, writer)
        if spec.get("completed"):
            last = last + datetime.timedelta(days=21)
            self._transition(history, pledge, last, "complete", self.secretariat)
        if "withdrawn" in spec:
            day, message = spec["withdrawn"]
            last = _moment(day, REVIEWED_AT)
            self._transition(history, pledge, last, "withdraw", writer, message=message)
        dates["updated_at"] = last
        if spec["type"] == PledgeType.FINANCIAL:
            # Converted at the rate of the month it was first submitted (the workflow used
            # today's month); an update, so that no history row is dated today.
            pledge.refresh_from_db()
            month = first_of_month(first_submitted.date())
            conversion = usd_conversion(pledge.amount, pledge.currency, month)
            dates.update(amount_month=month, usd_amount=conversion.usd_amount,
                         usd_rate=conversion.usd_rate, usd_rate_date=conversion.usd_rate_date,
                         usd_rate_is_test_data=conversion.usd_rate_is_test_data)
        Pledge.objects.filter(pk=pledge.pk).update(**dates)
        return pledge

    def _test_rates(self) -> None:
        """The demo months' rates, marked test data (devdata.demo_content.TEST_RATES)."""
        lines = ["currency,month,rate_per_usd",
                 *(",".join(rate) for rate in content.TEST_RATES)]
        currency_rates_upload(user=None, file_name="demo-test-rates.csv",
                              content="\n".join(lines).encode(), source=RateSource.TEST_DATA)

    def _write(self, pledge_id: int, spec: dict, writer: User) -> None:
        """The pledge's content, through the service a member's form uses (which also converts
        a financial pledge's amount to USD, as the product does)."""
        details = dict(spec["details"])
        for name in ("disbursement_start", "disbursement_end"):
            if name in details:
                details[name] = _day(details[name])
        if "amount" in details:
            details["amount"] = Decimal(details["amount"])
        values = dict(
            title=spec["title"],
            summary=spec["summary"],
            description=spec.get("description", ""),
            pledge_type=spec["type"],
            event=self.event.get(spec.get("event")),
            start_date=_day(spec["start"]) if "start" in spec else None,
            end_date=_day(spec["end"]) if "end" in spec else None,
            is_global=spec.get("is_global", False),
            other_partners=spec.get("partners", ""),
            contact_name=writer.full_name,
            contact_email=writer.email,
            action_areas=[self.areas[code] for code in spec["areas"]],
            pillars=[self.pillars[code] for code in spec["pillars"]],
            regions=[self.regions[code] for code in spec.get("regions", [])],
            countries=[self.countries[iso3] for iso3 in spec.get("countries", [])],
            beneficiary_groups=[self.groups[code] for code in spec["beneficiaries"]],
            sdgs=[self.sdgs[number] for number in spec["sdgs"]],
            **details,
        )
        pledge_save_section(user=writer, pledge_id=pledge_id, section="basics", values=values,
                            raw_input=None, expected_version=None)
        if spec["targets"]:
            targets = [
                dict(indicator=indicator, unit=unit, baseline=Decimal(baseline),
                     target_value=Decimal(target), target_date=_day(day),
                     catalogue_indicator=self.indicators.get(
                         content.CATALOGUE_INDICATORS.get(indicator, "")))
                for indicator, unit, baseline, target, day in spec["targets"]
            ]
            pledge_save_targets(user=writer, pledge_id=pledge_id, targets=targets,
                                raw_input=None, expected_version=None)

    def _transition(self, history, pledge: Pledge, when, name: str, actor, message: str = ""):
        history.step(when, lambda: pledge_transition(
            pledge_id=pledge.pk, name=name, actor=actor, message=message
        ))

    def _drop_emails(self) -> None:
        """The emails the services queued to the demo people while replaying history."""
        queued = OutboundEmail.objects.filter(
            Q(template__startswith="pledges/") | Q(template__startswith="members/")
            | Q(template__startswith="matchmaking/"),
            created_at__gte=self.started, status=OutboundEmail.Status.PENDING,
        )
        OutboundEmail.objects.filter(pk__in=[
            email.pk for email in queued.only("pk", "to") if set(email.to) <= self.demo_addresses
        ]).delete()

    # --- Progress reports ---------------------------------------------------------------------

    def _report(self, history, pledge: Pledge, position: int, cycle: ReportingCycle,
                report: tuple, writer: User) -> datetime.datetime:
        """File and submit one progress report through reporting.services.progress; returns its
        date."""
        status, percent, achieved, narrative = report
        # Spread over the cycle: most before the due date, a few late ones.
        when = datetime.datetime.combine(
            cycle.opens_on + datetime.timedelta(days=14 + (position * 7) % 70), REPORTED_AT,
            tzinfo=UTC,
        )
        pledge = Pledge.objects.get(pk=pledge.pk)
        targets = list(pledge.targets.order_by("position", "pk"))
        values = dict(
            implementation_status=status,
            percent_complete=percent,
            narrative=narrative,
            evidence_links=[
                f"https://www.example.org/{pledge.entity.acronym.lower().removesuffix('-demo')}"
                f"/progress-{cycle.period_end.year}"
            ],
        )
        if pledge.pledge_type == PledgeType.FINANCIAL:
            values["amount_disbursed"] = (
                pledge.amount * percent / 100 / 1000
            ).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 1000

        def file():
            draft = progress_report_save(
                user=writer, pledge_id=pledge.pk, cycle_id=cycle.pk, values=values,
                target_values={
                    target.pk: Decimal(str(value))
                    for target, value in zip(targets, achieved, strict=True)
                },
                raw_input=None, expected_version=0,
            )
            return progress_report_submit(user=writer, report_id=draft.pk,
                                          expected_version=draft.version)

        history.report_step(when, file)
        return when


def _free_reference(year: int) -> str:
    """The year's next reference, skipping any a pledge already has (an imported one)."""
    while Pledge.objects.filter(reference=(reference := reference_take(year))).exists():
        pass
    return reference


class _History:
    """Runs one pledge's steps through the services, then dates in the past what each step
    wrote: status changes, report events, history rows (those not dated yet are the ones
    written since the command started)."""

    def __init__(self, pledge_id: int, started: datetime.datetime):
        self.pledge_id = pledge_id
        self.started = started

    def step(self, when: datetime.datetime, action):
        result = action()
        Pledge.history.filter(id=self.pledge_id, history_date__gte=self.started).update(
            history_date=when
        )
        PledgeStatusChange.objects.filter(
            pledge_id=self.pledge_id, created_at__gte=self.started
        ).update(created_at=when)
        return result

    def report_step(self, when: datetime.datetime, action):
        report = action()
        ProgressReport.history.filter(id=report.pk, history_date__gte=self.started).update(
            history_date=when
        )
        ProgressReportEvent.objects.filter(report_id=report.pk).update(created_at=when)
        ProgressReport.objects.filter(pk=report.pk).update(
            created_at=when, updated_at=when, submitted_at=when
        )
        return report
