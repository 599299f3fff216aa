"""Forms of the partners pages: the picker's search, an invitation, ending a partnership,
asking to join a published pledge, a partner's proposed change to its contribution and the
answer to it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .currencies import currency_choices
from .forms import AmountField
from .models import Partnership
from .partnerships import JOIN_ROLES, MAX_CONTRIBUTION, MAX_REASON


class EntitySearchForm(forms.Form):
    """The picker: a plain GET search that works without JavaScript."""

    q = forms.CharField(label=_("Find a member entity by name or acronym"), max_length=100,
                        required=False)


class InviteForm(forms.Form):
    entity = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does this partnership end? (shared with the other side)"),
        max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason: both sides and the secretariat will read "
                                      "it.")},
    )


class JoinRequestForm(forms.Form):
    """Asking to join a published pledge: the entity (when the person acts for several), the
    role, what it brings and, for a funder, the amount and its currency."""

    entity = forms.TypedChoiceField(label=_("Your entity"), coerce=int,
                                    error_messages={"required": _("Choose your entity."),
                                                    "invalid_choice": _("Choose your entity.")})
    role = forms.ChoiceField(
        label=_("Your entity's role"), widget=forms.RadioSelect,
        choices=[(role.value, role.label) for role in JOIN_ROLES],
        error_messages={"required": _("Choose one of the roles offered."),
                        "invalid_choice": _("Choose one of the roles offered.")},
    )
    contribution = forms.CharField(
        label=_("What your entity brings to this pledge"), max_length=MAX_CONTRIBUTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the pledge's public page once its entity accepts."),
        error_messages={"required": _("Say in a few words what your entity brings to this "
                                      "pledge.")},
    )
    amount = AmountField(label=_("Amount of the contribution (funders)"), required=False)
    currency = forms.ChoiceField(label=_("Currency (funders)"), choices=currency_choices,
                                 required=False)

    def __init__(self, *args, entities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [(entity.pk, entity.name) for entity in entities]
        if len(entities) == 1:
            self.fields["entity"].initial = entities[0].pk
            self.fields["entity"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Partnership.Role.FUNDER:
            if cleaned.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", _("A funder gives the amount of its contribution."))
            if not cleaned.get("currency"):
                self.add_error("currency", _("Choose the currency of the amount."))
        else:
            cleaned["amount"], cleaned["currency"] = None, ""
        return cleaned


class ContributionProposalForm(forms.Form):
    """An accepted partner's new contribution: what it brings and, for a funder, the amount and
    its currency; and why it changes. Starts from the contribution shown today."""

    contribution = forms.CharField(
        label=_("What your entity brings to this pledge"), max_length=MAX_CONTRIBUTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the pledge's public page once its administrators approve."),
        error_messages={"required": _("Say in a few words what your entity brings to this "
                                      "pledge.")},
    )
    amount = AmountField(label=_("Amount of the contribution"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, required=False)
    reason = forms.CharField(
        label=_("Why does the contribution change?"), max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Read by the pledge's administrators before they answer."),
        error_messages={"required": _("Say why the contribution changes: the pledge's "
                                      "administrators read it before they answer.")},
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        kwargs.setdefault("initial", {"contribution": partnership.contribution,
                                      "amount": partnership.amount,
                                      "currency": partnership.currency})
        super().__init__(*args, **kwargs)
        self.is_funder = partnership.role == Partnership.Role.FUNDER
        if not self.is_funder:
            del self.fields["amount"], self.fields["currency"]

    def clean(self):
        cleaned = super().clean()
        if not self.is_funder:
            cleaned["amount"], cleaned["currency"] = None, ""
            return cleaned
        if cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("A funder gives the amount of its contribution."))
        if not cleaned.get("currency") and "currency" not in self.errors:
            self.add_error("currency", _("Choose the currency of the amount."))
        return cleaned


class ContributionDecisionForm(forms.Form):
    """The pledge's administrators' answer to a proposed change of contribution: approve, or
    decline saying why (the message goes to the partner either way)."""

    DECISIONS = {"approve": "approve_amendment", "decline": "decline_amendment"}

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve the change")), ("decline", _("Decline the change"))],
        error_messages={"required": _("Choose to approve or to decline."),
                        "invalid_choice": _("Choose to approve or to decline.")},
    )
    message = forms.CharField(
        label=_("Message to the partner"), max_length=MAX_REASON, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to decline: say why. Optional to approve."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("message", "").strip() \
                and "message" not in self.errors:
            self.add_error("message", _("Say why you decline: the partner reads it."))
        return cleaned

    @property
    def transition_name(self) -> str:
        return self.DECISIONS[self.cleaned_data["decision"]]
