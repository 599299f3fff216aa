"""Seed the coalition settings (the USD 100 billion goal) and let the Secretariat group see and
change them in the admin."""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

USD_GOAL = Decimal("100000000000")  # USD 100 billion, the coalition's announced goal
PERMISSIONS = ["view_coalitionsettings", "change_coalitionsettings"]


def seed(apps, schema_editor):
    CoalitionSettings = apps.get_model("pledges", "CoalitionSettings")
    CoalitionSettings.objects.get_or_create(pk=1, defaults={"usd_goal": USD_GOAL})

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Secretariat")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="pledges", codename__in=PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0003_coalitionsettings")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
