"""An event's French name column becomes the JSON field {language: name} every reference name
uses (action_areas 0003), its French values carried over."""

from django.db import migrations, models


def french_column_to_translations(apps, schema_editor):
    Event = apps.get_model("pledges", "Event")
    for event in Event.objects.exclude(name_fr=""):
        event.name_translations = {"fr": event.name_fr}
        event.save(update_fields=["name_translations"])


def translations_to_french_column(apps, schema_editor):
    Event = apps.get_model("pledges", "Event")
    for event in Event.objects.all():
        event.name_fr = event.name_translations.get("fr", "")
        event.save(update_fields=["name_fr"])


class Migration(migrations.Migration):

    dependencies = [
        ("pledges", "0009_pledge_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="name_translations",
            field=models.JSONField(
                blank=True, default=dict,
                help_text="The name in each other language, by language code.",
                verbose_name="name in other languages",
            ),
        ),
        migrations.RunPython(french_column_to_translations, translations_to_french_column),
        # A default first, so that unapplying can add the column back to a filled table.
        migrations.AlterField(model_name="event", name="name_fr",
                              field=models.CharField(max_length=200, blank=True, default="",
                                                     verbose_name="name (French)")),
        migrations.RemoveField(model_name="event", name="name_fr"),
    ]
