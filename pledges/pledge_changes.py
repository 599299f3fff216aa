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

from django.db.models import Model
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
from p2c_portal.locale_formats import format_amount, format_date, format_number

from .models import AdvocacyActivity, Event, Pledge, Target

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
# A target's catalogue indicator travels with it (as its id), so that an approved amendment keeps
# the targets' mapping and the goals they count toward.
TARGET_FIELDS = ["catalogue_indicator", "indicator", "unit", "baseline", "target_value",
                 "target_date"]


def _plain(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # Plain digits ("3000000", never "3E+6"): the open data show these values as they are.
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return value


def _target_attribute(name: str) -> str:
    """The attribute a snapshot's target field reads and writes: the id for a relation."""
    return "catalogue_indicator_id" if name == "catalogue_indicator" else name


def pledge_snapshot(pledge: Pledge) -> dict:
    """The pledge's content now, JSON-ready (uses prefetched relations when there are any)."""
    snapshot = {
        name: _plain(getattr(pledge, "event_id" if name == "event" else name))
        for name in SCALAR_FIELDS
    }
    for name in RELATED_FIELDS:
        snapshot[name] = sorted(related.pk for related in getattr(pledge, name).all())
    snapshot["targets"] = [
        {name: _plain(getattr(target, _target_attribute(name))) for name in TARGET_FIELDS}
        for target in pledge.targets.all()
    ]
    return snapshot


def snapshot_values(values: dict) -> dict:
    """Form or model values as snapshot values (related records as sorted ids, targets as
    dicts of plain values)."""
    plain = {}
    for name, value in values.items():
        if name == "targets":
            plain[name] = [{field: _plain(row.get(field)) for field in TARGET_FIELDS}
                           for row in value]
        elif name in RELATED_FIELDS:
            plain[name] = sorted(getattr(item, "pk", item) for item in value)
        else:
            plain[name] = _plain(value)
    return plain


def model_values(snapshot: dict) -> dict:
    """Snapshot values back as model values (the reverse of snapshot_values), for writing."""
    values = {}
    for name, value in snapshot.items():
        if name == "targets":
            values[name] = [
                {_target_attribute(field): Target._meta.get_field(field).to_python(row.get(field))
                 for field in TARGET_FIELDS}
                for row in value
            ]
        elif name in RELATED_FIELDS:
            values[name] = list(value)
        elif name == "event":
            values["event_id"] = value
        else:
            values[name] = Pledge._meta.get_field(name).to_python(value)
    return values


def snapshot_differences(before: dict, after: dict) -> list[str]:
    """The names of the fields (and "targets") whose value differs, in the form's order."""
    return [name for name in [*SCALAR_FIELDS, *RELATED_FIELDS, "targets"]
            if name in after and before.get(name) != after[name]]


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


def _target_changes(texts: _Texts, before: list[dict], after: list[dict]) -> list[FieldChange]:
    """Targets removed, added and changed (same indicator, other values), as people read them."""
    old = {t.get("indicator"): t for t in before}
    new = {t.get("indicator"): t for t in after}
    changes = []
    for indicator, target in old.items():
        if indicator not in new:
            changes.append(FieldChange(_("Target removed"), texts.target(target), "—"))
        elif new[indicator] != target:
            changes.append(FieldChange(_("Target changed"), texts.target(target),
                                       texts.target(new[indicator])))
    for indicator, target in new.items():
        if indicator not in old:
            changes.append(FieldChange(_("Target added"), "—", texts.target(target)))
    return changes


def revision_changes(revisions) -> dict[int, list[FieldChange]]:
    """Each revision's changes (PledgeRevision.changes) as text in the active language, keyed
    by the revision's id: one query per kind of related record for all of them together, so a
    page shows any number of revisions with the same queries."""
    sides = []
    for revision in revisions:
        for side in ("before", "after"):
            sides.append({change["field"]: change[side] for change in revision.changes})
    texts = _Texts(sides)
    result = {}
    for revision in revisions:
        currency = (revision.before or {}).get("currency") or ""
        lines = []
        for change in revision.changes:
            name, before, after = change["field"], change["before"], change["after"]
            if name == "targets":
                lines += _target_changes(texts, before or [], after or [])
            elif name == "amount" and currency:
                lines.append(FieldChange(
                    _label(name),
                    "—" if before is None else format_amount(Decimal(before), currency),
                    "—" if after is None else format_amount(Decimal(after), currency),
                ))
            else:
                lines.append(FieldChange(_label(name), texts.text(name, before),
                                         texts.text(name, after)))
        result[revision.pk] = lines
    return result


@dataclass(frozen=True)
class _Proposal:
    """An amendment under review, read like the revision it would become."""

    pk: int
    before: dict
    changes: list


def proposed_changes(base: dict, proposed: dict) -> list[FieldChange]:
    """What an amendment would change, as its revision will read (amounts with their currency,
    targets added, removed or changed): for the desk and the entity's page."""
    changes = [{"field": name, "before": base.get(name), "after": proposed[name]}
               for name in snapshot_differences(base, proposed)]
    return revision_changes([_Proposal(0, base, changes)])[0]
