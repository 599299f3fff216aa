"""Import and export permissions for pledges and entities, given to the "Secretariat" group.

django-import-export asks for `<app>.import_<model>` and `<app>.export_<model>` (see
spreadsheets.admin_desk). They are created here rather than in the models' Meta.permissions so that
the models stay free of an admin tool's vocabulary; Django never deletes them afterwards.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DESK_PERMISSIONS = [
    ("pledges", "pledge", "import_pledge", "Can import pledges"),
    ("pledges", "pledge", "export_pledge", "Can export pledges"),
    ("members", "entity", "import_entity", "Can import entities"),
    ("members", "entity", "export_entity", "Can export entities"),
]


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="Secretariat")
    for app_label, model, codename, name in DESK_PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def remove_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        codename__in=[codename for _, _, codename, _ in DESK_PERMISSIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_secretariat_group"),
        ("pledges", "0002_seed_events_rates_permissions"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
