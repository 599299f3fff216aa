"""Reference data's names in the six UN languages (see action_areas.reference_translations):
action areas, pillars, beneficiary groups, SDGs and ITU-D regions from data/reference_translations,
countries from CLDR (Babel) with the UN's own short forms where they differ.

French country names seeded by 0002 were ISO 3166's inverted forms ("Bolivie, état plurinational
de"): they are replaced by the UN's ("Bolivie (État plurinational de)"); a French name the
secretariat has since changed is kept, as is every other value already entered."""

import csv
from pathlib import Path

from django.db import migrations

LANGUAGES = ("fr", "ar", "es", "ru", "zh-hans")
COUNTRIES_CSV = Path(__file__).resolve().parent.parent / "data" / "countries.csv"


def load(apps, schema_editor):
    from action_areas import reference_translations

    with open(COUNTRIES_CSV, newline="", encoding="utf-8") as handle:
        iso_french_names = {row["iso2"]: row["name_fr"] for row in csv.DictReader(handle)}
    for language in LANGUAGES:
        reference_translations.load(
            apps, language,
            replaceable_country_names=iso_french_names if language == "fr" else None,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("action_areas", "0003_translations_field"),
    ]

    # Unapplied, the names stay: 0003's reverse keeps the French ones, drops the others.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
