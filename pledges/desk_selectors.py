"""Reads of the review desk (the Django admin, for the secretariat): the queue's counters, the
change requests left unanswered, a pledge as the reviewer sees it."""

import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import Entity
from members.permissions import can_vet_entities

from .member_selectors import pledge_latest_change_request
from .models import Pledge, PledgeAmendment, PledgeNote
from .permissions import can_review_pledges
from .pledge_changes import pledge_snapshot, snapshot_changes

S = Pledge.Status

# A change request older than this, unanswered, is pointed out to the secretariat.
STALE_AFTER = datetime.timedelta(days=14)


def stale_change_requests_label() -> str:
    """Their name in the active language, for the counter and the list filter."""
    return gettext("Changes requested, no answer for more than %(days)d days") % {
        "days": STALE_AFTER.days
    }


def stale_change_requests(queryset: QuerySet[Pledge], now=None) -> QuerySet[Pledge]:
    """Pledges sent back to their entity for changes more than STALE_AFTER ago, not
    resubmitted."""
    now = now or timezone.now()
    return (
        queryset.filter(status=S.CHANGES_REQUESTED)
        .with_changes_requested_at()
        .filter(changes_requested_at__lt=now - STALE_AFTER)
    )


def review_desk_counts(user) -> list[dict]:
    """The counters on the admin home page, each with the list it opens; only what `user` may
    act on."""
    counts = []
    if can_review_pledges(user):
        pledges_url = reverse("admin:pledges_pledge_changelist")
        counts.append({
            "label": _("Pledges awaiting review"),
            "count": Pledge.objects.filter(status=S.SUBMITTED).count(),
            "url": f"{pledges_url}?status__exact={S.SUBMITTED}",
        })
        counts.append({
            "label": _("Pledges assigned to me, awaiting review"),
            "count": Pledge.objects.filter(status=S.SUBMITTED, assigned_to=user).count(),
            "url": f"{pledges_url}?assigned=me&status__exact={S.SUBMITTED}",
        })
        counts.append({
            "label": _("Pledge amendments awaiting review"),
            "count": PledgeAmendment.objects.filter(
                status=PledgeAmendment.Status.PROPOSED).count(),
            "url": reverse("admin:pledges_pledgeamendment_changelist")
            + f"?status__exact={PledgeAmendment.Status.PROPOSED}",
        })
        counts.append({
            "label": stale_change_requests_label(),
            "count": stale_change_requests(Pledge.objects.all()).count(),
            "url": f"{pledges_url}?waiting=stale",
        })
    if can_vet_entities(user):
        entities_url = reverse("admin:members_entity_changelist")
        counts.append({
            "label": _("Entity applications awaiting vetting"),
            "count": Entity.objects.awaiting_vetting().count(),
            "url": f"{entities_url}?status__exact={Entity.Status.APPLIED}",
        })
        counts.append({
            "label": _("Entity applications assigned to me, awaiting vetting"),
            "count": Entity.objects.awaiting_vetting().filter(assigned_to=user).count(),
            "url": f"{entities_url}?assigned=me&status__exact={Entity.Status.APPLIED}",
        })
    return counts


def pledge_internal_notes(pledge_id: int) -> QuerySet[PledgeNote]:
    """The secretariat's notes on a pledge, oldest first (a conversation in the order held)."""
    return PledgeNote.objects.filter(pledge_id=pledge_id).select_related("author")


def pledge_get_for_review(pledge_id: int) -> Pledge | None:
    """A pledge with everything the reviewer's summary shows ("the pledge as submitted")."""
    return (
        Pledge.objects.select_related("entity", "event", "created_by")
        .prefetch_related(
            "action_areas", "pillars__action_area", "regions", "countries__group_memberships",
            "beneficiary_groups", "sdgs", "co_pledgers", "targets__catalogue_indicator",
        )
        .filter(pk=pledge_id)
        .first()
    )


# What the portal changes by itself: not the secretariat's corrections.
_LIFECYCLE_FIELDS = [
    "status", "published_at", "embargo_until", "updated_at", "submitted_at",
    "first_submitted_at", "reference", "usd_amount", "usd_rate", "usd_rate_date",
    "usd_rate_is_test_data", "amount_month",
    "assigned_to", "assigned_at",  # the desk's own bookkeeping, not a change of the pledge
]


def pledge_changes_since_submission(pledge: Pledge) -> list[str]:
    """The fields changed since the entity last submitted the pledge (the secretariat's
    corrections), from the field history."""
    if pledge.submitted_at is None:
        return []
    submitted = (
        pledge.history.filter(submitted_at=pledge.submitted_at).order_by("history_date").first()
    )
    latest = pledge.history.order_by("-history_date", "-history_id").first()
    if submitted is None or latest is None or submitted.pk == latest.pk:
        return []
    delta = latest.diff_against(submitted, excluded_fields=_LIFECYCLE_FIELDS)
    return [str(Pledge._meta.get_field(change.field).verbose_name) for change in delta.changes]


def pledge_change_dialogue(pledge: Pledge) -> dict | None:
    """While a change request is open or its answer awaits review: what the secretariat asked,
    what the entity answered on resubmitting, and what changed since the request, field by
    field (from the content saved with the request)."""
    if pledge.status not in (S.CHANGES_REQUESTED, S.SUBMITTED):
        return None
    request = pledge_latest_change_request(pledge)
    if request is None:
        return None
    answer = (
        pledge.status_changes.filter(
            from_status=S.CHANGES_REQUESTED, to_status=S.SUBMITTED,
            created_at__gte=request.created_at,
        ).select_related("actor").order_by("created_at", "pk").first()
    )
    if pledge.status == S.SUBMITTED and answer is None:
        return None  # submitted again by another way (an import): no dialogue to show
    return {
        "request": request,
        "answer": answer,
        "changes": snapshot_changes(request.snapshot, pledge_snapshot(pledge))
        if request.snapshot else None,
    }
