"""Daily rates become monthly UN operational rates, and each financial pledge gets the month its
amount was pledged and its USD equivalent at that month's rate.

- A daily rate (USD per unit) becomes its month's rate in units per US dollar (the UN's way of
  writing it), the latest day of a month standing for the month. The seven rates seeded by 0002
  ("Indicative seed value") are marked test data: they were never official figures. Any other rate
  was typed by the secretariat: kept, as the secretariat's.
- A pledge's month is that of its first submission (of its creation for a draft never submitted).
  It is converted again at that month's rate; with no rate for its month it waits ("USD
  equivalent pending") instead of keeping a rate of another month. A USD pledge's rate date
  becomes its month, no longer the day it was last saved.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

SEED_SOURCE_PREFIX = "Indicative seed value"


def monthly_rates(apps, schema_editor):
    CurrencyRate = apps.get_model("pledges", "CurrencyRate")
    latest = {}
    for rate in CurrencyRate.objects.order_by("currency", "rate_date", "pk"):
        latest[(rate.currency, rate.rate_date.replace(day=1))] = rate
    keep = set()
    for (_currency, month), rate in latest.items():
        rate.month = month
        # Six significant digits, as the UN Treasury publishes its rates.
        per_usd = 1 / rate.usd_per_unit
        rate.rate_per_usd = per_usd.quantize(
            Decimal(1).scaleb(min(per_usd.adjusted() - 5, 0)), rounding=ROUND_HALF_UP
        )
        rate.source = "test_data" if rate.source.startswith(SEED_SOURCE_PREFIX) else "secretariat"
        rate.save(update_fields=["month", "rate_per_usd", "source"])
        keep.add(rate.pk)
    CurrencyRate.objects.exclude(pk__in=keep).delete()

    Pledge = apps.get_model("pledges", "Pledge")
    rates = {(r.currency, r.month): r for r in CurrencyRate.objects.all()}
    financial = Pledge.objects.filter(pledge_type="financial", amount__isnull=False).exclude(
        currency=""
    )
    for pledge in financial.iterator(chunk_size=500):
        pledged = pledge.first_submitted_at or pledge.created_at
        month = pledged.date().replace(day=1)
        pledge.amount_month = month
        if pledge.currency == "USD":
            pledge.usd_amount, pledge.usd_rate, pledge.usd_rate_date = pledge.amount, 1, month
            pledge.usd_rate_is_test_data = False
        elif (rate := rates.get((pledge.currency, month))) is not None:
            pledge.usd_amount = (pledge.amount / rate.rate_per_usd).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            pledge.usd_rate, pledge.usd_rate_date = rate.rate_per_usd, month
            pledge.usd_rate_is_test_data = rate.source == "test_data"
        else:
            pledge.usd_amount = pledge.usd_rate = pledge.usd_rate_date = None
            pledge.usd_rate_is_test_data = False
        Pledge.objects.filter(pk=pledge.pk).update(
            amount_month=pledge.amount_month, usd_amount=pledge.usd_amount,
            usd_rate=pledge.usd_rate, usd_rate_date=pledge.usd_rate_date,
            usd_rate_is_test_data=pledge.usd_rate_is_test_data,
        )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0017_monthly_un_rates")]

    operations = [
        # Alone in its migration (its own transaction): PostgreSQL refuses to alter a table
        # with row changes pending in the same transaction.
        migrations.RunPython(monthly_rates, migrations.RunPython.noop, elidable=False),
    ]
