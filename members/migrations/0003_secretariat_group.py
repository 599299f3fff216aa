"""The "Secretariat" group: staff in it run the review desk without being superusers.

History only: the group's permissions are now listed, with their reasons, in
members/secretariat_group.py, applied after every migrate (and by `manage.py
secretariat_permissions`); what this and later data migrations granted is corrected there.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SECRETARIAT_PERMISSIONS = [
    ("members", "vet_entity"),
    ("members", "view_entity"),
    ("members", "change_entity"),
    ("members", "view_historicalentity"),
    ("members", "view_entitystatuschange"),
    ("members", "view_membership"),
    ("members", "change_membership"),
    ("members", "view_invitation"),
    ("members", "view_joinrequest"),
    ("members", "view_user"),
    ("p2c_portal", "view_outboundemail"),
    ("p2c_portal", "change_outboundemail"),
    ("action_areas", "view_actionarea"),
    ("action_areas", "change_actionarea"),
    ("action_areas", "view_pillar"),
    ("action_areas", "add_pillar"),
    ("action_areas", "change_pillar"),
    ("action_areas", "view_beneficiarygroup"),
    ("action_areas", "view_sustainabledevelopmentgoal"),
    ("action_areas", "view_region"),
    ("action_areas", "view_country"),
    ("action_areas", "change_country"),
    ("action_areas", "view_countrygroupmembership"),
    ("action_areas", "add_countrygroupmembership"),
    ("action_areas", "change_countrygroupmembership"),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Secretariat")
    for app_label, codename in SECRETARIAT_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Secretariat").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_entity_entitystatuschange_historicalentity_and_more"),
        ("p2c_portal", "0001_initial"),
        ("action_areas", "0002_seed_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
