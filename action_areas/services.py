"""The secretariat's writes to the indicator catalogue, the coalition goals and the campaigns
(the admin calls these; nothing else writes them). Each checks the actor's permission, validates
the whole row (model constraints and `clean`) before anything is written, and writes the row and
its many-to-many links together, or nothing."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from .models import Campaign, CoalitionGoal, Indicator


def _write(model: type[models.Model], *, actor, pk: int | None, values: dict,
           links: dict[str, Iterable] | None = None) -> models.Model:
    """Create (pk None) or update the row of `model` with `values` (field name → value) and
    set its many-to-many `links` (field name → objects or ids), after the actor's add_/change_
    permission and a full validation."""
    action = "change" if pk else "add"
    meta = model._meta
    if not actor.has_perm(f"{meta.app_label}.{action}_{meta.model_name}"):
        raise PermissionDenied(_("You are not allowed to do this."))
    row = model.objects.select_for_update().get(pk=pk) if pk else model()
    for field, value in values.items():
        setattr(row, field, value)
    row.full_clean()
    row.save()
    for field, objects in (links or {}).items():
        getattr(row, field).set(objects)
    return row


@transaction.atomic
def indicator_save(*, actor, indicator_id: int | None, values: dict,
                   action_areas: Iterable = (), pillars: Iterable = ()) -> Indicator:
    """Adds an indicator to the catalogue or corrects one (an indicator in use is retired with
    `is_active`, never deleted: targets and goals point at it)."""
    return _write(Indicator, actor=actor, pk=indicator_id, values=values,
                  links={"action_areas": action_areas, "pillars": pillars})


@transaction.atomic
def goal_save(*, actor, goal_id: int | None, values: dict) -> CoalitionGoal:
    """Sets a coalition goal or moves its value, date or scope."""
    return _write(CoalitionGoal, actor=actor, pk=goal_id, values=values)


@transaction.atomic
def goal_delete(*, actor, goal_ids: Iterable[int]) -> int:
    """Removes goals set by mistake (nothing points at a goal); returns how many."""
    if not actor.has_perm("action_areas.delete_coalitiongoal"):
        raise PermissionDenied(_("You are not allowed to do this."))
    deleted, _by_model = CoalitionGoal.objects.filter(pk__in=list(goal_ids)).delete()
    return deleted


@transaction.atomic
def campaign_save(*, actor, campaign_id: int | None, values: dict,
                  action_areas: Iterable = (), indicators: Iterable = ()) -> Campaign:
    """Starts a campaign or changes its theme, period or what it is about (a campaign that
    tags point at is closed with `is_active` or its end date, never deleted)."""
    return _write(Campaign, actor=actor, pk=campaign_id, values=values,
                  links={"action_areas": action_areas, "indicators": indicators})
