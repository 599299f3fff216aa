"""Reference data in every language through one translations field: the names visitors read in
each language, the secretariat's edits in the admin, the migration that carried the French
columns over, and a seventh language that needs no migration."""

import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from action_areas.models import ActionArea, Country, SustainableDevelopmentGoal
from tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEVEN_LANGUAGES = [*settings.LANGUAGES, ("pt", "Português")]


def _page(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def test_french_pages_use_the_uns_short_form_not_isos_inverted_one(anonymous):
    bolivia = Country.objects.get(iso3="BOL")
    pledge = PledgeFactory(published=True, title="Rural networks in Bolivia")
    pledge.countries.set([bolivia])
    for address in ("/fr/countries/BOL/", "/fr/pledges/"):
        html = _page(anonymous, address)
        assert "Bolivie (État plurinational de)" in html, address
        assert "Bolivie, état plurinational de" not in html, address


@pytest.mark.parametrize(("language", "access", "english_left"), [
    ("ar", "النفاذ", ">Access<"),
    ("zh-hans", "接入", ">Access<"),
])
def test_arabic_and_chinese_pages_name_the_action_areas_in_their_language(
    anonymous, language, access, english_left
):
    pledge = PledgeFactory(published=True, title="Schools online")
    html = _page(anonymous, f"/{language}/pledges/{pledge.pk}/")
    assert access in html
    assert english_left not in html.replace(" ", "")


def test_every_reference_kind_is_named_in_the_six_languages():
    for obj in [*ActionArea.objects.all(), *SustainableDevelopmentGoal.objects.all(),
                *Country.objects.all()]:
        missing = {code for code, _name in settings.LANGUAGES
                   if code != "en" and not obj.name_translations.get(code)}
        assert not missing, (obj.name_en, missing)
    goal = SustainableDevelopmentGoal.objects.get(number=4)
    assert (goal.name_in("fr"), goal.name_in("es")) == (
        "Éducation de qualité", "Educación de calidad")
    bolivia = Country.objects.get(iso3="BOL")
    assert bolivia.name_in("es") == "Bolivia (Estado Plurinacional de)"
    assert bolivia.name_in("zh-hans") == "多民族玻利维亚国"
    # CLDR's names where the UN's short form is the same: not typed by hand.
    assert Country.objects.get(iso3="RWA").name_in("ru") == "Руанда"


def test_a_name_without_a_translation_falls_back_to_english():
    area = ActionArea.objects.get(code="access")
    area.name_translations = {}
    assert area.name_in("ar") == area.name_in("pt") == "Access"


def _change_access(client, **names):
    area = ActionArea.objects.get(code="access")
    data = {"code": area.code, "name_en": area.name_en, "description_en": area.description_en,
            "position": area.position, "pillars-TOTAL_FORMS": "0",
            "pillars-INITIAL_FORMS": "0", "_save": "Save"}
    for code, _name in settings.LANGUAGES:
        if code != "en":
            data[f"name_in_{code.replace('-', '_')}"] = area.name_translations.get(code, "")
            data[f"description_in_{code.replace('-', '_')}"] = (
                area.description_translations.get(code, ""))
    data.update(names)
    return client.post(f"/en/admin/action_areas/actionarea/{area.pk}/change/", data)


def test_the_secretariats_edit_of_a_translation_shows_on_the_page(secretariat_client,
                                                                    anonymous):
    pledge = PledgeFactory(published=True, title="Schools online")
    form = _page(secretariat_client, "/en/admin/action_areas/actionarea/"
                 f"{ActionArea.objects.get(code='access').pk}/change/")
    assert 'name="name_in_zh_hans"' in form and 'value="接入"' in form

    response = _change_access(secretariat_client, name_in_zh_hans="普及接入")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "普及接入" in _page(anonymous, f"/zh-hans/pledges/{pledge.pk}/")
    # The other languages are as they were.
    area = ActionArea.objects.get(code="access")
    assert area.name_translations["fr"] == "Accès" and area.name_in("ar") == "النفاذ"


def test_a_seventh_language_needs_no_migration_only_its_translations(secretariat_client):
    with override_settings(LANGUAGES=SEVEN_LANGUAGES):
        # The schema does not change: no migration is waiting to be written.
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
        form = _page(secretariat_client, "/en/admin/action_areas/actionarea/"
                     f"{ActionArea.objects.get(code='access').pk}/change/")
        assert 'name="name_in_pt"' in form
        assert _change_access(secretariat_client, name_in_pt="Acesso").status_code == 302
        call_command("load_reference_translations", "pt", verbosity=0)
    area = ActionArea.objects.get(code="access")
    assert area.name_in("pt") == "Acesso"
    assert Country.objects.get(iso3="BRA").name_in("pt") == "Brasil"  # from CLDR


# --- The migration from the French columns ---------------------------------------------------


def _scratch_database() -> str:
    return f"{settings.DATABASES['default']['NAME']}_refdata_migration"


def _manage(*args: str, database: str) -> None:
    base = settings.DATABASES["default"]
    url = f"postgres://{base['USER']}@{base['HOST']}:{base['PORT'] or 5432}/{database}"
    subprocess.run([sys.executable, "manage.py", *args, "-v0"], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": url}, timeout=600)


def _connect(database: str):
    base = settings.DATABASES["default"]
    return psycopg2.connect(dbname=database, user=base["USER"], host=base["HOST"],
                            port=base["PORT"] or 5432)


def _reference_data_as_migration_0002_left_it(scratch: str, admin) -> None:
    """`scratch`, new, with the action areas' migrations up to 0002 (the French columns) and
    what the post_migrate handlers that every `migrate` runs need (content types, auth's
    permissions and groups: members.secretariat_group): the action areas' migrations depend on
    no other app's, so nothing else is migrated."""
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    # Both in one process: a Django start-up is most of each.
    _manage("shell", "-c", "from django.core.management import call_command as run; "
            "run('migrate', 'auth', verbosity=0); "
            "run('migrate', 'action_areas', '0002', verbosity=0)", database=scratch)


def test_the_migration_keeps_every_french_value_and_the_secretariats_edits(postgresql):
    scratch = _scratch_database()
    admin = _connect("postgres")
    admin.autocommit = True
    try:
        _reference_data_as_migration_0002_left_it(scratch, admin)
        with closing(_connect(scratch)) as connection, connection, connection.cursor() as cursor:
            # French values as the secretariat left them in the old columns.
            cursor.execute("UPDATE action_areas_actionarea SET name_fr = 'Accès (édité)', "
                           "description_fr = 'Description éditée' WHERE code = 'access'")
            cursor.execute("UPDATE action_areas_country SET name_fr = 'Rwanda (édité)' "
                           "WHERE iso3 = 'RWA'")
            # As 0002 seeded it, from ISO 3166's French.
            cursor.execute("UPDATE action_areas_country SET name_fr = "
                           "'Bolivie, état plurinational de' WHERE iso3 = 'BOL'")
            cursor.execute("SELECT count(*) FROM action_areas_country WHERE name_fr <> ''")
            french_countries = cursor.fetchone()[0]
        _manage("migrate", "action_areas", database=scratch)
        with closing(_connect(scratch)) as connection, connection, connection.cursor() as cursor:
            cursor.execute("SELECT name_translations ->> 'fr', description_translations ->> 'fr', "
                           "name_translations ->> 'ar' FROM action_areas_actionarea "
                           "WHERE code = 'access'")
            assert cursor.fetchone() == ("Accès (édité)", "Description éditée", "النفاذ")
            cursor.execute("SELECT iso3, name_translations ->> 'fr' FROM action_areas_country "
                           "WHERE iso3 IN ('RWA', 'BOL') ORDER BY iso3")
            # An edited French name is kept; ISO's inverted seed gives way to the UN's form.
            assert cursor.fetchall() == [("BOL", "Bolivie (État plurinational de)"),
                                         ("RWA", "Rwanda (édité)")]
            cursor.execute("SELECT count(*) FROM action_areas_country "
                           "WHERE name_translations ->> 'fr' <> ''")
            assert cursor.fetchone()[0] == french_countries
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.close()
