"""Every write to a pledge's content. The status changes live in pledges.workflow."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from action_areas.models import Indicator
from members.models import Entity
from members.services import review_assign
from p2c_portal.typed_input import storable_typed_input

from . import permissions
from .models import Pledge, PledgeNote, Target, other_type_details
from .pledge_changes import model_values
from .rates import pledge_convert, usd_equivalent  # noqa: F401  (usd_equivalent re-exported)

MAX_TARGETS = 20
MAX_COUNTRIES = 60

# Not co_pledgers: it lists the entities that accepted, written only by pledges.partnerships.
M2M_FIELDS = {"action_areas", "pillars", "regions", "countries", "beneficiary_groups", "sdgs"}


EDIT_CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this pledge since you opened this page. Nothing was saved, so that their "
    "changes are not overwritten: reload the page to see the current version, then make your "
    "changes again."
)


class EditConflict(Exception):
    """Someone else saved the pledge since this person loaded it; nothing was overwritten."""

    def __init__(self, message=EDIT_CONFLICT_MESSAGE):
        super().__init__(str(message))


class PledgeError(Exception):
    """A refused change; the message is safe to show."""


# A draft made this recently by the same person with exactly the values of a new first save is
# that save sent again (a double click, a resent form), not a second pledge.
RESENT_FIRST_SAVE_WITHIN = datetime.timedelta(minutes=1)


@transaction.atomic
def pledge_create(*, user, entity_id: int, values: dict[str, Any] | None = None) -> Pledge:
    """A new draft of the entity holding `values` (the first section, already validated), in
    one transaction: a draft is never left behind without what its author saved."""
    entity = Entity.objects.get(pk=entity_id)
    if not permissions.can_create_pledge(user, entity):
        raise permissions.PermissionDenied(
            _("Only administrators and editors of an approved entity can write pledges.")
        )
    # One first save at a time per person: a double click sends the form twice, and the second
    # request waits here for the first, then finds its draft instead of making another.
    get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    if values:
        just_made = (Pledge.objects.filter(
            entity=entity, created_by=user, status=Pledge.Status.DRAFT,
            created_at__gte=timezone.now() - RESENT_FIRST_SAVE_WITHIN,
        ).order_by("-created_at", "-pk").first())
        if just_made is not None and _holds_values(just_made, values):
            return just_made
    pledge = Pledge.objects.create(entity=entity, created_by=user, title="")
    if values:
        _write(pledge, values)
    return pledge


def _lock_for_edit(
    *, pledge_id: int, expected_version: int | None, may_edit, resent_values=None,
) -> Pledge:
    """The pledge, locked until the transaction ends, if `may_edit(pledge)` and nobody saved it
    since the person saw `expected_version` (None: not checked).

    `resent_values`: when the pledge already holds exactly these values, a stale version is the
    same form sent again (a double click, the back button), not someone else's change."""
    pledge = Pledge.objects.select_for_update().select_related("entity").get(pk=pledge_id)
    if not may_edit(pledge):
        raise permissions.PermissionDenied(_("This pledge cannot be edited now."))
    stale = expected_version is not None and pledge.version != expected_version
    if stale and (resent_values is None or not _holds_values(pledge, resent_values)):
        raise EditConflict
    return pledge


def _holds_values(pledge: Pledge, values: dict[str, Any]) -> bool:
    for field, value in values.items():
        if field in M2M_FIELDS:
            stored = set(getattr(pledge, field).values_list("pk", flat=True))
            if stored != {getattr(item, "pk", item) for item in value}:
                return False
        elif getattr(pledge, field) != value:
            return False
    return True


def _write(pledge: Pledge, values: dict[str, Any]) -> None:
    """Save `values` on the locked pledge: its fields, the USD equivalent when the amount or the
    currency changes (at the rate of the month it was pledged: pledges.rates), a new version,
    then its many-to-many values."""
    if len(values.get("countries", [])) > MAX_COUNTRIES:
        raise PledgeError(_("Choose at most %(max)d countries.") % {"max": MAX_COUNTRIES})
    if "pledge_type" in values and values["pledge_type"] != pledge.pledge_type:
        # A new type: what was typed into the old type's details section goes too.
        pledge.unsaved_input = {
            section: typed for section, typed in (pledge.unsaved_input or {}).items()
            if section != "details"
        }
    # A pledge carries only its own type's details: a new type clears the old type's in this
    # same save (the form says so beforehand), whatever else was posted with it.
    values = {**values, **other_type_details(values.get("pledge_type", pledge.pledge_type))}
    for field, value in values.items():
        if field in M2M_FIELDS:
            continue
        setattr(pledge, field, value)
    if {"amount", "currency"} & values.keys():
        pledge_convert(pledge, month=pledge.amount_month if pledge.first_submitted_at else None)
    pledge.version += 1
    pledge.save()
    for field in M2M_FIELDS & values.keys():
        getattr(pledge, field).set(values[field])


