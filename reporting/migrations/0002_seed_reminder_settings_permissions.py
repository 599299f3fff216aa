"""Seed the one row of reminder settings and give the Secretariat group its reporting
permissions: run cycles, read reports and hide them, see reminders and resend failed ones,
set the reminders."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REPORTING_PERMISSIONS = [
    "view_reportingcycle", "add_reportingcycle", "change_reportingcycle",
    "delete_reportingcycle",
    "view_progressreport", "hide_progressreport", "view_historicalprogressreport",
    "view_targetprogress", "view_progressreportevent",
    "view_reminder", "change_reminder",
    "view_remindersettings", "change_remindersettings",
]


def seed(apps, schema_editor):
    ReminderSettings = apps.get_model("reporting", "ReminderSettings")
    ReminderSettings.objects.get_or_create(pk=1)

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Secretariat")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="reporting",
                                   codename__in=REPORTING_PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("members", "0003_secretariat_group"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
