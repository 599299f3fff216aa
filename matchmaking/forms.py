"""The need form (one page: it never loses what was typed), the proposal to connect, and the
answers. Views hand `cleaned_data` to matchmaking.services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from action_areas.models import ActionArea, Country, Pillar
from pledges.currencies import currency_choices
from pledges.forms import DATE_WIDGET, AmountField, CountryChoiceField, PillarChoiceField

from .models import Need
from .services import MAX_COUNTRIES

NEED_FIELDS = ["title", "description", "support_kind", "action_areas", "pillars", "countries",
               "amount", "currency", "open_until"]


class NeedForm(forms.ModelForm):
    amount = AmountField(label=_("Amount sought (optional)"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, required=False)
    pillars = PillarChoiceField(label=_("Pillars"), queryset=Pillar.objects.none(),
                                required=False, widget=forms.CheckboxSelectMultiple)
    countries = CountryChoiceField(
        label=_("Countries"), queryset=Country.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Where the support is needed. LDC, LLDC and SIDS are worked out from them."),
    )

    class Meta:
        model = Need
        fields = NEED_FIELDS
        widgets = {"action_areas": forms.CheckboxSelectMultiple, "open_until": DATE_WIDGET,
                   "description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_areas"].queryset = ActionArea.objects.all()
        self.fields["action_areas"].required = False
        self.fields["pillars"].queryset = Pillar.objects.select_related("action_area").filter(
            is_active=True)
        self.fields["countries"].queryset = (
            Country.objects.select_related("region").prefetch_related("group_memberships")
            .order_by("region__position", "region"))
        own = self.instance.currency if self.instance else ""
        if own and own not in dict(currency_choices()):
            self.fields["currency"].choices = currency_choices(extra=own)

    def clean_countries(self):
        countries = self.cleaned_data.get("countries") or []
        if len(countries) > MAX_COUNTRIES:
            raise forms.ValidationError(_("Choose at most %(max)d countries.")
                                        % {"max": MAX_COUNTRIES})
        return countries

    def clean_open_until(self):
        open_until = self.cleaned_data.get("open_until")
        if open_until and open_until < timezone.localdate():
            raise forms.ValidationError(_("Choose a date that has not passed yet."))
        return open_until

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("amount") and not cleaned.get("currency"):
            self.add_error("currency", _("Choose the currency of the amount."))
        if not cleaned.get("amount"):
            cleaned["currency"] = ""
        areas = set(cleaned.get("action_areas") or [])
        stray = [p for p in cleaned.get("pillars") or [] if p.action_area not in areas]
        if stray:
            self.add_error("pillars", _("Choose the action area of each pillar you choose."))
        return cleaned

    def valid_values(self) -> dict:
        """The fields that validated (after is_valid()), to save while the rest is kept as
        typed."""
        failed = set(self.errors)
        if failed & {"amount", "currency"}:
            failed |= {"amount", "currency"}  # saved together or not at all
        return {name: value for name, value in self.cleaned_data.items()
                if name in NEED_FIELDS and name not in failed}


class ProposeForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say briefly what you could do together. Your contact details are shared "
                    "only if they accept."),
    )
    from_entity = forms.TypedChoiceField(label=_("On behalf of"), coerce=int)

    def __init__(self, *args, entities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_entity"].choices = [(e.pk, e.name) for e in entities]
