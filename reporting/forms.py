"""The progress form. Every field is optional while the progress report is a draft (completeness
is checked on submission, reporting.services.progress.missing_for_submission); what is typed is
validated here, with messages that say what to write instead."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from pledges.amounts import AmountError, parse_amount
from pledges.models import MAX_AMOUNT, Pledge, PledgeType

from .models import ImplementationStatus, ProgressReport
from .services.progress import MAX_EVIDENCE_LINKS

MAX_ACHIEVED = Decimal("1000000000000000000")  # 10^18: what the column holds
MAX_LINK_LENGTH = 500


def _number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


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


class AchievedValueField(forms.Field):
    """A number written the way people write them (1,250 / 1 250 / 12.5), without its unit.
    Negative only where the target's scale is (a baseline or target below zero)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 30})

    def __init__(self, *args, allow_negative: bool = False, **kwargs):
        self.allow_negative = allow_negative
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = str(value if value is not None else "").strip()
        if not text:
            return None
        if len(text) > 30:
            raise ValidationError(_("Write the number in digits, at most 30 characters."))
        negative = text[0] in "-−"
        body = text[1:].strip() if negative else text
        try:
            number, unit = parse_amount(body)
        except AmountError:
            raise ValidationError(
                _("“%(text)s” is not a number. Write digits, for example 1,250 or 12.5.")
                % {"text": text[:50]}
            ) from None
        if unit:
            raise ValidationError(_("Write only the number, without the unit."))
        if negative and number != 0:
            if not self.allow_negative:
                raise ValidationError(_("The value achieved cannot be negative."))
            number = -number
        if abs(number) >= MAX_ACHIEVED:
            raise ValidationError(_("This number is too large: check the number of zeros."))
        return number.quantize(Decimal("0.01"))

    def prepare_value(self, value):
        return _number_text(value) if isinstance(value, Decimal) else value


class DisbursedAmountField(forms.Field):
    """Money disbursed so far, in the pledge's currency, read like the pledge form's amount."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 40})

    def __init__(self, *args, currency: str = "", **kwargs):
        self.currency = currency
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = str(value if value is not None else "").strip()
        if not text:
            return None
        if len(text) > 40:
            raise ValidationError(_("Write the amount in digits, at most 40 characters."))
        if text[0] in "-−":
            raise ValidationError(_("The amount disbursed cannot be negative."))
        try:
            amount, currency = parse_amount(text)
        except AmountError as error:
            raise ValidationError(str(error)) from None
        if currency and self.currency and currency != self.currency:
            raise ValidationError(
                _("Write the amount in %(currency)s, the currency of the pledge.")
                % {"currency": self.currency}
            )
        if amount > MAX_AMOUNT:
            raise ValidationError(
                _("This amount is more than 10,000 billion: check the number of zeros.")
            )
        return amount.quantize(Decimal("0.01"))

    def prepare_value(self, value):
        return f"{value:,.2f}" if isinstance(value, Decimal) else value


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
                    "value": f"{_number_text(target.target_value)} {target.unit}",
                    "date": date_format(target.target_date, "DATE_FORMAT"),
                } + (" " + _("Baseline: %(baseline)s.") % {
                    "baseline": _number_text(target.baseline)}
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
