"""Move the sites table's id sequence past the record 0002 created with an explicit id.

0002 creates the site record with id SITE_ID before Django's own post_migrate hook would (that
hook resets the sequence after its explicit id; 0002 did not). On PostgreSQL the sequence still
stood at 1, so the secretariat's first "Add site" in the admin failed with a duplicate key (a 500,
found by tests/p2c_portal/test_hostile_admin_input.py)."""

from django.core.management.color import no_style
from django.db import migrations


def reset_site_sequence(apps, schema_editor):
    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), [apps.get_model("sites", "Site")])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("p2c_portal", "0003_outbound_email_jobs"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(reset_site_sequence, migrations.RunPython.noop)]
