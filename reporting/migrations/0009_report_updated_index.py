from django.db import migrations, models


class Migration(migrations.Migration):
    """The latest save of a progress report, read by every Goals page (goal_state's fingerprint)."""

    dependencies = [
        ('reporting', '0008_shared_delivery'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='progressreport',
            index=models.Index(fields=['updated_at'], name='report_updated'),
        ),
    ]
