"""The member pledge form, one form per section. Fields are optional in drafts: completeness is
checked on submission (pledges.completeness); what is typed is validated for its form here."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    Indicator,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from p2c_portal.languages import LanguageSelect
from p2c_portal.locale_formats import (
    LocalizedDecimalField,
    collation_key,
    format_list,
)

from .currencies import currency_choices
from .models import (
    MAX_AMOUNT,
    TYPE_DETAIL_FIELDS,
    AdvocacyActivity,
    Event,
    FinancialModality,
    Pledge,
    PledgeType,
    PolicyInstrument,
    PolicyStage,
    ProgrammeKind,
)
from .services import MAX_COUNTRIES, MAX_TARGETS

# What a target's NUMERIC(20, 2) columns hold.
MAX_TARGET_VALUE = Decimal("999999999999999999.99")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AmountField(LocalizedDecimalField):
    """An amount in the page's language ("2 500 000,50" in French, "2,500,000.50" in English),
    optionally with its currency code ("USD 1,000,000"); explains what is wrong."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            *args, currency="", negative_message=_("The amount must be more than zero."), **kwargs
        )

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."))
        if value > MAX_AMOUNT:
            raise forms.ValidationError(
                _("This amount is more than 10,000 billion: check the number of zeros.")
            )


class BasicsForm(forms.ModelForm):
    class Meta:
        model = Pledge
        fields = ["title", "summary", "description", "pledge_type", "event", "start_date",
                  "end_date"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "pledge_type": forms.RadioSelect,
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
        }
        help_texts = {
            "title": _("Short and specific, e.g. “Connect 1,000 rural schools in Malawi”."),
            "description": _("What you will do, how, and with what resources."),
            "event": _("The event where the pledge is announced, if any."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["pledge_type"].choices = PledgeType.choices
        filled = self._filled_type_details()
        if filled:
            # Said before the save that clears them (pledges.services._write).
            self.fields["pledge_type"].help_text = _(
                "Choosing another type removes the details of the type “%(type)s” "
                "(%(details)s) when you save this section."
            ) % {"type": self.instance.get_pledge_type_display(),
                 "details": format_list(filled)}
        self.fields["event"].empty_label = _("Not announced at an event")
        self.fields["event"].queryset = Event.objects.filter(
            Q(is_open_for_pledges=True) | Q(pk=getattr(self.instance, "event_id", None))
        )

    # Worked out from the amount (pledges.rates), never typed: not named among what goes.
    DERIVED_DETAILS = frozenset({"amount_month", "usd_amount", "usd_rate", "usd_rate_date",
                                 "usd_rate_is_test_data"})

    def _filled_type_details(self) -> list[str]:
        """The names of the details of the pledge's current type that hold a value."""
        pledge = self.instance
        fields = TYPE_DETAIL_FIELDS.get(pledge.pledge_type, {})
        return [
            str(Pledge._meta.get_field(name).verbose_name)
            for name, empty in fields.items()
            if name not in self.DERIVED_DETAILS and getattr(pledge, name) not in (empty, None, "")
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            message = _("The end date is before the start date.")
            self.add_error("end_date", message)
            self.add_error("start_date", message)
        return cleaned


class NewPledgeForm(BasicsForm):
    """The basics of a pledge that does not exist yet: saving them creates the draft, so a
    draft always has at least a title (no piles of untitled drafts)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = True
        self.fields["title"].error_messages["required"] = _(
            "Give the pledge a title: the draft is saved with it."
        )


class DetailsForm(forms.ModelForm):
    """Only the fields of the pledge's type are shown and saved."""

    amount = AmountField(
        label=_("Amount"), required=False,
        help_text=_("For example 1,000,000 or 1 000 000."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, required=False)
    advocacy_activities = forms.MultipleChoiceField(
        label=_("Activities"), choices=AdvocacyActivity.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people_to_reach = forms.IntegerField(
        label=_("People to reach"), required=False, min_value=1, max_value=10_000_000_000
    )


    class Meta:
        model = Pledge
        fields = ["amount", "currency", "modality", "disbursement_start", "disbursement_end",
                  "policy_instrument", "policy_stage", "jurisdiction", "advocacy_activities",
                  "audience", "programme_kind", "people_to_reach"]
        widgets = {
            "disbursement_start": DATE_WIDGET,
            "disbursement_end": DATE_WIDGET,
            "modality": forms.RadioSelect,
            "policy_instrument": forms.RadioSelect,
            "policy_stage": forms.RadioSelect,
            "programme_kind": forms.RadioSelect,
        }

    def __init__(self, *args, pledge_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        keep = TYPE_DETAIL_FIELDS.get(pledge_type, {})  # the type's own details only
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for field in self.fields.values():
            field.required = False
        choices = {
            "modality": FinancialModality.choices,
            "policy_instrument": PolicyInstrument.choices,
            "policy_stage": PolicyStage.choices,
            "programme_kind": ProgrammeKind.choices,
        }
        for name, options in choices.items():
            if name in self.fields:
                self.fields[name].choices = options
        own = self.instance.currency if self.instance else ""
        if "currency" in self.fields and own and own not in dict(currency_choices()):
            # A code saved before the list changed stays choosable for its own pledge.
            self.fields["currency"].choices = currency_choices(extra=own)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("disbursement_start"), cleaned.get("disbursement_end")
        if start and end and end < start:
            message = _("The disbursement ends before it starts.")
            self.add_error("disbursement_end", message)
            self.add_error("disbursement_start", message)
        if cleaned.get("amount") and "currency" in self.fields and not cleaned.get("currency"):
            self.add_error("currency", _("Choose the currency of the amount."))
        return cleaned


class PillarChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, pillar):
        return f"{pillar.action_area.name} — {pillar.name}"


class SDGChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, sdg):
        return _("Goal %(number)d: %(name)s") % {"number": sdg.number, "name": sdg.name}


class AreasForm(forms.ModelForm):
    pillars = PillarChoiceField(
        label=_("Pillars"), queryset=Pillar.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sdgs = SDGChoiceField(
        label=_("Sustainable Development Goals"),
        queryset=SustainableDevelopmentGoal.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Pledge
        fields = ["action_areas", "pillars", "sdgs"]
        widgets = {"action_areas": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_areas"].queryset = ActionArea.objects.all()
        self.fields["action_areas"].required = True
        self.fields["action_areas"].error_messages["required"] = _(
            "Choose at least one action area."
        )
        current = self.instance.pk and self.instance.pillars.values_list("pk", flat=True)
        self.fields["pillars"].queryset = Pillar.objects.select_related("action_area").filter(
            Q(is_active=True) | Q(pk__in=list(current or []))
        )

    def clean(self):
        cleaned = super().clean()
        areas = set(cleaned.get("action_areas") or [])
        stray = [p for p in cleaned.get("pillars") or [] if p.action_area not in areas]
        if areas and stray:
            self.add_error(
                "pillars",
                _("These pillars belong to action areas you did not choose: %(pillars)s.")
                % {"pillars": format_list(p.name for p in stray)},
            )
        return cleaned


class _CountriesByRegionThenName(ModelChoiceIterator):
    """Countries grouped by region (the form regroups them), each region's countries in the
    language's alphabetical order: the database's own collation may put Czechia before Côte
    d'Ivoire."""

    def __iter__(self):
        countries = sorted(
            self.queryset,
            key=lambda c: ((c.region.position, c.region.pk) if c.region else (0, 0),
                           collation_key(c.name)),
        )
        for country in countries:
            yield self.choice(country)


class CountryChoiceField(forms.ModelMultipleChoiceField):
    iterator = _CountriesByRegionThenName

    def label_from_instance(self, country):
        # The groupings by the acronyms of the reader's language (PMA in French, НРС in Russian).
        groups = [pgettext("country group acronym", code) for code in country.groups_on()]
        return f"{country.name} ({', '.join(groups)})" if groups else country.name


class GeographyForm(forms.ModelForm):
    countries = CountryChoiceField(
        label=_("Countries"), queryset=Country.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("LDC, LLDC and SIDS targeting is worked out from the countries you choose."),
    )

    class Meta:
        model = Pledge
        fields = ["is_global", "regions", "countries", "beneficiary_groups"]
        widgets = {
            "regions": forms.CheckboxSelectMultiple,
            "beneficiary_groups": forms.CheckboxSelectMultiple,
        }
        labels = {"is_global": _("The pledge acts globally")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.all()
        self.fields["countries"].queryset = (
            Country.objects.select_related("region")
            .prefetch_related("group_memberships")
            .order_by("region__position", "region")
        )
        self.fields["beneficiary_groups"].queryset = BeneficiaryGroup.objects.all()
        for name in ("regions", "beneficiary_groups"):
            self.fields[name].required = False

    def clean_countries(self):
        countries = self.cleaned_data.get("countries") or []
        if len(countries) > MAX_COUNTRIES:
            raise forms.ValidationError(
                _("Choose at most %(max)d countries; for wider pledges choose regions or "
                  "“globally”.") % {"max": MAX_COUNTRIES}
            )
        return countries


OTHER_INDICATOR = ""


def indicator_choices(indicators: list[Indicator], pledge: Pledge | None) -> list:
    """The catalogue's indicators grouped by action area (each once, under its first area),
    those of the pledge's areas first; "other (describe)" first of all. A plain <select> with
    <optgroup>s: usable without JavaScript, and the browser finds an option as one types."""
    pledge_areas = set(pledge.action_areas.values_list("pk", flat=True)) if pledge and pledge.pk \
        else set()
    groups: dict = {}
    for indicator in indicators:
        areas = list(indicator.action_areas.all())
        area = areas[0] if areas else None
        for candidate in areas:
            if candidate.pk in pledge_areas:
                area = candidate
                break
        groups.setdefault(area, []).append((str(indicator.pk), indicator.name))
    ordered = sorted(groups, key=lambda area: (
        area is None, area is not None and area.pk not in pledge_areas,
        area.position if area else 0))
    return [(OTHER_INDICATOR, _("Other (describe it below)"))] + [
        (area.name if area else _("Other indicators"), groups[area]) for area in ordered
    ]


class TargetForm(forms.Form):
    catalogue_indicator = forms.ChoiceField(
        label=_("Indicator"), required=False,
        help_text=_("Choose from the coalition's catalogue, so that your target counts toward "
                    "the coalition's goals; the unit follows the indicator."),
    )
    indicator = forms.CharField(label=_("Other indicator"), max_length=200, required=False,
                                help_text=_("Only if no indicator of the catalogue fits: what "
                                            "is counted, e.g. “Schools connected”."))
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False,
                           help_text=_("For another indicator: e.g. schools, people, %"))
    baseline = LocalizedDecimalField(label=_("Baseline"), required=False, min_value=Decimal(0),
                                     max_value=MAX_TARGET_VALUE)
    target_value = LocalizedDecimalField(label=_("Target value"), min_value=Decimal("0.01"),
                                         max_value=MAX_TARGET_VALUE)
    target_date = forms.DateField(label=_("Target date"), widget=DATE_WIDGET)

    def __init__(self, *args, pledge: Pledge | None = None, indicators=None, choices=None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.pledge = pledge
        self.indicators = {str(indicator.pk): indicator for indicator in indicators or ()}
        self.fields["catalogue_indicator"].choices = choices or [
            (OTHER_INDICATOR, _("Other (describe it below)"))]
        initial = self.initial.get("catalogue_indicator")
        if isinstance(initial, Indicator):
            self.initial["catalogue_indicator"] = str(initial.pk)
        if initial:
            # A catalogue indicator's name and unit are copied into the free-text columns
            # (clean()); shown again in "Other indicator" they would read as a second choice.
            self.initial["indicator"] = self.initial["unit"] = ""
        self.fields["target_value"].error_messages["required"] = _(
            "Give the value this target will reach."
        )

    def clean_catalogue_indicator(self):
        chosen = self.cleaned_data["catalogue_indicator"]
        return self.indicators.get(chosen) if chosen else None

    def clean_target_date(self):
        date = self.cleaned_data["target_date"]
        if self.pledge and self.pledge.start_date and date < self.pledge.start_date:
            raise forms.ValidationError(_("The target date is before the pledge starts."))
        if self.pledge and self.pledge.end_date and date > self.pledge.end_date:
            raise forms.ValidationError(_("The target date is after the pledge ends."))
        return date

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("catalogue_indicator")
        if chosen is not None:
            # The catalogue's English name and unit fill the free-text columns progress
            # reports copy; pages show the indicator's own name in the reader's language.
            cleaned["indicator"] = chosen.name_en
            cleaned["unit"] = chosen.unit_en
        elif "catalogue_indicator" not in self.errors and self.has_changed():
            if not cleaned.get("indicator"):
                self.add_error("indicator", _("Choose an indicator of the catalogue, or "
                                              "describe the one you will count."))
            if not cleaned.get("unit"):
                self.add_error("unit", _("Give the unit of the indicator you describe."))
        return cleaned


class BaseTargetFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "pledge": self.pledge,
                "indicators": self.indicators, "choices": self.indicator_choices}

    def __init__(self, *args, pledge: Pledge | None = None, **kwargs):
        self.pledge = pledge
        # Read once for every row: the active indicators of the pledge's areas, and any the
        # pledge's targets already use (kept, even if retired since).
        offered = Indicator.objects.active()
        if pledge is not None and pledge.pk:
            areas = pledge.action_areas.values("pk")
            offered = Indicator.objects.filter(
                Q(pk__in=offered.for_action_areas(areas).values("pk"))
                | Q(pk__in=pledge.targets.values("catalogue_indicator_id")))
        self.indicators = list(offered.prefetch_related("action_areas")
                               .order_by("position", "code"))
        self.indicator_choices = indicator_choices(self.indicators, pledge)
        super().__init__(*args, **kwargs)


TargetFormSet = forms.formset_factory(
    TargetForm, formset=BaseTargetFormSet, extra=1, can_delete=True, max_num=MAX_TARGETS,
    validate_max=True, absolute_max=MAX_TARGETS + 5,
)


class PartnersForm(forms.ModelForm):
    """Co-pledging member entities are invited on the pledge's partners page (pledges.partnerships:
    they are shown only once they accept), not chosen here."""

    class Meta:
        model = Pledge
        fields = ["other_partners", "contact_name", "contact_email"]
        widgets = {"other_partners": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "other_partners": _("Partners that are not coalition members, one per line."),
            "contact_name": _("Not shown to the public: for the secretariat's questions."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class WithdrawForm(forms.Form):
    message = forms.CharField(
        label=_("Why is the pledge withdrawn? (optional, shared with the secretariat)"),
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
    )


class SubmitForm(forms.Form):
    """Submitting, or resubmitting after the secretariat asked for changes with an answer."""

    answer = forms.CharField(
        label=_("Your answer to the secretariat (optional)"),
        help_text=_("What you changed, or why you left something as it was."),
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
    )


SECTION_FORMS = {
    "basics": BasicsForm,
    "details": DetailsForm,
    "areas": AreasForm,
    "geography": GeographyForm,
    "partners": PartnersForm,
}


class TranslationForm(forms.Form):
    """A pledge's title and summary in one of the site's languages."""

    language = forms.ChoiceField(label=_("Language"), choices=(), widget=LanguageSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=600,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )

    def __init__(self, *args, **kwargs):
        from django.conf import settings
        from django.utils.translation import get_language_info

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]
        self.fields["title"].widget.attrs["dir"] = "auto"


class OriginalLanguageForm(forms.Form):
    original_language = forms.ChoiceField(
        label=_("The title and summary are written in"), choices=(), required=False,
        widget=LanguageSelect,
    )

    def __init__(self, *args, **kwargs):
        from django.conf import settings
        from django.utils.translation import get_language_info

        super().__init__(*args, **kwargs)
        self.fields["original_language"].choices = [("", _("Not said"))] + [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]


class TranslationRemoveForm(forms.Form):
    language = forms.ChoiceField(choices=())

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = list(settings.LANGUAGES)


class AmendmentForm(forms.Form):
    """An amendment of a published pledge (pledges.amendment_workflow): the amendable fields,
    prefilled with the current version, and the reason. The targets come in a TargetFormSet."""

    reason = forms.CharField(
        label=_("Reason for the amendment"), max_length=300,
        help_text=_("Shown to the public with the changes, e.g. “Budget revised after the "
                    "mid-term review”."),
        error_messages={"required": _("Say briefly why the pledge is amended.")},
    )
    description = forms.CharField(label=_("Description"), max_length=10000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE_WIDGET)
    amount = AmountField(label=_("Amount"), required=False)
    people_to_reach = forms.IntegerField(label=_("People to reach"), required=False,
                                         min_value=0, max_value=10**15)
    countries = CountryChoiceField(
        label=_("Countries"), queryset=Country.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    answer = forms.CharField(
        label=_("Your answer to the secretariat (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # The fields written into the proposed version (pledges.pledge_changes snapshot names): the
    # type's own details come from DetailsForm, for the pledge's type only.
    TYPE_DETAILS = ("modality", "disbursement_start", "disbursement_end", "policy_instrument",
                    "policy_stage", "jurisdiction", "advocacy_activities", "audience",
                    "programme_kind")
    AMENDED_FIELDS = ("description", "start_date", "end_date", "amount", "people_to_reach",
                      *TYPE_DETAILS, "countries")

    def __init__(self, *args, pledge: Pledge, answering: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.pledge = pledge
        if pledge.pledge_type != PledgeType.FINANCIAL:
            del self.fields["amount"]
        else:
            self.fields["amount"].label = _("Amount (%(currency)s)") % {
                "currency": pledge.currency}
        if pledge.pledge_type != PledgeType.PROGRAMME:
            del self.fields["people_to_reach"]
        if not answering:
            del self.fields["answer"]
        details = DetailsForm(pledge_type=pledge.pledge_type).fields
        for name in self.TYPE_DETAILS:
            if name in details:
                self.fields[name] = details[name]
        self.fields["countries"].queryset = (
            Country.objects.select_related("region").prefetch_related("group_memberships")
            .order_by("region__position", "region")
        )

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is None:
            raise forms.ValidationError(_("A financial pledge needs an amount."))
        return amount

    def clean_countries(self):
        countries = self.cleaned_data.get("countries") or []
        if len(countries) > MAX_COUNTRIES:
            raise forms.ValidationError(
                _("Choose at most %(max)d countries.") % {"max": MAX_COUNTRIES})
        return countries

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        first, last = cleaned.get("disbursement_start"), cleaned.get("disbursement_end")
        if first and last and last < first:
            self.add_error("disbursement_end",
                           _("The disbursement ends before it starts."))
        return cleaned

    def type_detail_fields(self) -> list:
        """The type's details, bound, in the order of the details section."""
        return [self[name] for name in self.TYPE_DETAILS if name in self.fields]

    def amended_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.AMENDED_FIELDS
                if name in self.fields}
