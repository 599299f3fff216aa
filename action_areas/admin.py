from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from p2c_portal.admin_autocomplete import KeyCheckingAutocompleteMixin

from . import services
from .models import (
    ActionArea,
    BeneficiaryGroup,
    Campaign,
    CoalitionGoal,
    Country,
    CountryGroupMembership,
    Indicator,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)


def other_languages() -> list[tuple[str, str]]:
    """settings.LANGUAGES but English, the source kept in `name_en`. Read at each request, so a
    language added to the settings gets its fields without a migration or a code change."""
    return [(code, name) for code, name in settings.LANGUAGES if code != "en"]


def translation_field_name(field: str, language: str) -> str:
    return f"{field}_in_{language.replace('-', '_')}"


TRANSLATED_FIELD_LABELS = {"name": _("name"), "description": _("description"), "title": _("title"),
                           "definition": _("definition"), "unit": _("unit")}
LONG_TEXTS = ("description", "definition")


def translations_form(model, translated: tuple[str, ...], base=forms.ModelForm):
    """A form for `model` with one text field per other language for each `translated` field
    ("name", "description"), read from and written to its `<field>_translations` JSON field."""
    declared = {}
    for field in translated:
        source = model._meta.get_field(f"{field}_en")
        label = TRANSLATED_FIELD_LABELS[field]
        for code, language_name in other_languages():
            declared[translation_field_name(field, code)] = forms.CharField(
                label=f"{capfirst(label)} ({language_name})", required=False,
                max_length=getattr(source, "max_length", None),
                widget=forms.Textarea(attrs={"rows": 3}) if field in LONG_TEXTS else None,
            )

    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)
        for field in translated:
            stored = getattr(self.instance, f"{field}_translations") or {}
            for code, _name in other_languages():
                self.initial.setdefault(translation_field_name(field, code), stored.get(code, ""))

    def clean(self):
        cleaned = base.clean(self)
        for field in translated:
            # Languages no longer offered keep their text: offering them again restores it.
            stored = dict(getattr(self.instance, f"{field}_translations") or {})
            for code, _name in other_languages():
                text = (cleaned.get(translation_field_name(field, code)) or "").strip()
                if text:
                    stored[code] = text
                else:
                    stored.pop(code, None)
            setattr(self.instance, f"{field}_translations", stored)
        return cleaned

    return type(f"{model.__name__}TranslationsForm", (base,),
                {**declared, "__init__": __init__, "clean": clean})


class TranslatedNamesAdmin(admin.ModelAdmin):
    """An admin whose name (and description) are edited in every language of settings.LANGUAGES."""

    translated_fields: tuple[str, ...] = ("name",)

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()),
                *(f"{field}_translations" for field in self.translated_fields)]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = translations_form(self.model, self.translated_fields, self.form)
        return super().get_form(request, obj, change, **kwargs)

    def translation_fields(self) -> list[str]:
        """The form's fields for the other languages (for fieldsets)."""
        return [translation_field_name(field, code)
                for field in self.translated_fields for code, _name in other_languages()]

    @admin.display(description=_("name"))
    def name_in_active_language(self, obj) -> str:
        return obj.name


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0
    fields = ("code", "name_en", "position", "is_active")


@admin.register(ActionArea)
class ActionAreaAdmin(TranslatedNamesAdmin):
    translated_fields = ("name", "description")
    list_display = ("code", "name_en", "name_in_active_language", "position")
    inlines = [PillarInline]


@admin.register(Pillar)
class PillarAdmin(TranslatedNamesAdmin):
    list_display = ("code", "name_en", "name_in_active_language", "action_area", "position",
                    "is_active")
    list_filter = ("action_area", "is_active")
    list_select_related = ("action_area",)
    search_fields = ("code", "name_en", "name_translations")


@admin.register(BeneficiaryGroup)
class BeneficiaryGroupAdmin(TranslatedNamesAdmin):
    list_display = ("code", "name_en", "name_in_active_language", "position")


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(TranslatedNamesAdmin):
    list_display = ("number", "name_en", "name_in_active_language")


@admin.register(Region)
class RegionAdmin(TranslatedNamesAdmin):
    list_display = ("code", "name_en", "name_in_active_language", "position")


class CountryGroupMembershipInline(admin.TabularInline):
    model = CountryGroupMembership
    extra = 0
    fields = ("group", "valid_from", "valid_to", "note", "source")


@admin.register(Country)
class CountryAdmin(TranslatedNamesAdmin):
    list_display = ("iso3", "iso2", "name_en", "name_in_active_language", "region")
    list_filter = ("region", "group_memberships__group")
    list_select_related = ("region",)
    search_fields = ("iso3", "iso2", "name_en", "name_translations")
    inlines = [CountryGroupMembershipInline]


