"""The daily rates' columns go; a monthly rate always has its month and rate.

Reversible (tests/action_areas/test_translations.py migrates back across it): going back, the
daily columns return nullable, are filled from the monthly ones (the month's first day, the
dollar value of one unit), then become required again. Not atomic: PostgreSQL refuses to alter
a table whose rows were changed earlier in the same transaction."""

from decimal import ROUND_HALF_UP, Decimal

import django.core.validators
from django.db import migrations, models


def daily_columns_from_monthly(apps, schema_editor):
    CurrencyRate = apps.get_model("pledges", "CurrencyRate")
    for rate in CurrencyRate.objects.all():
        rate.rate_date = rate.month
        rate.usd_per_unit = (1 / rate.rate_per_usd).quantize(Decimal("0.00000001"),
                                                             rounding=ROUND_HALF_UP)
        rate.save(update_fields=["rate_date", "usd_per_unit"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('pledges', '0018_monthly_rates_from_daily'),
    ]

    operations = [
        migrations.AlterField(model_name="currencyrate", name="rate_date",
                              field=models.DateField(null=True, verbose_name="date of the rate")),
        migrations.AlterField(model_name="currencyrate", name="usd_per_unit",
                              field=models.DecimalField(decimal_places=8, max_digits=18,
                                                        null=True, verbose_name="USD per unit")),
        migrations.RunPython(migrations.RunPython.noop, daily_columns_from_monthly),
        migrations.RemoveField(model_name="currencyrate", name="rate_date"),
        migrations.RemoveField(model_name="currencyrate", name="usd_per_unit"),
        migrations.AlterField(
            model_name='currencyrate',
            name='source',
            field=models.CharField(choices=[('un_treasury', 'UN operational rate of exchange (UN Treasury file)'), ('secretariat', 'Entered by the secretariat (CSV)'), ('test_data', 'Test data: not an official rate')], max_length=20, verbose_name='source'),
        ),
        migrations.AlterField(
            model_name='currencyrate',
            name='month',
            field=models.DateField(help_text='The first day of the month.', verbose_name='month'),
        ),
        migrations.AlterField(
            model_name='currencyrate',
            name='rate_per_usd',
            field=models.DecimalField(decimal_places=6, max_digits=20, validators=[django.core.validators.MinValueValidator(Decimal('0.01')), django.core.validators.MaxValueValidator(Decimal('10000000'))], verbose_name='units per US dollar'),
        ),
        migrations.AlterField(
            model_name='historicalcurrencyrate',
            name='month',
            field=models.DateField(help_text='The first day of the month.', verbose_name='month'),
        ),
        migrations.AlterField(
            model_name='historicalcurrencyrate',
            name='rate_per_usd',
            field=models.DecimalField(decimal_places=6, max_digits=20, validators=[django.core.validators.MinValueValidator(Decimal('0.01')), django.core.validators.MaxValueValidator(Decimal('10000000'))], verbose_name='units per US dollar'),
        ),
    ]
