"""The P2C Action Framework and the reference data pledges are tagged with.

Names and descriptions are stored in English (the source, `name_en`) and, for every other
language, in one JSON field {language code: text}: `name`/`description` pick the active language and
fall back to English. A language added to settings.LANGUAGES needs no migration, only its
translations (entered in the admin or loaded by `manage.py load_reference_translations`).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def text_in(source: str, translations: dict | None, language: str | None) -> str:
    """`translations[language]`, else the translation of the language's base ("zh" for
    "zh-hans" and the reverse), else the English `source`."""
    translations = translations or {}
    language = (language or "en").lower()
    if language != "en":
        base = language.split("-")[0]
        for code in (language, base):
            if translations.get(code):
                return translations[code]
        for code, text in translations.items():
            if code.split("-")[0] == base and text:
                return text
    return source


class TranslatedNameMixin(models.Model):
    """A name in English (the source every other language falls back to) and in any other
    language of settings.LANGUAGES, without one column per language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_translations = models.JSONField(
        _("name in other languages"), default=dict, blank=True,
        help_text=_("The name in each other language, by language code."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str | None) -> str:
        return text_in(self.name_en, self.name_translations, language)

    @property
    def name(self) -> str:
        """The name in the active language (English where it has no translation)."""
        return self.name_in(get_language())


class ActionArea(TranslatedNameMixin):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_translations = models.JSONField(
        _("description in other languages"), default=dict, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("action area")
        verbose_name_plural = _("action areas")
        ordering = ["position", "code"]

    def description_in(self, language: str | None) -> str:
        return text_in(self.description_en, self.description_translations, language)

    @property
    def description(self) -> str:
        return self.description_in(get_language())


class Pillar(TranslatedNameMixin):
    """A pillar of an action area, edited by the secretariat; retired pillars stay for history."""

    action_area = models.ForeignKey(
        ActionArea, on_delete=models.PROTECT, related_name="pillars", verbose_name=_("action area")
    )
    code = models.SlugField(_("code"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive pillars cannot be chosen for new pledges.")
    )

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["action_area__position", "position", "code"]


class BeneficiaryGroup(TranslatedNameMixin):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("beneficiary group")
        verbose_name_plural = _("beneficiary groups")
        ordering = ["position", "code"]


class SustainableDevelopmentGoal(TranslatedNameMixin):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)

    class Meta:
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=17), name="sdg_number_1_to_17"
            )
        ]

    def __str__(self) -> str:
        return _("SDG %(number)d: %(name)s") % {"number": self.number, "name": self.name}


