"""The Secretariat group compiles, rebuilds and publishes reports and reads their files."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REPORT_PERMISSIONS = ["view_reportrun", "add_reportrun", "publish_reportrun", "view_reportfile"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Secretariat")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="reporting",
                                   codename__in=REPORT_PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_report_runs")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