@admin.register(CountryGroupMembership)
class CountryGroupMembershipAdmin(KeyCheckingAutocompleteMixin, admin.ModelAdmin):
    list_display = ("country", "group", "valid_from", "valid_to", "note")
    list_filter = ("group", "valid_to")
    list_select_related = ("country",)
    search_fields = ("country__name_en", "country__iso3", "note")
    autocomplete_fields = ("country",)


class ServiceWritesAdmin(TranslatedNamesAdmin):
    """An admin whose rows are written by a service of action_areas.services (the form only
    validates): `write(actor, pk, values, links)` gets the row's field values, translations
    included, and its many-to-many choices."""

    def write(self, *, actor, pk, values: dict, links: dict):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        values = {field.attname: getattr(obj, field.attname)
                  for field in obj._meta.concrete_fields if not field.primary_key}
        links = {field.name: form.cleaned_data[field.name]
                 for field in obj._meta.many_to_many if field.name in form.cleaned_data}
        row = self.write(actor=request.user, pk=obj.pk if change else None, values=values,
                         links=links)
        obj.pk = row.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The many-to-many choices were written with the row by save_model; no form.save_m2m().
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class IndicatorForm(forms.ModelForm):
    disaggregations = forms.MultipleChoiceField(
        # Capitalised as the admin writes the model's own field labels.
        label=capfirst(_("disaggregations")), choices=Indicator.Disaggregation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The groups values may also be reported for."),
    )

    class Meta:
        model = Indicator
        fields = ["code", "name_en", "unit_en", "definition_en", "aggregation",
                  "disaggregations", "action_areas", "pillars", "position", "is_active"]
        # Checkboxes, not the admin's two-box filter: its search icons carry an aria-label on
        # a bare <span>, which screen readers ignore (axe: aria-prohibited-attr); the lists
        # are short (a few areas, a few dozen pillars or indicators).
        widgets = {"action_areas": forms.CheckboxSelectMultiple,
                   "pillars": forms.CheckboxSelectMultiple}


@admin.register(Indicator)
class IndicatorAdmin(ServiceWritesAdmin):
    """The secretariat's catalogue of indicators; targets and goals point at its rows, so an
    indicator in use is retired (made inactive) rather than deleted."""

    form = IndicatorForm
    translated_fields = ("name", "unit", "definition")
    list_display = ("code", "name_en", "name_in_active_language", "unit_en", "aggregation",
                    "is_active", "position")
    list_filter = ("aggregation", "is_active", "action_areas")
    search_fields = ("code", "name_en", "name_translations")

    def write(self, *, actor, pk, values, links):
        return services.indicator_save(actor=actor, indicator_id=pk, values=values, **links)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # targets and goals point at it: retire it (inactive) instead


@admin.register(CoalitionGoal)
class CoalitionGoalAdmin(KeyCheckingAutocompleteMixin, ServiceWritesAdmin):
    list_display = ("code", "name_en", "measure", "indicator", "target_value", "target_date",
                    "scope", "is_shown")
    list_filter = ("measure", "scope", "is_shown")
    list_select_related = ("indicator",)
    search_fields = ("code", "name_en", "name_translations")

    def write(self, *, actor, pk, values, links):
        return services.goal_save(actor=actor, goal_id=pk, values=values)

    def delete_model(self, request, obj):
        services.goal_delete(actor=request.user, goal_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.goal_delete(actor=request.user, goal_ids=queryset.values_list("pk", flat=True))


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["slug", "name_en", "description_en", "starts_on", "ends_on", "action_areas",
                  "indicators", "is_active"]
        labels = {"name_en": _("theme (English)")}
        widgets = {"action_areas": forms.CheckboxSelectMultiple,  # see IndicatorForm
                   "indicators": forms.CheckboxSelectMultiple}


@admin.register(Campaign)
class CampaignAdmin(ServiceWritesAdmin):
    """Pledging campaigns: theme and description in every language, period, what they are
    about. Their tags are confirmed under Pledges › Campaign tags; a goal scoped to a campaign
    is set under Coalition goals."""

    form = CampaignForm
    translated_fields = ("name", "description")
    list_display = ("slug", "name_en", "name_in_active_language", "starts_on", "ends_on",
                    "is_active")
    list_filter = ("is_active", "action_areas")
    search_fields = ("slug", "name_en", "name_translations")
    date_hierarchy = "starts_on"

    def write(self, *, actor, pk, values, links):
        return services.campaign_save(actor=actor, campaign_id=pk, values=values, **links)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # pledges' tags point at it: close it (inactive) instead
