"""Pledges: what a member entity commits to, with quantified targets, and its review lifecycle."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from action_areas.models import TranslatedNameMixin
from members.models import Entity, InternalNote, ReviewAssignment
from p2c_portal.languages import language_choices

MAX_AMOUNT = Decimal("10000000000000")  # 10^13: beyond any real pledge, catches typos


class Event(TranslatedNameMixin):
    """An occasion at which pledges are announced, e.g. the WTDC-22 roundtable in Kigali."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    is_open_for_pledges = models.BooleanField(
        _("open for new pledges"), default=True,
        help_text=_("Members can choose this event when they write a pledge."),
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-start_date", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="event_dates_ordered"
            )
        ]


# A UN operational rate is "units of the currency for one US dollar": 0.926 EUR, 129.5 KES. Beyond
# these bounds a rate is a typo (a misplaced decimal point, a rate written the other way round,
# a redenominated currency's old rate): the strongest currency quoted (KWD) is about 0.3 per
# dollar, the weakest a few hundred thousand.
MIN_RATE_PER_USD = Decimal("0.01")
MAX_RATE_PER_USD = Decimal("10000000")


class RateSource(models.TextChoices):
    """Where a rate comes from. Only UN_TREASURY and SECRETARIAT rates are figures to publish;
    TEST_DATA rates are approximations shipped for the demo and the tests, shown as such."""

    UN_TREASURY = "un_treasury", _("UN operational rate of exchange (UN Treasury file)")
    SECRETARIAT = "secretariat", _("Entered by the secretariat (CSV)")
    TEST_DATA = "test_data", _("Test data: not an official rate")


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class CurrencyRateUpload(models.Model):
    """One rates file the secretariat uploaded: who, when, which file, what it changed. It is also
    the job that converts again the pledges its new rates concern (pledges.rates, on the job
    machinery of p2c_portal.jobs): created PENDING with the upload, worked once."""

    class Format(models.TextChoices):
        UN_TREASURY_XML = "un_xml", _("UN Treasury file (XML)")
        UN_TREASURY_XLSX = "un_xlsx", _("UN Treasury file (Excel)")
        CSV = "csv", _("CSV: currency, month, rate_per_usd")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pledges to convert")
        RUNNING = "running", _("Converting pledges")
        DONE = "done", _("Pledges converted")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    source = models.CharField(_("source of the rates"), max_length=20,
                              choices=RateSource.choices)
    rows = models.JSONField(
        _("rates in the file"), default=list,
        help_text=_("Every rate the file gave: currency, month, rate per US dollar."),
    )
    changes = models.JSONField(
        _("rates added or changed"), default=list,
        help_text=_("The rates this upload added or changed, with the rate they replaced."),
    )
    notes = models.JSONField(_("rows left aside"), default=list, blank=True)
    pledges_converted = models.PositiveIntegerField(_("pledges converted"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    queued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("rates upload")
        verbose_name_plural = _("rates uploads")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["status", "queued_at"], name="rate_upload_job")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class CurrencyRate(models.Model):
    """The UN operational rate of exchange of a currency for a month: how many units of it one
    US dollar bought, as the UN Treasury publishes it. One rate per currency per month; every
    change is kept (history) with the upload that made it."""

    currency = models.CharField(_("currency (ISO 4217)"), max_length=3)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    rate_per_usd = models.DecimalField(
        _("units per US dollar"), max_digits=20, decimal_places=6,
        validators=[MinValueValidator(MIN_RATE_PER_USD), MaxValueValidator(MAX_RATE_PER_USD)]
    )
    source = models.CharField(_("source"), max_length=20, choices=RateSource.choices)
    upload = models.ForeignKey(
        CurrencyRateUpload, on_delete=models.PROTECT, null=True, blank=True,
        related_name="rates", verbose_name=_("uploaded with"),
    )
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("currency rate")
        verbose_name_plural = _("currency rates")
        ordering = ["currency", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="one_rate_per_month"),
            models.CheckConstraint(condition=Q(rate_per_usd__gt=0), name="rate_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="rate_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"1 USD = {self.rate_per_usd} {self.currency} ({self.month:%Y-%m})"

    @property
    def is_test_data(self) -> bool:
        return self.source == RateSource.TEST_DATA


class PledgeType(models.TextChoices):
    FINANCIAL = "financial", _("Financial")
    POLICY = "policy", _("Policy")
    ADVOCACY = "advocacy", _("Advocacy")
    PROGRAMME = "programme", _("Programme")


class FinancialModality(models.TextChoices):
    GRANT = "grant", _("Grant")
    LOAN = "loan", _("Loan")
    EQUITY = "equity", _("Equity")
    GUARANTEE = "guarantee", _("Guarantee")
    IN_KIND = "in_kind", _("In-kind")
    OTHER = "other", _("Other")


class PolicyInstrument(models.TextChoices):
    LAW = "law", _("Law")
    REGULATION = "regulation", _("Regulation")
    STRATEGY = "strategy", _("Strategy or plan")
    OTHER = "other", _("Other")


class PolicyStage(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    IN_FORCE = "in_force", _("In force")


class AdvocacyActivity(models.TextChoices):
    RESEARCH = "research", _("Research")
    MOU = "mou", _("Memorandum of understanding")
    EVENT = "event", _("Event")
    CAMPAIGN = "campaign", _("Campaign")
    PUBLICATION = "publication", _("Publication")
    OTHER = "other", _("Other")


class ProgrammeKind(models.TextChoices):
    NEW = "new", _("New programme")
    EXPANSION = "expansion", _("Expansion of an existing programme")


# The details that belong to each type of pledge, and the value each has when empty. A pledge
# carries only its own type's details: changing the type clears the others in the same save
# (pledges.services), so that no page, export or report shows a detail of another type.
TYPE_DETAIL_FIELDS: dict[str, dict[str, object]] = {
    PledgeType.FINANCIAL: {
        "amount": None, "currency": "", "amount_month": None, "usd_amount": None,
        "usd_rate": None, "usd_rate_date": None, "usd_rate_is_test_data": False, "modality": "",
        "disbursement_start": None, "disbursement_end": None,
    },
    PledgeType.POLICY: {"policy_instrument": "", "policy_stage": "", "jurisdiction": ""},
    PledgeType.ADVOCACY: {"advocacy_activities": [], "audience": ""},
    PledgeType.PROGRAMME: {"programme_kind": "", "people_to_reach": None},
}


def other_type_details(pledge_type: str) -> dict[str, object]:
    """The empty value of every detail field that does not belong to `pledge_type` (all of them
    for a pledge without a type)."""
    return {
        field: empty
        for kind, fields in TYPE_DETAIL_FIELDS.items() if kind != pledge_type
        for field, empty in fields.items()
    }


# When a public pledge last changed for the public: its last save, or the end of its embargo if
# later (a pledge becomes public then without being saved). Coalesce: SQLite's MAX() is NULL with
# a NULL argument, PostgreSQL's GREATEST ignores it.
PUBLIC_CHANGE_MOMENT = Greatest(F("updated_at"), Coalesce(F("embargo_until"), F("updated_at")))


class PledgeQuerySet(models.QuerySet):
    def public(self, now=None) -> "PledgeQuerySet":
        """Published or completed, past any embargo, of an entity that is not suspended: what the
        world may see. A suspended entity's pledges come back as they were on reinstatement."""
        now = now or timezone.now()
        return (
            self.filter(status__in=[Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED])
            .filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
            .exclude(entity__status=Entity.Status.SUSPENDED)
        )

    def for_entity(self, entity) -> "PledgeQuerySet":
        return self.filter(entity=entity)

    def then(self, complete) -> "PledgeQuerySet":
        """`complete(pledges)` is called with the pledges once they are read (as a prefetch
        would be, however the queryset is later sliced or ordered): for related rows that come
        from somewhere else than a query per relation (pledges.pledge_references)."""
        clone = self._chain()
        clone._then = (*self._then, complete)
        return clone

    _then: tuple = ()

    def _clone(self):
        clone = super()._clone()
        clone._then = self._then
        return clone

    def _fetch_all(self):
        reading = self._result_cache is None
        super()._fetch_all()
        if reading and self._then and self._iterable_class is models.query.ModelIterable:
            for complete in self._then:
                complete(self._result_cache)

    def with_changes_requested_at(self) -> "PledgeQuerySet":
        """Each pledge with `changes_requested_at`: when the secretariat last sent it back for
        changes (None if it never did). The one definition of that moment, for the review desk
        and the reminders."""
        latest_request = (
            PledgeStatusChange.objects.filter(
                pledge=OuterRef("pk"), to_status=Pledge.Status.CHANGES_REQUESTED
            )
            .order_by("-created_at", "-pk")
            .values("created_at")[:1]
        )
        return self.annotate(changes_requested_at=Subquery(latest_request))


class Pledge(ReviewAssignment):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")

    # Identity and ownership
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False,
        help_text=_("Assigned on first submission, e.g. P2C-2022-0042."),
    )
    entity = models.ForeignKey(
        "members.Entity", on_delete=models.PROTECT, related_name="pledges",
        verbose_name=_("pledging entity"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("created by"),
    )

    # Basics
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"), max_length=600, blank=True,
        help_text=_("One paragraph that says what will change, for whom, by when."),
    )
    description = models.TextField(_("description"), max_length=10000, blank=True)
    language = models.CharField(
        _("language as written"), max_length=10, blank=True, choices=language_choices,
        help_text=_("The language of the title and summary as the entity wrote them."),
    )
    translations = models.JSONField(
        _("translations"), default=dict, blank=True,
        help_text=_("The title and summary in other languages: {language: {title, summary}}."),
    )
    pledge_type = models.CharField(
        _("type of pledge"), max_length=10, choices=PledgeType.choices, blank=True
    )
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges",
        verbose_name=_("announced at"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    # Action Framework
    action_areas = models.ManyToManyField(
        "action_areas.ActionArea", related_name="pledges", blank=True,
        verbose_name=_("action areas"),
    )
    pillars = models.ManyToManyField(
        "action_areas.Pillar", related_name="pledges", blank=True, verbose_name=_("pillars")
    )

    # Geography and beneficiaries (LDC/LLDC/SIDS targeting is derived from the countries)
    is_global = models.BooleanField(_("global"), default=False)
    regions = models.ManyToManyField(
        "action_areas.Region", related_name="pledges", blank=True, verbose_name=_("ITU-D regions")
    )
    countries = models.ManyToManyField(
        "action_areas.Country", related_name="pledges", blank=True, verbose_name=_("countries")
    )
    beneficiary_groups = models.ManyToManyField(
        "action_areas.BeneficiaryGroup", related_name="pledges", blank=True,
        verbose_name=_("beneficiary groups"),
    )
    sdgs = models.ManyToManyField(
        "action_areas.SustainableDevelopmentGoal", related_name="pledges", blank=True,
        verbose_name=_("Sustainable Development Goals"),
    )

    # Partners
    co_pledgers = models.ManyToManyField(
        "members.Entity", related_name="co_pledges", blank=True,
        verbose_name=_("co-pledging entities"),
    )
    other_partners = models.TextField(_("other partners"), max_length=2000, blank=True)

    # Private contact
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    # Financial details
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    usd_amount = models.DecimalField(
        _("amount in USD"), max_digits=16, decimal_places=2, null=True, blank=True,
        editable=False,
    )
    # The month the amount was pledged (first day): the month of the first submission, or, for
    # a draft never submitted, of the amount's last change (pledges.rates.pledged_month). Its
    # UN operational rate converts the amount; a pledge whose month has no rate yet waits,
    # counted apart ("USD equivalent pending"), until an upload brings that rate.
    amount_month = models.DateField(_("month the amount was pledged"), null=True, blank=True,
                                    editable=False)
    usd_rate = models.DecimalField(
        _("UN operational rate used (units per USD)"), max_digits=20, decimal_places=6,
        null=True, blank=True, editable=False,
    )
    usd_rate_date = models.DateField(_("month of the rate used"), null=True, blank=True,
                                     editable=False)
    usd_rate_is_test_data = models.BooleanField(
        _("converted at a test rate"), default=False, editable=False,
        help_text=_("The rate used is test data shipped with the portal, not an official rate."),
    )
    # The USD sum of the contributions of the pledge's accepted funders (pledges.partnerships
    # keeps it, under the pledge's lock); empty when it has none. Every USD total adds it once
    # to the pledge's own amount (pledges.selectors.usd_committed): a funder's contribution is
    # money the pledge mobilises, never a second pledge.
    contributions_usd = models.DecimalField(
        _("contributions of its funders in USD"), max_digits=16, decimal_places=2, null=True,
        blank=True, editable=False,
    )
    modality = models.CharField(
        _("modality"), max_length=10, choices=FinancialModality.choices, blank=True
    )
    disbursement_start = models.DateField(_("disbursement from"), null=True, blank=True)
    disbursement_end = models.DateField(_("disbursement until"), null=True, blank=True)

    # Policy details
    policy_instrument = models.CharField(
        _("instrument"), max_length=12, choices=PolicyInstrument.choices, blank=True
    )
    policy_stage = models.CharField(
        _("stage"), max_length=10, choices=PolicyStage.choices, blank=True
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=200, blank=True)

    # Advocacy details
    advocacy_activities = models.JSONField(_("activities"), default=list, blank=True)
    audience = models.CharField(_("audience"), max_length=300, blank=True)

    # Programme details
    programme_kind = models.CharField(
        _("new or expansion"), max_length=10, choices=ProgrammeKind.choices, blank=True
    )
    people_to_reach = models.PositiveBigIntegerField(
        _("people to reach"), null=True, blank=True,
        validators=[MaxValueValidator(10_000_000_000)],
    )

    # Lifecycle (changed only through pledges.workflow)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    embargo_until = models.DateTimeField(
        _("public from"), null=True, blank=True,
        help_text=_("A published pledge stays hidden from the public until this moment."),
    )
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("last submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Optimistic concurrency: every save bumps it; a save based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # What a person typed that did not validate yet, per form section: never lost, shown again.
    unsaved_input = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    objects = PledgeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["unsaved_input", "version",
                                                  "contributions_usd"])

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at", "-pk"]
        permissions = [("review_pledge", _("Can review pledges"))]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            models.Index(fields=["entity", "status"]),
            # pledges.public_cache.public_fingerprint(): the last save of a pledge that is or was
            # public, and the next end of an embargo, each read from the end of an index. (Not
            # partial on the public statuses: the planner then reads every public pledge
            # through it, in no useful order.)
            models.Index(fields=["updated_at"], name="pledge_saved"),
            # The counting of the public site (pledges.filters.facet_counts, the home page's
            # figures) reads every public pledge's facet columns: from this 6 MB index alone
            # (index-only scan) rather than from the 78 MB table, at 100,000 pledges.
            models.Index(
                fields=["id"], name="pledge_public_facets",
                include=["pledge_type", "entity", "event", "published_at", "is_global",
                         "embargo_until", "usd_amount", "amount_month",
                         "contributions_usd"],
                condition=Q(status__in=["published", "completed"]),
            ),
            # The open API's order of public pledges (pledges.selectors.pledge_changes_public):
            # by the moment each last changed for the public, then the key.
            models.Index(
                PUBLIC_CHANGE_MOMENT, F("id"), name="pledge_public_changed",
                condition=Q(status__in=["published", "completed"]),
            ),
            # The pledges the public saw and sees no more, by when they left
            # (pledges.selectors.pledge_removals_public, the open API's removals).
            models.Index(
                fields=["updated_at", "id"], name="pledge_removed",
                condition=Q(published_at__isnull=False)
                & ~Q(status__in=["published", "completed"]),
            ),
            models.Index(fields=["embargo_until"], name="pledge_embargo",
                         condition=Q(embargo_until__isnull=False)),
            # The pledges a new rate concerns (pledges.rates): those waiting for it, and those
            # converted at the rate it replaces.
            models.Index(fields=["currency", "amount_month"], name="pledge_currency_month",
                         condition=Q(pledge_type="financial")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="pledge_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="pledge_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}" if self.reference else self.title

    @staticmethod
    def public_change_moment():
        return PUBLIC_CHANGE_MOMENT

    def get_absolute_url(self) -> str:
        return reverse("pledges:pledge_detail", args=[self.pk])

    def translation(self, language: str) -> dict | None:
        """{"title", "summary"} of the translation into `language`, or None."""
        text = (self.translations or {}).get(language)
        if isinstance(text, dict) and text.get("title"):
            return {"title": str(text["title"]), "summary": str(text.get("summary") or "")}
        return None

    def text_in(self, language: str) -> dict:
        """The title and summary to show in `language`: its translation when there is one, with
        its language code (for the `lang` attribute), else the original (with the language it is
        written in, "" when the entity has not said)."""
        translated = self.translation(language)
        if translated and language != self.language:
            return {**translated, "language": language}
        return self.original_text()

    def original_text(self) -> dict:
        return {"title": self.title, "summary": self.summary, "language": self.language}

    @property
    def usd_committed(self) -> Decimal | None:
        """What the pledge counts in USD totals: its own USD equivalent (a financial pledge's)
        plus its accepted funders' contributions, once; None when neither is known."""
        own = self.usd_amount if self.pledge_type == PledgeType.FINANCIAL else None
        if own is None and self.contributions_usd is None:
            return None
        return (own or Decimal(0)) + (self.contributions_usd or Decimal(0))

    @property
    def is_editable_status(self) -> bool:
        return self.status in (Pledge.Status.DRAFT, Pledge.Status.CHANGES_REQUESTED)

    def is_public(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status in (Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED)
            and (self.embargo_until is None or self.embargo_until <= now)
            and self.entity.status != Entity.Status.SUSPENDED
        )


class Target(models.Model):
    """A quantified, dated result the pledge will achieve: what progress is measured against."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="targets", verbose_name=_("pledge")
    )
    # The catalogue's indicator, which makes the target count toward coalition goals. Empty:
    # "other (describe)", the free text below says what is counted. Mapped after the fact, the
    # free text stays as the member wrote it.
    catalogue_indicator = models.ForeignKey(
        "action_areas.Indicator", on_delete=models.PROTECT, null=True, blank=True,
        related_name="targets", verbose_name=_("indicator from the catalogue"),
    )
    indicator = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50)
    baseline = models.DecimalField(
        _("baseline"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    target_value = models.DecimalField(_("target value"), max_digits=20, decimal_places=2)
    target_date = models.DateField(_("target date"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["position", "pk"]
        indexes = [
            # The targets that count toward coalition goals, with what the goals' figures read
            # (reporting.selectors.goals): read from the index alone, not the whole table of
            # free-text targets (EXPLAIN ANALYZE in BENCHMARKS.md, "Goals page with 13 goals").
            models.Index(fields=["catalogue_indicator", "pledge"], include=["target_value"],
                         condition=Q(catalogue_indicator__isnull=False),
                         name="target_catalogue_mapped"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.target_value} {self.unit} by {self.target_date}"


class PledgeNote(InternalNote):
    """The secretariat's internal notes on a pledge (see members.models.InternalNote)."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="internal_notes", verbose_name=_("pledge")
    )

    class Meta(InternalNote.Meta):
        verbose_name = _("internal note on a pledge")
        verbose_name_plural = _("internal notes on pledges")


class PledgeStatusChange(models.Model):
    """The audit trail of a pledge's review: who, when, from, to, the message."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("pledge")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Pledge.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Pledge.Status.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    # The pledge's content when the secretariat asked for changes (pledges.pledge_changes), so
    # that the desk can show what the entity changed since; empty on other transitions.
    snapshot = models.JSONField(_("content at the time"), default=dict, blank=True,
                                editable=False)

    class Meta:
        verbose_name = _("pledge status change")
        verbose_name_plural = _("pledge status changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        # The labels, in the language of the page (the admin shows this above each row).
        return f"{self.pledge}: {self.get_from_status_display()} → {self.get_to_status_display()}"


class ReferenceCounter(models.Model):
    """The last reference number used in a year. Locked while a number is taken, so two
    submissions can never get the same one; a rolled-back submission may leave a gap."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class CoalitionSettings(models.Model):
    """Coalition-wide figures the secretariat sets in the admin. One row (pk=1), seeded by a
    migration; read with `CoalitionSettings.load()`."""

    usd_goal = models.DecimalField(
        _("funding goal (USD)"), max_digits=16, decimal_places=0,
        default=Decimal("100000000000"), validators=[MinValueValidator(Decimal("1"))],
        help_text=_("The amount the coalition aims to mobilise, shown on the home page."),
    )
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    class Meta:
        verbose_name = _("coalition settings")
        verbose_name_plural = _("coalition settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="coalition_settings_single_row"),
            models.CheckConstraint(condition=Q(usd_goal__gt=0), name="coalition_goal_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Coalition settings"))

    @classmethod
    def load(cls) -> "CoalitionSettings":
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class ImportedDraftsInvitation(models.Model):
    """One entity's invitation to complete and submit the drafts an import made of its pledges
    (rows that were valid but not complete). Unique per (import, entity) and created in one
    transaction with its emails: however often the job runs, each entity is emailed once per
    import."""

    file_import = models.ForeignKey(
        "spreadsheets.FileImport", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("file import"),
    )
    entity = models.ForeignKey(
        "members.Entity", on_delete=models.CASCADE, related_name="+", verbose_name=_("entity"),
    )
    pledges = models.ManyToManyField(Pledge, related_name="+", verbose_name=_("drafts"))
    emails = models.ManyToManyField(
        "p2c_portal.OutboundEmail", blank=True, related_name="+", verbose_name=_("emails"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation to complete imported drafts")
        verbose_name_plural = _("invitations to complete imported drafts")
        constraints = [
            models.UniqueConstraint(fields=["file_import", "entity"],
                                    name="one_drafts_invitation_per_import_and_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} — {self.file_import}"


class PledgeAmendment(models.Model):
    """A change to a published pledge proposed by its entity (pledges.amendment_workflow).

    The published version stays as it is until the secretariat approves: `base` is the pledge's
    content when the amendment was proposed and `proposed` the content asked for, both as
    pledges.pledge_changes snapshots."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.PROPOSED, Status.CHANGES_REQUESTED)

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("pledge")
    )
    entity = models.ForeignKey(
        "members.Entity", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("proposed for"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("proposed by"),
    )
    reason = models.CharField(_("reason for the amendment"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.PROPOSED)
    base = models.JSONField(_("published version"), default=dict, editable=False)
    proposed = models.JSONField(_("proposed version"), default=dict, editable=False)
    message = models.TextField(_("secretariat's message"), blank=True)
    answer = models.TextField(_("answer to the secretariat"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    submitted_at = models.DateTimeField(_("last submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge amendment")
        verbose_name_plural = _("pledge amendments")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # One amendment under way per pledge: a second would be reviewed against a base
            # that the first could change.
            models.UniqueConstraint(
                fields=["pledge"], condition=Q(status__in=["proposed", "changes_requested"]),
                name="one_open_amendment_per_pledge",
            ),
        ]

    def __str__(self) -> str:
        return _("Amendment of %(pledge)s") % {"pledge": self.pledge}

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class PledgeRevision(models.Model):
    """An approved amendment as the public reads it: when it took effect, why, and the
    field-by-field changes (`changes`: [{"field", "before", "after"}] in snapshot values)."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("pledge")
    )
    amendment = models.OneToOneField(
        PledgeAmendment, on_delete=models.PROTECT, related_name="revision",
        verbose_name=_("amendment"),
    )
    reason = models.CharField(_("reason for the amendment"), max_length=300)
    approved_at = models.DateTimeField(_("in force since"), db_index=True)
    changes = models.JSONField(_("changes"), default=list)
    # The figures in force until this revision (pledges.in_force reads them for reports "as of"
    # an earlier date).
    before = models.JSONField(_("version before"), default=dict)

    class Meta:
        verbose_name = _("pledge revision")
        verbose_name_plural = _("pledge revisions")
        ordering = ["pledge", "approved_at", "pk"]
        indexes = [models.Index(fields=["pledge", "approved_at"], name="revision_pledge_time")]

    def __str__(self) -> str:
        return f"{self.pledge} @ {self.approved_at:%Y-%m-%d}"


# Partnerships live in their own module (pledges.partnership_models); Django finds models here.
from .campaign_tag_models import CampaignTag, CampaignTagChange  # noqa: E402, F401
from .partnership_models import (  # noqa: E402, F401
    Partnership,
    PartnershipAmendment,
    PartnershipChange,
)
