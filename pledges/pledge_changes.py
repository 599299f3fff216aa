"""What changed in a pledge between two moments, field by field, as people read it.

A snapshot is the pledge's content as plain JSON (ids for related records, ISO dates, decimals
as text): it is stored with the audit row of a change request (PledgeStatusChange.snapshot), so
that the review desk can show what the entity changed since the secretariat asked, targets and
countries included (the field history holds no many-to-many values). The texts are made when
the changes are shown, in the reader's language, from one query per kind of related record.
Amendments of published pledges compare their versions the same way.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Country,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from members.models import Entity
from p2c_portal.locale_formats import format_date, format_number

from .models import AdvocacyActivity, Event, Pledge

# The content a member writes and the secretariat reviews, in the order of the form.
SCALAR_FIELDS = [
    "title", "summary", "description", "pledge_type", "event", "start_date", "end_date",
    "amount", "currency", "modality", "disbursement_start", "disbursement_end",
    "policy_instrument", "policy_stage", "jurisdiction", "advocacy_activities", "audience",
    "programme_kind", "people_to_reach", "is_global", "other_partners", "contact_name",
    "contact_email",
]
RELATED_FIELDS = {
    "action_areas": ActionArea, "pillars": Pillar, "regions": Region, "countries": Country,
    "beneficiary_groups": BeneficiaryGroup, "sdgs": SustainableDevelopmentGoal,
    "co_pledgers": Entity,
}
TARGET_FIELDS = ["indicator", "unit", "baseline", "target_value", "target_date"]


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return value


def pledge_snapshot(pledge: Pledge) -> dict:
    """The pledge's content now, JSON-ready (uses prefetched relations when there are any)."""
    snapshot = {
        name: _plain(getattr(pledge, "event_id" if name == "event" else name))
        for name in SCALAR_FIELDS
    }
    for name in RELATED_FIELDS:
        snapshot[name] = sorted(related.pk for related in getattr(pledge, name).all())
    snapshot["targets"] = [
        {name: _plain(getattr(target, name)) for name in TARGET_FIELDS}
        for target in pledge.targets.all()
    ]
    return snapshot


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


def _label(name: str) -> str:
    if name == "targets":
        return _("Targets")
    return str(Pledge._meta.get_field(name).verbose_name).capitalize()


class _Texts:
    """Turns snapshot values into text in the active language, reading each kind of related
    record once."""

    def __init__(self, snapshots: list[dict]):
        self.names: dict[str, dict[int, str]] = {}
        for name, model in RELATED_FIELDS.items():
            ids = {pk for snapshot in snapshots for pk in snapshot.get(name, [])}
            self.names[name] = {obj.pk: str(obj) for obj in model.objects.filter(pk__in=ids)}
        event_ids = {snapshot.get("event") for snapshot in snapshots} - {None}
        self.names["event"] = {e.pk: str(e) for e in Event.objects.filter(pk__in=event_ids)}

    def text(self, name: str, value) -> str:
        if value in (None, "", []):
            return "—"
        if name in RELATED_FIELDS:
            return "; ".join(self.names[name].get(pk, "?") for pk in value)
        if name == "event":
            return self.names["event"].get(value, "?")
        if name == "advocacy_activities":
            labels = dict(AdvocacyActivity.choices)
            return "; ".join(str(labels.get(code, code)) for code in value)
        field = Pledge._meta.get_field(name)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if name == "is_global":
            return _("Yes") if value else _("No")
        if isinstance(value, str) and field.get_internal_type() == "DateField":
            return format_date(datetime.date.fromisoformat(value))
        if field.get_internal_type() in ("DecimalField", "PositiveBigIntegerField"):
            return format_number(Decimal(str(value)))
        return str(value)

    def target(self, target: dict) -> str:
        baseline = target.get("baseline")
        return _("%(indicator)s (%(unit)s): from %(baseline)s to %(target)s by %(date)s") % {
            "indicator": target.get("indicator") or "—",
            "unit": target.get("unit") or "—",
            "baseline": "—" if baseline is None else format_number(Decimal(str(baseline))),
            "target": format_number(Decimal(str(target.get("target_value") or 0))),
            "date": format_date(datetime.date.fromisoformat(target["target_date"]))
            if target.get("target_date") else "—",
        }


def snapshot_changes(before: dict, after: dict) -> list[FieldChange]:
    """The fields whose value differs, in the form's order, with both values as text. Fields
    missing from `before` (a snapshot older than the field) are not reported."""
    texts = _Texts([before, after])
    changes = []
    for name in [*SCALAR_FIELDS, *RELATED_FIELDS]:
        if name in before and before[name] != after.get(name):
            changes.append(FieldChange(
                _label(name), texts.text(name, before[name]), texts.text(name, after.get(name))
            ))
    if "targets" in before and before["targets"] != after.get("targets"):
        old = [texts.target(t) for t in before["targets"]]
        new = [texts.target(t) for t in after.get("targets", [])]
        removed = [t for t in old if t not in new]
        added = [t for t in new if t not in old]
        changes.append(FieldChange(
            _label("targets"), "\n".join(removed) or "—", "\n".join(added) or "—"
        ))
    return changes
