"""A reporting cycle's name and a compiled report's title in every language through the JSON
field reference data uses (action_areas 0003): the French columns are carried over (and back,
when unapplied). A compiled report records the languages its files are written in; those
compiled before were written in English and French."""

from django.db import migrations, models


def french_columns_to_translations(apps, schema_editor):
    ReportingCycle = apps.get_model("reporting", "ReportingCycle")
    ReportRun = apps.get_model("reporting", "ReportRun")
    for cycle in ReportingCycle.objects.exclude(name_fr=""):
        cycle.name_translations = {"fr": cycle.name_fr}
        cycle.save(update_fields=["name_translations"])
    for run in ReportRun.objects.all():
        run.title_translations = {"fr": run.title_fr} if run.title_fr else {}
        run.languages = ["en", "fr"]
        run.save(update_fields=["title_translations", "languages"])


def translations_to_french_columns(apps, schema_editor):
    ReportingCycle = apps.get_model("reporting", "ReportingCycle")
    ReportRun = apps.get_model("reporting", "ReportRun")
    for cycle in ReportingCycle.objects.all():
        cycle.name_fr = cycle.name_translations.get("fr", "")
        cycle.save(update_fields=["name_fr"])
    for run in ReportRun.objects.all():
        run.title_fr = run.title_translations.get("fr", "")
        run.save(update_fields=["title_fr"])


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0006_job_leases"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportingcycle",
            name="name_translations",
            field=models.JSONField(
                blank=True, default=dict,
                help_text="The name in each other language, by language code.",
                verbose_name="name in other languages",
            ),
        ),
        migrations.AddField(
            model_name="reportrun",
            name="languages",
            field=models.JSONField(blank=True, default=list, verbose_name="languages"),
        ),
        migrations.AddField(
            model_name="reportrun",
            name="title_translations",
            field=models.JSONField(blank=True, default=dict,
                                   verbose_name="title in other languages"),
        ),
        migrations.RunPython(french_columns_to_translations, translations_to_french_columns),
        # Defaults first, so that unapplying can add the columns back to filled tables.
        migrations.AlterField(model_name="reportingcycle", name="name_fr",
                              field=models.CharField(max_length=200, blank=True, default="",
                                                     verbose_name="name (French)")),
        migrations.AlterField(model_name="reportrun", name="title_fr",
                              field=models.CharField(max_length=250, blank=True, default="",
                                                     verbose_name="title (French)")),
        migrations.RemoveField(model_name="reportingcycle", name="name_fr"),
        migrations.RemoveField(model_name="reportrun", name="title_fr"),
    ]
