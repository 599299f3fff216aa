"""A funder's contribution keeps the month its amount was given, so that rates uploaded later
convert it (pledges.partnerships.contributions_convert_again). Existing amounts: the month of the
rate that converted them, or else the month they were given (requested, or proposed)."""

import datetime

from django.db import migrations, models
from django.utils import timezone


def _month(moment) -> datetime.date:
    return timezone.localtime(moment).date().replace(day=1)


def amount_months(apps, schema_editor):
    Partnership = apps.get_model("pledges", "Partnership")
    PartnershipAmendment = apps.get_model("pledges", "PartnershipAmendment")
    for model, given_at in ((Partnership, "invited_at"), (PartnershipAmendment, "proposed_at")):
        for row in model.objects.filter(amount__isnull=False, amount_month__isnull=True):
            row.amount_month = row.usd_rate_date or _month(getattr(row, given_at))
            row.save(update_fields=["amount_month"])


class Migration(migrations.Migration):

    dependencies = [
        ("pledges", "0034_partnership_amendments"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnership",
            name="amount_month",
            field=models.DateField(blank=True, editable=False, null=True,
                                   verbose_name="month of the amount"),
        ),
        migrations.AddField(
            model_name="partnershipamendment",
            name="amount_month",
            field=models.DateField(blank=True, editable=False, null=True,
                                   verbose_name="month of the amount"),
        ),
        migrations.RunPython(amount_months, migrations.RunPython.noop),
    ]