@transaction.atomic
def pledge_save_section(
    *, user, pledge_id: int, section: str, values: dict[str, Any], raw_input: dict | None,
    expected_version: int | None,
) -> Pledge:
    """Save the valid values of one form section; keep what did not validate, as typed.

    `values` holds only fields that validated; `raw_input` is the whole section as typed when
    something did not validate (None when all is well).
    """
    pledge = _lock_for_edit(
        pledge_id=pledge_id, expected_version=expected_version,
        may_edit=lambda pledge: permissions.can_edit_pledge(user, pledge),
        # Only a fully valid section can be the same as what is stored.
        resent_values=None if raw_input else values,
    )
    unsaved = dict(pledge.unsaved_input or {})
    if raw_input:
        unsaved[section] = storable_typed_input(raw_input)
    else:
        unsaved.pop(section, None)
    pledge.unsaved_input = unsaved
    _write(pledge, values)
    return pledge


@transaction.atomic
def pledge_correct(
    *, user, pledge_id: int, values: dict[str, Any], expected_version: int | None,
    translations: dict[str, dict[str, str] | None] | None = None,
) -> Pledge:
    """The secretariat's corrections of a pledge in the review desk, whatever its status (the
    status itself is only changed by pledges.workflow). Refused when the pledge was saved since
    the page showed `expected_version` (None: the page showed none, refused too).

    `translations`: the translations the secretariat changed, by language ({"title",
    "summary"}, or None to remove one); the others stay as they are."""
    if expected_version is None:
        raise EditConflict
    pledge = _lock_for_edit(
        pledge_id=pledge_id, expected_version=expected_version,
        may_edit=lambda _pledge: permissions.can_correct_pledges(user),
    )
    if translations:
        merged = pledge.translations
        for language, text in translations.items():
            merged = _with_translation(merged, language, text)
        values = {**values, "translations": merged}
    _write(pledge, values)
    return pledge


def _with_translation(translations, language: str, text: dict[str, str] | None) -> dict:
    """The pledge's translations with the one into `language` replaced by `text` ({"title",
    "summary"}), or removed (None)."""
    if language not in dict(settings.LANGUAGES):
        raise PledgeError(_("Choose one of the site's languages."))
    translations = dict(translations or {})
    if text is None:
        translations.pop(language, None)
    else:
        translations[language] = {"title": text["title"], "summary": text.get("summary") or ""}
    return translations


@transaction.atomic
def pledge_save_targets(
    *, user, pledge_id: int, targets: list[dict[str, Any]] | None, raw_input: dict | None,
    expected_version: int | None,
) -> Pledge:
    """Replace the pledge's targets with the valid rows (None: leave them as they are); keep the
    whole table as typed if any row did not validate."""
    pledge = _lock_for_edit(
        pledge_id=pledge_id, expected_version=expected_version,
        may_edit=lambda pledge: permissions.can_edit_pledge(user, pledge),
    )
    if targets is not None and len(targets) > MAX_TARGETS:
        raise PledgeError(_("A pledge can have at most %(max)d targets.") % {"max": MAX_TARGETS})
    if targets is not None:
        pledge.targets.all().delete()
        Target.objects.bulk_create(
            Target(pledge=pledge, position=position, **row)
            for position, row in enumerate(targets)
        )
    unsaved = dict(pledge.unsaved_input or {})
    if raw_input:
        unsaved["targets"] = storable_typed_input(raw_input)
    else:
        unsaved.pop("targets", None)
    pledge.unsaved_input = unsaved
    pledge.version += 1
    pledge.save(update_fields=["unsaved_input", "version", "updated_at"])
    return pledge


def pledge_apply_amendment(*, pledge: Pledge, snapshot: dict) -> None:
    """Write an approved amendment's changed fields (pledges.pledge_changes snapshot values) on
    the pledge, locked by the caller (pledges.amendment_workflow, inside its transaction)."""
    values = model_values(snapshot)
    targets = values.pop("targets", None)
    _write(pledge, values)
    if targets is not None:
        _replace_published_targets(pledge, targets)


def _replace_published_targets(pledge: Pledge, rows: list[dict]) -> None:
    """A published pledge's targets as amended. A target whose indicator the amendment keeps is
    updated in place, not written again: progress already reported on it stays attached to it
    (reporting's TargetProgress), and the revision history calls it "changed", by the same key.
    Targets the amendment removes are deleted, new ones created."""
    existing: dict[str, list[Target]] = {}
    for target in pledge.targets.order_by("position", "pk"):
        existing.setdefault(target.indicator, []).append(target)
    kept, created = [], []
    for position, row in enumerate(rows):
        matches = existing.get(row["indicator"])
        if matches:
            target = matches.pop(0)
            for name, value in row.items():
                setattr(target, name, value)
            target.position = position
            kept.append(target)
        else:
            created.append(Target(pledge=pledge, position=position, **row))
    pledge.targets.exclude(pk__in=[target.pk for target in kept]).delete()
    if kept:
        Target.objects.bulk_update(kept, [*rows[0].keys(), "position"])
    Target.objects.bulk_create(created)


