"""An import numbers its new pledges once every row is written: the year's reference counter is
not locked while thousands of rows are read and saved (or previewed), so a member who submits a
pledge meanwhile is not kept waiting until the import ends."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from pledges.models import Pledge, ReferenceCounter
from pledges.workflow import BulkSubmission, pledge_transition
from tests.conftest import require_service
from tests.factories import MembershipFactory, PledgeFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_member_submits_while_an_import_is_writing_its_rows():
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    member = MembershipFactory(role="administrator").user
    entity = member.memberships.first().entity
    members_draft = PledgeFactory(entity=entity, status=Pledge.Status.DRAFT)
    year = timezone.now().year
    ReferenceCounter.objects.update_or_create(year=year, defaults={"last_value": 41})
    rows_written, member_done, outcome = threading.Event(), threading.Event(), {}

    def import_file():
        from django.db import connection as own

        try:
            with transaction.atomic():
                submissions = BulkSubmission(actor=None, message="Imported from “kigali.xlsx”.")
                imported = PledgeFactory.build(entity=entity, status=Pledge.Status.DRAFT)
                submissions.submit(imported, timezone.now())
                imported.save()
                rows_written.set()
                # The rest of a big file is read and written meanwhile.
                outcome["member waited"] = not member_done.wait(timeout=10)
                submissions.record()
                outcome["imported"] = imported.pk
        finally:
            own.close()

    thread = threading.Thread(target=import_file)
    thread.start()
    try:
        assert rows_written.wait(timeout=10)
        with transaction.atomic():
            # A lock held by the import would end this at once instead of letting it wait.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            pledge_transition(pledge_id=members_draft.pk, name="submit", actor=member)
    finally:
        member_done.set()
        thread.join(timeout=30)

    assert outcome["member waited"] is False
    members_draft.refresh_from_db()
    imported = Pledge.objects.get(pk=outcome["imported"])
    assert members_draft.reference == f"P2C-{year}-0042"
    assert imported.reference == f"P2C-{year}-0043"
    assert imported.status == Pledge.Status.SUBMITTED
    assert set(imported.history.values_list("reference", flat=True)) == {imported.reference}


def test_a_dry_run_takes_no_reference(db):
    """A preview rolls back: it must not advance the counter (numbers would be skipped)."""
    year = timezone.now().year
    ReferenceCounter.objects.update_or_create(year=year, defaults={"last_value": 7})
    entity = MembershipFactory(role="administrator").entity
    submissions = BulkSubmission(actor=None, message="Preview.")
    pledge = PledgeFactory.build(entity=entity, status=Pledge.Status.DRAFT)

    submissions.submit(pledge, timezone.now())

    assert pledge.reference is None
    assert ReferenceCounter.objects.get(year=year).last_value == 7
