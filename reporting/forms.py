"""The progress form. Every field is optional while the progress report is a draft (completeness
is checked on submission, reporting.services.progress.missing_for_submission); what is typed is
validated here, with messages that say what to write instead."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from p2c_portal.locale_formats import LocalizedDecimalField, format_date, format_number
from pledges.models import MAX_AMOUNT, Pledge, PledgeType

from .models import ImplementationStatus, ProgressReport
from .services.progress import MAX_EVIDENCE_LINKS

MAX_ACHIEVED = Decimal("1000000000000000000")  # 10^18: what the column holds
MAX_LINK_LENGTH = 500


class PercentField(forms.Field):
    """A whole number from 0 to 100; "40", "40%" and "40 %" are all understood."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 8, "size": 8})

    def to_python(self, value):
        text = str(value if value is not None else "").strip().rstrip("%").strip()
        if not text:
            return None
        if not re.fullmatch(r"[-+−]?\d{1,6}", text):
            raise ValidationError(_("Write a whole number from 0 to 100, for example 40."))
        number = int(text.replace("−", "-"))
        if not 0 <= number <= 100:
            raise ValidationError(
                _("The percentage must be between 0 and 100; you wrote %(number)d.")
                % {"number": number}
            )
        return number


class AchievedValueField(LocalizedDecimalField):
    """A number in the page's language (1,250 / 1 250 / 12.5 in English, 1 250 / 12,5 in
    French), without its unit. Negative only where the target's scale is (a baseline or target
    below zero)."""

    max_length = 30

    def __init__(self, *args, allow_negative: bool = False, **kwargs):
        super().__init__(
            *args, allow_negative=allow_negative, max_value=MAX_ACHIEVED,
            negative_message=_("The value achieved cannot be negative."), **kwargs,
        )

    def to_python(self, value):
        text = str(value if value is not None else "").strip()
        # Digits followed by words ("450 MWh") are a number with its unit, not a misspelling.
        if re.fullmatch(r"[-−]?\s*\d[\d\s.,\u066b\u066c]*[^\W\d_].*", text):
            raise ValidationError(_("Write only the number, without the unit."))
        return super().to_python(value)


class DisbursedAmountField(LocalizedDecimalField):
    """Money disbursed so far, in the pledge's currency, read like the pledge form's amount: in
    the page's language, optionally with the pledge's currency code."""

    def __init__(self, *args, currency: str = "", **kwargs):
        super().__init__(
            *args, currency=currency, max_value=MAX_AMOUNT,
            negative_message=_("The amount disbursed cannot be negative."), **kwargs,
        )

    def validate(self, value):
        if value is not None and value > MAX_AMOUNT:
            raise ValidationError(
                _("This amount is more than 10,000 billion: check the number of zeros.")
            )
        super().validate(value)


class EvidenceLinksField(forms.Field):
    """Web addresses, one a line: each must be a full http(s) address."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_EVIDENCE_LINKS:
            raise ValidationError(
                _("At most %(max)d links: keep the most useful ones.")
                % {"max": MAX_EVIDENCE_LINKS}
            )
        check = URLValidator(schemes=["http", "https"])
        errors = []
        for number, line in enumerate(value, start=1):
            try:
                # URLValidator lets a NUL through in the path; PostgreSQL refuses it.
                if len(line) > MAX_LINK_LENGTH or "\x00" in line:
                    raise ValidationError("not storable")
                check(line)
            except ValidationError:
                errors.append(ValidationError(
                    _("Line %(number)d, “%(text)s”, is not a web address: write a full address "
                      "starting with https:// or http://."),
                    params={"number": number, "text": line[:80]},
                ))
        if errors:
            raise ValidationError(errors)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class ProgressReportForm(forms.Form):
    implementation_status = forms.ChoiceField(
        label=_("Implementation status"), choices=ImplementationStatus.choices, required=False,
        widget=forms.RadioSelect,
    )
    percent_complete = PercentField(
        label=_("Percentage complete"), required=False,
        help_text=_("How much of the whole pledge is done: a whole number from 0 to 100."),
    )
    narrative = forms.CharField(
        label=_("What happened"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was done in the period, what changed for people, what held you back."),
    )
    evidence_links = EvidenceLinksField(
        label=_("Evidence links"), required=False,
        help_text=_("Optional: web addresses of reports, articles or data, one a line."),
    )

    def __init__(self, *args, pledge: Pledge, report: ProgressReport | None = None, **kwargs):
        self.pledge = pledge
        self.targets = list(pledge.targets.all())
        if report is not None and not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.initial_from(report))
        super().__init__(*args, **kwargs)
        for target in self.targets:
            scale_negative = target.target_value < 0 or (target.baseline or 0) < 0
            self.fields[self.target_field(target)] = AchievedValueField(
                label=target.indicator, required=False, allow_negative=scale_negative,
                help_text=_("In %(unit)s. Target: %(value)s by %(date)s.") % {
                    "unit": target.unit,
                    "value": f"{format_number(target.target_value)} {target.unit}",
                    "date": format_date(target.target_date),
                } + (" " + _("Baseline: %(baseline)s.") % {
                    "baseline": format_number(target.baseline)}
                    if target.baseline is not None else ""),
            )
        if pledge.pledge_type == PledgeType.FINANCIAL:
            self.fields["amount_disbursed"] = DisbursedAmountField(
                label=_("Amount disbursed so far"), required=False, currency=pledge.currency,
                help_text=_("In %(currency)s, the currency of the pledge, for example "
                            "250,000.") % {"currency": pledge.currency or "USD"},
            )

    @staticmethod
    def target_field(target) -> str:
        return f"target_{target.pk}"

    @classmethod
    def initial_from(cls, report: ProgressReport) -> dict:
        initial = {
            "implementation_status": report.implementation_status,
            "percent_complete": report.percent_complete,
            "narrative": report.narrative,
            "evidence_links": report.evidence_links,
            "amount_disbursed": report.amount_disbursed,
        }
        for row in report.target_progress.all():
            if row.target_id:
                initial[f"target_{row.target_id}"] = row.achieved_value
        return initial

    def target_bound_fields(self):
        return [self[self.target_field(target)] for target in self.targets]

    def _validated(self) -> dict:
        cleaned = getattr(self, "cleaned_data", {}) or {}
        return {name: value for name, value in cleaned.items() if name not in self.errors}

    def valid_values(self) -> dict:
        """The report's own fields that validated, even when others did not."""
        return {name: value for name, value in self._validated().items()
                if not name.startswith("target_")}

    def valid_target_values(self) -> dict[int, Decimal | None]:
        validated = self._validated()
        return {
            target.pk: validated[self.target_field(target)]
            for target in self.targets if self.target_field(target) in validated
        }


class HideProgressReportForm(forms.Form):
    """Secretariat: why a report is taken off the public page (emailed to the entity)."""

    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text=_("Emailed to the entity's administrators and kept in the audit trail."),
    )
