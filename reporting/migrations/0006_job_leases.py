"""Reminders and compiled reports on the job machinery (p2c_portal.jobs): a lease for the worker
holding a row. Rows held now get the lease their claim (reminders) or last heartbeat (compiled
reports) implies."""

import datetime

from django.db import migrations, models
from django.db.models import F

REMINDER_LEASE = datetime.timedelta(seconds=900)  # reporting.services.reminders.REMINDER_JOBS
COMPILED_REPORT_LEASE = datetime.timedelta(minutes=10)  # reporting.services.compiled_reports


def leases(apps, schema_editor):
    Reminder = apps.get_model("reporting", "Reminder")
    ReportRun = apps.get_model("reporting", "ReportRun")
    Reminder.objects.filter(status="sending").update(
        lease_until=F("claimed_at") + REMINDER_LEASE
    )
    ReportRun.objects.filter(status="running").update(
        lease_until=F("heartbeat_at") + COMPILED_REPORT_LEASE
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_report_file_chunks")]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="lease_until",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="claimed until"
            ),
        ),
        migrations.AddField(
            model_name="reportrun",
            name="lease_until",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="claimed until"
            ),
        ),
        migrations.RunPython(leases, migrations.RunPython.noop),
    ]
