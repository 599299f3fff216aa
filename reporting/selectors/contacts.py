"""Who is written to about a pledge (reminders, a hidden progress report)."""

from members.models import Membership
from members.permissions import entity_administrators
from pledges.models import Pledge, PledgeStatusChange
from pledges.permissions import WRITER_ROLES


def pledge_contacts(pledge: Pledge, *, administrators_too: bool = False) -> list:
    """The people to write to about a pledge: whoever created it and whoever last submitted it,
    while they are still administrators or editors of the entity; the entity's administrators
    when neither is (or always, with `administrators_too`). Active accounts only."""
    writers = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            entity_id=pledge.entity_id, role__in=WRITER_ROLES, user__is_active=True
        ).select_related("user")
    }
    last_submitter = (
        PledgeStatusChange.objects.filter(pledge=pledge, to_status=Pledge.Status.SUBMITTED)
        .order_by("-created_at", "-pk").values_list("actor_id", flat=True).first()
    )
    people = {}
    for user_id in (pledge.created_by_id, last_submitter):
        if user_id in writers:
            people.setdefault(user_id, writers[user_id])
    if administrators_too or not people:
        for user in entity_administrators(pledge.entity_id):
            people.setdefault(user.pk, user)
    return sorted(people.values(), key=lambda user: user.email)
