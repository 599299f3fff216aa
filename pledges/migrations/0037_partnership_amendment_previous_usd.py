"""An approved proposal keeps the USD equivalent of the contribution it replaced, so that "as of"
figures of an earlier date count the contribution as it was then. Proposals approved before this
migration: the amount they replaced converted at its month's rate where one is recorded."""

from django.db import migrations, models


def previous_usd(apps, schema_editor):
    PartnershipAmendment = apps.get_model("pledges", "PartnershipAmendment")
    CurrencyRate = apps.get_model("pledges", "CurrencyRate")
    approved = PartnershipAmendment.objects.filter(status="approved",
                                                   previous_amount__isnull=False)
    for amendment in approved:
        if amendment.previous_currency == "USD":
            usd = amendment.previous_amount
        else:
            month = (amendment.decided_at or amendment.proposed_at).date().replace(day=1)
            rate = (CurrencyRate.objects.filter(currency=amendment.previous_currency,
                                                month__lte=month).order_by("-month").first())
            usd = (round(amendment.previous_amount / rate.rate_per_usd, 2)
                   if rate is not None else None)
        amendment.previous_usd_amount = usd
        amendment.save(update_fields=["previous_usd_amount"])


class Migration(migrations.Migration):

    dependencies = [
        ("pledges", "0036_partnership_amendment_reason_withdrawn"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnershipamendment",
            name="previous_usd_amount",
            field=models.DecimalField(blank=True, decimal_places=2, editable=False,
                                      max_digits=16, null=True, verbose_name="amount in USD"),
        ),
        migrations.RunPython(previous_usd, migrations.RunPython.noop),
    ]
