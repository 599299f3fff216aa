"""The outbox on the job machinery (p2c_portal.jobs): a claim token and a lease for the worker
sending a row, the UNCERTAIN status for a send cut off, and a Message-ID kept with each row.

Rows being sent now get the lease their claim time implies; existing rows get a Message-ID each
(one per row: the column is unique)."""

import datetime

from django.db import migrations, models
from django.db.models import F

import p2c_portal.models

LEASE = datetime.timedelta(seconds=900)  # p2c_portal.mail.EMAIL_JOBS.lease


def lease_and_message_ids(apps, schema_editor):
    OutboundEmail = apps.get_model("p2c_portal", "OutboundEmail")
    OutboundEmail.objects.filter(status="sending").update(lease_until=F("claimed_at") + LEASE)
    for email_id in OutboundEmail.objects.values_list("pk", flat=True).iterator():
        OutboundEmail.objects.filter(pk=email_id).update(
            message_id=p2c_portal.models.new_message_id()
        )


class Migration(migrations.Migration):
    dependencies = [("p2c_portal", "0002_site_name")]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="claim",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="lease_until",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="claimed until"
            ),
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="message_id",
            field=models.CharField(
                default="", editable=False, max_length=255, verbose_name="Message-ID"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("uncertain", "Uncertain: the send was cut off"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(lease_and_message_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboundemail",
            name="message_id",
            field=models.CharField(
                default=p2c_portal.models.new_message_id,
                editable=False,
                max_length=255,
                unique=True,
                verbose_name="Message-ID",
            ),
        ),
    ]
