"""Drafts an import made: rows that were valid but not complete for submission become drafts of
their entity (pledges.resources), and each entity's administrators are invited, once, to
complete and submit them.

After the import commits, a task (pledges.tasks.imported_drafts_invite) works out the drafts of
each entity from what the import kept (spreadsheets.models.FileImport.outcome) and, per entity,
creates its ImportedDraftsInvitation row and queues one email per administrator, in that
person's language, in one transaction. The row is unique per (import, entity): a second run of
the task, or a second worker, creates nothing and sends nothing. A periodic sweep invites the
entities whose task was never queued (the broker was down). The emails themselves go through the
outbox (p2c_portal.mail), delivered once."""

import contextlib
import datetime
from itertools import groupby

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from members.permissions import entity_administrators
from p2c_portal.mail import email_send_templated
from p2c_portal.queueing import task_enqueue
from spreadsheets.models import FileImport

from .models import ImportedDraftsInvitation, Pledge


def imported_draft_ids(file_import: FileImport) -> list[int]:
    return [
        row["object_id"] for row in (file_import.outcome or {}).get("rows", [])
        if row.get("missing") and row.get("object_id")
    ]


def imported_drafts_invite(*, file_import_id: int) -> int:
    """Invite the administrators of each entity with drafts from this import, once per entity.
    Returns how many entities were invited now (0 on a rerun)."""
    file_import = FileImport.objects.get(pk=file_import_id)
    drafts = (
        Pledge.objects.filter(pk__in=imported_draft_ids(file_import), status=Pledge.Status.DRAFT)
        .select_related("entity").order_by("entity_id", "pk")
    )
    already = set(
        ImportedDraftsInvitation.objects.filter(file_import=file_import)
        .values_list("entity_id", flat=True)
    )
    invited = 0
    for entity_id, pledges in groupby(drafts, key=lambda pledge: pledge.entity_id):
        if entity_id in already:
            continue
        with contextlib.suppress(IntegrityError):  # another run invited it meanwhile
            invited += _invite_entity(file_import, list(pledges))
    return invited


@transaction.atomic
def _invite_entity(file_import: FileImport, pledges: list[Pledge]) -> int:
    entity = pledges[0].entity
    invitation, created = ImportedDraftsInvitation.objects.get_or_create(
        file_import=file_import, entity=entity
    )
    if not created:
        return 0
    invitation.pledges.set(pledges)
    emails = [
        email_send_templated(
            template="pledges/imported_drafts",
            to=[user.email],
            context={"entity": entity, "pledges": pledges, "recipient": user},
            language=user.preferred_language,
        )
        for user in entity_administrators(entity)
    ]
    invitation.emails.add(*emails)
    return 1


# How far back the sweep looks for imports whose invitations were never sent.
SWEEP_WINDOW = datetime.timedelta(days=7)


def imported_drafts_sweep(*, now=None) -> int:
    """Invite the entities of the last week's imports that were not invited: their task was
    never queued (the broker was down) or was lost. Periodic; a rerun invites nobody twice.
    Returns how many entities were invited now."""
    since = (now or timezone.now()) - SWEEP_WINDOW
    imports = FileImport.objects.filter(
        model=Pledge._meta.label_lower, status=FileImport.Status.IMPORTED, imported_at__gte=since
    ).only("pk", "outcome")
    return sum(
        imported_drafts_invite(file_import_id=file_import.pk)
        for file_import in imports if imported_draft_ids(file_import)
    )


def imported_drafts_invite_later(*, file_import_id: int) -> bool:
    """Queue the invitations (after the import committed). Never raises: with the broker down
    the task is not queued, and running it later (or again) is harmless."""
    task = import_string("pledges.tasks.imported_drafts_invite")
    return task_enqueue(task, file_import_id, event="imported_drafts",
                        file_import_id=file_import_id)
