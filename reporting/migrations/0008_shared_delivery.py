"""Shared delivery (issue 18): a progress report says which entity filed it — the pledging
entity or an accepted partner reporting its own share — one report per entity, pledge and
cycle. Every report filed so far was the pledging entity's. A reminder may be written to a
partner entity."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def reports_by_pledging_entity(apps, schema_editor):
    ProgressReport = apps.get_model("reporting", "ProgressReport")
    HistoricalProgressReport = apps.get_model("reporting", "HistoricalProgressReport")
    Pledge = apps.get_model("pledges", "Pledge")
    owner = Subquery(Pledge.objects.filter(pk=OuterRef("pledge_id")).values("entity_id")[:1])
    ProgressReport.objects.filter(entity__isnull=True).update(entity_id=owner)
    HistoricalProgressReport.objects.filter(entity__isnull=True).update(entity_id=owner)
    if schema_editor.connection.vendor == "postgresql":
        # The new foreign keys are checked now, so that the column can be altered next
        # ("pending trigger events" otherwise).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0009_review_assignment_and_internal_notes'),
        ('pledges', '0026_public_changed_index'),
        ('reporting', '0007_translations_field'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='progressreport',
            name='one_report_per_cycle',
        ),
        migrations.AddField(
            model_name='historicalprogressreport',
            name='entity',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The pledging entity, or a partner reporting its share of the pledge.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.entity', verbose_name='reported by'),
        ),
        migrations.AddField(
            model_name='progressreport',
            name='entity',
            field=models.ForeignKey(help_text='The pledging entity, or a partner reporting its share of the pledge.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='progress_reports', to='members.entity', verbose_name='reported by'),
        ),
        migrations.RunPython(reports_by_pledging_entity, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='progressreport',
            name='entity',
            field=models.ForeignKey(help_text='The pledging entity, or a partner reporting its share of the pledge.', on_delete=django.db.models.deletion.CASCADE, related_name='progress_reports', to='members.entity', verbose_name='reported by'),
        ),
        migrations.AddField(
            model_name='reminder',
            name='entity',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.entity', verbose_name='partner entity'),
        ),
        migrations.AddConstraint(
            model_name='progressreport',
            constraint=models.UniqueConstraint(fields=('pledge', 'cycle', 'entity'), name='one_report_per_entity_and_cycle'),
        ),
    ]
