"""The P2C Action Framework and the reference data pledges are tagged with.

Names and descriptions are stored in English (the source, `name_en`) and, for every other
language, in one JSON field {language code: text}: `name`/`description` pick the active language and
fall back to English. A language added to settings.LANGUAGES needs no migration, only its
translations (entered in the admin or loaded by `manage.py load_reference_translations`).
"""

import datetime

from django.db import models
from django.db.models import Q
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