@transaction.atomic
def pledge_delete_draft(*, user, pledge_id: int) -> None:
    """A draft that was never submitted can be deleted by its authors (no reference yet)."""
    pledge = Pledge.objects.select_for_update().select_related("entity").get(pk=pledge_id)
    if pledge.status != Pledge.Status.DRAFT or pledge.reference:
        raise PledgeError(_("Only a draft that was never submitted can be deleted."))
    if not permissions.can_edit_pledge(user, pledge):
        raise permissions.PermissionDenied
    pledge.delete()


@transaction.atomic
def pledge_save_translation(
    *, user, pledge_id: int, language: str, title: str | None, summary: str = ""
) -> Pledge:
    """Add, replace or (with `title` None) remove the translation of a pledge's title and
    summary into `language`. Shown at once, without review: it restates the pledge, and every
    change is kept in the pledge's history for the secretariat."""
    if language not in dict(settings.LANGUAGES):
        raise PledgeError(_("Choose one of the site's languages."))
    pledge = Pledge.objects.select_for_update().select_related("entity").get(pk=pledge_id)
    if not permissions.can_translate_pledge(user, pledge):
        raise permissions.PermissionDenied(_("This pledge cannot be translated now."))
    pledge.translations = _with_translation(
        pledge.translations, language, None if title is None else {"title": title,
                                                                    "summary": summary},
    )
    pledge.version += 1  # a desk page opened before this save must not write over it
    pledge.save(update_fields=["translations", "version", "updated_at"])
    return pledge


@transaction.atomic
def pledge_set_language(*, user, pledge_id: int, language: str) -> Pledge:
    """Say which language the pledge's own title and summary are written in ("": not said)."""
    if language and language not in dict(settings.LANGUAGES):
        raise PledgeError(_("Choose one of the site's languages."))
    pledge = Pledge.objects.select_for_update().select_related("entity").get(pk=pledge_id)
    if not permissions.can_translate_pledge(user, pledge):
        raise permissions.PermissionDenied(_("This pledge cannot be translated now."))
    pledge.language = language
    pledge.version += 1
    pledge.save(update_fields=["language", "version", "updated_at"])
    return pledge


# --- The secretariat's desk: assignment and internal notes ---------------------------------------

REVIEW_PERMISSION = "pledges.review_pledge"


def pledge_assign(*, actor, pledge_ids, assignee_id: int | None) -> int:
    """Assign pledges to a reviewer of the desk, or unassign them (members.services.review_assign:
    the same rules and history as entity applications; amendments will use it the same way)."""
    return review_assign(actor=actor, model=Pledge, record_ids=pledge_ids,
                         assignee_id=assignee_id, permission=REVIEW_PERMISSION)


@transaction.atomic
def pledge_note_add(*, author, pledge_id: int, text: str) -> PledgeNote:
    """An internal note of the secretariat on a pledge: shown on its desk pages only, never to
    the entity, the public, in exports or emails."""
    if not permissions.can_write_internal_notes(author, permission="pledges.add_pledgenote"):
        raise permissions.PermissionDenied
    text = (text or "").strip()
    if not text:
        raise PledgeError(_("A note cannot be empty."))
    pledge = Pledge.objects.filter(pk=pledge_id).first()
    if pledge is None:
        raise PledgeError(_("This pledge no longer exists."))
    return PledgeNote.objects.create(pledge=pledge, author=author, text=text)


@transaction.atomic
def targets_map_to_indicator(*, user, target_ids: list[int], indicator_id: int) -> int:
    """Point the targets at a catalogue indicator, so that they count toward its goals. The
    text the member wrote (indicator, unit) is kept as it is. Returns how many changed."""
    if not permissions.can_map_targets(user):
        raise permissions.PermissionDenied
    indicator = Indicator.objects.active().filter(pk=indicator_id).first()
    if indicator is None:
        raise PledgeError(_("Choose an active indicator of the catalogue."))
    targets = Target.objects.filter(pk__in=target_ids).exclude(catalogue_indicator=indicator)
    pledge_ids = list(targets.values_list("pledge_id", flat=True).distinct())
    changed = targets.update(catalogue_indicator=indicator)
    # The indicator code is in the open data: the pledges' updated_at tells the public caches
    # and the pre-built downloads (public_cache.public_fingerprint) that they changed.
    Pledge.objects.filter(pk__in=pledge_ids).update(updated_at=timezone.now())
    return changed
