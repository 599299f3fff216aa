"""Seed the Action Framework, SDGs, ITU-D regions, countries and their dated groupings.

Data files live beside the app (action_areas/data/), copied from the coalition's reference data:
the project never reads outside its own tree at run time.
"""

import csv
import datetime
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def seed(apps, schema_editor):
    from action_areas import reference_data as ref

    ActionArea = apps.get_model("action_areas", "ActionArea")
    Pillar = apps.get_model("action_areas", "Pillar")
    BeneficiaryGroup = apps.get_model("action_areas", "BeneficiaryGroup")
    SDG = apps.get_model("action_areas", "SustainableDevelopmentGoal")
    Region = apps.get_model("action_areas", "Region")
    Country = apps.get_model("action_areas", "Country")
    Membership = apps.get_model("action_areas", "CountryGroupMembership")

    areas = {}
    for position, (code, name_en, name_fr, desc_en, desc_fr) in enumerate(ref.ACTION_AREAS, 1):
        areas[code], _ = ActionArea.objects.update_or_create(
            code=code,
            defaults=dict(
                name_en=name_en,
                name_fr=name_fr,
                description_en=desc_en,
                description_fr=desc_fr,
                position=position,
            ),
        )
    for position, (area, code, name_en, name_fr) in enumerate(ref.PILLARS, 1):
        Pillar.objects.update_or_create(
            code=code,
            defaults=dict(
                action_area=areas[area], name_en=name_en, name_fr=name_fr, position=position
            ),
        )
    for position, (code, name_en, name_fr) in enumerate(ref.BENEFICIARY_GROUPS, 1):
        BeneficiaryGroup.objects.update_or_create(
            code=code, defaults=dict(name_en=name_en, name_fr=name_fr, position=position)
        )
    for number, name_en, name_fr in ref.SDGS:
        SDG.objects.update_or_create(number=number, defaults=dict(name_en=name_en, name_fr=name_fr))

    regions = {}
    for position, (code, name_en, name_fr) in enumerate(ref.ITU_REGIONS, 1):
        regions[name_en], _ = Region.objects.update_or_create(
            code=code, defaults=dict(name_en=name_en, name_fr=name_fr, position=position)
        )

    graduations = {}
    with open(DATA_DIR / "ldc_graduation.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            graduations[row["iso3"]] = row

    with open(DATA_DIR / "countries.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            country, _ = Country.objects.update_or_create(
                iso3=row["iso3"],
                defaults=dict(
                    iso2=row["iso2"],
                    name_en=row["name_en"],
                    name_fr=row["name_fr"],
                    region=regions[row["itu_region"]],
                ),
            )
            for group in ("lldc", "sids"):
                if row[group] == "1":
                    Membership.objects.get_or_create(country=country, group=group.upper())
            event = graduations.get(row["iso3"])
            if row["ldc"] == "1":
                # Still an LDC on the list this data was made from. A scheduled or deferred
                # graduation is recorded as a note: the secretariat sets valid_to when it happens.
                note = ""
                if event:
                    when = f" ({event['date']})" if event["date"] else ""
                    note = f"{event['event'].capitalize()}{when}: {event['status_note']}"[:300]
                Membership.objects.get_or_create(
                    country=country,
                    group="LDC",
                    defaults=dict(note=note, source=(event or {}).get("source", "")[:500]),
                )
            elif event and event["event"] == "graduated":
                # Graduated already: an LDC until (not including) the graduation date.
                Membership.objects.get_or_create(
                    country=country,
                    group="LDC",
                    defaults=dict(
                        valid_to=datetime.date.fromisoformat(event["date"]),
                        note=f"Graduated: {event['status_note']}"[:300],
                        source=event["source"][:500],
                    ),
                )


class Migration(migrations.Migration):
    dependencies = [("action_areas", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
