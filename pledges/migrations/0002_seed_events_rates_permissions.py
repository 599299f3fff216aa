"""Seed the first event (the Kigali roundtable), indicative currency rates, and the
Secretariat group's pledge permissions."""

import datetime
from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Indicative rates for a first run only; the secretariat replaces them with its official ones.
SEED_RATES = [
    ("EUR", "1.05", "2022-06-01"),
    ("GBP", "1.25", "2022-06-01"),
    ("CHF", "1.04", "2022-06-01"),
    ("JPY", "0.0077", "2022-06-01"),
    ("CNY", "0.15", "2022-06-01"),
    ("XOF", "0.0016", "2022-06-01"),
    ("RWF", "0.00098", "2022-06-01"),
]

PLEDGE_PERMISSIONS = [
    "review_pledge", "view_pledge", "change_pledge", "view_historicalpledge", "view_target",
    "view_pledgestatuschange", "view_event", "add_event", "change_event", "view_currencyrate",
    "add_currencyrate", "change_currencyrate",
]


def seed(apps, schema_editor):
    Event = apps.get_model("pledges", "Event")
    CurrencyRate = apps.get_model("pledges", "CurrencyRate")
    Event.objects.get_or_create(
        slug="wtdc-22-kigali",
        defaults=dict(
            name_en="WTDC-22 Digital Development Roundtable, Kigali",
            name_fr="Table ronde sur le développement numérique de la CMDT-22, Kigali",
            location="Kigali, Rwanda",
            start_date=datetime.date(2022, 6, 6),
            end_date=datetime.date(2022, 6, 16),
            is_open_for_pledges=True,
        ),
    )
    for currency, rate, day in SEED_RATES:
        CurrencyRate.objects.get_or_create(
            currency=currency,
            rate_date=datetime.date.fromisoformat(day),
            defaults=dict(usd_per_unit=Decimal(rate),
                          source="Indicative seed value: replace with the official rate"),
        )

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Secretariat")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="pledges",
                                   codename__in=PLEDGE_PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0001_initial"),
        ("members", "0003_secretariat_group"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