class Region(TranslatedNameMixin):
    """An ITU-D region (Africa, Americas, Arab States, Asia-Pacific, CIS, Europe)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("ITU-D region")
        verbose_name_plural = _("ITU-D regions")
        ordering = ["position", "code"]


class CountryQuerySet(models.QuerySet):
    def in_group(self, group: str, on: datetime.date | None = None) -> "CountryQuerySet":
        """Countries in `group` (LDC, LLDC, SIDS) on the given date (default: today)."""
        on = on or timezone.localdate()
        return self.filter(
            group_memberships__in=CountryGroupMembership.objects.valid_on(on).filter(group=group)
        ).distinct()


class Country(TranslatedNameMixin):
    iso3 = models.CharField(_("ISO 3166-1 alpha-3 code"), max_length=3, unique=True)
    iso2 = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="countries", verbose_name=_("ITU-D region")
    )

    objects = CountryQuerySet.as_manager()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_en"]

    def groups_on(self, on: datetime.date | None = None) -> list[str]:
        """The group codes (e.g. ["LDC", "LLDC"]) this country belonged to on a date."""
        on = on or timezone.localdate()
        return sorted(m.group for m in self.group_memberships.all() if m.is_valid_on(on))


class CountryGroup(models.TextChoices):
    LDC = "LDC", _("Least Developed Country")
    LLDC = "LLDC", _("Landlocked Developing Country")
    SIDS = "SIDS", _("Small Island Developing State")


class CountryGroupMembershipQuerySet(models.QuerySet):
    def valid_on(self, on: datetime.date) -> "CountryGroupMembershipQuerySet":
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gt=on),
        )


class CountryGroupMembership(models.Model):
    """A dated membership of a UN country grouping.

    valid_from empty: since before the portal's records; valid_to empty: still a member.
    valid_to is exclusive: a country that graduates on 13 Dec 2024 is no longer an LDC that day.
    """

    country = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        related_name="group_memberships",
        verbose_name=_("country"),
    )
    group = models.CharField(_("group"), max_length=4, choices=CountryGroup.choices)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid until (exclusive)"),
        null=True,
        blank=True,
        help_text=_("The day membership ended, e.g. the graduation date. Empty: still a member."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.URLField(_("source"), max_length=500, blank=True)

    objects = CountryGroupMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("country group membership")
        verbose_name_plural = _("country group memberships")
        ordering = ["country__name_en", "group", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="country_group_membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} — {self.group}"

    def is_valid_on(self, on: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to > on
        )


class IndicatorQuerySet(models.QuerySet):
    def active(self) -> "IndicatorQuerySet":
        return self.filter(is_active=True)

    def for_action_areas(self, action_area_ids) -> "IndicatorQuerySet":
        """The indicators tagged to any of these areas, and those tagged to none (they fit all)."""
        return self.filter(Q(action_areas__in=action_area_ids) | Q(action_areas__isnull=True)
                           ).distinct()


class Indicator(TranslatedNameMixin):
    """A measure from the coalition's catalogue that pledge targets can use, so that targets in
    different pledges add up ("people newly connected" is one indicator, not many wordings).
    Kept by the secretariat in the admin; name, unit and definition in every site language."""

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum")
        MAX = "max", _("Maximum (coverage-like values)")
        NONE = "none", _("Not combinable")

    class Disaggregation(models.TextChoices):
        WOMEN_GIRLS = "women_girls", _("Women and girls")
        YOUTH = "youth", _("Youth")
        RURAL = "rural", _("Rural and remote communities")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    definition_en = models.TextField(
        _("definition (English)"), help_text=_("What counts, so that every member counts alike.")
    )
    definition_translations = models.JSONField(
        _("definition in other languages"), default=dict, blank=True
    )
    unit_en = models.CharField(_("unit (English)"), max_length=50)
    unit_translations = models.JSONField(_("unit in other languages"), default=dict, blank=True)
    aggregation = models.CharField(
        _("how values combine"), max_length=4, choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_("Sum: pledges' values add up. Maximum: the largest value is the coalition's "
                    "(e.g. a coverage percentage). Not combinable: values are only listed."),
    )
    disaggregations = models.JSONField(
        _("disaggregations"), default=list, blank=True,
        help_text=_("The groups values may also be reported for."),
    )
    action_areas = models.ManyToManyField(
        ActionArea, related_name="indicators", blank=True, verbose_name=_("action areas"),
        help_text=_("The pledge form offers the indicator to pledges in these areas (none: all)."),
    )
    pillars = models.ManyToManyField(
        Pillar, related_name="indicators", blank=True, verbose_name=_("pillars")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive indicators cannot be chosen for new "
                                               "targets; targets that use them keep them.")
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(aggregation__in=["sum", "max", "none"]),
                                   name="indicator_aggregation_known"),
        ]

    def definition_in(self, language: str | None) -> str:
        return text_in(self.definition_en, self.definition_translations, language)

    @property
    def definition(self) -> str:
        return self.definition_in(get_language())

    def unit_in(self, language: str | None) -> str:
        return text_in(self.unit_en, self.unit_translations, language)

    @property
    def unit(self) -> str:
        return self.unit_in(get_language())

    def disaggregation_labels(self) -> list[str]:
        labels = dict(self.Disaggregation.choices)
        return [str(labels[code]) for code in self.disaggregations or () if code in labels]


class CampaignQuerySet(models.QuerySet):
    def public(self) -> "CampaignQuerySet":
        return self.filter(is_active=True)

    def open_on(self, day: datetime.date) -> "CampaignQuerySet":
        """Active campaigns whose period includes `day`: the ones a pledge can be tagged to."""
        return self.public().filter(starts_on__lte=day, ends_on__gte=day)


class Campaign(TranslatedNameMixin):
    """A single-issue pledging campaign or pledge drive the secretariat runs (school
    connectivity, AI for good, …): a theme (`name`), a description, a period, the action areas
    and indicators it is about. Members tag their pledges to it; the secretariat confirms each
    tag (pledges.CampaignTag); a goal scoped to the campaign counts its confirmed pledges."""

    slug = models.SlugField(_("code"), max_length=50, unique=True,
                            help_text=_("Its address: /campaigns/<code>/."))
    description_en = models.TextField(_("description (English)"), blank=True)
    description_translations = models.JSONField(
        _("description in other languages"), default=dict, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("The last day pledges can be tagged."))
    action_areas = models.ManyToManyField(
        ActionArea, related_name="campaigns", blank=True, verbose_name=_("action areas"))
    indicators = models.ManyToManyField(
        Indicator, related_name="campaigns", blank=True, verbose_name=_("indicators"))
    is_active = models.BooleanField(
        _("active"), default=True,
        help_text=_("Inactive campaigns are neither shown nor offered to members."))
    # Every save: pledges.public_cache.public_fingerprint() reads the latest, so that the facet
    # data counting a campaign's pledges is built again when it is closed or reopened.
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="campaign_period_ordered"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("reporting:campaign_detail", args=[self.slug])

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})

    def description_in(self, language: str | None) -> str:
        return text_in(self.description_en, self.description_translations, language)

    @property
    def description(self) -> str:
        return self.description_in(get_language())

    def is_open_on(self, day: datetime.date) -> bool:
        return self.is_active and self.starts_on <= day <= self.ends_on


class CoalitionGoalQuerySet(models.QuerySet):
    def shown(self) -> "CoalitionGoalQuerySet":
        return self.filter(is_shown=True)


class CoalitionGoal(TranslatedNameMixin):
    """What the coalition as a whole aims at: an indicator's total (or USD committed) to reach
    by a date, over all pledges or one scope (an action area, a country group, a region).
    The figures are worked out from the pledges' targets (reporting.selectors.goals)."""

    class Measure(models.TextChoices):
        INDICATOR = "indicator", _("An indicator of the catalogue")
        USD_COMMITTED = "usd", _("USD committed by financial pledges")

    class Scope(models.TextChoices):
        ALL = "all", _("All pledges")
        ACTION_AREA = "action_area", _("An action area")
        COUNTRY_GROUP = "country_group", _("A country group (LDC, LLDC, SIDS)")
        REGION = "region", _("An ITU-D region")
        CAMPAIGN = "campaign", _("A campaign's confirmed pledges")

    code = models.SlugField(_("code"), max_length=50, unique=True,
                            help_text=_("Its address: /goals/<code>/."))
    measure = models.CharField(_("measure"), max_length=10, choices=Measure.choices,
                               default=Measure.INDICATOR)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="goals",
        verbose_name=_("indicator"),
    )
    target_value = models.DecimalField(
        _("goal value"), max_digits=20, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    target_date = models.DateField(_("to reach by"))
    scope = models.CharField(_("scope"), max_length=15, choices=Scope.choices,
                             default=Scope.ALL)
    action_area = models.ForeignKey(
        ActionArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("action area"),
    )
    country_group = models.CharField(_("country group"), max_length=4,
                                     choices=CountryGroup.choices, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("ITU-D region"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="goals",
        verbose_name=_("campaign"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_shown = models.BooleanField(_("shown on the Goals page"), default=True)

    objects = CoalitionGoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("coalition goal")
        verbose_name_plural = _("coalition goals")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(measure="indicator", indicator__isnull=False)
                           | Q(measure="usd", indicator__isnull=True)),
                name="goal_indicator_matches_measure",
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="all", action_area__isnull=True, country_group="",
                      region__isnull=True, campaign__isnull=True)
                    | Q(scope="action_area", action_area__isnull=False, country_group="",
                        region__isnull=True, campaign__isnull=True)
                    | Q(scope="country_group", action_area__isnull=True,
                        country_group__in=["LDC", "LLDC", "SIDS"], region__isnull=True,
                        campaign__isnull=True)
                    | Q(scope="region", action_area__isnull=True, country_group="",
                        region__isnull=False, campaign__isnull=True)
                    | Q(scope="campaign", action_area__isnull=True, country_group="",
                        region__isnull=True, campaign__isnull=False)
                ),
                name="goal_scope_complete",
            ),
            models.CheckConstraint(condition=Q(target_value__gt=0), name="goal_value_positive"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("reporting:goal_detail", args=[self.code])

    def clean(self):
        errors = {}
        if self.measure == self.Measure.INDICATOR and not self.indicator_id:
            errors["indicator"] = _("Choose the indicator this goal adds up.")
        if self.measure == self.Measure.USD_COMMITTED and self.indicator_id:
            errors["indicator"] = _("A goal in USD committed has no indicator.")
        needed = {self.Scope.ACTION_AREA: "action_area", self.Scope.COUNTRY_GROUP:
                  "country_group", self.Scope.REGION: "region", self.Scope.CAMPAIGN: "campaign"}
        for scope, field in needed.items():
            value = getattr(self, f"{field}_id" if field != "country_group" else field)
            if self.scope == scope and not value:
                errors[field] = _("Choose the %(scope)s this goal is about.") % {
                    "scope": self._meta.get_field(field).verbose_name}
            if self.scope != scope and value:
                errors[field] = _("Leave this empty: the goal's scope is “%(scope)s”.") % {
                    "scope": self.get_scope_display()}
        if errors:
            raise ValidationError(errors)

    @property
    def unit(self) -> str:
        return self.indicator.unit if self.indicator_id else "USD"

    @property
    def aggregation(self) -> str:
        return self.indicator.aggregation if self.indicator_id else Indicator.Aggregation.SUM

    def scope_label(self) -> str:
        if self.scope == self.Scope.ACTION_AREA:
            return self.action_area.name
        if self.scope == self.Scope.REGION:
            return self.region.name
        if self.scope == self.Scope.COUNTRY_GROUP:
            return str(CountryGroup(self.country_group).label)
        if self.scope == self.Scope.CAMPAIGN:
            return self.campaign.name
        return str(_("All pledges"))


class ReferenceVersion(models.Model):
    """One row per reference table (action_areas.reference_versions.REFERENCE_TABLES) and per
    table another app registers: a token that database triggers replace at every INSERT, UPDATE,
    DELETE (and TRUNCATE) of that table (of a table registered for deletions only, at the
    deletion of rows meeting its condition), whoever writes it (the admin, a data migration,
    raw SQL). The per-process memo of the reference data (action_areas.reference_memo) compares
    it to tell what to read again.
    A random token, not a counter: a table emptied and refilled (a test's flush) must never
    bring back a version the memo already holds.

    Not managed: migration 0009 creates the table with its triggers, and no flush, fixture or
    serialization of the data carries these tokens (the triggers write them as rows are put
    back)."""

    table_name = models.CharField(max_length=63, primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "action_areas_referenceversion"

    def __str__(self) -> str:
        return f"{self.table_name}: {self.version}"
