"""Reference data's French columns become one JSON field per translated text, {language: text},
so that a language added to settings.LANGUAGES needs no schema change. Every French value is
carried over (and back, when unapplied) before its column goes."""

from django.db import migrations, models

NAMED = ["actionarea", "beneficiarygroup", "country", "pillar", "region",
         "sustainabledevelopmentgoal"]
# model -> the texts translated in it
TRANSLATED = dict.fromkeys(NAMED, ("name",)) | {"actionarea": ("name", "description")}


def translations_field(field):
    verbose = "name in other languages" if field == "name" else "description in other languages"
    return models.JSONField(
        blank=True, default=dict, verbose_name=verbose,
        **({"help_text": "The name in each other language, by language code."}
           if field == "name" else {}),
    )


def french_column(field):
    if field == "name":
        return models.CharField(max_length=200, blank=True, default="",
                                verbose_name="name (French)")
    return models.TextField(blank=True, default="", verbose_name="description (French)")


def french_columns_to_translations(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("action_areas", model_name)
        for obj in model.objects.all():
            for field in fields:
                french = getattr(obj, f"{field}_fr")
                if french:
                    getattr(obj, f"{field}_translations")["fr"] = french
            obj.save(update_fields=[f"{field}_translations" for field in fields])


def translations_to_french_columns(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("action_areas", model_name)
        for obj in model.objects.all():
            for field in fields:
                setattr(obj, f"{field}_fr", getattr(obj, f"{field}_translations").get("fr", ""))
            obj.save(update_fields=[f"{field}_fr" for field in fields])


class Migration(migrations.Migration):

    dependencies = [
        ("action_areas", "0002_seed_reference_data"),
    ]

    operations = [
        *(migrations.AddField(model_name=model, name=f"{field}_translations",
                              field=translations_field(field))
          for model, fields in TRANSLATED.items() for field in fields),
        migrations.RunPython(french_columns_to_translations, translations_to_french_columns),
        # A default first, so that unapplying can add the columns back to filled tables.
        *(migrations.AlterField(model_name=model, name=f"{field}_fr",
                                field=french_column(field))
          for model, fields in TRANSLATED.items() for field in fields),
        *(migrations.RemoveField(model_name=model, name=f"{field}_fr")
          for model, fields in TRANSLATED.items() for field in fields),
    ]
