"""The co-pledgers named before consent was asked become accepted partnerships, and their
history says so: an acceptance by nobody (no actor, no previous status), which the partners
page reads as "carried over" in the reader's language."""

from django.db import migrations

def forwards(apps, schema_editor):
    Pledge = apps.get_model("pledges", "Pledge")
    Partnership = apps.get_model("pledges", "Partnership")
    PartnershipChange = apps.get_model("pledges", "PartnershipChange")
    through = Pledge.co_pledgers.through
    rows = through.objects.select_related("pledge").order_by("pk").iterator(chunk_size=2000)
    for row in rows:
        pledge = row.pledge
        since = pledge.published_at or pledge.first_submitted_at or pledge.created_at
        partnership, created = Partnership.objects.get_or_create(
            pledge_id=row.pledge_id, entity_id=row.entity_id, status="accepted",
            defaults={"role": "co_pledger", "invited_by_id": pledge.created_by_id,
                      "invited_at": since, "accepted_at": since},
        )
        if created:
            PartnershipChange.objects.create(
                partnership=partnership, actor=None, from_status="", to_status="accepted",
                created_at=since,
            )


def backwards(apps, schema_editor):
    # Pledge.co_pledgers still lists the accepted ones: the partnerships can go.
    apps.get_model("pledges", "Partnership").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("pledges", "0023_partnership")]

    operations = [migrations.RunPython(forwards, backwards)]
