"""The daily rates' columns go; a monthly rate always has its month and rate."""

import django.core.validators
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0018_monthly_rates_from_daily'),
    ]

    operations = [
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
